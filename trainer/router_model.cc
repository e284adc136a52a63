// RouterModel implementations: the ngram baseline (models/ngram_classifier) and, through the
// encoders' text classifier, BERT-family routers.
#include "trainer/router_model.h"

#include <torch/torch.h>

#include <filesystem>

#include "core/error.h"
#include "models/ngram_classifier.h"

namespace mom::trainer {
namespace {

class NgramRouter : public RouterModel {
 public:
  explicit NgramRouter(models::NgramClassifier model) : model_(std::move(model)) {}
  torch::Tensor forward(const std::vector<std::string>& texts) override { return model_->forward(texts); }
  std::vector<torch::Tensor> parameters() override { return model_->parameters(); }
  void set_training(bool training) override { model_->train(training); }
  void save(const std::string& dir) const override { model_->save(dir); }
  std::vector<std::string> labels() const override { return model_->config().id2label; }
  std::string kind() const override { return "ngram"; }

 private:
  models::NgramClassifier model_;
};

}  // namespace

std::unique_ptr<RouterModel> create_router_model(const std::string& model_name,
                                                 const std::vector<std::string>& id2label, const RouterOptions& options) {
  if (model_name == "ngram") {
    models::NgramConfig config;
    config.id2label = id2label;
    config.num_buckets = options.ngram_buckets;
    config.embedding_dim = options.ngram_dim;
    return std::make_unique<NgramRouter>(models::NgramClassifier(config));
  }
  if (std::filesystem::is_directory(model_name) && models::is_ngram_checkpoint(model_name))
    throw Error(model_name + ": an ngram checkpoint; continue it with --resume and its --output_dir, "
                "or start a new one with --model_name ngram");
  throw Error("--model_name '" + model_name + "': not 'ngram' and no encoder preset or checkpoint directory "
              "of that name is known to this build");
}

std::unique_ptr<RouterModel> load_router_model(const std::string& dir, int64_t max_length) {
  (void)max_length;
  if (models::is_ngram_checkpoint(dir)) return std::make_unique<NgramRouter>(models::load_ngram_classifier(dir));
  throw Error(dir + ": not a router checkpoint this build can load (config.json missing or unknown model_type)");
}

std::vector<std::vector<float>> score_texts(RouterModel& model, const std::vector<std::string>& texts,
                                            bool multilabel, int64_t batch_size) {
  torch::NoGradGuard no_grad;
  model.set_training(false);
  std::vector<std::vector<float>> scores;
  scores.reserve(texts.size());
  for (size_t start = 0; start < texts.size(); start += static_cast<size_t>(batch_size)) {
    size_t end = std::min(texts.size(), start + static_cast<size_t>(batch_size));
    std::vector<std::string> batch(texts.begin() + static_cast<long>(start), texts.begin() + static_cast<long>(end));
    auto logits = model.forward(batch);
    auto probs = (multilabel ? torch::sigmoid(logits) : torch::softmax(logits, 1)).contiguous();
    int64_t labels = probs.size(1);
    const float* p = probs.data_ptr<float>();
    for (int64_t r = 0; r < probs.size(0); ++r) scores.emplace_back(p + r * labels, p + (r + 1) * labels);
  }
  return scores;
}

}  // namespace mom::trainer
