// The labeler: joins per-question lm-eval results of the selected models and records, per
// question, which models were right, how confident each was, and which model is best.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/registry.h"
#include "labeler/sample_record.h"

namespace mom::labeler {

struct LabelOptions {
  std::vector<int> model_ids;              // --model_ids (required)
  std::vector<std::string> datasets;       // --datasets; empty = every directory but mmlu
  bool include_mmlu = false;               // --include_mmlu
  std::vector<std::string> mmlu_categories;  // --mmlu_categories; empty = all four
  std::string base_path = ".";             // --base_path
  std::string output_dir = "./labeled_data";
  bool allow_missing = false;              // --allow_missing
  std::string filter;                      // --filter ("" = documented default)
  std::optional<int> unsolved_model;       // --unsolved <id>; nullopt = drop
  bool skip_bad_lines = false;             // --skip_bad_lines
  std::string stats_json;                  // --stats_json
  size_t threads = 0;                      // 0 = hardware threads
  bool progress = true;
};

// Per-model result of one question; `absent` when the model has no output for it.
struct ModelOutcome {
  bool absent = true;
  bool correct = false;
  std::optional<double> confidence;
};

struct LabeledQuestion {
  std::string dataset;
  std::string task;
  int64_t doc_id = 0;
  RecordKind kind = RecordKind::kMultipleChoice;
  std::string text;
  std::vector<ModelOutcome> outcomes;  // parallel to LabelOptions::model_ids
  int label = 0;                       // model id; 0 when unsolved and dropped
  bool unsolved = false;
};

struct ModelStats {
  size_t answered = 0;  // questions where the model is present
  size_t correct = 0;
  double accuracy() const { return answered ? static_cast<double>(correct) / answered : 0.0; }
};

struct GroupStats {  // one dataset, or one task
  size_t questions = 0;
  size_t labeled = 0;
  size_t unsolved = 0;
  size_t oracle_correct = 0;
  std::vector<ModelStats> models;        // parallel to model_ids
  std::map<int, size_t> label_counts;    // model id -> labeled questions
  std::vector<int> absent_models;        // ids absent for the whole group or some questions
  std::string filter;                    // filter used (tasks only)
};

struct LabelResult {
  std::vector<LabeledQuestion> questions;  // every joined question, including unsolved
  std::map<std::string, GroupStats> datasets;
  std::map<std::string, GroupStats> tasks;
  std::vector<std::string> dataset_order;
  size_t files = 0;
  std::vector<std::string> paths;  // the samples files read, one per (task, model)
  size_t bytes = 0;
  size_t bad_lines = 0;
};

// Runs discovery, parsing (parallel over files), joining and labeling. Throws mom::Error with an
// actionable message for every input problem (unknown model or dataset, missing outputs,
// doc_hash mismatch, malformed lines, empty result).
LabelResult label(const LabelOptions& options, const Registry& registry);

// Best single model of a group: highest accuracy; ties -> fewer parameters, then lower id.
int best_single_model(const GroupStats& stats, const std::vector<int>& model_ids,
                      const Registry& registry);

// Output path: <output_dir>/<ids joined by _>.jsonl.
std::string output_path(const LabelOptions& options);

// Writes the labeled JSONL (docs/labeled_format.md); returns the number of lines written.
size_t write_labels(const LabelResult& result, const LabelOptions& options,
                    const Registry& registry, const std::string& path);

// The summary as JSON (what --stats_json writes) and as a printable table.
std::string stats_json(const LabelResult& result, const LabelOptions& options,
                       const Registry& registry);
std::string summary_table(const LabelResult& result, const LabelOptions& options,
                          const Registry& registry);

}  // namespace mom::labeler
