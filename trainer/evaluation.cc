// Routing metrics and the margin / cost-weight searches built on them.
#include "trainer/evaluation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace mom::trainer {
namespace {

RouteScores score(const LabeledData& data, const std::vector<size_t>& indices, const std::vector<int>& picks,
                  const std::vector<size_t>& positions, const std::vector<double>& costs) {
  RouteScores s;
  s.questions = positions.size();
  if (positions.empty()) return s;
  std::vector<size_t> model_correct(data.num_models(), 0);
  size_t routed = 0, labeled = 0, oracle = 0;
  double cost = 0;
  for (size_t k : positions) {
    const LabeledQuestion& q = data.questions[indices[k]];
    int pick = picks[k];
    if (q.correct[static_cast<size_t>(pick)]) ++routed;
    if (pick == q.label) ++labeled;
    bool any = false;
    for (size_t m = 0; m < data.num_models(); ++m) {
      if (q.correct[m]) {
        ++model_correct[m];
        any = true;
      }
    }
    if (any) ++oracle;
    if (!costs.empty()) cost += costs[static_cast<size_t>(pick)];
  }
  double n = static_cast<double>(positions.size());
  size_t best = 0;
  for (size_t m = 1; m < model_correct.size(); ++m)
    if (model_correct[m] > model_correct[best]) best = m;
  s.routed_accuracy = routed / n;
  s.label_accuracy = labeled / n;
  s.best_single_model = data.model_names[best];
  s.best_single_accuracy = model_correct[best] / n;
  s.oracle_accuracy = oracle / n;
  if (oracle != model_correct[best])
    s.headroom_captured = (static_cast<double>(routed) - model_correct[best]) / (static_cast<double>(oracle) - model_correct[best]);
  s.mean_cost = cost / n;
  return s;
}

Json scores_json(const RouteScores& s) {
  return Json{{"questions", s.questions},
              {"routed_accuracy", s.routed_accuracy},
              {"label_accuracy", s.label_accuracy},
              {"best_single_model", s.best_single_model},
              {"best_single_accuracy", s.best_single_accuracy},
              {"oracle_accuracy", s.oracle_accuracy},
              {"headroom_captured", s.headroom_captured ? Json(*s.headroom_captured) : Json(nullptr)},
              {"mean_cost", s.mean_cost}};
}

}  // namespace

RouteMetrics evaluate_routing(const LabeledData& data, const std::vector<size_t>& indices,
                              const std::vector<int>& picks, const std::vector<double>& costs) {
  if (picks.size() != indices.size()) throw Error("evaluate_routing: one pick per question expected");
  RouteMetrics m;
  std::vector<size_t> all(indices.size());
  std::map<std::string, std::vector<size_t>> by_dataset;
  for (size_t k = 0; k < indices.size(); ++k) {
    all[k] = k;
    by_dataset[data.questions[indices[k]].dataset].push_back(k);
  }
  m.overall = score(data, indices, picks, all, costs);
  for (const auto& [name, positions] : by_dataset) m.per_dataset[name] = score(data, indices, picks, positions, costs);
  return m;
}

Json route_metrics_json(const RouteMetrics& m) {
  Json j = scores_json(m.overall);
  j["per_dataset"] = Json::object();
  for (const auto& [name, s] : m.per_dataset) j["per_dataset"][name] = scores_json(s);
  return j;
}

std::string route_metrics_table(const RouteMetrics& m) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-24s %7s %7s %7s %7s %8s %9s  %s\n", "dataset", "n", "routed", "best", "oracle",
                "headroom", "mean_cost", "best single model");
  out += line;
  auto row = [&](const std::string& name, const RouteScores& s) {
    std::string headroom = s.headroom_captured ? std::to_string(*s.headroom_captured).substr(0, 6) : "-";
    std::snprintf(line, sizeof line, "%-24s %7zu %7.4f %7.4f %7.4f %8s %9.3f  %s\n", name.c_str(), s.questions,
                  s.routed_accuracy, s.best_single_accuracy, s.oracle_accuracy, headroom.c_str(), s.mean_cost,
                  s.best_single_model.c_str());
    out += line;
  };
  for (const auto& [name, s] : m.per_dataset) row(name, s);
  row("all", m.overall);
  return out;
}

