// The decoder forward pass (prefill and batched decode over a slot KV cache) and its loading from
// Hugging Face safetensors, with every family's options taken from DecoderConfig.
#include "models/decoder.h"

#include <torch/torch.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "core/error.h"
#include "core/safetensors/safetensors.h"
#include "models/weights.h"

namespace mom::models {

namespace st = mom::safetensors;
using torch::indexing::Slice;

namespace {

struct Layer {
  torch::Tensor input_norm, post_attn_norm, pre_ff_norm, post_ff_norm;
  torch::Tensor qkv, qkv_bias, o, o_bias;  // qkv = [q; k; v] rows
  torch::Tensor q_norm, k_norm;
  torch::Tensor gate_up, down;     // gate_up = [gate; up] rows
};

// Dot product with 8 independent accumulators: the compiler vectorizes it and it streams the
// weight row at memory speed.
#define MOM_DOT8_BODY                                                        \
  float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;      \
  int64_t c = 0;                                                             \
  for (; c + 8 <= n; c += 8) {                                               \
    a0 += w[c] * x[c];                                                       \
    a1 += w[c + 1] * x[c + 1];                                               \
    a2 += w[c + 2] * x[c + 2];                                               \
    a3 += w[c + 3] * x[c + 3];                                               \
    a4 += w[c + 4] * x[c + 4];                                               \
    a5 += w[c + 5] * x[c + 5];                                               \
    a6 += w[c + 6] * x[c + 6];                                               \
    a7 += w[c + 7] * x[c + 7];                                               \
  }                                                                          \
  float s = ((a0 + a4) + (a1 + a5)) + ((a2 + a6) + (a3 + a7));               \
  for (; c < n; ++c) s += w[c] * x[c];                                       \
  return s;

// Y[i, r] = W[r] . X[i] for rows [begin, end): each weight row is read once from memory and reused
// for every input row while it sits in L1.
#define MOM_ROWS_BODY(dot)                                                   \
  for (int64_t r = begin; r < end; ++r) {                                    \
    const float* row = W + r * C;                                            \
    for (int64_t i = 0; i < n; ++i) Y[i * R + r] = dot(row, X + i * C, C);  \
  }

inline float dot8(const float* w, const float* x, int64_t n) { MOM_DOT8_BODY }
void rows_generic(const float* W, const float* X, float* Y, int64_t n, int64_t C, int64_t R,
                  int64_t begin, int64_t end) {
  MOM_ROWS_BODY(dot8)
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) inline float hsum_avx2(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// The same with AVX2 + FMA (chosen at run time): four input rows share each loaded weight vector,
// so a batched decode step stays close to weight-streaming speed instead of compute-bound.
__attribute__((target("avx2,fma"))) void rows_avx2(const float* W, const float* X, float* Y, int64_t n,
                                                   int64_t C, int64_t R, int64_t begin, int64_t end) {
  for (int64_t r = begin; r < end; ++r) {
    const float* w = W + r * C;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
      const float *x0 = X + i * C, *x1 = x0 + C, *x2 = x1 + C, *x3 = x2 + C;
      __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
      int64_t c = 0;
      for (; c + 8 <= C; c += 8) {
        __m256 wv = _mm256_loadu_ps(w + c);
        a0 = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x0 + c), a0);
        a1 = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x1 + c), a1);
        a2 = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x2 + c), a2);
        a3 = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x3 + c), a3);
      }
      float s0 = hsum_avx2(a0), s1 = hsum_avx2(a1), s2 = hsum_avx2(a2), s3 = hsum_avx2(a3);
      for (; c < C; ++c) {
        s0 += w[c] * x0[c];
        s1 += w[c] * x1[c];
        s2 += w[c] * x2[c];
        s3 += w[c] * x3[c];
      }
      Y[i * R + r] = s0;
      Y[(i + 1) * R + r] = s1;
      Y[(i + 2) * R + r] = s2;
      Y[(i + 3) * R + r] = s3;
    }
    for (; i < n; ++i) {
      const float* x0 = X + i * C;
      __m256 a0 = _mm256_setzero_ps(), a1 = a0;
      int64_t c = 0;
      for (; c + 16 <= C; c += 16) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + c), _mm256_loadu_ps(x0 + c), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + c + 8), _mm256_loadu_ps(x0 + c + 8), a1);
      }
      float sum = hsum_avx2(_mm256_add_ps(a0, a1));
      for (; c < C; ++c) sum += w[c] * x0[c];
      Y[i * R + r] = sum;
    }
  }
}
const bool kHaveAvx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
const bool kHaveAvx2 = false;
#endif

