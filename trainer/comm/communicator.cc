// The communicator factory: the only place, with the NCCL backend itself, that knows whether
// NCCL was compiled in.
#include "trainer/comm/communicator.h"

#include "core/error.h"
#include "trainer/comm/mpi_communicator.h"
#if MOM_WITH_NCCL
#include "trainer/comm/nccl_communicator.h"
#endif

namespace mom::trainer {

CommBackend parse_comm_backend(const std::string& name) {
  if (name == "auto") return CommBackend::kAuto;
  if (name == "mpi") return CommBackend::kMpi;
  if (name == "nccl") return CommBackend::kNccl;
  throw Error("unknown communicator backend '" + name + "' (expected auto, mpi or nccl)");
}

std::unique_ptr<Communicator> create_communicator(const CommOptions& options) {
  bool want_nccl = options.backend == CommBackend::kNccl || (options.backend == CommBackend::kAuto && options.gpu);
#if MOM_WITH_NCCL
  if (want_nccl) return NcclCommunicator::create(options);
#else
  if (options.backend == CommBackend::kNccl)
    throw Error("the NCCL communicator was asked for, but this build has none: configure with "
                "-DMOM_WITH_NCCL=ON on a machine with CUDA and NCCL (scripts/test-nccl.sh)");
  (void)want_nccl;  // --gpu without NCCL: gradients still travel through MPI on the host
#endif
  return MpiCommunicator::create(options);
}

}  // namespace mom::trainer
