// NcclCommunicator: ncclAllReduce through a staging device buffer, on the MPI-owning comm thread.
#if MOM_WITH_NCCL
#include "trainer/comm/nccl_communicator.h"

#include <cuda_runtime.h>
#include <mpi.h>
#include <nccl.h>

#include <cstdlib>

#include "core/error.h"
#include "trainer/comm/mpi_communicator.h"

namespace mom::trainer {
namespace {

void check_cuda(cudaError_t code, int rank, const char* call) {
  if (code != cudaSuccess)
    throw Error("rank " + std::to_string(rank) + ": " + call + " failed: " + cudaGetErrorString(code));
}

void check_nccl(ncclResult_t code, int rank, const char* call) {
  if (code != ncclSuccess)
    throw Error("rank " + std::to_string(rank) + ": " + call + " failed: " + ncclGetErrorString(code) +
                " (a peer rank probably died, or NCCL_DEBUG=INFO says why)");
}

}  // namespace

// Touched only on the comm thread (after create returns).
struct NcclCommunicator::Impl {
  int device = 0;
  ncclComm_t comm = nullptr;
  cudaStream_t stream = nullptr;
  float* staging = nullptr;  // device buffer, grown on demand
  size_t staging_count = 0;
};

NcclCommunicator::NcclCommunicator() : impl_(std::make_unique<Impl>()) {}

std::unique_ptr<NcclCommunicator> NcclCommunicator::create(const CommOptions& options) {
  std::unique_ptr<NcclCommunicator> self(new NcclCommunicator());
  self->mpi_ = MpiCommunicator::create(options);
  Impl* impl = self->impl_.get();
  int rank = self->mpi_->rank();
  int size = self->mpi_->size();
  self->mpi_->submit("ncclCommInitRank", [impl, rank, size] {
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &local);
    int local_rank = 0;
    MPI_Comm_rank(local, &local_rank);
    MPI_Comm_free(&local);
    int devices = 0;
    check_cuda(cudaGetDeviceCount(&devices), rank, "cudaGetDeviceCount");
    if (devices == 0) throw Error("rank " + std::to_string(rank) + ": --gpu / NCCL asked for, but no GPU is visible");
    impl->device = local_rank % devices;
    check_cuda(cudaSetDevice(impl->device), rank, "cudaSetDevice");
    ncclUniqueId id;
    if (rank == 0) check_nccl(ncclGetUniqueId(&id), rank, "ncclGetUniqueId");
    if (MPI_Bcast(&id, sizeof(id), MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
      throw Error("rank " + std::to_string(rank) + ": MPI_Bcast of the NCCL unique id failed");
    check_nccl(ncclCommInitRank(&impl->comm, size, id, rank), rank, "ncclCommInitRank");
    check_cuda(cudaStreamCreate(&impl->stream), rank, "cudaStreamCreate");
  }).get();
  return self;
}

NcclCommunicator::~NcclCommunicator() {
  if (!mpi_) return;
  Impl* impl = impl_.get();
  mpi_->submit("ncclCommDestroy", [impl] {
    if (impl->staging) cudaFree(impl->staging);
    if (impl->stream) cudaStreamDestroy(impl->stream);
    if (impl->comm) ncclCommDestroy(impl->comm);
  }).wait();
}

int NcclCommunicator::rank() const { return mpi_->rank(); }
int NcclCommunicator::size() const { return mpi_->size(); }
int NcclCommunicator::device() const { return impl_->device; }

std::future<void> NcclCommunicator::allreduce_async(float* data, size_t count, ReduceOp op) {
  Impl* impl = impl_.get();
  int rank = mpi_->rank();
  return mpi_->submit("ncclAllReduce", [=] {
    if (count == 0) return;
    check_cuda(cudaSetDevice(impl->device), rank, "cudaSetDevice");
    if (impl->staging_count < count) {
      if (impl->staging) cudaFree(impl->staging);
      impl->staging = nullptr;
      check_cuda(cudaMalloc(&impl->staging, count * sizeof(float)), rank, "cudaMalloc");
      impl->staging_count = count;
    }
    size_t bytes = count * sizeof(float);
    check_cuda(cudaMemcpyAsync(impl->staging, data, bytes, cudaMemcpyHostToDevice, impl->stream), rank,
               "cudaMemcpyAsync(H2D)");
    check_nccl(ncclAllReduce(impl->staging, impl->staging, count, ncclFloat32,
                             op == ReduceOp::kAverage ? ncclAvg : ncclSum, impl->comm, impl->stream),
               rank, "ncclAllReduce");
    check_cuda(cudaMemcpyAsync(data, impl->staging, bytes, cudaMemcpyDeviceToHost, impl->stream), rank,
               "cudaMemcpyAsync(D2H)");
    check_cuda(cudaStreamSynchronize(impl->stream), rank, "cudaStreamSynchronize");
  });
}

void NcclCommunicator::broadcast(void* data, size_t bytes, int root) { mpi_->broadcast(data, bytes, root); }
void NcclCommunicator::barrier() { mpi_->barrier(); }
void NcclCommunicator::abort(const std::string& reason, int exit_code) {
  mpi_->abort(reason, exit_code);
  std::_Exit(1);  // not reached
}

}  // namespace mom::trainer
#endif  // MOM_WITH_NCCL
