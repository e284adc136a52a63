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
// -inf, so rows that see no token (padding queries) stay finite.
torch::Tensor padding_bias(const torch::Tensor& attention_mask, torch::ScalarType dtype);

// Truncated normal initialisation in [-cutoff*std, cutoff*std] (ModernBERT's init).
void trunc_normal_(torch::Tensor& t, double std, double cutoff);

}  // namespace mom::models::encoders
