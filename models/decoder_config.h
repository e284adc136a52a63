// The decoder-only LLM families MOM hosts, parsed from a Hugging Face config.json into one typed
// struct of per-family options (torch-free). One decoder implementation reads only this struct.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json_util.h"

namespace mom::models {

// Llama covers Llama 2 style and Llama 3.x (the difference is in rope_theta / rope_scaling).
enum class DecoderFamily { kLlama, kMistral, kQwen2, kQwen3, kGemma2, kGemma3, kPhi3 };

const char* decoder_family_name(DecoderFamily family);  // "llama", "mistral", ...

enum class RopeScaling { kNone, kLinear, kLlama3 };
enum class Activation { kSilu, kGeluTanh };

struct DecoderConfig {
  DecoderFamily family = DecoderFamily::kLlama;
  std::string model_type;                  // config.json "model_type"
  std::string architecture;                // config.json "architectures"[0]
  // Tensor names start with this ("model.", or "language_model.model." for Gemma 3 multimodal
  // checkpoints, whose text weights MOM loads alone).
  std::string weight_prefix = "model.";
  std::string lm_head_name = "lm_head.weight";

  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_layers = 0;
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;
  int64_t head_dim = 0;
  int64_t max_position_embeddings = 0;  // the context window: prompt + generation must fit
  double rms_norm_eps = 1e-6;
  Activation activation = Activation::kSilu;
  bool tie_word_embeddings = false;

  // Attention.
  bool qkv_bias = false;            // Qwen2 (and Llama with attention_bias)
  bool o_bias = false;              // Llama/Mistral attention_bias also biases o_proj (Qwen2 not)
  bool qk_norm = false;             // Qwen3, Gemma 3: RMSNorm over head_dim on q and k before rope
  bool fused_qkv = false;           // Phi-3: qkv_proj = [q; k; v], gate_up_proj = [gate; up]
  double attn_scale = 0;            // 1/sqrt(head_dim), Gemma: query_pre_attn_scalar^-0.5
  double attn_softcap = 0;          // Gemma 2: scores = cap * tanh(scores / cap); 0 = off
  // Per layer: 0 = full causal attention, W > 0 = a query at position p sees keys p-W+1 .. p.
  std::vector<int64_t> layer_window;

  // Rotary embeddings (rotate-half layout). Per layer theta/scaling: Gemma 3's local layers use
  // rope_local_base_freq without scaling.
  double rope_theta = 10000.0;
  double rope_local_theta = 0;      // Gemma 3 sliding layers; 0 = same as rope_theta
  RopeScaling rope_scaling = RopeScaling::kNone;
  double rope_factor = 1.0;
  double rope_low_freq_factor = 1.0;
  double rope_high_freq_factor = 4.0;
  int64_t rope_original_max_positions = 8192;

  // Gemma.
  bool norm_weight_offset = false;  // RMSNorm multiplies by (1 + w)
  bool embed_scale = false;         // embeddings * sqrt(hidden_size)
  bool sandwich_norms = false;      // post-attention, pre/post feed-forward norms (Gemma 2/3)
  double final_softcap = 0;         // logits = cap * tanh(logits / cap); 0 = off

  // Token ids from config.json (generation_config.json / tokenizer files may add eos ids).
  std::vector<int32_t> eos_token_ids;
  std::optional<int32_t> bos_token_id;

  bool layer_is_sliding(int64_t layer) const { return layer_window[layer] > 0; }
  // Parameters of the text decoder (for memory estimates).
  int64_t num_parameters() const;

  // Throws mom::Error "<where>: ..." for an unsupported architecture / rope type or inconsistent
  // sizes. `json` is the whole config.json.
  static DecoderConfig from_json(const Json& json, const std::string& where);
  // Reads <dir>/config.json.
  static DecoderConfig load(const std::string& dir);
};

}  // namespace mom::models