// Rows of a decode step (at most this many) go through the weight-streaming kernel below.
constexpr int64_t kSmallBatch = 16;

// y[i] = W x[i] for a few rows x. Decode is bound by reading the weights; libtorch's mv reached
// ~60% of the machine's read bandwidth here and matmul/linear with a few rows far less.
torch::Tensor small_batch_gemv(const torch::Tensor& x, const torch::Tensor& w) {
  const int64_t n = x.size(0), C = x.size(1), R = w.size(0);
  torch::Tensor xc = x.contiguous();
  torch::Tensor y = torch::empty({n, R}, x.options());
  const float* W = w.data_ptr<float>();
  const float* X = xc.data_ptr<float>();
  float* Y = y.data_ptr<float>();
  at::parallel_for(0, R, 512, [&](int64_t begin, int64_t end) {
#if defined(__x86_64__)
    if (kHaveAvx2) {
      rows_avx2(W, X, Y, n, C, R, begin, end);
      return;
    }
#endif
    rows_generic(W, X, Y, n, C, R, begin, end);
  });
  return y;
}

// y = x W^T (+ b) for x [rows, in]. Decode steps (few rows, fp32 CPU) use the weight-streaming
// kernel; prefill and other devices use matmul.
torch::Tensor project(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b = {}) {
  torch::Tensor y;
  if (x.size(0) <= kSmallBatch && x.is_cpu() && x.scalar_type() == torch::kFloat32 && w.is_contiguous()) {
    y = small_batch_gemv(x, w);
  } else if (x.size(0) == 1) {
    y = torch::mv(w, x[0]).unsqueeze(0);
  } else {
    y = torch::matmul(x, w.t());
  }
  if (b.defined()) y.add_(b);
  return y;
}

}  // namespace

void KvCache::move(int64_t from, int64_t to) {
  if (from == to) return;
  int64_t n = length_.at(from);
  for (size_t l = 0; l < k_.size(); ++l) {
    k_[l][to].narrow(1, 0, n).copy_(k_[l][from].narrow(1, 0, n));
    v_[l][to].narrow(1, 0, n).copy_(v_[l][from].narrow(1, 0, n));
  }
  length_.at(to) = n;
  length_.at(from) = 0;
}

void KvCache::reserve(int64_t slots, int64_t capacity) {
  slots = std::max(slots, this->slots());
  capacity = std::max(capacity, capacity_);
  if (slots == this->slots() && capacity == capacity_) return;
  torch::NoGradGuard no_grad;
  for (size_t l = 0; l < k_.size(); ++l) {
    auto grow = [&](torch::Tensor& t) {
      auto sizes = t.sizes().vec();
      sizes[0] = slots;
      sizes[2] = capacity;
      torch::Tensor bigger = torch::zeros(sizes, t.options());
      bigger.narrow(0, 0, t.size(0)).narrow(2, 0, t.size(2)).copy_(t);
      t = bigger;
    };
    grow(k_[l]);
    grow(v_[l]);
  }
  length_.resize(slots, 0);
  capacity_ = capacity;
}

size_t KvCache::bytes() const {
  size_t total = 0;
  for (size_t l = 0; l < k_.size(); ++l) {
    total += k_[l].numel() * k_[l].element_size() + v_[l].numel() * v_[l].element_size();
  }
  return total;
}

