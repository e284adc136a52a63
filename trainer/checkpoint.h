// Training checkpoints: the router in the Hugging Face layout plus what mom-train needs to
// continue (optimizer state, step, epoch) and what mom-route needs to route (label map, policy).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json_util.h"

namespace mom {
class SimilarityIndex;
}

namespace mom::models {
class TextClassifier;
}

namespace torch::optim {
class Optimizer;
}

namespace mom::trainer {



struct LabelMap {
  std::vector<int> model_ids;            // registry ids, index = class
  std::vector<std::string> model_names;  // hf repos, index = class
  std::string objective;                 // "best" | "multilabel"
};

struct TrainerState {
  int64_t epoch = 0;        // epochs completed
  int64_t global_step = 0;  // optimizer steps completed
  double best_metric = -1;  // best held-out routed accuracy so far
  int64_t best_epoch = 0;
};

// Everything of one checkpoint directory except the weights.
struct CheckpointMeta {
  LabelMap labels;
  TrainerState state;
  Json training_args;
  Json routing_policy;  // RoutingPolicy::to_json
  // The training questions' similarity index for the out-of-distribution gate; saved as
  // routing_policy.ood.index when set.
  std::shared_ptr<const SimilarityIndex> similarity_index;
};

// Writes `dir` atomically (a temp dir renamed into place): config.json, model.safetensors,
// label_map.json, training_args.json, routing_policy.json, trainer_state.json, the similarity
// index when meta has one and, when `optimizer` is given, optimizer.pt.
void save_checkpoint(const std::string& dir, const models::TextClassifier& model, const torch::optim::Optimizer* optimizer,
                     const CheckpointMeta& meta);

// Reads the JSON files of a checkpoint (throws mom::Error naming the file).
CheckpointMeta load_checkpoint_meta(const std::string& dir);
// Restores optimizer.pt into `optimizer` (built over the same parameters in the same order).
void load_optimizer_state(const std::string& dir, torch::optim::Optimizer& optimizer);

// The newest complete "checkpoint-epoch-N" under `output_dir`, if any.
std::optional<std::string> find_last_checkpoint(const std::string& output_dir);
std::string epoch_checkpoint_name(int64_t epoch);

}  // namespace mom::trainer
