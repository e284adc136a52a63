// Hugging Face *ForSequenceClassification encoders in libtorch (BERT, ModernBERT): the module
// interface, random initialisation, and checkpoint directories (config.json + safetensors).
#pragma once

#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <vector>

#include "models/hf_config.h"

namespace mom::models {

// token ids -> class logits, with parameters named exactly as in Hugging Face
// (bert.encoder.layer.0.attention.self.query.weight, model.layers.0.attn.Wqkv.weight, ...).
// Thread-safety: forward() only reads parameters, so concurrent forwards under NoGradGuard in
// eval() mode are safe; training (parameter updates) needs a single owner.
class EncoderClassifierImpl : public torch::nn::Module {
 public:
  explicit EncoderClassifierImpl(EncoderConfig config) : config_(std::move(config)) {}

  // input_ids, attention_mask: int64 [batch, seq] (mask 1 = token, 0 = padding; padding on the
  // right or left). Returns float logits [batch, num_labels].
  virtual torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask) = 0;

  // Hugging Face's initialisation for this family (normal / truncated normal, zero biases,
  // LayerNorm 1/0). Called by the constructor of every implementation.
  virtual void reset_parameters() = 0;

  // Parameter name prefixes of the task head, absent from pretrained (masked-LM) checkpoints
  // and initialised fresh when fine-tuning from one, e.g. {"classifier."}.
  virtual std::vector<std::string> head_prefixes() const = 0;

  const EncoderConfig& config() const { return config_; }
  // Only for the labels (names of classes), never the architecture.
  void set_labels(LabelConfig labels) { config_.labels = std::move(labels); }
  // Only how the logits are read (softmax or sigmoids), saved as problem_type.
  void set_problem_type(std::string problem_type) { config_.problem_type = std::move(problem_type); }

 protected:
  EncoderConfig config_;
};

// A randomly initialised model for `config` (its family and label count).
std::shared_ptr<EncoderClassifierImpl> make_encoder_classifier(const EncoderConfig& config);

// Loads <dir>/config.json and the safetensors weights in <dir>.
// - A *ForSequenceClassification checkpoint loads strictly: every tensor must be present with
//   the model's shape and a float dtype, and no stray tensors; errors name the file and tensor.
//   When `labels` is non-empty it must equal the checkpoint's id2label.
// - Any other checkpoint of the family (BertForPreTraining, ModernBertForMaskedLM, ...) is a
//   pretrained base: the encoder must load completely, the head listed in head_prefixes() starts
//   fresh, with `labels` (or the config's labels when empty) as classes; other tensors (MLM heads)
//   are ignored.
std::shared_ptr<EncoderClassifierImpl> load_encoder_classifier(const std::string& dir,
                                                               const std::vector<std::string>& labels = {});

// Writes <dir>/config.json (architectures, model_type, id2label, label2id, num_labels) and
// <dir>/model.safetensors so that the directory loads here and in Hugging Face transformers.
void save_encoder_classifier(const EncoderClassifierImpl& model, const std::string& dir);

// The architecture name Hugging Face uses for a sequence classifier of `family`.
std::string classifier_architecture(EncoderFamily family);

}  // namespace mom::models