struct Decoder::Impl {
  DecoderConfig config;
  int64_t prefill_chunk = 512;
  torch::Device device = torch::kCPU;
  torch::ScalarType dtype = torch::kFloat32;
  torch::Tensor embed, final_norm, lm_head;
  std::vector<Layer> layers;
  // Rotary inverse frequencies: [0] global layers, [1] Gemma 3 local layers.
  torch::Tensor inv_freq[2];
  size_t weight_bytes = 0;

  torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& w) const {
    torch::Tensor xf = x.to(torch::kFloat32);
    torch::Tensor y = xf * torch::rsqrt(xf.pow(2).mean(-1, true) + config.rms_norm_eps);
    // Gemma stores w - 1; the offset was folded into the weight at load.
    return (y * w).to(x.scalar_type());
  }

  torch::Tensor activation(const torch::Tensor& x) const {
    if (config.activation == Activation::kSilu) return torch::silu(x);
    return torch::gelu(x, "tanh");
  }

  // x [n, H, T, D]; cos/sin [n, 1, T, D].
  static torch::Tensor rope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
    int64_t half = x.size(-1) / 2;
    torch::Tensor rotated = torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
    return x * cos + rotated * sin;
  }

  torch::Tensor run(KvCache& cache, int64_t first, const torch::Tensor& tokens,
                    const std::vector<int64_t>& starts, bool all_logits);
};

namespace {

torch::Tensor inverse_frequencies(const DecoderConfig& c, bool local) {
  double theta = local && c.rope_local_theta > 0 ? c.rope_local_theta : c.rope_theta;
  RopeScaling scaling = local && c.rope_local_theta > 0 ? RopeScaling::kNone : c.rope_scaling;
  int64_t d = c.head_dim;
  std::vector<double> inv(d / 2);
  for (int64_t i = 0; i < d / 2; ++i) {
    double f = 1.0 / std::pow(theta, static_cast<double>(2 * i) / static_cast<double>(d));
    if (scaling == RopeScaling::kLinear) {
      f /= c.rope_factor;
    } else if (scaling == RopeScaling::kLlama3) {
      // Llama 3.1: keep high frequencies, divide low ones by factor, blend in between.
      double old = static_cast<double>(c.rope_original_max_positions);
      double wavelen = 2 * M_PI / f;
      if (wavelen > old / c.rope_low_freq_factor) {
        f /= c.rope_factor;
      } else if (wavelen >= old / c.rope_high_freq_factor) {
        double smooth = (old / wavelen - c.rope_low_freq_factor) /
                        (c.rope_high_freq_factor - c.rope_low_freq_factor);
        f = (1 - smooth) * f / c.rope_factor + smooth * f;
      }
    }
    inv[i] = f;
  }
  return torch::tensor(inv, torch::kFloat64);
}

}  // namespace