std::vector<int> route_all(const RoutingPolicy& policy, const std::vector<std::vector<float>>& scores,
                           const std::vector<double>& similarity) {
  if (!similarity.empty() && similarity.size() != scores.size())
    throw Error("route_all: " + std::to_string(similarity.size()) + " similarities for " + std::to_string(scores.size()) +
                " questions");
  std::vector<int> picks;
  picks.reserve(scores.size());
  for (size_t k = 0; k < scores.size(); ++k) picks.push_back(policy.choose(scores[k], similarity.empty() ? 1.0 : similarity[k]));
  return picks;
}

double ood_threshold_at_quantile(std::vector<double> similarity, double quantile) {
  if (similarity.empty() || quantile <= 0) return 0;
  std::sort(similarity.begin(), similarity.end());
  // The smallest value with at least `quantile` of the list below or at it; questions strictly
  // below the threshold are gated, so about `quantile` of them are.
  size_t k = static_cast<size_t>(std::ceil(quantile * static_cast<double>(similarity.size())));
  k = std::min(k, similarity.size() - 1);
  return similarity[k];
}

double tune_margin(const LabeledData& data, const std::vector<size_t>& indices,
                   const std::vector<std::vector<float>>& scores, RoutingPolicy policy,
                   const std::vector<double>& grid, const std::vector<double>& similarity) {
  double best_margin = grid.empty() ? policy.margin : grid.front();
  double best_accuracy = -1;
  for (double margin : grid) {
    policy.margin = margin;
    double acc = evaluate_routing(data, indices, route_all(policy, scores, similarity), {}).overall.routed_accuracy;
    bool better = acc > best_accuracy + 1e-12;
    bool tie_more_conservative = std::abs(acc - best_accuracy) <= 1e-12 && margin > best_margin;
    if (better || tie_more_conservative) {
      best_margin = margin;
      best_accuracy = std::max(best_accuracy, acc);
    }
  }
  return best_margin;
}

std::vector<CostPoint> sweep_cost_weight(const LabeledData& data, const std::vector<size_t>& indices,
                                         const std::vector<std::vector<float>>& scores, RoutingPolicy policy,
                                         const std::vector<double>& cost_weights,
                                         const std::vector<double>& similarity) {
  std::vector<CostPoint> points;
  for (double w : cost_weights) {
    policy.cost_weight = w;
    RouteScores s = evaluate_routing(data, indices, route_all(policy, scores, similarity), policy.costs).overall;
    points.push_back({"router", w, s.routed_accuracy, s.mean_cost});
  }
  std::vector<double> acc = model_accuracies(data, indices);
  for (size_t m = 0; m < data.num_models(); ++m)
    points.push_back({data.model_names[m], 0, acc[m], policy.costs.empty() ? 0 : policy.costs[m]});
  return points;
}

std::vector<int> shortlist_candidates(const std::string& spec, const LabeledData& data, const std::vector<double>& accuracy) {
  std::vector<int> order(data.num_models());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return accuracy[a] > accuracy[b]; });
  size_t k = 3;
  if (spec == "all") {
    k = order.size();
  } else if (spec.size() > 3 && spec.compare(0, 3, "top") == 0 &&
             spec.find_first_not_of("0123456789", 3) == std::string::npos) {
    k = std::stoul(spec.substr(3));
    if (k == 0) throw Error("--candidates top0: the shortlist needs at least one model");
  } else if (!spec.empty()) {
    std::vector<int> chosen;
    size_t start = 0;
    while (start <= spec.size()) {
      size_t end = spec.find(',', start);
      if (end == std::string::npos) end = spec.size();
      std::string name = spec.substr(start, end - start);
      if (!name.empty()) {
        auto idx = data.find_model(name);
        if (!idx) throw Error("--candidates: model '" + name + "' is not in " + data.path);
        chosen.push_back(*idx);
      }
      start = end + 1;
    }
    return chosen;
  }
  order.resize(std::min(k, order.size()));
  return order;
}

std::vector<double> model_accuracies(const LabeledData& data, const std::vector<size_t>& indices) {
  std::vector<double> acc(data.num_models(), 0);
  if (indices.empty()) return acc;
  for (size_t i : indices)
    for (size_t m = 0; m < data.num_models(); ++m)
      if (data.questions[i].correct[m]) acc[m] += 1;
  for (double& a : acc) a /= static_cast<double>(indices.size());
  return acc;
}

}  // namespace mom::trainer
