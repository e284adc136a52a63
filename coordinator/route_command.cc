// mom-route's flags, query reading and output.
#include "coordinator/route_command.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iomanip>
#include <numeric>
#include <ostream>

#include "coordinator/routing_policy.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/json_util.h"
#include "models/orchestrator.h"
#include "trainer/route_evaluation.h"

namespace mom::coordinator {

std::optional<RouteConfig> parse_route_flags(int argc, const char* const* argv, std::ostream& out) {
  RouteConfig c;
  CLI::App app{"mom-route: pick the model that should answer each question, with a trained orchestrator"};
  app.add_option("--orchestrator_path", c.orchestrator_path,
                 "orchestrator checkpoint directory (config.json, model.safetensors, tokenizer) or an encoder preset")
      ->required();
  auto* query = app.add_option("--query", c.query, "one question to route");
  auto* queries = app.add_option("--queries", c.queries_file,
                                 "file of questions: one per line, or JSONL with a \"text\" field per line");
  query->excludes(queries);
  app.add_flag("--json", c.json, "print one JSON line per query: {\"selected_model\", \"probabilities\"}");
  app.add_option("--top", c.top, "probabilities shown per query (table output)")
      ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--max_length", c.max_length, "tokens per query; longer queries are truncated")
      ->capture_default_str()->check(CLI::Range(int64_t{3}, int64_t{1} << 20));
  app.add_option("--batch_size", c.batch_size, "queries per forward pass")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--threads", c.threads, "torch intra-op threads (0: $MOM_NUM_THREADS, else all cores)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--registry", c.registry, "model registry JSON for numeric labels (default: $MOM_REGISTRY, data/models.json)");
  app.add_option("--cost_weight", c.cost_weight, "routing policy: lambda in P(correct) - lambda * cost (overrides the checkpoint's)");
  app.add_option("--margin", c.margin, "routing policy: how much a candidate must beat the fallback by (overrides the checkpoint's)");
  app.add_option("--fallback", c.fallback, "routing policy: the default model, name or registry id (overrides the checkpoint's)");
  app.add_option("--ood_threshold", c.ood_threshold,
                 "routing policy: questions whose similarity to the training questions is below this go to the fallback "
                 "(0: off; overrides the checkpoint's)")
      ->check(CLI::Range(0.0, 1.0));
  auto* evaluate = app.add_option("--evaluate", c.evaluate,
                                  "labeled JSONL (mom-label): print routed / best single / oracle accuracy, headroom, mean cost");
  evaluate->excludes(query)->excludes(queries);
  app.add_flag("--sweep", c.sweep, "with --evaluate: the accuracy-vs-cost curve over lambda beside every single model");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    throw Error(std::string(e.what()) + " (see --help)");
  }
  if (!c.query && !c.queries_file && !c.evaluate)
    throw Error("give --query TEXT, --queries FILE or --evaluate LABELED.jsonl (see --help)");
  if (c.sweep && !c.evaluate) throw Error("--sweep needs --evaluate LABELED.jsonl");
  return c;
}

std::vector<std::string> read_queries(const std::string& path) {
  std::string text = read_file(path);
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = end + 1;
  }
  auto blank = [](std::string_view l) { return l.find_first_not_of(" \t") == std::string_view::npos; };
  auto first = std::find_if_not(lines.begin(), lines.end(), blank);
  bool jsonl = false;
  if (first != lines.end() && first->find_first_not_of(" \t") != std::string_view::npos &&
      (*first)[first->find_first_not_of(" \t")] == '{') {
    jsonl = Json::accept(*first) && Json::parse(*first).is_object();
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (jsonl) {
      if (blank(line)) continue;
      Json j;
      try {
        j = Json::parse(line);
      } catch (const Json::parse_error& e) {
        throw Error(at_line(path, i + 1, std::string("invalid JSON (the file looks like JSONL): ") + e.what()));
      }
      if (!j.is_object() || !j.contains("text") || !j["text"].is_string()) {
        throw Error(at_line(path, i + 1, "a JSONL query needs a string field \"text\""));
      }
      out.push_back(j["text"].get<std::string>());
    } else {
      if (blank(line)) {
        if (i + 1 == lines.size() || std::all_of(lines.begin() + static_cast<long>(i), lines.end(), blank)) break;
        throw Error(at_line(path, i + 1, "empty query (blank line); remove it or give the question text"));
      }
      out.emplace_back(line);
    }
  }
  if (out.empty()) throw Error(path + ": no queries in the file");
  for (size_t i = 0; i < out.size(); ++i) {
    if (auto bad = invalid_utf8_offset(out[i])) {
      throw Error(path + ": query " + std::to_string(i + 1) + ": invalid UTF-8 at byte " + std::to_string(*bad));
    }
  }
  return out;
}

