// mom-train: `mpirun -np N mom-train --data_path labeled.jsonl --model_name ngram ...` (or one
// process without mpirun). Any rank's failure ends the whole job with a message naming the rank.
#include <torch/torch.h>

#include <iostream>

#include "core/error.h"
#include "core/logging.h"
#include "trainer/comm/communicator.h"
#include "trainer/train_config.h"
#include "trainer/trainer.h"

int main(int argc, char** argv) {
  using namespace mom::trainer;
  std::optional<TrainConfig> config;
  try {
    config = parse_train_args(argc, argv);
    if (!config) return 0;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  auto log = mom::logger("trainer");
  std::unique_ptr<Communicator> comm;
  try {
    CommOptions options;
    options.backend = parse_comm_backend(config->comm);
    options.gpu = config->gpu;
    options.timeout_s = config->comm_timeout_s;
    comm = create_communicator(options);
  } catch (const std::exception& e) {
    log->error("cannot start the communicator: {}", e.what());
    return 1;
  }
  if (config->gpu && !torch::cuda::is_available() && comm->rank() == 0)
    log->warn("--gpu: this libtorch has no CUDA device support; the model trains on the CPU{}",
              comm->backend_name() == "nccl" ? " and gradients are reduced with NCCL through staging buffers" : "");
  try {
    TrainSummary summary = run_training(*config, *comm);
    if (comm->rank() == 0)
      log->info("done: {} epochs in this run, {} optimizer steps, best held-out routed accuracy {:.4f} ({})",
                summary.epochs_run, summary.global_step, summary.best_routed_accuracy, summary.best_checkpoint);
  } catch (const std::exception& e) {
    std::string message = std::string("training failed: ") + e.what();
    if (comm->size() > 1) comm->abort(message, 1);  // never returns: the launcher ends the other ranks
    log->error("{}", message);
    return 1;
  }
  return 0;
}
