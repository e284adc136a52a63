// config.json -> DecoderConfig with each family's Hugging Face field names and defaults.
#include "models/decoder_config.h"

#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "models/hf_config.h"

namespace mom::models {

const char* decoder_family_name(DecoderFamily family) {
  switch (family) {
    case DecoderFamily::kLlama: return "llama";
    case DecoderFamily::kMistral: return "mistral";
    case DecoderFamily::kQwen2: return "qwen2";
    case DecoderFamily::kQwen3: return "qwen3";
    case DecoderFamily::kGemma2: return "gemma2";
    case DecoderFamily::kGemma3: return "gemma3";
    case DecoderFamily::kPhi3: return "phi3";
  }
  return "?";
}

namespace {

std::optional<DecoderFamily> family_of_architecture(const std::string& arch) {
  if (arch == "LlamaForCausalLM") return DecoderFamily::kLlama;
  if (arch == "MistralForCausalLM") return DecoderFamily::kMistral;
  if (arch == "Qwen2ForCausalLM") return DecoderFamily::kQwen2;
  if (arch == "Qwen3ForCausalLM") return DecoderFamily::kQwen3;
  if (arch == "Gemma2ForCausalLM") return DecoderFamily::kGemma2;
  if (arch == "Gemma3ForCausalLM" || arch == "Gemma3ForConditionalGeneration") {
    return DecoderFamily::kGemma3;
  }
  if (arch == "Phi3ForCausalLM") return DecoderFamily::kPhi3;
  return std::nullopt;
}

std::optional<DecoderFamily> family_of_model_type(const std::string& type) {
  if (type == "llama") return DecoderFamily::kLlama;
  if (type == "mistral") return DecoderFamily::kMistral;
  if (type == "qwen2") return DecoderFamily::kQwen2;
  if (type == "qwen3") return DecoderFamily::kQwen3;
  if (type == "gemma2") return DecoderFamily::kGemma2;
  if (type == "gemma3" || type == "gemma3_text") return DecoderFamily::kGemma3;
  if (type == "phi3") return DecoderFamily::kPhi3;
  return std::nullopt;
}

std::vector<int32_t> int_or_list(const Json& v, const std::string& where, const std::string& key) {
  std::vector<int32_t> out;
  if (v.is_null()) return out;
  if (v.is_number_integer()) {
    out.push_back(v.get<int32_t>());
  } else if (v.is_array()) {
    for (const auto& x : v) {
      if (!x.is_number_integer()) throw Error(where + ": field '" + key + "' must hold integers");
      out.push_back(x.get<int32_t>());
    }
  } else {
    throw Error(where + ": field '" + key + "' must be an integer or a list of integers");
  }
  return out;
}

}  // namespace

int64_t DecoderConfig::num_parameters() const {
  int64_t q = num_heads * head_dim, kv = num_kv_heads * head_dim;
  int64_t per_layer = hidden_size * (q + 2 * kv) + q * hidden_size +
                      3 * hidden_size * intermediate_size + 4 * hidden_size;
  if (qkv_bias) per_layer += q + 2 * kv;
  if (o_bias) per_layer += hidden_size;
  if (qk_norm) per_layer += 2 * head_dim;
  int64_t total = num_layers * per_layer + vocab_size * hidden_size + hidden_size;
  if (!tie_word_embeddings) total += vocab_size * hidden_size;
  return total;
}

DecoderConfig DecoderConfig::from_json(const Json& root, const std::string& where) {
  if (!root.is_object()) throw Error(where + ": config is not a JSON object");
  DecoderConfig c;
  ConfigReader top(root, where);
  if (top.has("architectures") && root["architectures"].is_array() &&
      !root["architectures"].empty() && root["architectures"][0].is_string()) {
    c.architecture = root["architectures"][0].get<std::string>();
  }
  c.model_type = top.get_string("model_type", "");
  std::optional<DecoderFamily> family;
  if (!c.architecture.empty()) {
    family = family_of_architecture(c.architecture);
  } else {
    family = family_of_model_type(c.model_type);
  }
  if (!family) {
    throw Error(where + ": unsupported architecture '" +
                (c.architecture.empty() ? c.model_type : c.architecture) +
                "' (MOM's decoder supports Llama, Mistral, Qwen2, Qwen3, Gemma2, Gemma3, Phi3 "
                "*ForCausalLM checkpoints)");
  }
  c.family = *family;

  // Gemma 3 multimodal checkpoints: the text decoder's fields live under text_config.
  const Json* text = &root;
  if (c.architecture == "Gemma3ForConditionalGeneration") {
    if (!root.contains("text_config") || !root["text_config"].is_object()) {
      throw Error(where + ": Gemma3ForConditionalGeneration without a text_config object");
    }
    text = &root["text_config"];
    c.weight_prefix = "language_model.model.";
    c.lm_head_name = "language_model.lm_head.weight";
  }
  ConfigReader r(*text, where);
  const bool gemma = c.family == DecoderFamily::kGemma2 || c.family == DecoderFamily::kGemma3;
  const bool gemma3 = c.family == DecoderFamily::kGemma3;

  // Gemma3TextConfig's defaults (multimodal configs omit many of them).
  c.vocab_size = r.get_int("vocab_size", gemma3 ? std::optional<int64_t>(262208) : std::nullopt);
  c.hidden_size = r.get_int("hidden_size");
  c.intermediate_size = r.get_int("intermediate_size");
  c.num_layers = r.get_int("num_hidden_layers");
  c.num_heads = r.get_int("num_attention_heads");
  c.num_kv_heads = r.get_int("num_key_value_heads", c.num_heads);
  if (r.has("head_dim")) {
    c.head_dim = r.get_int("head_dim");
  } else if (gemma3) {
    c.head_dim = 256;
  } else {
    if (c.num_heads <= 0 || c.hidden_size % c.num_heads != 0) {
      throw Error(where + ": hidden_size " + std::to_string(c.hidden_size) +
                  " is not a multiple of num_attention_heads " + std::to_string(c.num_heads));
    }
    c.head_dim = c.hidden_size / c.num_heads;
  }
  c.max_position_embeddings = r.get_int("max_position_embeddings", gemma3 ? 131072 : 4096);
  c.rms_norm_eps = r.get_double("rms_norm_eps", 1e-6);
  std::string act = r.has("hidden_activation") ? r.get_string("hidden_activation")
                                               : r.get_string("hidden_act", gemma ? "gelu_pytorch_tanh" : "silu");
  if (act == "silu" || act == "swish") {
    c.activation = Activation::kSilu;
  } else if (act == "gelu_pytorch_tanh" || act == "gelu_tanh" || act == "gelu_new") {
    c.activation = Activation::kGeluTanh;
  } else {
    throw Error(where + ": unsupported activation '" + act + "'");
  }
  bool tie_default = gemma;
  c.tie_word_embeddings = top.get_bool("tie_word_embeddings", r.get_bool("tie_word_embeddings", tie_default));

  bool attention_bias = r.get_bool("attention_bias", false);
  c.qkv_bias = c.family == DecoderFamily::kQwen2 || attention_bias;
  c.o_bias = attention_bias && c.family != DecoderFamily::kQwen2 && c.family != DecoderFamily::kQwen3;
  if (r.get_bool("mlp_bias", false)) throw Error(where + ": mlp_bias = true is not supported");
  c.qk_norm = c.family == DecoderFamily::kQwen3 || gemma3;
  c.fused_qkv = c.family == DecoderFamily::kPhi3;
  if (gemma) {
    c.attn_scale = 1.0 / std::sqrt(r.get_double("query_pre_attn_scalar", 256));
    c.norm_weight_offset = true;
    c.embed_scale = true;
    c.sandwich_norms = true;
    c.final_softcap = r.get_double("final_logit_softcapping", 0.0);
    if (!gemma3) c.attn_softcap = r.get_double("attn_logit_softcapping", 0.0);
  } else {
    c.attn_scale = 1.0 / std::sqrt(static_cast<double>(c.head_dim));
  }
  if (c.family == DecoderFamily::kPhi3 && r.get_double("partial_rotary_factor", 1.0) != 1.0) {
    throw Error(where + ": Phi-3 partial_rotary_factor != 1 is not supported");
  }

  // Which layers use a sliding window.
  c.layer_window.assign(c.num_layers, 0);
  int64_t window = r.get_int("sliding_window", gemma3 ? std::optional<int64_t>(4096) : std::optional<int64_t>(0));
  if (r.has("layer_types")) {
    const Json& types = (*text)["layer_types"];
    if (!types.is_array() || static_cast<int64_t>(types.size()) != c.num_layers) {
      throw Error(where + ": layer_types must list one type per layer");
    }
    for (int64_t i = 0; i < c.num_layers; ++i) {
      std::string t = types[i].is_string() ? types[i].get<std::string>() : "";
      if (t == "sliding_attention") {
        if (window <= 0) throw Error(where + ": layer_types has sliding layers but no sliding_window");
        c.layer_window[i] = window;
      } else if (t != "full_attention") {
        throw Error(where + ": unsupported layer type '" + t + "'");
      }
    }
  } else if (window > 0) {
    for (int64_t i = 0; i < c.num_layers; ++i) {
      bool sliding = true;
      switch (c.family) {
        case DecoderFamily::kGemma2: sliding = i % 2 == 0; break;
        case DecoderFamily::kGemma3:
          sliding = (i + 1) % r.get_int("sliding_window_pattern", 6) != 0;
          break;
        case DecoderFamily::kQwen2:
        case DecoderFamily::kQwen3:
          sliding = r.get_bool("use_sliding_window", false) &&
                    i >= r.get_int("max_window_layers", 0);
          break;
        default: break;
      }
      if (sliding) c.layer_window[i] = window;
    }
  }

  // Rotary embeddings.
  c.rope_theta = r.get_double("rope_theta", gemma3 ? 1000000.0 : 10000.0);
  if (gemma3) c.rope_local_theta = r.get_double("rope_local_base_freq", 10000.0);
  if (r.has("rope_scaling")) {
    const Json& s = (*text)["rope_scaling"];
    if (!s.is_object()) throw Error(where + ": rope_scaling must be an object");
    ConfigReader sr(s, where + " rope_scaling");
    std::string type = sr.has("rope_type") ? sr.get_string("rope_type") : sr.get_string("type", "default");
    if (type == "default") {
      c.rope_scaling = RopeScaling::kNone;
    } else if (type == "linear") {
      c.rope_scaling = RopeScaling::kLinear;
      c.rope_factor = sr.get_double("factor");
    } else if (type == "llama3") {
      c.rope_scaling = RopeScaling::kLlama3;
      c.rope_factor = sr.get_double("factor");
      c.rope_low_freq_factor = sr.get_double("low_freq_factor");
      c.rope_high_freq_factor = sr.get_double("high_freq_factor");
      c.rope_original_max_positions = sr.get_int("original_max_position_embeddings");
    } else {
      throw Error(where + ": unsupported rope_scaling type '" + type +
                  "' (supported: linear, llama3)");
    }
  }

  c.eos_token_ids = int_or_list(r.json().value("eos_token_id", Json()), where, "eos_token_id");
  if (c.eos_token_ids.empty()) {
    c.eos_token_ids = int_or_list(root.value("eos_token_id", Json()), where, "eos_token_id");
  }
  if (r.has("bos_token_id")) c.bos_token_id = static_cast<int32_t>(r.get_int("bos_token_id"));

  // Sanity.
  auto positive = [&](int64_t v, const char* name) {
    if (v <= 0) throw Error(where + ": " + name + " must be positive, got " + std::to_string(v));
  };
  positive(c.vocab_size, "vocab_size");
  positive(c.hidden_size, "hidden_size");
  positive(c.intermediate_size, "intermediate_size");
  positive(c.num_layers, "num_hidden_layers");
  positive(c.num_heads, "num_attention_heads");
  positive(c.num_kv_heads, "num_key_value_heads");
  positive(c.head_dim, "head_dim");
  if (c.num_heads % c.num_kv_heads != 0) {
    throw Error(where + ": num_attention_heads " + std::to_string(c.num_heads) +
                " is not a multiple of num_key_value_heads " + std::to_string(c.num_kv_heads));
  }
  if (c.head_dim % 2 != 0) throw Error(where + ": head_dim must be even for rotary embeddings");
  return c;
}

DecoderConfig DecoderConfig::load(const std::string& dir) {
  std::string path = (std::filesystem::path(dir) / "config.json").string();
  if (!std::filesystem::exists(path)) {
    throw Error(path + ": missing (a model directory needs the Hugging Face config.json)");
  }
  return from_json(read_json_file(path), path);
}

}  // namespace mom::models
