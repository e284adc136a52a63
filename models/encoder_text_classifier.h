// TextClassifier over an encoder classifier and its tokenizer (BERT, ModernBERT).
#pragma once

#include <memory>
#include <string>

#include "models/text_classifier.h"

namespace mom::models {

// From a checkpoint directory (tokenizer.json or vocab.txt inside) or an encoder preset.
// Throws mom::Error naming what is wrong.
std::unique_ptr<TextClassifier> load_encoder_text_classifier(const std::string& dir_or_preset,
                                                             const TextClassifierOptions& options);

}  // namespace mom::models
