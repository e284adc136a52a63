// RoutingPolicy: the fallback-plus-margin rule and its JSON form in checkpoints.
#include "coordinator/routing_policy.h"

#include "core/similarity_index.h"
#include "core/error.h"
#include "core/thread_pool.h"

namespace mom {

int RoutingPolicy::choose(const std::vector<float>& scores, double similarity) const {
  if (ood_gate() && similarity < ood_threshold) return fallback;
  auto value = [&](int c) {
    double cost = costs.empty() ? 0.0 : costs[static_cast<size_t>(c)];
    return static_cast<double>(scores[static_cast<size_t>(c)]) - cost_weight * cost;
  };
  double threshold = fallback >= 0 ? value(fallback) + margin : -1e300;
  int best = -1;
  double best_value = -1e300;
  auto consider = [&](int c) {
    if (c == fallback) return;
    double v = value(c);
    if (v > threshold && v > best_value) {
      best = c;
      best_value = v;
    }
  };
  if (candidates.empty()) {
    for (size_t c = 0; c < scores.size(); ++c) consider(static_cast<int>(c));
  } else {
    for (int c : candidates) consider(c);
  }
  if (best >= 0) return best;
  return fallback >= 0 ? fallback : 0;
}

Json RoutingPolicy::to_json(const std::vector<std::string>& labels) const {
  Json j;
  j["fallback"] = fallback >= 0 ? Json(labels.at(static_cast<size_t>(fallback))) : Json(nullptr);
  j["candidates"] = Json::array();
  for (int c : candidates) j["candidates"].push_back(labels.at(static_cast<size_t>(c)));
  j["costs"] = Json::object();
  for (size_t c = 0; c < costs.size() && c < labels.size(); ++c) j["costs"][labels[c]] = costs[c];
  j["cost_weight"] = cost_weight;
  j["margin"] = margin;
  j["ood"] = ood_threshold > 0 ? Json{{"threshold", ood_threshold}, {"neighbours", ood_neighbours}, {"index", ood_index}}
                               : Json(nullptr);
  return j;
}

RoutingPolicy RoutingPolicy::from_json(const Json& j, const std::vector<std::string>& labels,
                                       const std::string& where) {
  auto index_of = [&](const std::string& name) {
    for (size_t i = 0; i < labels.size(); ++i)
      if (labels[i] == name) return static_cast<int>(i);
    throw Error(where + ": routing policy names model '" + name + "', which is not in the label map");
  };
  RoutingPolicy p;
  try {
    if (j.contains("fallback") && j["fallback"].is_string()) p.fallback = index_of(j["fallback"].get<std::string>());
    if (j.contains("candidates"))
      for (const Json& c : j["candidates"]) p.candidates.push_back(index_of(c.get<std::string>()));
    if (j.contains("costs") && j["costs"].is_object()) {
      p.costs.assign(labels.size(), 0.0);
      for (auto it = j["costs"].begin(); it != j["costs"].end(); ++it)
        p.costs[static_cast<size_t>(index_of(it.key()))] = it.value().get<double>();
    }
    p.cost_weight = j.value("cost_weight", 0.0);
    p.margin = j.value("margin", 0.0);
    if (j.contains("ood") && j["ood"].is_object()) {
      const Json& ood = j["ood"];
      p.ood_threshold = ood.value("threshold", 0.0);
      p.ood_neighbours = ood.value("neighbours", 5);
      p.ood_index = ood.value("index", std::string());
      if (p.ood_threshold < 0 || p.ood_threshold > 1) throw Error(where + ": ood.threshold must be in [0, 1]");
      if (p.ood_neighbours < 1) throw Error(where + ": ood.neighbours must be at least 1");
      if (p.ood_threshold > 0 && p.ood_index.empty()) throw Error(where + ": ood.index (the similarity index file) is missing");
    }
  } catch (const Json::exception& e) {
    throw Error(where + ": malformed routing policy: " + e.what());
  }
  return p;
}

void apply_overrides(RoutingPolicy& policy, const RoutingPolicyOverrides& overrides, const std::vector<std::string>& names,
                     const std::vector<int>& ids, const std::string& dir) {
  if (overrides.cost_weight) policy.cost_weight = *overrides.cost_weight;
  if (overrides.margin) policy.margin = *overrides.margin;
  if (overrides.fallback) {
    std::optional<int> found;
    for (size_t c = 0; c < names.size(); ++c)
      if (names[c] == *overrides.fallback || (c < ids.size() && std::to_string(ids[c]) == *overrides.fallback))
        found = static_cast<int>(c);
    if (!found) throw Error("--fallback '" + *overrides.fallback + "' is not one of the orchestrator's models (" + dir + ")");
    policy.fallback = *found;
  }
  if (overrides.ood_threshold) {
    if (*overrides.ood_threshold > 0 && policy.ood_index.empty())
      throw Error("--ood_threshold: " + dir + " has no similarity index (trained without the out-of-distribution gate)");
    policy.ood_threshold = *overrides.ood_threshold;
  }
}

std::vector<double> policy_similarities(const RoutingPolicy& policy, const std::string& dir,
                                        const std::vector<std::string>& texts) {
  if (!policy.ood_gate()) return {};
  SimilarityIndex index = SimilarityIndex::load(dir + "/" + policy.ood_index);
  std::vector<double> out(texts.size());
  parallel_for(texts.size(), default_thread_count(), [&](size_t i) {
    out[i] = index.similarity(texts[i], static_cast<size_t>(policy.ood_neighbours));
  });
  return out;
}

}  // namespace mom