torch::Tensor Decoder::Impl::run(KvCache& cache, int64_t first, const torch::Tensor& tokens,
                                 const std::vector<int64_t>& starts, bool all_logits) {
  torch::NoGradGuard no_grad;
  const DecoderConfig& c = config;
  const int64_t n = tokens.size(0), T = tokens.size(1);
  const int64_t Hq = c.num_heads, Hkv = c.num_kv_heads, D = c.head_dim, G = Hq / Hkv;
  int64_t L = 0;
  for (int64_t b = 0; b < n; ++b) L = std::max(L, starts[b] + T);

  torch::Tensor x = embed.index_select(0, tokens.reshape({-1}).to(device));
  if (c.embed_scale) x = x * std::sqrt(static_cast<double>(c.hidden_size));

  // Positions of the new tokens [n, T] and the rotary tables for them.
  torch::Tensor start_t = torch::tensor(starts, torch::kInt64);
  torch::Tensor qpos = start_t.unsqueeze(1) + torch::arange(T, torch::kInt64).unsqueeze(0);
  torch::Tensor cos[2], sin[2];
  for (int k = 0; k < 2; ++k) {
    if (!inv_freq[k].defined()) continue;
    torch::Tensor ang = qpos.to(torch::kFloat64).unsqueeze(-1) * inv_freq[k];  // [n, T, D/2]
    ang = torch::cat({ang, ang}, -1).unsqueeze(1);                               // [n, 1, T, D]
    cos[k] = ang.cos().to(dtype).to(device);
    sin[k] = ang.sin().to(dtype).to(device);
  }
  // Additive masks [n, 1, 1, T, L] per distinct window (0 = full causal).
  std::map<int64_t, torch::Tensor> masks;
  torch::Tensor kpos = torch::arange(L, torch::kInt64).view({1, 1, L});
  torch::Tensor q3 = qpos.unsqueeze(-1);  // [n, T, 1]
  for (int64_t w : c.layer_window) {
    if (masks.count(w)) continue;
    torch::Tensor ok = kpos <= q3;
    if (w > 0) ok = ok & (q3 - kpos < w);
    torch::Tensor m = torch::zeros({n, T, L}, torch::kFloat32)
                          .masked_fill(ok.logical_not(), -std::numeric_limits<float>::infinity());
    masks[w] = m.view({n, 1, 1, T, L}).to(device);
  }

  for (int64_t li = 0; li < c.num_layers; ++li) {
    const Layer& ly = layers[li];
    torch::Tensor h = rms_norm(x, ly.input_norm);
    torch::Tensor qkv = project(h, ly.qkv, ly.qkv_bias);
    torch::Tensor q = qkv.narrow(1, 0, Hq * D).view({n, T, Hq, D}).transpose(1, 2);
    torch::Tensor k = qkv.narrow(1, Hq * D, Hkv * D).view({n, T, Hkv, D}).transpose(1, 2);
    torch::Tensor v = qkv.narrow(1, (Hq + Hkv) * D, Hkv * D).view({n, T, Hkv, D}).transpose(1, 2);
    if (c.qk_norm) {
      q = rms_norm(q, ly.q_norm);
      k = rms_norm(k, ly.k_norm);
    }
    int r = (c.rope_local_theta > 0 && c.layer_is_sliding(li)) ? 1 : 0;
    q = rope(q, cos[r], sin[r]) * c.attn_scale;
    k = rope(k, cos[r], sin[r]);
    torch::Tensor& ck = cache.k_[li];
    torch::Tensor& cv = cache.v_[li];
    for (int64_t b = 0; b < n; ++b) {
      ck[first + b].narrow(1, starts[b], T).copy_(k[b]);
      cv[first + b].narrow(1, starts[b], T).copy_(v[b]);
    }
    torch::Tensor K = ck.narrow(0, first, n).narrow(2, 0, L);
    torch::Tensor V = cv.narrow(0, first, n).narrow(2, 0, L);
    // Grouped-query attention without repeating K/V: query head h reads kv head h / G.
    torch::Tensor qg = q.reshape({n, Hkv, G * T, D});
    torch::Tensor s = torch::matmul(qg, K.transpose(-1, -2)).to(torch::kFloat32);  // [n,Hkv,G*T,L]
    if (c.attn_softcap > 0) s = torch::tanh(s / c.attn_softcap) * c.attn_softcap;
    s = s.view({n, Hkv, G, T, L}) + masks[c.layer_window[li]];
    torch::Tensor p = torch::softmax(s, -1).to(dtype).view({n, Hkv, G * T, L});
    torch::Tensor o = torch::matmul(p, V).view({n, Hq, T, D}).transpose(1, 2).reshape({n * T, Hq * D});
    o = project(o, ly.o, ly.o_bias);
    if (c.sandwich_norms) {
      x = x + rms_norm(o, ly.post_attn_norm);
      h = rms_norm(x, ly.pre_ff_norm);
    } else {
      x = x + o;
      h = rms_norm(x, ly.post_attn_norm);
    }
    torch::Tensor gu = project(h, ly.gate_up);
    int64_t I = c.intermediate_size;
    torch::Tensor m = project(activation(gu.narrow(1, 0, I)) * gu.narrow(1, I, I), ly.down);
    if (c.sandwich_norms) m = rms_norm(m, ly.post_ff_norm);
    x = x + m;
  }
  for (int64_t b = 0; b < n; ++b) cache.length_[first + b] = starts[b] + T;

  if (!all_logits) x = x.view({n, T, -1}).select(1, T - 1);
  x = rms_norm(x, final_norm);
  torch::Tensor logits = project(x, lm_head).to(torch::kFloat32);
  if (c.final_softcap > 0) logits = torch::tanh(logits / c.final_softcap) * c.final_softcap;
  return logits.to(torch::kCPU).contiguous();
}

