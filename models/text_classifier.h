// Text in, class logits out: the router model behind the orchestrator and the trainer, whatever
// its architecture (an encoder with its tokenizer; the trainer adds an n-gram baseline).
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mom::models {

// Thread-safety: logits() in eval mode without gradients only reads the weights and may run on
// several threads at once; set_training(), optimiser steps and save() need one owner.
class TextClassifier {
 public:
  virtual ~TextClassifier() = default;

  // Logits [texts.size(), num_labels()]. Texts longer than max_length() tokens are truncated.
  // Throws mom::Error on invalid UTF-8.
  virtual torch::Tensor logits(const std::vector<std::string>& texts) = 0;

  // Trainable parameters by their checkpoint (Hugging Face) names.
  virtual std::vector<std::pair<std::string, torch::Tensor>> named_parameters() = 0;
  virtual void set_training(bool training) = 0;

  // Writes a directory that load_text_classifier() (and, for encoders, Hugging Face) loads:
  // config.json with id2label/label2id, model.safetensors, and the tokenizer files.
  virtual void save(const std::string& dir) const = 0;

  virtual const std::vector<std::string>& labels() const = 0;  // id2label
  size_t num_labels() const { return labels().size(); }
  virtual std::string kind() const = 0;  // the config's model_type: "bert", "modernbert", ...
  virtual int64_t max_length() const = 0;
  // True when the head is trained as independent sigmoids (problem_type
  // multi_label_classification), false for one softmax over the labels.
  virtual bool multilabel() const = 0;
  virtual void set_multilabel(bool multilabel) = 0;
};

struct TextClassifierOptions {
  // Class names. Empty: the checkpoint's id2label (a preset then gets num_labels default names).
  std::vector<std::string> labels;
  size_t num_labels = 2;     // only for presets without `labels`
  int64_t max_length = 512;  // tokens per text, [CLS]/[SEP] included; capped by the model
};

// `dir_or_preset`: a checkpoint directory (config.json + safetensors + tokenizer) or a preset
// name (encoder_preset_names(): random weights from the current torch seed). A pretrained base
// checkpoint gets a fresh head over options.labels. Dispatches on config.json's model_type.
// Throws mom::Error naming the directory, file or tensor at fault.
std::unique_ptr<TextClassifier> load_text_classifier(const std::string& dir_or_preset,
                                                     const TextClassifierOptions& options = {});

}  // namespace mom::models
