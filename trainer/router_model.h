// The trainable router behind mom-train and `mom-route --evaluate`: a text classifier with one
// output per model (the label map), whatever its architecture (ngram baseline or encoder).
#pragma once

#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

namespace mom::trainer {

// Thread-safety: one thread uses a model at a time.
class RouterModel {
 public:
  virtual ~RouterModel() = default;
  // Logits [texts.size(), num_labels]; texts longer than the model's max length are truncated.
  virtual torch::Tensor forward(const std::vector<std::string>& texts) = 0;
  virtual std::vector<torch::Tensor> parameters() = 0;
  virtual void set_training(bool training) = 0;
  // Hugging Face layout: <dir>/config.json (with id2label) + <dir>/model.safetensors.
  virtual void save(const std::string& dir) const = 0;
  virtual std::vector<std::string> labels() const = 0;  // id2label
  virtual std::string kind() const = 0;                 // "ngram", "bert", ...
};

// A new router for `model_name`: "ngram", an encoder preset, or a checkpoint directory (fine-tuned
// from it with a fresh head over `id2label`). Weights come from the current torch seed.
// Throws mom::Error when the name is none of those.
struct RouterOptions {
  int64_t max_length = 256;       // tokens per question (encoders)
  int64_t ngram_buckets = 1 << 17;
  int64_t ngram_dim = 64;
};
std::unique_ptr<RouterModel> create_router_model(const std::string& model_name,
                                                 const std::vector<std::string>& id2label, const RouterOptions& options);

// A router saved by RouterModel::save (resume, evaluation). Throws mom::Error naming the dir.
std::unique_ptr<RouterModel> load_router_model(const std::string& dir, int64_t max_length);

// Per-class scores (softmax of the logits when `multilabel` is false, sigmoid otherwise) of
// `texts`, in batches of `batch_size`, in eval mode without gradients.
std::vector<std::vector<float>> score_texts(RouterModel& model, const std::vector<std::string>& texts,
                                            bool multilabel, int64_t batch_size);

}  // namespace mom::trainer
