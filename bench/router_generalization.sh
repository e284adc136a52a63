#!/usr/bin/env bash
# How a router does on benchmarks it never saw (leave one benchmark out): train a router
# on every dataset of LABELED.jsonl but one, then evaluate on the one left out with the
# out-of-distribution gate (checkpoint default), without it (--ood_threshold 0), beside the
# router's own fallback model and the best single model of that benchmark.
# Usage: bench/router_generalization.sh LABELED.jsonl [BUILD_DIR]   (labels from mom-label)
#   env MODEL: the router, ngram (default) or knn (or any --model_name; encoders take long)
set -euo pipefail
LABELED=${1:?usage: bench/router_generalization.sh LABELED.jsonl [BUILD_DIR]}
BUILD=${2:-build}
MODEL=${MODEL:-ngram}
PYTHON=${PYTHON:-python3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}

datasets=$("$PYTHON" -c "import json,sys; print(' '.join(sorted({json.loads(l)['dataset'] for l in open(sys.argv[1]) if l.strip()})))" "$LABELED")
echo "router: $MODEL (--objective multilabel, default policy)"
printf "%-10s %5s %-9s %-9s %-9s %-28s %-9s %-36s\n" held_out n gated ungated fallback "(fallback model)" best "(best single on it)"
for d in $datasets; do
  grep -v "\"dataset\":\"$d\"" "$LABELED" >"$TMP/train.jsonl" || true
  grep "\"dataset\":\"$d\"" "$LABELED" >"$TMP/test.jsonl" || true
  "$BUILD/trainer/mom-train" --model_name "$MODEL" --objective multilabel --epochs 3 --batch_size 64 \
    --data_path "$TMP/train.jsonl" --output_dir "$TMP/run-$d" >"$TMP/train-$d.log" 2>&1
  ckpt="$TMP/run-$d/best"
  gated=$("$BUILD/coordinator/mom-route" --orchestrator_path "$ckpt" --evaluate "$TMP/test.jsonl" --json | tail -1)
  ungated=$("$BUILD/coordinator/mom-route" --orchestrator_path "$ckpt" --evaluate "$TMP/test.jsonl" --json --ood_threshold 0 | tail -1)
  fallback=$("$BUILD/coordinator/mom-route" --orchestrator_path "$ckpt" --evaluate "$TMP/test.jsonl" --json --margin 2 | tail -1)
  "$PYTHON" - "$d" "$gated" "$ungated" "$fallback" <<'PY'
import json, sys
d, g, u, f = sys.argv[1], *(json.loads(x) for x in sys.argv[2:])
print("%-10s %5d %-9.4f %-9.4f %-9.4f %-28s %-9.4f %-36s  gated %.0f%%" % (
    d, g["questions"], g["routed_accuracy"], u["routed_accuracy"], f["routed_accuracy"], f["policy"]["fallback"].split("/")[-1],
    g["best_single_accuracy"], g["best_single_model"].split("/")[-1], 100 * g["ood_share"]))
PY
done
