// All-reduce bandwidth of the trainer's Communicator against raw MPI_Allreduce on the same
// buffers (both on the communicator's thread, the only thread that calls MPI), and the bucketed
// async path the gradient bucketer uses. Run: mpirun -np 2 train_allreduce_bench
#include <mpi.h>

#include <chrono>
#include <cstdio>
#include <vector>

#include "trainer/comm/mpi_communicator.h"

using namespace mom::trainer;

int main() {
  auto comm = MpiCommunicator::create({});
  int rank = comm->rank();
  if (rank == 0)
    std::printf("%d ranks (%s)\n%12s %8s %14s %14s %14s\n", comm->size(), comm->backend_name().c_str(), "bytes", "iters",
                "raw MPI GB/s", "Comm GB/s", "4 buckets GB/s");
  for (size_t bytes = 4096; bytes <= (size_t{64} << 20); bytes *= 8) {
    size_t n = bytes / sizeof(float);
    std::vector<float> buf(n, 1.0f);
    int iters = bytes <= (size_t{1} << 20) ? 200 : 10;
    auto time = [&](auto&& body) {
      comm->barrier();
      auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < iters; ++i) body();
      comm->barrier();
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / iters;
    };
    float* data = buf.data();
    double raw = time([&] {
      comm->submit("raw", [=] { MPI_Allreduce(MPI_IN_PLACE, data, static_cast<int>(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD); }).get();
    });
    double ours = time([&] { comm->allreduce(data, n, ReduceOp::kSum); });
    double bucketed = time([&] {
      size_t q = n / 4;
      std::vector<std::future<void>> f;
      for (int b = 0; b < 4; ++b) f.push_back(comm->allreduce_async(data + b * q, b == 3 ? n - 3 * q : q, ReduceOp::kSum));
      for (auto& x : f) x.get();
    });
    if (rank == 0)
      std::printf("%12zu %8d %14.3f %14.3f %14.3f\n", bytes, iters, bytes / raw / 1e9, bytes / ours / 1e9, bytes / bucketed / 1e9);
  }
  return 0;
}
