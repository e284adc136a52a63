// Router creation and loading: "ngram" and ngram checkpoints here, everything else through the
// encoders' load_text_classifier.
#include "trainer/router_model.h"

#include <torch/torch.h>

#include <filesystem>

#include "core/error.h"
#include "models/knn_classifier.h"
#include "models/ngram_classifier.h"

namespace mom::trainer {

std::unique_ptr<models::TextClassifier> create_router_model(const std::string& model_name,
                                                            const std::vector<std::string>& id2label,
                                                            const RouterOptions& options) {
  std::unique_ptr<models::TextClassifier> model;
  if (model_name == "ngram") {
    models::NgramConfig config;
    config.id2label = id2label;
    config.num_buckets = options.ngram_buckets;
    config.embedding_dim = options.ngram_dim;
    model = models::make_ngram_text_classifier(models::NgramClassifier(config));
  } else if (model_name == "knn" || models::is_knn_checkpoint(model_name)) {
    throw Error(model_name + ": the kNN router is fitted on the training split by mom-train itself (--model_name knn)");
  } else if (models::is_ngram_checkpoint(model_name)) {
    throw Error(model_name + ": an ngram checkpoint; continue it with --resume and its --output_dir, "
                "or start a new one with --model_name ngram");
  } else {
    models::TextClassifierOptions text_options;
    text_options.labels = id2label;
    text_options.max_length = options.max_length;
    model = models::load_text_classifier(model_name, text_options);
    if (model->labels() != id2label)
      throw Error(model_name + ": the checkpoint's labels differ from the data's models; train from a preset or a "
                  "pretrained base, or --resume its own run");
  }
  model->set_multilabel(options.multilabel);
  return model;
}

std::unique_ptr<models::TextClassifier> load_router_model(const std::string& dir, int64_t max_length) {
  if (models::is_ngram_checkpoint(dir)) return models::make_ngram_text_classifier(models::load_ngram_classifier(dir));
  if (models::is_knn_checkpoint(dir)) return models::load_knn_text_classifier(dir);
  models::TextClassifierOptions options;
  options.max_length = max_length;
  return models::load_text_classifier(dir, options);
}

std::vector<torch::Tensor> router_parameters(models::TextClassifier& model) {
  std::vector<torch::Tensor> params;
  for (auto& [name, tensor] : model.named_parameters())
    if (tensor.requires_grad()) params.push_back(tensor);
  return params;
}

std::vector<std::vector<float>> score_texts(models::TextClassifier& model, const std::vector<std::string>& texts,
                                            int64_t batch_size) {
  torch::NoGradGuard no_grad;
  model.set_training(false);
  std::vector<std::vector<float>> scores;
  scores.reserve(texts.size());
  for (size_t start = 0; start < texts.size(); start += static_cast<size_t>(batch_size)) {
    size_t end = std::min(texts.size(), start + static_cast<size_t>(batch_size));
    std::vector<std::string> batch(texts.begin() + static_cast<long>(start), texts.begin() + static_cast<long>(end));
    auto logits = model.logits(batch).to(torch::kFloat32);
    auto probs = (model.multilabel() ? torch::sigmoid(logits) : torch::softmax(logits, 1)).contiguous();
    int64_t labels = probs.size(1);
    const float* p = probs.data_ptr<float>();
    for (int64_t r = 0; r < probs.size(0); ++r) scores.emplace_back(p + r * labels, p + (r + 1) * labels);
  }
  return scores;
}

}  // namespace mom::trainer
