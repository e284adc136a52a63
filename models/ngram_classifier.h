// The fast baseline router: hashed word and character n-grams -> EmbeddingBag (mean) -> linear,
// fastText-style. Trains in seconds on a CPU; saved in the Hugging Face layout (config.json with
// id2label + model.safetensors) like the encoders.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_util.h"
#include "models/text_classifier.h"

namespace mom::models {

struct NgramConfig {
  int64_t num_buckets = 1 << 17;  // hash buckets shared by every feature kind
  int64_t embedding_dim = 64;
  int64_t char_ngram_min = 3;     // character n-grams of "<word>", lengths min..max
  int64_t char_ngram_max = 5;
  int64_t word_ngrams = 2;        // word unigrams (1) or unigrams + bigrams (2)
  std::vector<std::string> id2label;
  bool multilabel = false;        // problem_type multi_label_classification (sigmoid per label)

  // config.json: {"model_type": "mom-ngram", "architectures": ["NgramClassifier"], "id2label",
  // "label2id", "num_labels", and the fields above}.
  Json to_json() const;
  // Throws mom::Error naming `where` on a missing or invalid field.
  static NgramConfig from_json(const Json& json, const std::string& where);
};

// Thread-safety: like any torch module, one thread trains or runs it at a time.
class NgramClassifierImpl : public torch::nn::Module {
 public:
  explicit NgramClassifierImpl(NgramConfig config);

  // Logits [texts.size(), num_labels].
  torch::Tensor forward(const std::vector<std::string>& texts);

  // The feature (bucket) ids of one text: lower-cased words (runs of letters/digits; bytes >= 0x80
  // count as letters), word bigrams, char n-grams of "<word>", hashed with 64-bit FNV-1a.
  static std::vector<int64_t> features(std::string_view text, const NgramConfig& config);

  const NgramConfig& config() const { return config_; }
  void set_multilabel(bool multilabel) { config_.multilabel = multilabel; }

  // Writes <dir>/config.json and <dir>/model.safetensors (tensors "embedding.weight",
  // "classifier.weight", "classifier.bias").
  void save(const std::string& dir) const;

 private:
  NgramConfig config_;
  torch::nn::EmbeddingBag embedding_{nullptr};
  torch::nn::Linear classifier_{nullptr};
};
TORCH_MODULE(NgramClassifier);

// A fresh model (weights from the current torch seed) or one saved by save(). Throws mom::Error.
NgramClassifier create_ngram_classifier(const std::vector<std::string>& id2label);
NgramClassifier load_ngram_classifier(const std::string& dir);

// The ngram model behind the TextClassifier interface (what the trainer and the orchestrator
// use). load_text_classifier() returns it for "ngram" + options.labels and for ngram checkpoints.
std::unique_ptr<TextClassifier> make_ngram_text_classifier(NgramClassifier model);
// True when <dir>/config.json says model_type "mom-ngram".
bool is_ngram_checkpoint(const std::string& dir);

}  // namespace mom::models
