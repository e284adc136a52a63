// Labeling throughput: MOM's labeler (1 and all threads) beside a straightforward Python
// json.loads pass over the same files, in one run. Prints a table.
// Usage: label_bench [--base_path DIR] [--repeat N]   (default: ../shared outputs when present,
// else the embedded sample)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/file_io.h"
#include "core/registry.h"
#include "labeler/labeler.h"
#include "bench/capture_output.h"

namespace {

struct Row {
  std::string name;
  size_t threads;
  double seconds;
  double mb;
  size_t questions;
};

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  fs::path source = fs::path(MOM_SOURCE_DIR);
  std::string base = (source / "../shared/data/lm-eval-output").string();
  if (!fs::is_directory(base)) base = (source / "data/sample/lm-eval-output").string();
  int repeat = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--base_path") base = argv[i + 1];
    if (flag == "--repeat") repeat = std::stoi(argv[i + 1]);
  }
  mom::Registry registry = mom::Registry::load_default();
  mom::labeler::LabelOptions options;
  options.base_path = base;
  options.datasets = {"arc", "csqa", "logiqa"};
  options.include_mmlu = true;
  options.allow_missing = true;
  options.progress = false;
  for (const auto& m : registry.models()) {
    if (fs::is_directory(base + "/arc/" + m.dir_name)) options.model_ids.push_back(m.id);
  }
  std::cout << "labeling " << options.model_ids.size() << " models x arc csqa logiqa mmlu from " << base
            << " (best of " << repeat << ")\n";

  std::vector<Row> rows;
  std::vector<std::string> paths;
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  for (size_t threads : {size_t{1}, cores}) {
    options.threads = threads;
    double best = 1e30;
    mom::labeler::LabelResult result;
    for (int r = 0; r < repeat; ++r) {
      auto start = std::chrono::steady_clock::now();
      result = mom::labeler::label(options, registry);
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    paths = result.paths;
    rows.push_back({"mom-label (simdjson, C++)", threads, best, result.bytes / 1e6, result.questions.size()});
    if (cores == 1) break;
  }

  std::string list = (fs::temp_directory_path() / "mom_label_bench_files.txt").string();
  std::string joined;
  for (const auto& p : paths) joined += p + "\n";
  mom::write_file(list, joined);
  std::string peer = (source / "bench/label_peer.py").string();
  double peer_best = 1e30;
  double peer_mb = 0;
  for (int r = 0; r < repeat; ++r) {
    std::string out = mom::bench::capture_output("python3 " + peer + " " + list);
    try {
      auto j = nlohmann::json::parse(out);
      peer_best = std::min(peer_best, j["seconds"].get<double>());
      peer_mb = j["bytes"].get<double>() / 1e6;
    } catch (...) {
      std::cerr << "python peer failed: " << out << "\n";
      break;
    }
  }
  size_t questions = rows.front().questions;
  if (peer_best < 1e30) rows.push_back({"python json.loads pass (peer)", 1, peer_best, peer_mb, 0});

  std::printf("\n%-32s %8s %10s %10s %14s %10s\n", "implementation", "threads", "seconds", "MB/s",
              "questions/s", "vs python");
  std::printf("%s\n", std::string(90, '-').c_str());
  for (const auto& row : rows) {
    double speedup = peer_best < 1e30 ? peer_best / row.seconds : 0;
    std::printf("%-32s %8zu %10.3f %10.1f %14.0f %9.2fx\n", row.name.c_str(), row.threads, row.seconds,
                row.mb / row.seconds, questions / row.seconds, speedup);
  }
  std::printf("\n%zu files, %.0f MB uncompressed, %zu questions. MB/s counts uncompressed JSONL; the "
              "python peer only parses (no join, no labels), the C++ rows do the whole labeling.\n",
              paths.size(), rows.front().mb, questions);
  return 0;
}
