#!/usr/bin/env bash
# Training throughput: mom-train (ngram, bert-tiny, bert-base) on 1 and 2 ranks, beside an
# equivalent python3-torch eager loop in the same run, then the all-reduce bandwidth table.
# Every question of the generated data is longer than --max_length 128 tokens, so mom-train and the
# eager loop both train on exactly 128 tokens per sample.
# Usage: bench/train_bench.sh [BUILD_DIR]      env: PYTHON (default /usr/bin/python3)
set -euo pipefail
BUILD=${1:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
HERE=$(cd "$(dirname "$0")" && pwd)
export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
MPIRUN="mpirun --allow-run-as-root --oversubscribe --bind-to none"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$PYTHON" - "$TMP/data.jsonl" <<'PY'
import json, random, sys
random.seed(0)
words = "the of and to in is was for on that with as by at from his it an were are which this be".split()
models = [(7, "google/gemma-2-9b-it"), (8, "Qwen/Qwen2.5-7B-Instruct"), (27, "Qwen/Qwen3-4B")]
with open(sys.argv[1], "w") as f:
    for k in range(4000):
        correct = [random.random() < 0.6 for _ in models]
        correct[k % 3] = True
        label = models[k % 3]
        f.write(json.dumps({"text": " ".join(random.choice(words) for _ in range(160)), "dataset": "bench", "task": "bench",
                            "doc_id": k, "kind": "multiple_choice", "label": {"id": label[0], "name": label[1]},
                            "unsolved": False, "models": [{"id": i, "name": n, "correct": c, "confidence": 0.5, "absent": False}
                                                          for (i, n), c in zip(models, correct)]}) + "\n")
PY

# model  questions  batch
CASES=("ngram 4000 64" "bert-tiny 512 32" "bert-base 64 16")
rate() { grep -o '[0-9.]* samples/s' "$1" | tail -1 | cut -d' ' -f1; }
printf "%-10s %6s %12s %12s %9s %16s\n" model batch "1 rank s/s" "2 ranks s/s" scaling "torch eager s/s"
for c in "${CASES[@]}"; do
  read -r model n batch <<<"$c"
  head -n "$n" "$TMP/data.jsonl" >"$TMP/d.jsonl"
  common="--model_name $model --data_path $TMP/d.jsonl --epochs 1 --batch_size $batch --gradient_accumulation_steps 1 --test_size 0.02 --max_length 128"
  "$BUILD/trainer/mom-train" $common --output_dir "$TMP/o1" 2>"$TMP/r1.log"
  $MPIRUN -np 2 "$BUILD/trainer/mom-train" $common --output_dir "$TMP/o2" 2>"$TMP/r2.log"
  r1=$(rate "$TMP/r1.log"); r2=$(rate "$TMP/r2.log")
  eager="-"
  if [ "$model" != ngram ]; then
    steps=$(( n / batch < 8 ? n / batch : 8 ))
    eager=$("$PYTHON" "$HERE/train_bench_eager.py" "$model" "$batch" 128 "$steps" | grep -o '[0-9.]* samples/s' | cut -d' ' -f1)
  fi
  printf "%-10s %6s %12s %12s %9s %16s\n" "$model" "$batch" "$r1" "$r2" "$("$PYTHON" -c "print(f'{$r2/$r1:.2f}x')")" "$eager"
  rm -rf "$TMP/o1" "$TMP/o2"
done
echo
$MPIRUN -np 2 "$BUILD/trainer/train_allreduce_bench"