// ---- loading ------------------------------------------------------------------------------------

namespace {

std::string checkpoint_location(const std::string& dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) {
    throw Error(dir + ": model directory missing (expected config.json and *.safetensors)");
  }
  if (!fs::exists(fs::path(dir) / "model.safetensors") &&
      !fs::exists(fs::path(dir) / "model.safetensors.index.json")) {
    throw Error(dir + ": no model.safetensors or model.safetensors.index.json (MOM reads "
                "Hugging Face safetensors checkpoints; convert .bin / .pth weights first)");
  }
  return dir;
}

torch::Device pick_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda" || name == "auto") {
    if (torch::cuda::is_available()) return torch::Device(torch::kCUDA, 0);
    if (name == "cuda") throw Error("device 'cuda' requested but libtorch sees no CUDA device");
    return torch::kCPU;
  }
  throw Error("unknown device '" + name + "' (cpu, cuda or auto)");
}

// Text weights of a Gemma 3 multimodal checkpoint sit under one of two prefixes depending on the
// transformers version that saved it.
void resolve_prefix(DecoderConfig& c, const st::Checkpoint& ckpt) {
  if (ckpt.find(c.weight_prefix + "embed_tokens.weight")) return;
  if (c.architecture == "Gemma3ForConditionalGeneration" &&
      ckpt.find("model.language_model.embed_tokens.weight")) {
    c.weight_prefix = "model.language_model.";
    c.lm_head_name = "lm_head.weight";
  }
}

// The expected tensors of one checkpoint with their shapes.
std::vector<std::pair<std::string, std::vector<int64_t>>> expected_tensors(const DecoderConfig& c,
                                                                           const st::Checkpoint& ckpt) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> out;
  const std::string& p = c.weight_prefix;
  int64_t h = c.hidden_size, q = c.num_heads * c.head_dim, kv = c.num_kv_heads * c.head_dim,
          I = c.intermediate_size;
  out.push_back({p + "embed_tokens.weight", {c.vocab_size, h}});
  out.push_back({p + "norm.weight", {h}});
  // Some tied checkpoints still carry lm_head; use it when present, it equals the embedding.
  if (!c.tie_word_embeddings || ckpt.find(c.lm_head_name)) {
    out.push_back({c.lm_head_name, {c.vocab_size, h}});
  }
  for (int64_t i = 0; i < c.num_layers; ++i) {
    std::string l = p + "layers." + std::to_string(i) + ".";
    out.push_back({l + "input_layernorm.weight", {h}});
    out.push_back({l + "post_attention_layernorm.weight", {h}});
    if (c.sandwich_norms) {
      out.push_back({l + "pre_feedforward_layernorm.weight", {h}});
      out.push_back({l + "post_feedforward_layernorm.weight", {h}});
    }
    if (c.fused_qkv) {
      out.push_back({l + "self_attn.qkv_proj.weight", {q + 2 * kv, h}});
      out.push_back({l + "mlp.gate_up_proj.weight", {2 * I, h}});
    } else {
      out.push_back({l + "self_attn.q_proj.weight", {q, h}});
      out.push_back({l + "self_attn.k_proj.weight", {kv, h}});
      out.push_back({l + "self_attn.v_proj.weight", {kv, h}});
      out.push_back({l + "mlp.gate_proj.weight", {I, h}});
      out.push_back({l + "mlp.up_proj.weight", {I, h}});
    }
    if (c.qkv_bias) {
      out.push_back({l + "self_attn.q_proj.bias", {q}});
      out.push_back({l + "self_attn.k_proj.bias", {kv}});
      out.push_back({l + "self_attn.v_proj.bias", {kv}});
    }
    if (c.qk_norm) {
      out.push_back({l + "self_attn.q_norm.weight", {c.head_dim}});
      out.push_back({l + "self_attn.k_norm.weight", {c.head_dim}});
    }
    out.push_back({l + "self_attn.o_proj.weight", {h, q}});
    if (c.o_bias) out.push_back({l + "self_attn.o_proj.bias", {h}});
    out.push_back({l + "mlp.down_proj.weight", {h, I}});
  }
  return out;
}

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

