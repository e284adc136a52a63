// Building blocks shared by the encoder implementations (internal to models/encoders/).
#pragma once

#include <torch/torch.h>

#include <string>

namespace mom::models::encoders {

// Hugging Face's ACT2FN by name: gelu (erf), gelu_new / gelu_pytorch_tanh (tanh approximation),
// relu, silu/swish, tanh. Throws mom::Error for others.
torch::Tensor activation(const std::string& name, const torch::Tensor& x);
// Throws mom::Error naming `where` when `name` is not supported by activation().
void check_activation(const std::string& name, const std::string& where);

// LayerNorm whose bias is optional (ModernBERT's norm_bias=false), parameters "weight"/"bias".
class NormImpl : public torch::nn::Module {
 public:
  NormImpl(int64_t dim, double eps, bool bias);
  torch::Tensor forward(const torch::Tensor& x);
  void reset();

 private:
  int64_t dim_;
  double eps_;
  torch::Tensor weight_, bias_;
};
TORCH_MODULE(Norm);

// The most negative finite value of a floating dtype (torch.finfo(dtype).min).
double lowest_value(torch::ScalarType dtype);

// Additive attention bias from a [batch, seq] 0/1 mask: 0 where attended, the dtype's lowest
// value where masked ([batch, 1, 1, seq]). Like Hugging Face, the lowest finite value rather than
// -inf, so rows that see no token (padding queries) stay finite. Undefined when nothing is masked
// (the common unpadded case skips the addition).
torch::Tensor padding_bias(const torch::Tensor& attention_mask, torch::ScalarType dtype);

// Scaled dot-product attention, q/k/v [batch, heads, seq, head_dim]:
// softmax(q k^T / sqrt(head_dim) + bias) v, `bias` additive and broadcastable to the scores or
// undefined. Scales q (seq x head_dim) rather than the scores (seq x seq) and adds the bias in
// place: one pass over the scores fewer than the textbook order, same result.
torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        const torch::Tensor& bias, double dropout, bool training);

// Truncated normal initialisation in [-cutoff*std, cutoff*std] (ModernBERT's init).
void trunc_normal_(torch::Tensor& t, double std, double cutoff);

}  // namespace mom::models::encoders
