// What a router is worth to its users, measured on labeled questions: routed accuracy against
// always calling the best single model and against the oracle, and the cost per query.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/routing_policy.h"
#include "core/json_util.h"
#include "trainer/labeled_data.h"

namespace mom::trainer {

struct RouteScores {
  size_t questions = 0;
  double routed_accuracy = 0;       // share of questions whose picked model was right (absent = wrong)
  double label_accuracy = 0;        // share of picks equal to the label model
  std::string best_single_model;    // the best model on these very questions
  double best_single_accuracy = 0;
  double oracle_accuracy = 0;       // share of questions some model got right
  std::optional<double> headroom_captured;  // (routed - best) / (oracle - best); none when oracle == best
  double mean_cost = 0;             // mean cost of the picked models
};

struct RouteMetrics {
  RouteScores overall;
  std::map<std::string, RouteScores> per_dataset;
};

// Scores `picks[k]` (a class index) for question `indices[k]` of `data`. `costs` per class (may be
// empty: zero cost).
RouteMetrics evaluate_routing(const LabeledData& data, const std::vector<size_t>& indices,
                              const std::vector<int>& picks, const std::vector<double>& costs);

// {"questions", "routed_accuracy", "label_accuracy", "best_single_model", "best_single_accuracy",
//  "oracle_accuracy", "headroom_captured", "mean_cost", "per_dataset": {name: {...}}}
Json route_metrics_json(const RouteMetrics& m);
// A fixed-width table, one row per dataset plus "all".
std::string route_metrics_table(const RouteMetrics& m);

// Routes every question with `policy` given the router's per-class `scores` (row k belongs to
// question indices[k]) and, for the out-of-distribution gate, each question's `similarity` to the
// training data (empty: every question counts as in distribution).
std::vector<int> route_all(const RoutingPolicy& policy, const std::vector<std::vector<float>>& scores,
                           const std::vector<double>& similarity = {});

// The margin in `grid` that maximises routed accuracy of `policy` (ties: the larger margin, the
// more conservative policy).
double tune_margin(const LabeledData& data, const std::vector<size_t>& indices,
                   const std::vector<std::vector<float>>& scores, RoutingPolicy policy,
                   const std::vector<double>& grid, const std::vector<double>& similarity = {});

// Accuracy vs cost: the policy at each cost weight, and every single model's point.
struct CostPoint {
  std::string name;     // "router" or the model's name
  double cost_weight = 0;
  double accuracy = 0;
  double mean_cost = 0;
};
std::vector<CostPoint> sweep_cost_weight(const LabeledData& data, const std::vector<size_t>& indices,
                                         const std::vector<std::vector<float>>& scores, RoutingPolicy policy,
                                         const std::vector<double>& cost_weights,
                                         const std::vector<double>& similarity = {});

// The out-of-distribution threshold: the `quantile` of the held-out questions' similarity to the
// training data (so that share of in-distribution questions is sent to the fallback). 0 for an
// empty list or quantile 0.
double ood_threshold_at_quantile(std::vector<double> similarity, double quantile);

// The routing shortlist from --candidates: "topK" (the K classes with the highest `accuracy`,
// ties by class order), "all", or "a,b,..." (model names or registry ids of `data`); "" = top3.
// Throws mom::Error for a name that is not in `data` or top0.
std::vector<int> shortlist_candidates(const std::string& spec, const LabeledData& data,
                                      const std::vector<double>& accuracy);

// Per-class accuracy on `indices` (absent = wrong); the default fallback and shortlist come from it.
std::vector<double> model_accuracies(const LabeledData& data, const std::vector<size_t>& indices);

}  // namespace mom::trainer
