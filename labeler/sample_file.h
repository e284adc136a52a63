// Finding lm-evaluation-harness `--log_samples` files:
// <base>/<dataset>/<org__model>/samples_<task>_<timestamp>.jsonl[.gz].
#pragma once

#include <map>
#include <optional>
#include <string>

namespace mom::labeler {

struct SampleFileName {
  std::string task;       // "arc_challenge", "mmlu_anatomy"
  std::string timestamp;  // "2025-05-23T23-43-25.634180" (sorts chronologically as text)
};

// Parses a file name (no directory) of the harness's samples layout; nullopt for other files.
std::optional<SampleFileName> parse_sample_file_name(const std::string& file_name);

// task -> path of the newest samples file of that task in `model_dir` (several runs of one
// task: the latest timestamp wins; for equal timestamps a plain .jsonl wins over .jsonl.gz).
std::map<std::string, std::string> newest_sample_files(const std::string& model_dir);

}  // namespace mom::labeler
