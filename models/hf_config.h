// Hugging Face config.json parsed into typed structs (encoders here; other families add theirs
// next to it with ConfigReader). Torch-free.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/json_util.h"

namespace mom::models {

// Typed, defaulted access to one config.json object. Every error names the file and the field.
class ConfigReader {
 public:
  ConfigReader(const Json& json, std::string where) : json_(json), where_(std::move(where)) {}

  bool has(const std::string& key) const;  // present and not null
  int64_t get_int(const std::string& key, std::optional<int64_t> fallback = std::nullopt) const;
  double get_double(const std::string& key, std::optional<double> fallback = std::nullopt) const;
  bool get_bool(const std::string& key, std::optional<bool> fallback = std::nullopt) const;
  std::string get_string(const std::string& key,
                         std::optional<std::string> fallback = std::nullopt) const;
  const Json& json() const { return json_; }
  const std::string& where() const { return where_; }

 private:
  const Json* find(const std::string& key, bool required) const;
  const Json& json_;
  std::string where_;
};

// The labels of a sequence-classification head: id2label (index = class id), label2id inverse.
struct LabelConfig {
  std::vector<std::string> id2label;

  size_t num_labels() const { return id2label.size(); }
  // The class id of `label`; nullopt when unknown.
  std::optional<int64_t> label_id(const std::string& label) const;
  // "LABEL_0".. "LABEL_{n-1}", Hugging Face's default names.
  static LabelConfig default_labels(size_t n);
};

enum class EncoderFamily { kBert, kModernBert };

// BERT and ModernBERT as Hugging Face's BertConfig / ModernBertConfig define them (same field
// names and defaults). Fields of the other family are ignored.
struct EncoderConfig {
  EncoderFamily family = EncoderFamily::kBert;
  std::string model_type = "bert";            // "bert" | "modernbert"
  std::vector<std::string> architectures;     // e.g. {"BertForSequenceClassification"}
  int64_t vocab_size = 30522;
  int64_t hidden_size = 768;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t intermediate_size = 3072;
  std::string hidden_act = "gelu";            // BERT "hidden_act", ModernBERT "hidden_activation"
  int64_t max_position_embeddings = 512;
  double layer_norm_eps = 1e-12;              // BERT "layer_norm_eps", ModernBERT "norm_eps"
  double initializer_range = 0.02;
  int64_t pad_token_id = 0;
  // BERT
  int64_t type_vocab_size = 2;
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  // ModernBERT
  double global_rope_theta = 160000.0;
  double local_rope_theta = 10000.0;
  int64_t local_attention = 128;              // window width; a token sees +-local_attention/2
  int64_t global_attn_every_n_layers = 3;
  bool norm_bias = false;
  bool attention_bias = false;
  bool mlp_bias = false;
  bool classifier_bias = false;
  std::string classifier_pooling = "cls";     // "cls" | "mean"
  std::string classifier_activation = "gelu";
  double embedding_dropout = 0.0;
  double attention_dropout = 0.0;
  double mlp_dropout = 0.0;
  // Both: classifier dropout (BERT falls back to hidden_dropout_prob when null).
  std::optional<double> classifier_dropout;
  // "" / "single_label_classification" (softmax over labels) or "multi_label_classification"
  // (one sigmoid per label), as Hugging Face's problem_type.
  std::string problem_type;
  LabelConfig labels;

  bool multilabel() const { return problem_type == "multi_label_classification"; }

  int64_t head_dim() const { return hidden_size / num_attention_heads; }
  // Throws mom::Error naming `where` when sizes are inconsistent (hidden % heads, ...).
  void validate(const std::string& where) const;

  // Parses a config.json object; `where` names the file in errors. Unknown model_type throws.
  static EncoderConfig from_json(const Json& json, const std::string& where);
  // Reads <dir>/config.json.
  static EncoderConfig load(const std::string& dir);
  // The config.json Hugging Face reads back (architectures, model_type, id2label, label2id, ...).
  // Fields of `original` not modelled here are kept.
  Json to_json() const;

  Json original = Json::object();  // the parsed file, kept so unknown fields survive a save
};

// The "model_type" of <dir>/config.json; "" when the file is missing, unreadable or names none.
// Used to dispatch checkpoints to their implementation (mom-ngram, mom-knn, bert, ...).
std::string checkpoint_model_type(const std::string& dir);

}  // namespace mom::models
