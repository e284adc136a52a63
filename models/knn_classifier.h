// The nearest-neighbour router: a question's score for each model is the similarity-weighted share
// of its k nearest training questions (TF-IDF cosine, core/similarity_index.h) that the model
// answered correctly (multilabel) or that name it as their label (best). Nothing to train: fitting
// indexes the training questions, in about a second for ten thousand. Behind the TextClassifier
// interface like the ngram baseline; saved as config.json (model_type "mom-knn") +
// model.safetensors (the training questions' correctness and labels) + knn_index.safetensors.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/json_util.h"
#include "models/text_classifier.h"

namespace mom::models {

struct KnnConfig {
  std::vector<std::string> id2label;
  // Neighbours per question; 0: a tenth of the indexed questions (at least 1).
  int64_t neighbours = 0;
  bool multilabel = true;

  // {"model_type": "mom-knn", "architectures": ["KnnClassifier"], "id2label", "label2id",
  //  "num_labels", "neighbours", "problem_type"}.
  Json to_json() const;
  static KnnConfig from_json(const Json& json, const std::string& where);
};

// The training questions: text, per-model correctness (row-major [questions, labels]) and label.
struct KnnTrainingSet {
  std::vector<std::string> texts;
  std::vector<uint8_t> correct;  // texts.size() * id2label.size()
  std::vector<int32_t> labels;   // class index per question (-1: unsolved)
};

// Fits (indexes) a kNN router. Throws mom::Error for an empty set or mismatched sizes.
std::unique_ptr<TextClassifier> fit_knn_text_classifier(const KnnConfig& config, const KnnTrainingSet& data);
// Loads one saved by save(). Throws mom::Error naming the file at fault.
std::unique_ptr<TextClassifier> load_knn_text_classifier(const std::string& dir);
// True when <dir>/config.json says model_type "mom-knn".
bool is_knn_checkpoint(const std::string& dir);

}  // namespace mom::models
