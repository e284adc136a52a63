// BertForSequenceClassification (Hugging Face semantics and tensor names) in libtorch.
#pragma once

#include <memory>

#include "models/encoder_classifier.h"

namespace mom::models::encoders {

// Randomly initialised (normal(0, initializer_range), zero biases) BERT classifier.
std::shared_ptr<EncoderClassifierImpl> make_bert_classifier(const EncoderConfig& config);

}  // namespace mom::models::encoders
