// NCCL backend of Communicator (built only with MOM_WITH_NCCL): all-reduces on the GPU. With
// Debian's CPU-only libtorch the tensors live on the host, so buffers are staged through a
// cudaMalloc'd device buffer; MPI (through MpiCommunicator) shares the NCCL unique id and does
// broadcast and barrier.
#pragma once

#include <memory>
#include <string>

#include "trainer/comm/communicator.h"

namespace mom::trainer {

class MpiCommunicator;

class NcclCommunicator : public Communicator {
 public:
  // One GPU per rank: the rank's index among the ranks on its node, modulo the visible devices.
  // Throws mom::Error when no GPU is visible or NCCL fails to initialise.
  static std::unique_ptr<NcclCommunicator> create(const CommOptions& options);
  ~NcclCommunicator() override;

  int rank() const override;
  int size() const override;
  std::string backend_name() const override { return "nccl"; }
  std::future<void> allreduce_async(float* data, size_t count, ReduceOp op) override;
  void broadcast(void* data, size_t bytes, int root) override;
  void barrier() override;
  [[noreturn]] void abort(const std::string& reason, int exit_code) override;

  int device() const;

 private:
  struct Impl;  // CUDA / NCCL handles, kept out of this header
  NcclCommunicator();
  std::unique_ptr<MpiCommunicator> mpi_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mom::trainer
