// One line of an lm-eval samples file, reduced to what labeling needs, and the parser that
// produces it from the raw JSONL text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mom::labeler {

enum class RecordKind { kMultipleChoice, kGenerate };
const char* record_kind_name(RecordKind kind);  // "multiple_choice" | "generate"

struct SampleRecord {
  int64_t doc_id = 0;
  std::string doc_hash;
  RecordKind kind = RecordKind::kMultipleChoice;
  bool correct = false;
  // Multiple choice: probability of the gold choice under a softmax over the choice
  // loglikelihoods. Generate: nullopt (no confidence exists).
  std::optional<double> confidence;
  std::string text;  // the question as a user would ask it (only when requested)
  size_t line = 0;   // 1-based line in the file
};

struct ParseOptions {
  std::string filter;         // --filter; "" = default rule (see choose_filter)
  bool want_text = true;      // keep the cleaned question text
  bool skip_bad_lines = false;
};

struct ParsedFile {
  std::string path;
  std::string task;
  std::string filter;  // the filter whose records were kept
  std::vector<std::string> filters_seen;
  std::vector<SampleRecord> records;  // one per doc_id, in file order
  size_t bytes = 0;                   // uncompressed size
  size_t bad_lines = 0;               // skipped with skip_bad_lines
};

// Parses the samples JSONL `content` of `task` read from `path`. Throws mom::Error naming
// path:line for malformed lines (unless skip_bad_lines), a record whose gold choice cannot be
// determined, duplicate doc ids, or an ambiguous/unknown filter.
ParsedFile parse_samples(const std::string& path, const std::string& task, std::string content,
                         const ParseOptions& options);

// Which filter's records to keep when a task logs each doc once per filter: the only one when
// there is one; else `requested` (must be present); else "flexible-extract" when present;
// else an error listing the filters and asking for --filter.
std::string choose_filter(const std::vector<std::string>& filters_seen, const std::string& requested,
                          const std::string& path);

}  // namespace mom::labeler
