// The routing policy on top of a router's per-model scores: call a fallback model unless a
// shortlisted candidate's score minus cost_weight * cost beats the fallback's by a margin.
#pragma once

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

  // The class to call given per-class scores (P(correct) for multilabel routers, softmax
  // probabilities for `best` routers).
  int choose(const std::vector<float>& scores) const;

  // {"fallback": name|null, "candidates": [names], "costs": {name: cost}, "cost_weight", "margin"};
  // names come from `labels` (the checkpoint's id2label).
  Json to_json(const std::vector<std::string>& labels) const;
  // Throws mom::Error naming `where` when a name is not one of `labels`.
  static RoutingPolicy from_json(const Json& j, const std::vector<std::string>& labels, const std::string& where);
};

}  // namespace mom
