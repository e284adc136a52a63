// ModernBertForSequenceClassification (Hugging Face semantics and tensor names) in libtorch.
#pragma once

#include <memory>

#include "models/encoder_classifier.h"

namespace mom::models::encoders {

// Randomly initialised (truncated normal as in Hugging Face) ModernBERT classifier.
std::shared_ptr<EncoderClassifierImpl> make_modernbert_classifier(const EncoderConfig& config);

}  // namespace mom::models::encoders
