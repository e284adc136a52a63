// GradBucketer in one process: the reduced gradients equal plain autograd's, across several
// buckets, with gradient accumulation and with a parameter that gets no gradient.
#include "trainer/grad_bucketer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "trainer/comm/communicator.h"

namespace mom::trainer {
namespace {

struct Net : torch::nn::Module {
  Net() {
    a = register_module("a", torch::nn::Linear(5, 4));
    b = register_module("b", torch::nn::Linear(4, 3));
    unused = register_parameter("unused", torch::ones({2}));
  }
  torch::Tensor forward(const torch::Tensor& x) { return b->forward(torch::tanh(a->forward(x))); }
  torch::nn::Linear a{nullptr}, b{nullptr};
  torch::Tensor unused;
};

TEST(GradBucketer, MatchesPlainBackwardWithAccumulation) {
  auto comm = create_communicator({});
  ASSERT_EQ(comm->size(), 1);
  torch::manual_seed(3);
  auto reference = std::make_shared<Net>();
  auto net = std::make_shared<Net>();
  {
    torch::NoGradGuard g;
    auto src = reference->parameters();
    auto dst = net->parameters();
    for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
  }
  auto x1 = torch::randn({6, 5}), x2 = torch::randn({3, 5});
  for (int round = 0; round < 2; ++round) {  // the second round reuses the buckets
    reference->zero_grad();
    reference->forward(x1).pow(2).sum().backward();
    reference->forward(x2).pow(2).sum().backward();

    GradBucketer bucketer(net->parameters(), *comm, /*bucket_bytes=*/40);  // 10 floats: several buckets
    EXPECT_GE(bucketer.num_buckets(), 3u);
    net->zero_grad();
    net->forward(x1).pow(2).sum().backward();  // accumulates locally
    bucketer.arm();
    net->forward(x2).pow(2).sum().backward();  // hooks fill buckets
    bucketer.finish();
    auto ref = reference->named_parameters();
    auto got = net->named_parameters();
    for (const auto& item : ref) {
      if (item.key() == "unused") continue;
      ASSERT_TRUE(got[item.key()].grad().defined()) << item.key();
      EXPECT_TRUE(torch::allclose(got[item.key()].grad(), item.value().grad(), 1e-6, 1e-6)) << item.key();
    }
    ASSERT_TRUE(net->unused.grad().defined());
    EXPECT_EQ(net->unused.grad().abs().sum().item<float>(), 0.f);
  }
}

}  // namespace
}  // namespace mom::trainer
