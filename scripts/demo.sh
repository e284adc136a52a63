#!/usr/bin/env bash
# The main job end to end on the embedded sample of real lm-eval outputs (data/sample):
# label -> train two routers (fast ngram; bert-tiny data-parallel with mpirun -np 2) ->
# route queries -> evaluate the router on its held-out questions -> generate with the worker engine.
# Works on a fresh Debian 12 machine (installs its packages, builds what it runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
OUT=${OUT:-demo_out}
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target mom-label mom-train mom-route mom-worker
rm -rf "$OUT" && mkdir -p "$OUT"
LABELS="$OUT/labeled_data/1_7_8_14_16_27.jsonl"

echo; echo "== 1. label: 6 models x arc csqa logiqa mgsm humaneval + 7 mmlu subjects (real lm-eval outputs)"
"$BUILD_DIR/labeler/mom-label" --model_ids 1 7 8 14 16 27 \
  --datasets arc csqa logiqa mgsm humaneval --include_mmlu --mmlu_categories stem social_sciences \
  --allow_missing --quiet --base_path data/sample/lm-eval-output --output_dir "$OUT/labeled_data" \
  --stats_json "$OUT/label_stats.json"

echo; echo "== 2a. train the fast ngram router (per-model P(correct), fallback policy)"
"$BUILD_DIR/trainer/mom-train" --model_name ngram --data_path "$LABELS" --output_dir "$OUT/router-ngram" \
  --objective multilabel 2>&1 | tail -9

echo; echo "== 2b. fit the nearest-neighbour router (nothing to train: indexes the training split)"
"$BUILD_DIR/trainer/mom-train" --model_name knn --data_path "$LABELS" --output_dir "$OUT/router-knn" \
  --objective multilabel 2>&1 | tail -3

echo; echo "== 2c. train a bert-tiny router from scratch, data-parallel over 2 MPI ranks"
mpirun --allow-run-as-root --oversubscribe -np 2 "$BUILD_DIR/trainer/mom-train" --model_name bert-tiny \
  --data_path "$LABELS" --output_dir "$OUT/router-bert-tiny" --objective multilabel --epochs 2 \
  --batch_size 32 --gradient_accumulation_steps 1 --max_length 128 --learning_rate 1e-3 2>&1 | tail -9

echo; echo "== 3. route questions with the trained orchestrator"
"$BUILD_DIR/coordinator/mom-route" --orchestrator_path "$OUT/router-bert-tiny/best" \
  --query "Which planet in our solar system has the shortest year?"
printf '%s\n' "What is the derivative of x^3 + 2x?" "Which amendment protects freedom of speech?" \
  > "$OUT/queries.txt"
"$BUILD_DIR/coordinator/mom-route" --orchestrator_path "$OUT/router-bert-tiny/best" \
  --queries "$OUT/queries.txt" --json
echo "-- a question unlike the training data goes to the fallback model (out-of-distribution gate):"
"$BUILD_DIR/coordinator/mom-route" --orchestrator_path "$OUT/router-bert-tiny/best" \
  --query "Quel est le meilleur fromage de Normandie pour une tartiflette ?" --top 1

echo; echo "== 4. evaluate the routers on the questions they were not trained on"
python3 - "$LABELS" "$OUT/router-bert-tiny/split.json" "$OUT/heldout.jsonl" <<'PY'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
test = json.load(open(sys.argv[2]))["test"]
open(sys.argv[3], "w").writelines(lines[i] for i in test)
PY
for router in router-ngram router-knn router-bert-tiny; do
  echo "-- $router"
  "$BUILD_DIR/coordinator/mom-route" --orchestrator_path "$OUT/$router/best" --evaluate "$OUT/heldout.jsonl" \
    2>/dev/null | head -2
done

echo; echo "== 5. worker engine: generate with a tiny random-weight Llama-3-layout checkpoint (test data)"
"$BUILD_DIR/worker/mom-worker" --model_dir tests/reference/decoders/data/llama3 --prompt "Hello" \
  --max_new_tokens 8 --json
echo; echo "demo done: outputs under $OUT/"
