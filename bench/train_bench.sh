#!/usr/bin/env bash
# Training throughput: mom-train (ngram, bert-tiny, bert-base) on 1 and 2 ranks, beside an
# equivalent python3-torch eager loop in the same run, then the all-reduce bandwidth table.
# Usage: bench/train_bench.sh LABELED.jsonl [BUILD_DIR]     (prints one table)
set -euo pipefail
DATA=${1:?labeled JSONL}
BUILD=${2:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
MPIRUN="mpirun --allow-run-as-root --oversubscribe --bind-to none"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# model  questions  batch
CASES=("ngram 4000 64" "bert-tiny 512 32" "bert-base 48 16")
rate() { grep -o '[0-9.]* samples/s' "$1" | tail -1 | cut -d' ' -f1; }
printf "%-10s %6s %14s %14s %10s %16s\n" model batch "1 rank s/s" "2 ranks s/s" "scaling" "torch eager s/s"
for c in "${CASES[@]}"; do
  read -r model n batch <<<"$c"
  head -n "$n" "$DATA" >"$TMP/data.jsonl"
  common="--model_name $model --data_path $TMP/data.jsonl --epochs 1 --batch_size $batch --gradient_accumulation_steps 1 --test_size 0.05 --max_length 128"
  "$BUILD/trainer/mom-train" $common --output_dir "$TMP/o1" 2>"$TMP/r1.log"
  $MPIRUN -np 2 -x OMP_NUM_THREADS=1 "$BUILD/trainer/mom-train" $common --output_dir "$TMP/o2" 2>"$TMP/r2.log"
  r1=$(rate "$TMP/r1.log"); r2=$(rate "$TMP/r2.log")
  eager="-"
  if [ "$model" != ngram ]; then
    eager=$(python3 "$HERE/train_bench_eager.py" "$model" "$batch" 128 3 | grep -o '[0-9.]* samples/s' | cut -d' ' -f1)
  fi
  printf "%-10s %6s %14s %14s %10s %16s\n" "$model" "$batch" "$r1" "$r2" "$(python3 -c "print(f'{$r2/$r1:.2f}x')")" "$eager"
done
echo
$MPIRUN -np 2 "$BUILD/trainer/train_allreduce_bench"
