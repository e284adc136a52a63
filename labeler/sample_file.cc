// Samples-file discovery: name parsing and newest-run selection.
#include "labeler/sample_file.h"

#include <filesystem>

#include "core/error.h"

namespace mom::labeler {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "2025-05-23T23-43-25.634180": YYYY-MM-DDT then digits, '-', '.', ':'.
bool looks_like_timestamp(const std::string& s) {
  if (s.size() < 11 || s[4] != '-' || s[7] != '-' || s[10] != 'T') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 4 || i == 7 || i == 10) continue;
    if (!is_digit(c) && c != '-' && c != '.' && c != ':') return false;
  }
  return true;
}

}  // namespace

std::optional<SampleFileName> parse_sample_file_name(const std::string& name) {
  const std::string prefix = "samples_";
  if (name.rfind(prefix, 0) != 0) return std::nullopt;
  std::string stem;
  for (const char* ext : {".jsonl.gz", ".jsonl"}) {
    std::string e(ext);
    if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0) {
      stem = name.substr(prefix.size(), name.size() - prefix.size() - e.size());
      break;
    }
  }
  if (stem.empty()) return std::nullopt;
  // The task name may itself contain '_' and digits; the timestamp is the last '_' field.
  size_t split = stem.rfind('_');
  if (split == std::string::npos || split == 0) return std::nullopt;
  SampleFileName out{stem.substr(0, split), stem.substr(split + 1)};
  if (!looks_like_timestamp(out.timestamp)) return std::nullopt;
  return out;
}

std::map<std::string, std::string> newest_sample_files(const std::string& model_dir) {
  std::map<std::string, std::pair<std::string, std::string>> best;  // task -> (key, path)
  std::error_code ec;
  std::filesystem::directory_iterator it(model_dir, ec);
  if (ec) throw Error(model_dir + ": cannot list directory: " + ec.message());
  for (const auto& entry : it) {
    if (!entry.is_regular_file()) continue;
    std::string file_name = entry.path().filename().string();
    auto parsed = parse_sample_file_name(file_name);
    if (!parsed) continue;
    bool plain = file_name.size() > 6 && file_name.compare(file_name.size() - 6, 6, ".jsonl") == 0;
    std::string key = parsed->timestamp + (plain ? "1" : "0");
    auto& slot = best[parsed->task];
    if (slot.first < key) slot = {key, entry.path().string()};
  }
  std::map<std::string, std::string> out;
  for (auto& [task, kp] : best) out[task] = kp.second;
  return out;
}

}  // namespace mom::labeler
