// mom-train's configuration: one typed struct filled from the command line (flags and defaults
// of the original trainer, plus the data-parallel and routing additions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json_util.h"

namespace mom::trainer {

enum class Objective { kBest, kMultilabel };

struct TrainConfig {
  std::string model_name = "bert-small";  // checkpoint dir, encoder preset, "ngram" or "knn"
  std::string data_path;
  std::string output_dir = "orchestrator";
  // GLOBAL batch sizes: samples per forward/backward summed over all ranks (each rank takes its
  // share). One optimizer step consumes batch_size * gradient_accumulation_steps samples, so
  // results do not depend on the number of ranks.
  int64_t batch_size = 128;
  int64_t eval_batch_size = 64;
  int64_t epochs = 3;
  // Default 1e-4 for encoders; when not given, the ngram baseline uses 5e-3 (see
  // effective_learning_rate).
  double learning_rate = 1e-4;
  bool learning_rate_set = false;
  int64_t max_length = 256;
  double test_size = 0.1;
  int64_t gradient_accumulation_steps = 2;
  uint64_t seed = 42;
  bool gpu = false;
  Objective objective = Objective::kBest;
  bool resume = false;
  double bucket_mb = 25;            // gradient bucket size for the overlapped all-reduce
  std::string candidates;           // "" = top3 on the training split; "topK", "all", or "a,b,c" names/ids
  // Out-of-distribution gate (multilabel policy): the threshold is this quantile of the held-out
  // questions' similarity to the training questions (mean cosine of the ood_neighbours nearest);
  // questions below it go to the fallback. 0 turns the gate off.
  double ood_quantile = 0.05;
  int64_t ood_neighbours = 5;
  int64_t ngram_buckets = 1 << 17;  // ngram baseline: hash buckets and embedding width
  int64_t ngram_dim = 64;
  int64_t knn_neighbours = 0;       // kNN router: neighbours per question; 0 = a tenth of the training split
  double weight_decay = 0.0;
  double warmup_ratio = 0.06;       // share of optimizer steps with linearly rising learning rate
  double max_grad_norm = 1.0;
  std::string comm = "auto";        // auto | mpi | nccl
  double comm_timeout_s = 600;      // watchdog for a collective (a dead peer)
  std::optional<std::string> registry;  // model registry (costs); default data/models.json

  double effective_learning_rate() const;
  Json to_json() const;  // training_args.json
};

// Parses argv. Returns nullopt after printing help (--help); throws mom::Error with the parser's
// message on bad flags.
std::optional<TrainConfig> parse_train_args(int argc, const char* const* argv);

// "best" | "multilabel"
Objective parse_objective(const std::string& name);
std::string objective_name(Objective objective);

}  // namespace mom::trainer
