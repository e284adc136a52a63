// Labeled questions (docs/labeled_format.md) parsed into typed structs at the edge: what
// mom-train trains on and what `mom-route --evaluate` scores.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mom::trainer {

struct LabeledQuestion {
  std::string text;
  std::string dataset;
  std::string task;
  int label = -1;                 // index into LabeledData::model_ids of the label model
  bool unsolved = false;
  std::vector<bool> correct;      // per model index; false when absent
  std::vector<bool> absent;       // per model index
  size_t line = 0;                // 1-based line in the file, for messages
};

struct LabeledData {
  std::string path;
  std::vector<int> model_ids;            // registry ids, in the file's order (= class index order)
  std::vector<std::string> model_names;  // hf repos, same order
  std::vector<LabeledQuestion> questions;

  size_t num_models() const { return model_ids.size(); }
  // Class index of a model given by name or id (as text); nullopt when not in the file.
  std::optional<int> find_model(const std::string& name_or_id) const;
};

// Reads and validates a labeled JSONL file. Throws mom::Error "path:line: ..." for malformed
// lines, a model list that differs from the first line's, a label that is not one of the listed
// models; "path: ..." for an empty file.
LabeledData load_labeled_data(const std::string& path);

}  // namespace mom::trainer
