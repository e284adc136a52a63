// The trainable router behind mom-train and `mom-route --evaluate`: a models::TextClassifier with
// one output per model of the label map (the ngram baseline or an encoder), created, resumed and
// scored here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/text_classifier.h"

namespace mom::trainer {

struct RouterOptions {
  int64_t max_length = 256;       // tokens per question (encoders)
  int64_t ngram_buckets = 1 << 17;
  int64_t ngram_dim = 64;
  bool multilabel = false;        // sigmoid per model (objective multilabel) or softmax
};

// A new router for `model_name`: "ngram", an encoder preset, or a checkpoint directory (a
// pretrained base gets a fresh head over `id2label`). Weights come from the current torch seed.
// Throws mom::Error naming what is wrong.
std::unique_ptr<models::TextClassifier> create_router_model(const std::string& model_name,
                                                            const std::vector<std::string>& id2label,
                                                            const RouterOptions& options);

// A router saved by mom-train (resume, evaluation). Throws mom::Error naming the directory.
std::unique_ptr<models::TextClassifier> load_router_model(const std::string& dir, int64_t max_length);

// Per-class scores (softmax of the logits, or sigmoid for multilabel routers) of `texts`, in
// batches of `batch_size`, in eval mode without gradients.
std::vector<std::vector<float>> score_texts(models::TextClassifier& model, const std::vector<std::string>& texts,
                                            int64_t batch_size);

// The parameters in a stable order (the optimizer's and the gradient buckets').
std::vector<torch::Tensor> router_parameters(models::TextClassifier& model);

}  // namespace mom::trainer