namespace {

RoutingPolicyOverrides policy_overrides(const RouteConfig& c) { return {c.cost_weight, c.margin, c.fallback, c.ood_threshold}; }

}  // namespace

int run_route(const RouteConfig& config, std::ostream& out) {
  if (config.evaluate) {
    trainer::RouteEvalOptions eval;
    eval.overrides = policy_overrides(config);
    eval.sweep = config.sweep;
    eval.batch_size = config.batch_size;
    eval.max_length = config.max_length;
    Json result = trainer::evaluate_orchestrator(config.orchestrator_path, *config.evaluate, eval);
    out << (config.json ? result.dump() + "\n" : trainer::format_orchestrator_evaluation(result));
    return 0;
  }
  std::vector<std::string> queries =
      config.query ? std::vector<std::string>{*config.query} : read_queries(*config.queries_file);
  OrchestratorOptions options;
  options.max_length = config.max_length;
  options.batch_size = config.batch_size;
  options.num_threads = config.threads;
  options.registry_path = config.registry;
  auto orchestrator = Orchestrator::create(config.orchestrator_path, options);
  std::vector<RouteDecision> decisions = orchestrator->route(queries);
  const auto& names = orchestrator->model_names();
  // A checkpoint trained by mom-train carries its routing policy; flags override it.
  std::string policy_path = config.orchestrator_path + "/routing_policy.json";
  std::vector<double> similarity;
  double ood_threshold = 0;
  if (file_exists(policy_path) || config.cost_weight || config.margin || config.fallback || config.ood_threshold) {
    RoutingPolicy policy = file_exists(policy_path) ? RoutingPolicy::from_json(read_json_file(policy_path), names, policy_path)
                                                    : RoutingPolicy{};
    apply_overrides(policy, policy_overrides(config), names, {}, config.orchestrator_path);
    similarity = policy_similarities(policy, config.orchestrator_path, queries);
    ood_threshold = policy.ood_gate() ? policy.ood_threshold : 0;
    for (size_t q = 0; q < decisions.size(); ++q) {
      RouteDecision& d = decisions[q];
      d.selected = static_cast<size_t>(policy.choose(std::vector<float>(d.probabilities.begin(), d.probabilities.end()),
                                                     similarity.empty() ? 1.0 : similarity[q]));
      d.selected_model = names[d.selected];
    }
  }
  for (size_t q = 0; q < decisions.size(); ++q) {
    const RouteDecision& d = decisions[q];
    if (config.json) {
      nlohmann::ordered_json probs = nlohmann::ordered_json::object();
      for (size_t i = 0; i < names.size(); ++i) probs[names[i]] = d.probabilities[i];
      nlohmann::ordered_json line = {{"selected_model", d.selected_model}, {"probabilities", probs}};
      if (!similarity.empty()) {
        line["similarity"] = similarity[q];
        line["out_of_distribution"] = similarity[q] < ood_threshold;
      }
      out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      continue;
    }
    std::vector<size_t> order(names.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return d.probabilities[a] > d.probabilities[b]; });
    if (decisions.size() > 1) out << "query " << (q + 1) << "\n";
    out << "selected model: " << d.selected_model;
    if (!similarity.empty() && similarity[q] < ood_threshold)
      out << " (fallback: similarity " << std::fixed << std::setprecision(4) << similarity[q] << " to the training questions is below "
          << ood_threshold << ")";
    out << "\n";
    for (size_t k = 0; k < order.size() && k < static_cast<size_t>(config.top); ++k) {
      out << "  " << std::fixed << std::setprecision(4) << d.probabilities[order[k]] << "  " << names[order[k]] << "\n";
    }
  }
  return 0;
}

}  // namespace mom::coordinator
