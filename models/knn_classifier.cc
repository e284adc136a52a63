// KnnClassifier: neighbour-weighted correctness as per-model scores, and its checkpoint files.
#include "models/knn_classifier.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "core/file_io.h"
#include "core/safetensors/safetensors.h"
#include "core/similarity_index.h"
#include "models/hf_config.h"

namespace mom::models {
namespace {

constexpr const char* kIndexFile = "knn_index.safetensors";
constexpr float kEps = 1e-6f;

class KnnTextClassifier : public TextClassifier {
 public:
  KnnTextClassifier(KnnConfig config, SimilarityIndex index, std::vector<uint8_t> correct, std::vector<int32_t> labels)
      : config_(std::move(config)), index_(std::move(index)), correct_(std::move(correct)), labels_(std::move(labels)) {
    size_t m = config_.id2label.size();
    size_t n = index_.size();
    if (n == 0) throw Error("kNN router: no training questions to index");
    if (correct_.size() != n * m || labels_.size() != n)
      throw Error("kNN router: " + std::to_string(n) + " indexed questions but " + std::to_string(correct_.size()) +
                  " correctness values and " + std::to_string(labels_.size()) + " labels for " + std::to_string(m) +
                  " models");
    for (size_t r = 0; r < n; ++r)
      if (labels_[r] < -1 || labels_[r] >= static_cast<int64_t>(m))
        throw Error("kNN router: label " + std::to_string(labels_[r]) + " of training question " + std::to_string(r) +
                    " is not a class index below " + std::to_string(m) + " (or -1: unsolved)");
    k_ = config_.neighbours > 0 ? static_cast<size_t>(config_.neighbours) : std::max<size_t>(1, n / 10);
    // Questions without a neighbour (no shared word) get the training-set rates.
    prior_.assign(m, 0.0);
    for (size_t r = 0; r < n; ++r)
      for (size_t c = 0; c < m; ++c) prior_[c] += target(r, c);
    for (double& p : prior_) p /= static_cast<double>(n);
  }

  torch::Tensor logits(const std::vector<std::string>& texts) override {
    size_t m = config_.id2label.size();
    std::vector<float> out(texts.size() * m);
    for (size_t q = 0; q < texts.size(); ++q) {
      std::vector<double> score(m, 0.0);
      double total = 0;
      for (const Neighbour& nb : index_.nearest(texts[q], k_)) {
        total += nb.similarity;
        for (size_t c = 0; c < m; ++c) score[c] += nb.similarity * target(nb.row, c);
      }
      for (size_t c = 0; c < m; ++c) {
        float p = static_cast<float>(total > 0 ? score[c] / total : prior_[c]);
        p = std::clamp(p, kEps, 1 - kEps);
        // Sigmoid (multilabel) or softmax (best) of these gives back p.
        out[q * m + c] = config_.multilabel ? std::log(p / (1 - p)) : std::log(p);
      }
    }
    return torch::from_blob(out.data(), {static_cast<int64_t>(texts.size()), static_cast<int64_t>(m)}, torch::kFloat32)
        .clone();
  }

  std::vector<std::pair<std::string, torch::Tensor>> named_parameters() override { return {}; }
  void set_training(bool) override {}

  void save(const std::string& dir) const override {
    std::filesystem::create_directories(dir);
    write_file(dir + "/config.json", config_.to_json().dump(2) + "\n");
    int64_t n = static_cast<int64_t>(index_.size());
    int64_t m = static_cast<int64_t>(config_.id2label.size());
    safetensors::write(dir + "/model.safetensors",
                       {{"correct", safetensors::DType::kU8, {n, m}, correct_.data()},
                        {"labels", safetensors::DType::kI32, {n}, labels_.data()}});
    index_.save(dir + "/" + kIndexFile);
  }

  const std::vector<std::string>& labels() const override { return config_.id2label; }
  std::string kind() const override { return "mom-knn"; }
  int64_t max_length() const override { return 0; }
  bool multilabel() const override { return config_.multilabel; }
  void set_multilabel(bool multilabel) override { config_.multilabel = multilabel; }

