// Parsing and validation of labeled JSONL.
#include "trainer/labeled_data.h"

#include "core/error.h"
#include "core/json_util.h"

namespace mom::trainer {

std::optional<int> LabeledData::find_model(const std::string& name_or_id) const {
  for (size_t i = 0; i < model_names.size(); ++i) {
    if (model_names[i] == name_or_id || std::to_string(model_ids[i]) == name_or_id) return static_cast<int>(i);
    // lm-eval's directory spelling "org__name" is accepted too.
    std::string sanitized = model_names[i];
    for (size_t p = sanitized.find('/'); p != std::string::npos; p = sanitized.find('/')) sanitized.replace(p, 1, "__");
    if (sanitized == name_or_id) return static_cast<int>(i);
  }
  return std::nullopt;
}

LabeledData load_labeled_data(const std::string& path) {
  LabeledData data;
  data.path = path;
  size_t first_line = 0;
  for_each_jsonl(path, [&](const Json& row, size_t line) {
    std::string where = at_line(path, line, "labeled question");
    LabeledQuestion q;
    q.line = line;
    q.text = require_string(row, "text", where);
    q.dataset = require_string(row, "dataset", where);
    q.task = row.contains("task") && row["task"].is_string() ? row["task"].get<std::string>() : q.dataset;
    q.unsolved = row.contains("unsolved") && row["unsolved"].is_boolean() && row["unsolved"].get<bool>();
    const Json& models = require_field(row, "models", where);
    if (!models.is_array() || models.empty())
      throw Error(at_line(path, line, "field 'models' must be a non-empty array"));
    std::vector<int> ids;
    std::vector<std::string> names;
    for (const Json& m : models) {
      ids.push_back(static_cast<int>(require_int(m, "id", where + " models[]")));
      names.push_back(require_string(m, "name", where + " models[]"));
      bool absent = m.contains("absent") && m["absent"].is_boolean() && m["absent"].get<bool>();
      const Json& correct = require_field(m, "correct", where + " models[]");
      if (!absent && !correct.is_boolean())
        throw Error(at_line(path, line, "model " + names.back() + ": 'correct' must be true or false unless absent"));
      q.absent.push_back(absent);
      q.correct.push_back(!absent && correct.get<bool>());
    }
    if (data.model_ids.empty()) {
      data.model_ids = ids;
      data.model_names = names;
      first_line = line;
    } else if (ids != data.model_ids) {
      throw Error(at_line(path, line, "the model list differs from line " + std::to_string(first_line) +
                                          "'s; every line must list the same models in the same order"));
    }
    const Json& label = require_field(row, "label", where);
    int label_id = static_cast<int>(require_int(label, "id", where + " label"));
    for (size_t i = 0; i < ids.size(); ++i)
      if (ids[i] == label_id) q.label = static_cast<int>(i);
    if (q.label < 0)
      throw Error(at_line(path, line, "unknown label: model id " + std::to_string(label_id) +
                                          " is not one of the line's models"));
    data.questions.push_back(std::move(q));
  });
  if (data.questions.empty()) throw Error(path + ": no labeled questions (empty file?); run mom-label first");
  return data;
}

}  // namespace mom::trainer
