// MpiCommunicator: MPI_Allreduce / MPI_Bcast / MPI_Barrier on MPI_COMM_WORLD, from one thread.
#include "trainer/comm/mpi_communicator.h"

#include <mpi.h>

#include <climits>
#include <cstdlib>

#include "core/error.h"
#include "core/logging.h"

namespace mom::trainer {
namespace {

void finalize_mpi_at_exit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void check(int code, int rank, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw Error("rank " + std::to_string(rank) + ": " + call + " failed: " + std::string(text, length) +
              " (a peer rank probably died)");
}

// MPI counts are ints: reduce large buffers in chunks.
constexpr size_t kMaxChunk = static_cast<size_t>(INT_MAX) / 2;

}  // namespace

MpiCommunicator::MpiCommunicator(double timeout_s)
    : thread_(std::make_unique<CommThread>("rank ?", timeout_s)) {}

MpiCommunicator::~MpiCommunicator() = default;

std::unique_ptr<MpiCommunicator> MpiCommunicator::create(const CommOptions& options) {
  std::unique_ptr<MpiCommunicator> comm(new MpiCommunicator(options.timeout_s));
  MpiCommunicator* self = comm.get();
  comm->thread_->run("MPI_Init_thread", [self] {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
      int provided = 0;
      if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
        throw Error("MPI_Init_thread failed (is the MPI launcher environment sane?)");
      if (provided < MPI_THREAD_SERIALIZED)
        throw Error("MPI provides thread level " + std::to_string(provided) + ", MOM needs MPI_THREAD_SERIALIZED");
      std::atexit(finalize_mpi_at_exit);
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &self->rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &self->size_);
  });
  comm->thread_->set_owner("rank " + std::to_string(comm->rank_));
  return comm;
}

std::future<void> MpiCommunicator::submit(std::string name, std::function<void()> task) {
  return thread_->submit(std::move(name), std::move(task));
}

std::future<void> MpiCommunicator::allreduce_async(float* data, size_t count, ReduceOp op) {
  int rank = rank_;
  int size = size_;
  return thread_->submit("MPI_Allreduce", [=] {
    if (size > 1) {
      for (size_t offset = 0; offset < count; offset += kMaxChunk) {
        int n = static_cast<int>(std::min(kMaxChunk, count - offset));
        check(MPI_Allreduce(MPI_IN_PLACE, data + offset, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD), rank,
              "MPI_Allreduce");
      }
    }
    if (op == ReduceOp::kAverage && size > 1) {
      float scale = 1.0f / static_cast<float>(size);
      for (size_t i = 0; i < count; ++i) data[i] *= scale;
    }
  });
}

void MpiCommunicator::broadcast(void* data, size_t bytes, int root) {
  int rank = rank_;
  if (size_ == 1) return;
  thread_->run("MPI_Bcast", [=] {
    char* p = static_cast<char*>(data);
    for (size_t offset = 0; offset < bytes; offset += kMaxChunk) {
      int n = static_cast<int>(std::min(kMaxChunk, bytes - offset));
      check(MPI_Bcast(p + offset, n, MPI_BYTE, root, MPI_COMM_WORLD), rank, "MPI_Bcast");
    }
  });
}

void MpiCommunicator::barrier() {
  int rank = rank_;
  if (size_ == 1) return;
  thread_->run("MPI_Barrier", [=] { check(MPI_Barrier(MPI_COMM_WORLD), rank, "MPI_Barrier"); });
}

void MpiCommunicator::abort(const std::string& reason, int exit_code) {
  auto log = logger("trainer");
  log->error("rank {} of {}: {}", rank_, size_, reason);
  log->flush();
  // Not MPI_Abort: the comm thread may be blocked inside a collective, and MPI belongs to it.
  // A rank that exits without MPI_Finalize makes mpirun terminate the whole job.
  std::_Exit(exit_code == 0 ? 1 : exit_code);
}

}  // namespace mom::trainer
