// Run under mpirun by comm_mpi_test: each rank holds a shard of every global micro-batch and a
// model initialised differently; after broadcast_parameters and the bucketed, overlapped
// all-reduce with gradient accumulation, every rank's gradient must equal the full-batch gradient
// that one process computes alone.
#include <torch/torch.h>

#include <cstdio>

#include "trainer/comm/communicator.h"
#include "trainer/grad_bucketer.h"
#include "trainer/trainer.h"

using namespace mom::trainer;

struct Net : torch::nn::Module {
  Net() {
    a = register_module("a", torch::nn::Linear(6, 5));
    b = register_module("b", torch::nn::Linear(5, 3));
    unused = register_parameter("unused", torch::ones({4}));
  }
  torch::Tensor forward(const torch::Tensor& x) { return b->forward(torch::tanh(a->forward(x))); }
  torch::nn::Linear a{nullptr}, b{nullptr};
  torch::Tensor unused;
};

int main() {
  auto comm = create_communicator({});
  int rank = comm->rank(), size = comm->size();
  torch::manual_seed(100 + rank);  // different on every rank: the broadcast must fix that
  auto net = std::make_shared<Net>();
  GradBucketer bucketer(net->parameters(), *comm, /*bucket_bytes=*/64);
  bucketer.broadcast_parameters();

  torch::manual_seed(7);
  auto x = torch::randn({10, 6});
  auto y = torch::randint(0, 3, {10}, torch::kInt64);
  std::vector<std::vector<size_t>> micro = {{0, 1, 2, 3, 4, 5}, {6, 7, 8, 9}};

  auto reference = std::make_shared<Net>();
  {
    torch::NoGradGuard g;
    auto src = net->parameters();
    auto dst = reference->parameters();
    for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
  }
  auto ce_sum = [](const torch::Tensor& logits, const torch::Tensor& target) {
    return torch::nn::functional::cross_entropy(logits, target,
                                                torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
  };
  for (const auto& mb : micro) {
    auto idx = torch::tensor(std::vector<int64_t>(mb.begin(), mb.end()), torch::kInt64);
    (ce_sum(reference->forward(x.index_select(0, idx)), y.index_select(0, idx)) / 10.0).backward();
  }
  for (size_t m = 0; m < micro.size(); ++m) {
    if (m + 1 == micro.size()) bucketer.arm();
    auto shard = rank_shard(micro[m], rank, size);
    if (shard.empty()) continue;
    auto idx = torch::tensor(std::vector<int64_t>(shard.begin(), shard.end()), torch::kInt64);
    (ce_sum(net->forward(x.index_select(0, idx)), y.index_select(0, idx)) / 10.0).backward();
  }
  bucketer.finish();

  auto ref = reference->named_parameters();
  for (const auto& p : net->named_parameters()) {
    if (p.key() == "unused") continue;
    double diff = (p.value().grad() - ref[p.key()].grad()).abs().max().item<double>();
    if (diff > 1e-6) {
      std::printf("rank %d FAILED: gradient of %s differs by %g\n", rank, p.key().c_str(), diff);
      return 1;
    }
  }
  std::printf("rank %d of %d ddp ok\n", rank, size);
  return 0;
}