// Checks presence and shapes of every expected tensor, and that nothing under the decoder's
// prefix is left unused (a wrong family mapping shows up here, not as wrong logits).
void validate_tensors(const DecoderConfig& c, const st::Checkpoint& ckpt, const std::string& dir,
                      const std::vector<std::pair<std::string, std::vector<int64_t>>>& expected) {
  std::set<std::string> used;
  for (const auto& [name, shape] : expected) {
    const st::TensorView* v = ckpt.find(name);
    if (v == nullptr) {
      throw Error(dir + ": tensor '" + name + "' missing (config.json says " + c.architecture +
                  " with " + std::to_string(c.num_layers) + " layers)");
    }
    if (v->shape != shape) {
      throw Error(v->file + ": tensor '" + name + "' has shape " + shape_str(v->shape) +
                  ", config.json implies " + shape_str(shape));
    }
    used.insert(name);
  }
  for (const std::string& name : ckpt.names()) {
    if (name.rfind(c.weight_prefix, 0) != 0 || used.count(name)) continue;
    if (name.find("rotary_emb.inv_freq") != std::string::npos) continue;  // derived buffer
    throw Error(dir + ": unexpected tensor '" + name + "' for " + c.architecture +
                " (is config.json the one of these weights?)");
  }
}

}  // namespace

Decoder::Decoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Decoder::~Decoder() = default;

size_t Decoder::estimate_bytes(const std::string& dir, const DecoderOptions& options) {
  DecoderConfig config = DecoderConfig::load(dir);
  auto ckpt = st::Checkpoint::open(checkpoint_location(dir));
  resolve_prefix(config, *ckpt);
  auto expected = expected_tensors(config, *ckpt);
  validate_tensors(config, *ckpt, dir, expected);
  bool cpu = pick_device(options.device).is_cpu();
  size_t total = 0;
  for (const auto& [name, shape] : expected) {
    const st::TensorView& v = ckpt->get(name);
    total += cpu ? v.nbytes / st::dtype_size(v.dtype) * 4 : v.nbytes;
  }
  return total;
}

