// `mom-route --evaluate`: scores a trained orchestrator checkpoint on any labeled file with the
// metrics mom-train reports, optionally overriding its routing policy, and the accuracy-vs-cost
// sweep.
#pragma once

#include <optional>
#include <string>

#include "coordinator/routing_policy.h"
#include "core/json_util.h"

namespace mom::trainer {

struct RouteEvalOptions {
  RoutingPolicyOverrides overrides;      // --cost_weight, --margin, --fallback, --ood_threshold
  bool sweep = false;                    // --sweep: add the accuracy-vs-cost curve
  int64_t batch_size = 64;
  int64_t max_length = 256;
};

// Loads the checkpoint at `dir` (router weights, label map, routing policy), routes every
// question of `labeled_path` and returns {"questions", "routed_accuracy", "best_single_model",
// "best_single_accuracy", "oracle_accuracy", "headroom_captured", "mean_cost", "label_accuracy",
// "per_dataset", "policy", "ood_share" (questions sent to the fallback by the similarity gate), ["sweep": {"router": [{cost_weight, accuracy, mean_cost}],
// "single_models": [{name, accuracy, mean_cost}]}]}. The best single model is the best on this
// file; models of the checkpoint the file lacks or marks absent count as wrong when picked.
// Throws mom::Error naming the file or checkpoint.
Json evaluate_orchestrator(const std::string& dir, const std::string& labeled_path, const RouteEvalOptions& options);

// A human-readable rendering of evaluate_orchestrator's result (table + sweep).
std::string format_orchestrator_evaluation(const Json& result);

}  // namespace mom::trainer
