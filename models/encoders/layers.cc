// Shared encoder building blocks: activations, optional-bias LayerNorm, masks, init.
#include "models/encoders/layers.h"

#include <cmath>
#include <limits>

#include "core/error.h"

namespace mom::models::encoders {

torch::Tensor activation(const std::string& name, const torch::Tensor& x) {
  if (name == "gelu") return torch::gelu(x);
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") return torch::gelu(x, "tanh");
  if (name == "relu") return torch::relu(x);
  if (name == "silu" || name == "swish") return torch::silu(x);
  if (name == "tanh") return torch::tanh(x);
  throw Error("unsupported activation \"" + name + "\"");
}

void check_activation(const std::string& name, const std::string& where) {
  static const char* kNames[] = {"gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "relu", "silu", "swish", "tanh"};
  for (const char* n : kNames) {
    if (name == n) return;
  }
  throw Error(where + ": unsupported activation \"" + name +
              "\" (supported: gelu, gelu_new, gelu_pytorch_tanh, relu, silu, tanh)");
}

NormImpl::NormImpl(int64_t dim, double eps, bool bias) : dim_(dim), eps_(eps) {
  weight_ = register_parameter("weight", torch::ones({dim}));
  if (bias) bias_ = register_parameter("bias", torch::zeros({dim}));
}

torch::Tensor NormImpl::forward(const torch::Tensor& x) {
  return torch::layer_norm(x, {dim_}, weight_, bias_, eps_);
}

void NormImpl::reset() {
  torch::NoGradGuard no_grad;
  weight_.fill_(1.0);
  if (bias_.defined()) bias_.zero_();
}

double lowest_value(torch::ScalarType dtype) {
  switch (dtype) {
    case torch::kFloat64: return std::numeric_limits<double>::lowest();
    case torch::kFloat16: return -65504.0;
    case torch::kBFloat16: return -3.3895313892515355e38;
    default: return static_cast<double>(std::numeric_limits<float>::lowest());
  }
}

torch::Tensor padding_bias(const torch::Tensor& attention_mask, torch::ScalarType dtype) {
  if (attention_mask.numel() == 0 || attention_mask.min().item<int64_t>() != 0) return {};
  double lowest = lowest_value(dtype);
  torch::Tensor masked = attention_mask.eq(0).view({attention_mask.size(0), 1, 1, attention_mask.size(1)});
  return torch::zeros(masked.sizes(), torch::TensorOptions().dtype(dtype)).masked_fill(masked, lowest);
}

torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        const torch::Tensor& bias, double dropout, bool training) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  torch::Tensor scores = torch::matmul(q * scale, k.transpose(-1, -2));
  if (bias.defined()) scores.add_(bias);
  torch::Tensor probs = torch::softmax(scores, -1);
  if (training && dropout > 0) probs = torch::dropout(probs, dropout, true);
  return torch::matmul(probs, v);
}

void trunc_normal_(torch::Tensor& t, double std, double cutoff) {
  torch::NoGradGuard no_grad;
  t.normal_(0.0, std);
  // Redraw the values outside the cut (a handful of rounds leaves ~0 outliers), then clamp the rest.
  for (int round = 0; round < 8; ++round) {
    torch::Tensor outside = t.abs() > cutoff * std;
    if (!outside.any().item<bool>()) break;
    t.masked_scatter_(outside, torch::randn({outside.sum().item<int64_t>()}, t.options()) * std);
  }
  t.clamp_(-cutoff * std, cutoff * std);
}

}  // namespace mom::models::encoders
