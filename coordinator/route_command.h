// mom-route: route questions with a trained orchestrator checkpoint from the command line.
// Flag parsing and query-file reading are separate functions so they are unit-tested.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace mom::coordinator {

struct RouteConfig {
  std::string orchestrator_path;             // checkpoint directory or encoder preset
  std::optional<std::string> query;          // --query TEXT
  std::optional<std::string> queries_file;   // --queries FILE (plain lines or JSONL with "text")
  bool json = false;                         // one JSON line per query instead of a table
  int top = 3;                               // probabilities shown per query (table output)
  int64_t max_length = 512;                  // tokens per query; longer ones are truncated
  int64_t batch_size = 32;
  int threads = 0;                           // 0: $MOM_NUM_THREADS, else all cores
  std::optional<std::string> registry;       // model registry for numeric labels
  // Routing policy overrides (the checkpoint's routing_policy.json otherwise) and evaluation.
  std::optional<double> cost_weight;         // --cost_weight: lambda in P(correct) - lambda * cost
  std::optional<double> margin;              // --margin over the fallback model
  std::optional<std::string> fallback;       // --fallback NAME|ID
  std::optional<double> ood_threshold;       // --ood_threshold: similarity gate (0: off)
  std::optional<std::string> evaluate;       // --evaluate LABELED.jsonl: score the router on it
  bool sweep = false;                        // --sweep: accuracy-vs-cost curve (with --evaluate)
};

// Parses mom-route's flags. Returns nullopt when --help was given (help text written to `out`).
// Throws mom::Error with an actionable message for bad or conflicting flags.
std::optional<RouteConfig> parse_route_flags(int argc, const char* const* argv, std::ostream& out);

// The queries in `path`, in file order. JSONL (every non-blank line a JSON object with a string
// "text", as the labeler writes them) when the first non-blank line is a JSON object, else one
// query per line (a trailing "\r" dropped). Blank lines are skipped in JSONL; in plain files a
// blank line is an empty query and an error. Throws mom::Error "path:line: ...".
std::vector<std::string> read_queries(const std::string& path);

// Runs mom-route: loads the orchestrator, routes, prints to `out`. Returns the exit code;
// throws mom::Error for bad input (the caller prints it).
int run_route(const RouteConfig& config, std::ostream& out);

}  // namespace mom::coordinator
