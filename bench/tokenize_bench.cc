// Tokenizer throughput: MOM's tokenizers (1 and all threads) beside Tokenizers.js
// (@huggingface/tokenizers in node) on the same texts, in one run. Prints a table of tokens/s.
// Usage: tokenize_bench [--node_modules_dir DIR] [--repeat N] [--copies N]
// The node column is skipped when node or the npm package is missing (install it with
// `npm install @huggingface/tokenizers@0.2.0` in DIR; default /tmp/tokref).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "core/file_io.h"
#include "core/json_util.h"
#include "core/tokenizers/tokenizer.h"
#include "bench/capture_output.h"

namespace {

struct Row {
  std::string tokenizer, implementation;
  size_t threads;
  double seconds;
  size_t tokens;
};

// Best wall time of `repeat` passes over `texts` split across `threads` threads.
double time_encode(const mom::Tokenizer& tok, const std::vector<std::string>& texts, size_t threads,
                   int repeat, size_t& tokens) {
  double best = 1e30;
  for (int r = 0; r < repeat; ++r) {
    std::vector<size_t> counts(threads, 0);
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (size_t w = 0; w < threads; ++w) {
      pool.emplace_back([&, w] {
        for (size_t i = w; i < texts.size(); i += threads)
          counts[w] += tok.encode(texts[i], false).size();
      });
    }
    for (auto& t : pool) t.join();
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    tokens = 0;
    for (size_t c : counts) tokens += c;
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  fs::path source = fs::path(MOM_SOURCE_DIR);
  std::string node_dir = "/tmp/tokref";
  int repeat = 3, copies = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--node_modules_dir") node_dir = argv[i + 1];
    if (flag == "--repeat") repeat = std::stoi(argv[i + 1]);
    if (flag == "--copies") copies = std::stoi(argv[i + 1]);
  }
  // The reference-vector strings (multilingual, emoji, code, whitespace runs), each copy made
  // distinct by a counter so that word caches do not turn the run into lookups only.
  std::vector<std::string> texts;
  std::string jsonl;
  mom::for_each_jsonl((source / "tests/reference/tokenizers/qwen3.jsonl").string(),
                      [&](const mom::Json& v, size_t) {
                        for (int c = 0; c < copies; ++c) {
                          std::string t = v["text"].get<std::string>() + " #" +
                                          std::to_string(c * 7919 + texts.size());
                          jsonl += mom::Json{{"text", t}}.dump() + "\n";
                          texts.push_back(std::move(t));
                        }
                      });
  std::string texts_path = (fs::temp_directory_path() / "mom_tokenize_bench_texts.jsonl").string();
  mom::write_file(texts_path, jsonl);
  size_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();

  bool have_node = fs::exists(fs::path(node_dir) / "node_modules/@huggingface/tokenizers") &&
                   std::system("node --version > /dev/null 2>&1") == 0;
  std::cout << texts.size() << " texts, " << bytes / 1e6 << " MB (best of " << repeat << ")"
            << (have_node ? ""
                          : "; node peer skipped (no node or no @huggingface/tokenizers in " +
                                node_dir + ")")
            << "\n";

  struct Target {
    std::string name, path;
  };
  std::vector<Target> targets = {
      {"Qwen3 (byte-level BPE)",
       (source / "tests/fixtures/tokenizers/qwen3/tokenizer.json.gz").string()},
      {"bert-base-uncased (WordPiece)",
       (source / "data/vocab/bert-base-uncased/vocab.txt").string()},
  };
  std::vector<Row> rows;
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  for (const auto& target : targets) {
    auto tok = mom::Tokenizer::load(target.path);
    for (size_t threads : {size_t{1}, cores}) {
      size_t tokens = 0;
      double seconds = time_encode(*tok, texts, threads, repeat, tokens);
      rows.push_back({target.name, "MOM (C++)", threads, seconds, tokens});
      if (cores == 1) break;
    }
    if (!have_node) continue;
    std::string peer_tokenizer =
        target.path;  // the peer turns a vocab.txt into bert-base-uncased's tokenizer.json
    std::string out =
        mom::bench::capture_output("cd " + node_dir + " && node " + (source / "bench/tokenize_bench_peer.mjs").string() +
            " " + peer_tokenizer + " " + texts_path + " " + std::to_string(repeat));
    try {
      auto j = mom::Json::parse(out);
      rows.push_back({target.name, "Tokenizers.js (node)", 1, j["seconds"].get<double>(),
                      j["tokens"].get<size_t>()});
    } catch (...) {
      std::cerr << "node peer failed for " << target.name << ": " << out << "\n";
    }
  }

  std::printf("\n%-30s %-22s %8s %10s %14s %10s\n", "tokenizer", "implementation", "threads",
              "seconds", "tokens/s", "vs node");
  std::printf("%s\n", std::string(100, '-').c_str());
  for (const auto& row : rows) {
    double node_seconds = 0;
    for (const auto& r : rows) {
      if (r.tokenizer == row.tokenizer && r.implementation == "Tokenizers.js (node)")
        node_seconds = r.seconds;
    }
    std::string ratio =
        node_seconds > 0 ? std::to_string(node_seconds / row.seconds).substr(0, 5) + "x" : "-";
    std::printf("%-30s %-22s %8zu %10.3f %14.0f %10s\n", row.tokenizer.c_str(),
                row.implementation.c_str(), row.threads, row.seconds, row.tokens / row.seconds,
                ratio.c_str());
  }
  for (const auto& row : rows) {
    for (const auto& r : rows) {
      if (r.tokenizer == row.tokenizer && r.tokens != row.tokens) {
        std::printf("WARNING: %s: %s produced %zu ids, %s %zu\n", row.tokenizer.c_str(),
                    row.implementation.c_str(), row.tokens, r.implementation.c_str(), r.tokens);
      }
    }
  }
  std::printf(
      "\nSame texts, no special tokens; tokens/s counts ids produced. Each implementation keeps "
      "its own "
      "word cache warm across passes.\n");
  return 0;
}