 private:
  double target(size_t row, size_t c) const {
    return config_.multilabel ? correct_[row * config_.id2label.size() + c]
                              : (labels_[row] == static_cast<int32_t>(c) ? 1.0 : 0.0);
  }

  KnnConfig config_;
  SimilarityIndex index_;
  std::vector<uint8_t> correct_;
  std::vector<int32_t> labels_;
  size_t k_ = 1;
  std::vector<double> prior_;
};

}  // namespace

Json KnnConfig::to_json() const {
  Json j;
  j["model_type"] = "mom-knn";
  j["architectures"] = {"KnnClassifier"};
  j["id2label"] = Json::object();
  j["label2id"] = Json::object();
  for (size_t i = 0; i < id2label.size(); ++i) {
    j["id2label"][std::to_string(i)] = id2label[i];
    j["label2id"][id2label[i]] = i;
  }
  j["num_labels"] = id2label.size();
  j["neighbours"] = neighbours;
  j["problem_type"] = multilabel ? "multi_label_classification" : "single_label_classification";
  return j;
}

KnnConfig KnnConfig::from_json(const Json& json, const std::string& where) {
  KnnConfig c;
  try {
    if (json.value("model_type", "") != "mom-knn") throw Error(where + ": model_type is not \"mom-knn\"");
    size_t n = json.at("num_labels").get<size_t>();
    const Json& id2label = json.at("id2label");
    for (size_t i = 0; i < n; ++i) {
      auto key = std::to_string(i);
      if (!id2label.contains(key)) throw Error(where + ": id2label has no entry \"" + key + "\"");
      c.id2label.push_back(id2label[key].get<std::string>());
    }
    c.neighbours = json.value("neighbours", int64_t{0});
    if (c.neighbours < 0) throw Error(where + ": neighbours must be 0 (a tenth of the questions) or positive");
    c.multilabel = json.value("problem_type", "multi_label_classification") == "multi_label_classification";
  } catch (const Json::exception& e) {
    throw Error(where + ": malformed kNN router config: " + e.what());
  }
  return c;
}

std::unique_ptr<TextClassifier> fit_knn_text_classifier(const KnnConfig& config, const KnnTrainingSet& data) {
  if (data.texts.empty()) throw Error("kNN router: no training questions");
  return std::make_unique<KnnTextClassifier>(config, SimilarityIndex::build(data.texts), data.correct, data.labels);
}

std::unique_ptr<TextClassifier> load_knn_text_classifier(const std::string& dir) {
  std::string config_path = dir + "/config.json";
  KnnConfig config = KnnConfig::from_json(read_json_file(config_path), config_path);
  SimilarityIndex index = SimilarityIndex::load(dir + "/" + kIndexFile);
  std::string weights = dir + "/model.safetensors";
  auto file = safetensors::Checkpoint::open(weights);
  const auto& correct = file->get("correct");
  const auto& labels = file->get("labels");
  int64_t n = static_cast<int64_t>(index.size());
  int64_t m = static_cast<int64_t>(config.id2label.size());
  if (correct.dtype != safetensors::DType::kU8 || correct.shape != std::vector<int64_t>{n, m})
    throw Error(weights + ": tensor 'correct' must be U8 [" + std::to_string(n) + ", " + std::to_string(m) +
                "] (indexed questions x labels)");
  if (labels.dtype != safetensors::DType::kI32 || labels.shape != std::vector<int64_t>{n})
    throw Error(weights + ": tensor 'labels' must be I32 [" + std::to_string(n) + "]");
  const auto* c = static_cast<const uint8_t*>(correct.data);
  const auto* l = static_cast<const int32_t*>(labels.data);
  return std::make_unique<KnnTextClassifier>(config, std::move(index), std::vector<uint8_t>(c, c + n * m),
                                             std::vector<int32_t>(l, l + n));
}

bool is_knn_checkpoint(const std::string& dir) { return checkpoint_model_type(dir) == "mom-knn"; }

}  // namespace mom::models
