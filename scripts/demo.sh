#!/usr/bin/env bash
# The main job end to end on the embedded sample of real lm-eval outputs (data/sample):
# label -> (train -> route, as those components land). Works on a fresh Debian 12 machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
OUT=${OUT:-demo_out}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target mom-label

echo "== 1. label: 6 models x arc csqa logiqa mgsm humaneval + mmlu (stem, social sciences)"
"$BUILD_DIR/labeler/mom-label" --model_ids 1 7 8 14 16 27 \
  --datasets arc csqa logiqa mgsm humaneval --include_mmlu --mmlu_categories stem social_sciences \
  --allow_missing --base_path data/sample/lm-eval-output --output_dir "$OUT/labeled_data" \
  --stats_json "$OUT/label_stats.json"
echo "labeled data: $OUT/labeled_data/1_7_8_14_16_27.jsonl"
