// Encoder presets: published shapes with the bert-base-uncased vocabulary.
#include "models/encoder_presets.h"

#include "core/env.h"

namespace mom::models {
namespace {

struct Shape {
  const char* name;
  EncoderFamily family;
  int64_t layers, hidden, heads, intermediate, window;
};

constexpr Shape kShapes[] = {
    {"bert-tiny", EncoderFamily::kBert, 2, 128, 2, 512, 0},
    {"bert-small", EncoderFamily::kBert, 4, 256, 4, 1024, 0},
    {"bert-base", EncoderFamily::kBert, 12, 768, 12, 3072, 0},
    {"modernbert-tiny", EncoderFamily::kModernBert, 4, 128, 2, 192, 64},
    {"modernbert-small", EncoderFamily::kModernBert, 6, 256, 4, 384, 128},
    {"modernbert-base", EncoderFamily::kModernBert, 22, 768, 12, 1152, 128},
};

}  // namespace

std::optional<EncoderConfig> encoder_preset(const std::string& name, const LabelConfig& labels) {
  for (const Shape& s : kShapes) {
    if (name != s.name) continue;
    EncoderConfig c;
    c.family = s.family;
    c.model_type = s.family == EncoderFamily::kBert ? "bert" : "modernbert";
    c.vocab_size = 30522;
    c.pad_token_id = 0;
    c.num_hidden_layers = s.layers;
    c.hidden_size = s.hidden;
    c.num_attention_heads = s.heads;
    c.intermediate_size = s.intermediate;
    if (s.family == EncoderFamily::kBert) {
      c.max_position_embeddings = 512;
      c.layer_norm_eps = 1e-12;
    } else {
      c.max_position_embeddings = 8192;
      c.layer_norm_eps = 1e-5;
      c.local_attention = s.window;
      // ModernBertConfig's token ids default to its own vocabulary; point them at BERT's.
      c.original = {{"bos_token_id", 101}, {"cls_token_id", 101}, {"eos_token_id", 102}, {"sep_token_id", 102}};
    }
    c.labels = labels;
    c.validate("preset " + name);
    return c;
  }
  return std::nullopt;
}

std::vector<std::string> encoder_preset_names() {
  std::vector<std::string> out;
  for (const Shape& s : kShapes) out.push_back(s.name);
  return out;
}

std::string preset_vocab_path() { return env::data_dir() + "/vocab/bert-base-uncased/vocab.txt"; }

}  // namespace mom::models
