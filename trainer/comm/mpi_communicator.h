// MPI backend of Communicator: reduces host (CPU) float buffers with MPI_Allreduce.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "trainer/comm/comm_thread.h"
#include "trainer/comm/communicator.h"

namespace mom::trainer {

// MPI is initialised once per process (MPI_THREAD_SERIALIZED, on the comm thread) and finalised
// at process exit, so several communicators may be created one after the other (tests do).
// Errors return (MPI_ERRORS_RETURN) and surface as mom::Error naming the rank and the call.
class MpiCommunicator : public Communicator {
 public:
  static std::unique_ptr<MpiCommunicator> create(const CommOptions& options);
  ~MpiCommunicator() override;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string backend_name() const override { return "mpi"; }
  std::future<void> allreduce_async(float* data, size_t count, ReduceOp op) override;
  void broadcast(void* data, size_t bytes, int root) override;
  void barrier() override;
  [[noreturn]] void abort(const std::string& reason, int exit_code) override;

  // Runs `task` on the thread that owns MPI (other backends bootstrap through it, so every MPI
  // and NCCL call of the process happens on this one thread).
  std::future<void> submit(std::string name, std::function<void()> task);

 private:
  explicit MpiCommunicator(double timeout_s);
  std::unique_ptr<CommThread> thread_;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace mom::trainer
