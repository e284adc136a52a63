// safetensors <-> torch modules: conversion of every float dtype, strict loading errors that
// name the tensor, non-strict reports, save/load round trip.
#include "models/weights.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/error.h"
#include "tests/support/test_support.h"

namespace mom::models {
namespace {

namespace st = safetensors;
using mom::testing::TempDir;

struct TinyImpl : torch::nn::Module {
  TinyImpl() {
    lin = register_module("lin", torch::nn::Linear(3, 2));
    norm = register_module("LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({2})));
  }
  torch::nn::Linear lin{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(Tiny);

void expect_error(const std::function<void()>& fn, const std::vector<std::string>& parts) {
  try {
    fn();
    FAIL() << "expected mom::Error";
  } catch (const Error& e) {
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

TEST(WeightsTest, ToTensorUpcastsHalfAndBFloat16) {
  uint16_t f16[2] = {0x3c00, 0xc100};   // 1.0, -2.5
  uint16_t bf16[2] = {0x3f80, 0xc020};  // 1.0, -2.5
  st::TensorView v{"x", st::DType::kF16, {2}, f16, 4, "f"};
  torch::Tensor a = to_tensor(v);
  EXPECT_EQ(a.scalar_type(), torch::kFloat32);
  EXPECT_FLOAT_EQ(a[1].item<float>(), -2.5f);
  EXPECT_EQ(to_tensor(v, false).scalar_type(), torch::kFloat16);
  st::TensorView b{"y", st::DType::kBF16, {2}, bf16, 4, "f"};
  EXPECT_FLOAT_EQ(to_tensor(b)[0].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(to_tensor(b)[1].item<float>(), -2.5f);
  EXPECT_EQ(to_tensor(b, false).scalar_type(), torch::kBFloat16);
}

TEST(WeightsTest, SaveLoadRoundTripWithPrefix) {
  TempDir dir;
  Tiny src;
  std::string path = dir.file("model.safetensors");
  save_state(*src, path, "enc.");
  auto ckpt = st::Checkpoint::open(path);
  EXPECT_EQ(ckpt->names(), (std::vector<std::string>{"enc.LayerNorm.bias", "enc.LayerNorm.weight",
                                                      "enc.lin.bias", "enc.lin.weight"}));
  Tiny dst;
  LoadReport r = load_state(*dst, *ckpt, "enc.");
  EXPECT_EQ(r.loaded, 4u);
  EXPECT_TRUE(torch::equal(src->lin->weight, dst->lin->weight));
  EXPECT_TRUE(torch::equal(src->lin->bias, dst->lin->bias));
}

TEST(WeightsTest, StrictErrorsNameTheTensor) {
  TempDir dir;
  torch::Tensor w = torch::randn({2, 3});
  torch::Tensor b = torch::randn({2});
  torch::Tensor g = torch::ones({2});
  torch::Tensor wrong = torch::randn({3, 3});
  // Missing LayerNorm.bias.
  save_tensors({{"lin.weight", w}, {"lin.bias", b}, {"LayerNorm.weight", g}}, dir.file("missing.safetensors"));
  Tiny m;
  expect_error([&] { load_state(*m, *st::Checkpoint::open(dir.file("missing.safetensors"))); },
               {"LayerNorm.bias", "missing"});
  // Non-strict reports instead, and allow_missing excuses a name prefix even when strict.
  LoadReport r = load_state(*m, *st::Checkpoint::open(dir.file("missing.safetensors")), "", {false, {}});
  EXPECT_EQ(r.missing, std::vector<std::string>{"LayerNorm.bias"});
  EXPECT_NO_THROW(load_state(*m, *st::Checkpoint::open(dir.file("missing.safetensors")), "",
                             {true, {"LayerNorm."}}));
  // Shape mismatch.
  save_tensors({{"lin.weight", wrong}, {"lin.bias", b}, {"LayerNorm.weight", g}, {"LayerNorm.bias", g}},
               dir.file("shape.safetensors"));
  expect_error([&] { load_state(*m, *st::Checkpoint::open(dir.file("shape.safetensors"))); },
               {"shape.safetensors", "lin.weight", "[3, 3]", "[2, 3]"});
  // Unexpected tensor.
  save_tensors({{"lin.weight", w}, {"lin.bias", b}, {"LayerNorm.weight", g}, {"LayerNorm.bias", g},
                {"extra.weight", g}},
               dir.file("extra.safetensors"));
  expect_error([&] { load_state(*m, *st::Checkpoint::open(dir.file("extra.safetensors"))); },
               {"extra.weight", "unexpected"});
  // Wrong dtype: an integer tensor where a float parameter is expected.
  save_tensors({{"lin.weight", w}, {"lin.bias", torch::ones({2}, torch::kInt64)}, {"LayerNorm.weight", g},
                {"LayerNorm.bias", g}},
               dir.file("dtype.safetensors"));
  expect_error([&] { load_state(*m, *st::Checkpoint::open(dir.file("dtype.safetensors"))); },
               {"lin.bias", "wrong dtype", "I64"});
}

TEST(WeightsTest, HalfCheckpointAndLegacyGammaBeta) {
  TempDir dir;
  torch::Tensor w = torch::randn({2, 3});
  save_tensors({{"lin.weight", w.to(torch::kBFloat16)}, {"lin.bias", torch::zeros({2}, torch::kFloat16)},
                {"LayerNorm.gamma", torch::full({2}, 3.0)}, {"LayerNorm.beta", torch::full({2}, -1.0)},
                {"embeddings.position_ids", torch::arange(4)}},
               dir.file("m.safetensors"));
  Tiny m;
  load_state(*m, *st::Checkpoint::open(dir.file("m.safetensors")));
  EXPECT_TRUE(torch::allclose(m->lin->weight, w.to(torch::kBFloat16).to(torch::kFloat32)));
  EXPECT_FLOAT_EQ(m->norm->weight[0].item<float>(), 3.0f);
  EXPECT_FLOAT_EQ(m->norm->bias[1].item<float>(), -1.0f);
}

}  // namespace
}  // namespace mom::models
