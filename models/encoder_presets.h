// Named encoder configurations accepted wherever a checkpoint directory is ("bert-tiny",
// "modernbert-base", ...): random initialisation, bert-base-uncased WordPiece vocabulary.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/hf_config.h"

namespace mom::models {

// The config of preset `name` with `labels` as classes; nullopt when `name` is no preset.
//   bert-tiny        2 layers, hidden 128, 2 heads    (Google's BERT-Tiny shape)
//   bert-small       4 layers, hidden 256, 4 heads    (BERT-Mini shape; trains in minutes on 2 cores)
//   bert-base        12 layers, hidden 768, 12 heads  (bert-base-uncased)
//   modernbert-tiny  4 layers, hidden 128, 2 heads, window 64
//   modernbert-small 6 layers, hidden 256, 4 heads, window 128
//   modernbert-base  22 layers, hidden 768, 12 heads, intermediate 1152 (answerdotai/ModernBERT-base)
// All use the 30522-token bert-base-uncased vocabulary (pad 0, [CLS] 101, [SEP] 102).
std::optional<EncoderConfig> encoder_preset(const std::string& name, const LabelConfig& labels);

std::vector<std::string> encoder_preset_names();

// data/vocab/bert-base-uncased/vocab.txt under mom::env::data_dir().
std::string preset_vocab_path();

}  // namespace mom::models
