// Collective communication between the ranks of a training job: the interface every backend
// (MPI on CPU buffers, NCCL on GPU buffers) implements, and the one factory that picks a backend.
#pragma once

#include <cstddef>
#include <future>
#include <memory>
#include <string>

namespace mom::trainer {

enum class CommBackend { kAuto, kMpi, kNccl };
enum class ReduceOp { kSum, kAverage };

struct CommOptions {
  CommBackend backend = CommBackend::kAuto;  // kAuto: NCCL when built with it and asked for a GPU
  bool gpu = false;                          // --gpu: the caller wants device communication
  // A collective that has not finished after this long means a peer rank died or hangs: the
  // watchdog logs it, naming this rank, and ends the process (mpirun then ends the job).
  double timeout_s = 600;
};

// Thread-safety: every method may be called from any thread. All collectives run, in submission
// order, on the one communication thread the communicator owns (the only thread that calls MPI or
// NCCL). Every rank must submit the same collectives in the same order.
class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual std::string backend_name() const = 0;

  // Reduces `count` floats of host memory in place across all ranks. `data` must stay valid and
  // untouched until the returned future is ready; the future carries a mom::Error on failure.
  virtual std::future<void> allreduce_async(float* data, size_t count, ReduceOp op) = 0;
  void allreduce(float* data, size_t count, ReduceOp op) { allreduce_async(data, count, op).get(); }

  // Copies `bytes` bytes from rank `root` to every other rank (host memory).
  virtual void broadcast(void* data, size_t bytes, int root) = 0;
  virtual void barrier() = 0;

  // Ends this process with `exit_code` after logging `reason` with the rank; under mpirun the
  // launcher then terminates the other ranks. Never returns; callable while a collective hangs.
  [[noreturn]] virtual void abort(const std::string& reason, int exit_code) = 0;
};

// The first enabled backend that fits `options`: NCCL when compiled in (MOM_WITH_NCCL) and
// options.gpu, else MPI. A single process without mpirun gets an MPI communicator of size 1.
// Throws mom::Error when the requested backend is not available.
std::unique_ptr<Communicator> create_communicator(const CommOptions& options);

// "mpi" / "nccl" / "auto" -> CommBackend; throws mom::Error on anything else.
CommBackend parse_comm_backend(const std::string& name);

}  // namespace mom::trainer
