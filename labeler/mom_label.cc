// mom-label: lm-eval per-question outputs -> labeled JSONL + summary.
#include <chrono>
#include <iostream>

#include "core/error.h"
#include "core/file_io.h"
#include "core/logging.h"
#include "labeler/label_flags.h"
#include "labeler/labeler.h"

int main(int argc, char** argv) {
  using namespace mom;
  try {
    auto cmd = labeler::parse_label_flags(argc, argv);
    if (!cmd) return 0;
    Registry registry = Registry::load_default(cmd->registry_path);
    auto start = std::chrono::steady_clock::now();
    labeler::LabelResult result = labeler::label(cmd->options, registry);
    std::string path = labeler::output_path(cmd->options);
    size_t lines = labeler::write_labels(result, cmd->options, registry, path);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << labeler::summary_table(result, cmd->options, registry);
    if (!cmd->options.stats_json.empty()) {
      write_file(cmd->options.stats_json, labeler::stats_json(result, cmd->options, registry) + "\n");
    }
    std::cout << "wrote " << lines << " labeled questions to " << path << " (" << result.files
              << " files, " << result.bytes / 1000000 << " MB in " << secs << " s)\n";
    return 0;
  } catch (const Error& e) {
    std::cerr << "mom-label: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "mom-label: internal error: " << e.what() << "\n";
    return 2;
  }
}
