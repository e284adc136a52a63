// mom-train's training run: data-parallel fine-tuning of a router on labeled questions, with
// evaluation and checkpoints after every epoch.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "trainer/comm/communicator.h"
#include "trainer/train_config.h"

namespace mom::trainer {

// The global batches of one epoch: the training questions shuffled with (seed, epoch), cut into
// chunks of 50 batches, each chunk sorted by text length (so batches pad little), then the
// batches shuffled. Independent of the number of ranks.
std::vector<std::vector<size_t>> epoch_batches(const std::vector<size_t>& train, const std::vector<size_t>& lengths,
                                               int64_t batch_size, uint64_t seed, int64_t epoch);

// Rank `rank`'s contiguous share of a global batch (sizes differ by at most one).
std::vector<size_t> rank_shard(const std::vector<size_t>& batch, int rank, int size);

// Linear warm-up from 0 to `peak` over `warmup` steps, then linear decay to 0 at `total`.
double learning_rate_at(int64_t step, int64_t total, int64_t warmup, double peak);

struct TrainSummary {
  int64_t epochs_run = 0;  // in this process (fewer after --resume)
  int64_t global_step = 0;
  double best_routed_accuracy = 0;
  std::string best_checkpoint;
};

// Runs the whole training on every rank of `comm`. Validates data, labels and any checkpoint
// to resume before the first step; throws mom::Error (bad input) — the caller ends the job.
TrainSummary run_training(const TrainConfig& config, Communicator& comm);

}  // namespace mom::trainer
