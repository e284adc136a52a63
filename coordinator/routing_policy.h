// The routing policy on top of a router's per-model scores: call a fallback model unless a
// shortlisted candidate's score minus cost_weight * cost beats the fallback's by a margin.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json_util.h"

namespace mom {

// Models are class indices of the router's label map. Immutable once built; thread-safe reads.
struct RoutingPolicy {
  // -1: no fallback; pick the candidate maximising score - cost_weight * cost (the argmax rule of
  // the `best` objective).
  int fallback = -1;
  std::vector<int> candidates;  // empty: every class
  std::vector<double> costs;    // per class; empty: all zero
  double cost_weight = 0;       // lambda
  double margin = 0;
  // Out-of-distribution gate: a question whose similarity to the training questions (mean cosine
  // of its `ood_neighbours` nearest, SimilarityIndex) is below `ood_threshold` goes to the fallback
  // whatever the scores say: routers are unreliable far from their training data. 0: off.
  double ood_threshold = 0;
  int ood_neighbours = 5;
  std::string ood_index;  // file name of the SimilarityIndex inside the checkpoint

  bool ood_gate() const { return ood_threshold > 0 && fallback >= 0; }

  // The class to call given per-class scores (P(correct) for multilabel routers, softmax
  // probabilities for `best` routers) and the question's similarity to the training data (ignored
  // unless ood_gate()).
  int choose(const std::vector<float>& scores, double similarity = 1.0) const;

  // {"fallback": name|null, "candidates": [names], "costs": {name: cost}, "cost_weight", "margin",
  //  "ood": null | {"threshold", "neighbours", "index"}}; names come from `labels` (the
  //  checkpoint's id2label).
  Json to_json(const std::vector<std::string>& labels) const;
  // Throws mom::Error naming `where` when a name is not one of `labels`.
  static RoutingPolicy from_json(const Json& j, const std::vector<std::string>& labels, const std::string& where);
};

// mom-route's overrides of a checkpoint's policy: --cost_weight, --margin, --fallback (a model
// name, or a registry id when ids are known) and --ood_threshold (0: gate off).
struct RoutingPolicyOverrides {
  std::optional<double> cost_weight;
  std::optional<double> margin;
  std::optional<std::string> fallback;
  std::optional<double> ood_threshold;
};

// Applies `overrides` to `policy` over the checkpoint's class `names` (and registry `ids`, index =
// class; may be empty). Throws mom::Error naming the flag and checkpoint `dir` for a fallback that
// is not a class, or a gate the checkpoint has no similarity index for.
void apply_overrides(RoutingPolicy& policy, const RoutingPolicyOverrides& overrides, const std::vector<std::string>& names,
                     const std::vector<int>& ids, const std::string& dir);

// Each text's similarity to the router's training questions when `policy` gates on it (the
// index is read from checkpoint directory `dir`), else an empty vector (no gate). Throws
// mom::Error naming the index file when it is missing or malformed.
std::vector<double> policy_similarities(const RoutingPolicy& policy, const std::string& dir,
                                        const std::vector<std::string>& texts);

}  // namespace mom