std::unique_ptr<Decoder> Decoder::load(const std::string& dir, const DecoderOptions& options) {
  torch::NoGradGuard no_grad;
  if (options.intra_op_threads > 0) at::set_num_threads(options.intra_op_threads);
  auto impl = std::make_unique<Impl>();
  DecoderConfig& c = impl->config;
  c = DecoderConfig::load(dir);
  auto ckpt = st::Checkpoint::open(checkpoint_location(dir));
  resolve_prefix(c, *ckpt);
  auto expected = expected_tensors(c, *ckpt);
  validate_tensors(c, *ckpt, dir, expected);

  impl->device = pick_device(options.device);
  if (options.prefill_chunk < 1) throw Error("prefill_chunk must be >= 1");
  impl->prefill_chunk = options.prefill_chunk;
  bool cpu = impl->device.is_cpu();
  const st::TensorView& embed_view = ckpt->get(c.weight_prefix + "embed_tokens.weight");
  if (cpu) {
    impl->dtype = torch::kFloat32;
  } else {
    impl->dtype = embed_view.dtype == st::DType::kBF16   ? torch::kBFloat16
                  : embed_view.dtype == st::DType::kF16 ? torch::kFloat16
                                                        : torch::kFloat32;
  }
  auto get = [&](const std::string& name) {
    return to_tensor(ckpt->get(name), true).to(impl->dtype);
  };
  // Norm weights: Gemma's (1 + w) offset folded in once here, kept in fp32.
  auto norm = [&](const std::string& name) {
    torch::Tensor w = to_tensor(ckpt->get(name), true);
    if (c.norm_weight_offset) w = w + 1.0;
    return w.to(impl->device);
  };
  auto place = [&](torch::Tensor t) {
    t = t.contiguous().to(impl->device);
    impl->weight_bytes += t.numel() * t.element_size();
    return t;
  };
  const std::string& p = c.weight_prefix;
  impl->embed = place(get(p + "embed_tokens.weight"));
  impl->final_norm = norm(p + "norm.weight");
  if (c.tie_word_embeddings && !ckpt->find(c.lm_head_name)) {
    impl->lm_head = impl->embed;
  } else {
    impl->lm_head = place(get(c.lm_head_name));
  }
  for (int64_t i = 0; i < c.num_layers; ++i) {
    std::string l = p + "layers." + std::to_string(i) + ".";
    Layer ly;
    ly.input_norm = norm(l + "input_layernorm.weight");
    ly.post_attn_norm = norm(l + "post_attention_layernorm.weight");
    if (c.sandwich_norms) {
      ly.pre_ff_norm = norm(l + "pre_feedforward_layernorm.weight");
      ly.post_ff_norm = norm(l + "post_feedforward_layernorm.weight");
    }
    // q, k, v (and gate, up) are fused into one matrix: one product per layer instead of three.
    if (c.fused_qkv) {
      ly.qkv = place(get(l + "self_attn.qkv_proj.weight"));
      ly.gate_up = place(get(l + "mlp.gate_up_proj.weight"));
    } else {
      ly.qkv = place(torch::cat({get(l + "self_attn.q_proj.weight"), get(l + "self_attn.k_proj.weight"),
                                 get(l + "self_attn.v_proj.weight")}, 0));
      ly.gate_up = place(torch::cat({get(l + "mlp.gate_proj.weight"), get(l + "mlp.up_proj.weight")}, 0));
    }
    if (c.qkv_bias) {
      ly.qkv_bias = place(torch::cat({get(l + "self_attn.q_proj.bias"), get(l + "self_attn.k_proj.bias"),
                                      get(l + "self_attn.v_proj.bias")}, 0));
    }
    if (c.qk_norm) {
      ly.q_norm = norm(l + "self_attn.q_norm.weight");
      ly.k_norm = norm(l + "self_attn.k_norm.weight");
    }
    ly.o = place(get(l + "self_attn.o_proj.weight"));
    if (c.o_bias) ly.o_bias = place(get(l + "self_attn.o_proj.bias"));
    ly.down = place(get(l + "mlp.down_proj.weight"));
    impl->layers.push_back(std::move(ly));
  }
  impl->inv_freq[0] = inverse_frequencies(c, false);
  if (c.rope_local_theta > 0) impl->inv_freq[1] = inverse_frequencies(c, true);
  return std::unique_ptr<Decoder>(new Decoder(std::move(impl)));
}

const DecoderConfig& Decoder::config() const { return impl_->config; }
size_t Decoder::weight_bytes() const { return impl_->weight_bytes; }
std::string Decoder::device() const { return impl_->device.str(); }

