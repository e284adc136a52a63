// mom-route's flags, query reading and output.
#include "coordinator/route_command.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iomanip>
#include <numeric>
#include <ostream>

#include "core/error.h"
#include "core/file_io.h"
#include "core/json_util.h"
#include "models/orchestrator.h"

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
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    throw Error(std::string(e.what()) + " (see --help)");
  }
  if (!c.query && !c.queries_file) throw Error("give --query TEXT or --queries FILE (see --help)");
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

int run_route(const RouteConfig& config, std::ostream& out) {
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
  for (size_t q = 0; q < decisions.size(); ++q) {
    const RouteDecision& d = decisions[q];
    if (config.json) {
      nlohmann::ordered_json probs = nlohmann::ordered_json::object();
      for (size_t i = 0; i < names.size(); ++i) probs[names[i]] = d.probabilities[i];
      nlohmann::ordered_json line = {{"selected_model", d.selected_model}, {"probabilities", probs}};
      out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      continue;
    }
    std::vector<size_t> order(names.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return d.probabilities[a] > d.probabilities[b]; });
    if (decisions.size() > 1) out << "query " << (q + 1) << "\n";
    out << "selected model: " << d.selected_model << "\n";
    for (size_t k = 0; k < order.size() && k < static_cast<size_t>(config.top); ++k) {
      out << "  " << std::fixed << std::setprecision(4) << d.probabilities[order[k]] << "  " << names[order[k]] << "\n";
    }
  }
  return 0;
}

}  // namespace mom::coordinator
