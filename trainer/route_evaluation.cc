// Checkpoint evaluation: remap the file's models onto the checkpoint's label map, score, route.
#include "trainer/route_evaluation.h"

#include <algorithm>
#include <cstdio>

#include "coordinator/routing_policy.h"
#include "core/error.h"
#include "core/registry.h"
#include "trainer/checkpoint.h"
#include "trainer/evaluation.h"
#include "trainer/labeled_data.h"
#include "trainer/router_model.h"

namespace mom::trainer {
namespace {

// The file's questions with models in the checkpoint's class order first (absent where the file
// lacks them), then the file's other models (never picked, but eligible as best single model).
LabeledData remap(const LabeledData& file, const LabelMap& labels) {
  LabeledData out;
  out.path = file.path;
  std::vector<int> source;  // out model -> file model, -1 when the file lacks it
  for (size_t c = 0; c < labels.model_names.size(); ++c) {
    out.model_ids.push_back(labels.model_ids[c]);
    out.model_names.push_back(labels.model_names[c]);
    auto idx = file.find_model(labels.model_names[c]);
    source.push_back(idx ? *idx : -1);
  }
  for (size_t m = 0; m < file.num_models(); ++m) {
    if (std::find(source.begin(), source.end(), static_cast<int>(m)) != source.end()) continue;
    out.model_ids.push_back(file.model_ids[m]);
    out.model_names.push_back(file.model_names[m]);
    source.push_back(static_cast<int>(m));
  }
  for (const LabeledQuestion& q : file.questions) {
    LabeledQuestion r = q;
    r.correct.assign(source.size(), false);
    r.absent.assign(source.size(), true);
    r.label = -1;
    for (size_t k = 0; k < source.size(); ++k) {
      if (source[k] < 0) continue;
      r.correct[k] = q.correct[static_cast<size_t>(source[k])];
      r.absent[k] = q.absent[static_cast<size_t>(source[k])];
      if (source[k] == q.label) r.label = static_cast<int>(k);
    }
    out.questions.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Json evaluate_orchestrator(const std::string& dir, const std::string& labeled_path, const RouteEvalOptions& options) {
  CheckpointMeta meta = load_checkpoint_meta(dir);
  const std::vector<std::string>& names = meta.labels.model_names;
  RoutingPolicy policy = meta.routing_policy.is_object()
                             ? RoutingPolicy::from_json(meta.routing_policy, names, dir + "/routing_policy.json")
                             : RoutingPolicy{};
  LabeledData file = load_labeled_data(labeled_path);
  LabeledData data = remap(file, meta.labels);

  // Costs: the checkpoint's, else the registry's (cost, default params_b); extra file models too.
  Registry registry = Registry::load_default();
  std::vector<double> costs(data.num_models(), 0.0);
  for (size_t m = 0; m < data.num_models(); ++m) {
    if (m < policy.costs.size()) {
      costs[m] = policy.costs[m];
    } else if (const ModelInfo* info = registry.find(data.model_ids[m])) {
      costs[m] = info->cost;
    }
  }
  policy.costs.assign(costs.begin(), costs.begin() + static_cast<long>(names.size()));
  apply_overrides(policy, options.overrides, names, meta.labels.model_ids, dir);

  auto model = load_router_model(dir, options.max_length);
  std::vector<std::string> texts;
  for (const auto& q : data.questions) texts.push_back(q.text);
  model->set_multilabel(meta.labels.objective == "multilabel");
  auto scores = score_texts(*model, texts, options.batch_size);
  std::vector<double> similarity = policy_similarities(policy, dir, texts);
  std::vector<size_t> all(data.questions.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  RouteMetrics metrics = evaluate_routing(data, all, route_all(policy, scores, similarity), costs);
  Json result = route_metrics_json(metrics);
  result["policy"] = policy.to_json(names);
  size_t gated = 0;
  for (double s : similarity) gated += s < policy.ood_threshold ? 1 : 0;
  result["ood_share"] = all.empty() ? 0.0 : static_cast<double>(gated) / static_cast<double>(all.size());
  result["orchestrator_path"] = dir;
  result["data_path"] = labeled_path;
  if (options.sweep) {
    std::vector<double> grid = {0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0};
    // Single-model points use every model of the file, with its cost.
    RoutingPolicy full = policy;
    full.costs = costs;
    Json router = Json::array(), singles = Json::array();
    for (const CostPoint& p : sweep_cost_weight(data, all, scores, full, grid, similarity)) {
      if (p.name == "router")
        router.push_back({{"cost_weight", p.cost_weight}, {"accuracy", p.accuracy}, {"mean_cost", p.mean_cost}});
      else
        singles.push_back({{"name", p.name}, {"accuracy", p.accuracy}, {"mean_cost", p.mean_cost}});
    }
    result["sweep"] = {{"router", router}, {"single_models", singles}};
  }
  return result;
}

std::string format_orchestrator_evaluation(const Json& r) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%zu questions: routed %.4f | best single %.4f (%s) | oracle %.4f | headroom %s | mean cost %.3f\n",
                r["questions"].get<size_t>(), r["routed_accuracy"].get<double>(), r["best_single_accuracy"].get<double>(),
                r["best_single_model"].get<std::string>().c_str(), r["oracle_accuracy"].get<double>(),
                r["headroom_captured"].is_null() ? "-" : std::to_string(r["headroom_captured"].get<double>()).c_str(),
                r["mean_cost"].get<double>());
  out += line;
  if (r.contains("ood_share") && r["policy"].value("ood", Json()).is_object()) {
    std::snprintf(line, sizeof line, "  out-of-distribution gate: %.1f%% of questions below similarity %.4f went to the fallback\n",
                  100 * r["ood_share"].get<double>(), r["policy"]["ood"]["threshold"].get<double>());
    out += line;
  }
  for (auto it = r["per_dataset"].begin(); it != r["per_dataset"].end(); ++it) {
    const Json& d = it.value();
    std::snprintf(line, sizeof line, "  %-20s n=%-6zu routed %.4f  best %.4f (%s)  oracle %.4f\n", it.key().c_str(),
                  d["questions"].get<size_t>(), d["routed_accuracy"].get<double>(), d["best_single_accuracy"].get<double>(),
                  d["best_single_model"].get<std::string>().c_str(), d["oracle_accuracy"].get<double>());
    out += line;
  }
  if (r.contains("sweep")) {
    out += "accuracy vs cost (router over cost_weight):\n";
    for (const Json& p : r["sweep"]["router"]) {
      std::snprintf(line, sizeof line, "  lambda %-7g accuracy %.4f  mean cost %.3f\n", p["cost_weight"].get<double>(),
                    p["accuracy"].get<double>(), p["mean_cost"].get<double>());
      out += line;
    }
    out += "single models:\n";
    for (const Json& p : r["sweep"]["single_models"]) {
      std::snprintf(line, sizeof line, "  %-45s accuracy %.4f  cost %.3f\n", p["name"].get<std::string>().c_str(),
                    p["accuracy"].get<double>(), p["mean_cost"].get<double>());
      out += line;
    }
  }
  return out;
}

}  // namespace mom::trainer
