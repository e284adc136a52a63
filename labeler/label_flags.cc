// CLI11 definition of mom-label's flags (names follow the original Python MOM).
#include "labeler/label_flags.h"

#include <CLI/CLI.hpp>

#include <iostream>

#include "core/error.h"

namespace mom::labeler {

std::optional<LabelCommand> parse_label_flags(int argc, const char* const* argv) {
  LabelCommand cmd;
  LabelOptions& o = cmd.options;
  CLI::App app{"mom-label: turn lm-evaluation-harness --log_samples outputs into routing labels"};
  app.add_option("--model_ids", o.model_ids, "registry ids of the candidate models, e.g. 12 16 19")
      ->required()
      ->expected(1, -1);
  app.add_option("--datasets", o.datasets,
                 "dataset directories under --base_path (default: all but mmlu)")
      ->expected(1, -1);
  app.add_flag("--include_mmlu", o.include_mmlu, "also label the mmlu directory");
  app.add_option("--mmlu_categories", o.mmlu_categories,
                 "stem humanities social_sciences other (default: all)")
      ->expected(1, -1);
  app.add_option("--base_path", o.base_path, "root of <dataset>/<org__model>/samples_*.jsonl[.gz]");
  app.add_option("--output_dir", o.output_dir, "where <ids joined by _>.jsonl is written")
      ->capture_default_str();
  app.add_flag("--allow_missing", o.allow_missing,
               "label a dataset among the models that have outputs; record the others as absent");
  app.add_option("--filter", o.filter,
                 "filter to use when a generation task logs each doc once per filter "
                 "(default: the only one, else flexible-extract)");
  std::string unsolved = "drop";
  app.add_option("--unsolved", unsolved, "questions no model answered: drop, or a model id to label them with")
      ->capture_default_str();
  app.add_flag("--skip_bad_lines", o.skip_bad_lines, "skip (and count) malformed lines instead of failing");
  app.add_option("--stats_json", o.stats_json, "write the summary as JSON to this path");
  app.add_option("--threads", o.threads, "parser threads (default: all cores)");
  std::string registry;
  app.add_option("--registry", registry, "model registry JSON (default: data/models.json)");
  bool quiet = false;
  app.add_flag("--quiet", quiet, "no progress lines");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    std::cout << app.help();
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    throw Error(std::string("mom-label: ") + e.what() + " (see --help)");
  }
  if (unsolved != "drop") {
    try {
      size_t used = 0;
      int id = std::stoi(unsolved, &used);
      if (used != unsolved.size()) throw std::invalid_argument(unsolved);
      o.unsolved_model = id;
    } catch (const std::exception&) {
      throw Error("--unsolved: expected 'drop' or a model id, got '" + unsolved + "'");
    }
  }
  o.progress = !quiet;
  if (!registry.empty()) cmd.registry_path = registry;
  return cmd;
}

}  // namespace mom::labeler
