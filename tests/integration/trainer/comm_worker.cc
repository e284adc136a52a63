// Run under mpirun by comm_mpi_test: checks the communicator's collectives against values every
// rank can compute, or misbehaves on purpose (a rank that dies, a rank that hangs).
// Usage: comm_worker [check|die|hang] [timeout_s]
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "trainer/comm/communicator.h"

using namespace mom::trainer;

static int fail(int rank, const std::string& what) {
  std::printf("rank %d FAILED: %s\n", rank, what.c_str());
  return 1;
}

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "check";
  CommOptions options;
  options.backend = CommBackend::kAuto;
  options.gpu = mode == "nccl";
  options.timeout_s = argc > 2 ? std::stod(argv[2]) : 60;
  auto comm = create_communicator(options);
  int rank = comm->rank(), size = comm->size();
  if (mode == "die") {
    if (rank == 1) std::raise(SIGKILL);
    std::vector<float> x(10, 1.f);
    comm->allreduce(x.data(), x.size(), ReduceOp::kSum);  // never completes on rank 0
    return 0;
  }
  if (mode == "hang") {
    if (rank == 1) std::this_thread::sleep_for(std::chrono::seconds(120));
    std::vector<float> x(10, 1.f);
    comm->allreduce(x.data(), x.size(), ReduceOp::kSum);
    return 0;
  }
  // Sum and average over sizes that cross MPI's small/large message paths.
  for (size_t n : {size_t{1}, size_t{1000}, size_t{1} << 20}) {
    std::vector<float> a(n), b(n);
    for (size_t i = 0; i < n; ++i) a[i] = b[i] = static_cast<float>(rank + 1) + static_cast<float>(i % 7);
    auto fa = comm->allreduce_async(a.data(), n, ReduceOp::kSum);
    auto fb = comm->allreduce_async(b.data(), n, ReduceOp::kAverage);
    fa.get();
    fb.get();
    float rank_sum = static_cast<float>(size * (size + 1) / 2);
    for (size_t i = 0; i < n; ++i) {
      float expect_sum = rank_sum + static_cast<float>(size) * static_cast<float>(i % 7);
      if (a[i] != expect_sum) return fail(rank, "sum at " + std::to_string(i) + " of " + std::to_string(n));
      if (std::abs(b[i] - expect_sum / static_cast<float>(size)) > 1e-5f) return fail(rank, "average at " + std::to_string(i));
    }
  }
  int root = size - 1;
  std::vector<double> payload(5, rank == root ? 3.25 : -1.0);
  comm->broadcast(payload.data(), payload.size() * sizeof(double), root);
  for (double v : payload)
    if (v != 3.25) return fail(rank, "broadcast");
  comm->barrier();
  std::printf("rank %d of %d ok (%s)\n", rank, size, comm->backend_name().c_str());
  return 0;
}