KvCache Decoder::make_cache(int64_t slots, int64_t capacity) const {
  const DecoderConfig& c = impl_->config;
  KvCache cache;
  auto opt = torch::TensorOptions().dtype(impl_->dtype).device(impl_->device);
  for (int64_t l = 0; l < c.num_layers; ++l) {
    cache.k_.push_back(torch::zeros({slots, c.num_kv_heads, capacity, c.head_dim}, opt));
    cache.v_.push_back(torch::zeros({slots, c.num_kv_heads, capacity, c.head_dim}, opt));
  }
  cache.length_.assign(slots, 0);
  cache.capacity_ = capacity;
  return cache;
}

namespace {

void check_ids(const DecoderConfig& c, const std::vector<int32_t>& ids) {
  for (int32_t id : ids) {
    if (id < 0 || id >= c.vocab_size) {
      throw Error("token id " + std::to_string(id) + " outside the vocabulary [0, " +
                  std::to_string(c.vocab_size) + ")");
    }
  }
}

int64_t grown(int64_t need, int64_t have, int64_t limit) {
  int64_t cap = std::max<int64_t>(have, 64);
  while (cap < need) cap *= 2;
  return std::min(cap, std::max(limit, need));
}

}  // namespace

torch::Tensor Decoder::extend(KvCache& cache, int64_t slot, const std::vector<int32_t>& ids,
                              bool all_logits) {
  const DecoderConfig& c = impl_->config;
  if (ids.empty()) throw Error("extend: no tokens");
  check_ids(c, ids);
  int64_t start = cache.length(slot);
  int64_t end = start + static_cast<int64_t>(ids.size());
  if (end > c.max_position_embeddings) {
    throw Error("sequence of " + std::to_string(end) + " tokens exceeds the model's context window of " +
                std::to_string(c.max_position_embeddings) + " (max_position_embeddings)");
  }
  if (end > cache.capacity()) cache.reserve(cache.slots(), grown(end, cache.capacity(), c.max_position_embeddings));
  torch::Tensor tokens = torch::tensor(std::vector<int64_t>(ids.begin(), ids.end()), torch::kInt64)
                             .view({1, -1});
  const int64_t T = tokens.size(1), chunk = impl_->prefill_chunk;
  if (T <= chunk) return impl_->run(cache, slot, tokens, {start}, all_logits);
  std::vector<torch::Tensor> parts;
  torch::Tensor last;
  for (int64_t b = 0; b < T; b += chunk) {
    int64_t len = std::min(chunk, T - b);
    last = impl_->run(cache, slot, tokens.narrow(1, b, len), {start + b}, all_logits);
    if (all_logits) parts.push_back(last);
  }
  return all_logits ? torch::cat(parts, 0) : last;
}

torch::Tensor Decoder::step(KvCache& cache, const std::vector<int32_t>& tokens) {
  const DecoderConfig& c = impl_->config;
  int64_t n = static_cast<int64_t>(tokens.size());
  if (n == 0 || n > cache.slots()) throw Error("step: batch of " + std::to_string(n) + " for " +
                                               std::to_string(cache.slots()) + " slots");
  check_ids(c, tokens);
  std::vector<int64_t> starts(n);
  int64_t need = 0;
  for (int64_t b = 0; b < n; ++b) {
    starts[b] = cache.length(b);
    if (starts[b] + 1 > c.max_position_embeddings) {
      throw Error("slot " + std::to_string(b) + " reached the context window of " +
                  std::to_string(c.max_position_embeddings));
    }
    need = std::max(need, starts[b] + 1);
  }
  if (need > cache.capacity()) cache.reserve(cache.slots(), grown(need, cache.capacity(), c.max_position_embeddings));
  torch::Tensor t = torch::tensor(std::vector<int64_t>(tokens.begin(), tokens.end()), torch::kInt64)
                        .view({n, 1});
  return impl_->run(cache, 0, t, starts, false);
}

torch::Tensor Decoder::forward(const std::vector<int32_t>& ids) {
  KvCache cache = make_cache(1, static_cast<int64_t>(ids.size()));
  return extend(cache, 0, ids, true);
}

}  // namespace mom::models
