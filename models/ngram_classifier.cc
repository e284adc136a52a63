// NgramClassifier: feature hashing, EmbeddingBag + linear, HF-layout save/load.
#include "models/ngram_classifier.h"

#include <torch/torch.h>

#include <filesystem>

#include "core/error.h"
#include "core/file_io.h"
#include "core/safetensors/safetensors.h"
#include "models/weights.h"
#include "models/hf_config.h"

namespace mom::models {
namespace {

constexpr uint64_t kFnvOffset = 1469598103934665603ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

uint64_t fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

bool is_word_byte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

}  // namespace

Json NgramConfig::to_json() const {
  Json id2label_json = Json::object(), label2id = Json::object();
  for (size_t i = 0; i < id2label.size(); ++i) {
    id2label_json[std::to_string(i)] = id2label[i];
    label2id[id2label[i]] = i;
  }
  return Json{{"model_type", "mom-ngram"},
              {"architectures", {"NgramClassifier"}},
              {"num_buckets", num_buckets},
              {"embedding_dim", embedding_dim},
              {"char_ngram_min", char_ngram_min},
              {"char_ngram_max", char_ngram_max},
              {"word_ngrams", word_ngrams},
              {"problem_type", multilabel ? "multi_label_classification" : "single_label_classification"},
              {"num_labels", id2label.size()},
              {"id2label", id2label_json},
              {"label2id", label2id}};
}

NgramConfig NgramConfig::from_json(const Json& json, const std::string& where) {
  if (json.value("model_type", "") != "mom-ngram") throw Error(where + ": model_type is not \"mom-ngram\"");
  NgramConfig c;
  try {
    c.num_buckets = json.at("num_buckets").get<int64_t>();
    c.embedding_dim = json.at("embedding_dim").get<int64_t>();
    c.char_ngram_min = json.at("char_ngram_min").get<int64_t>();
    c.char_ngram_max = json.at("char_ngram_max").get<int64_t>();
    c.word_ngrams = json.at("word_ngrams").get<int64_t>();
    c.multilabel = json.value("problem_type", "") == "multi_label_classification";
    const Json& map = json.at("id2label");
    c.id2label.resize(map.size());
    for (auto it = map.begin(); it != map.end(); ++it) {
      size_t id = std::stoul(it.key());
      if (id >= map.size()) throw Error(where + ": id2label ids must be 0..n-1");
      c.id2label[id] = it.value().get<std::string>();
    }
  } catch (const Json::exception& e) {
    throw Error(where + ": " + e.what());
  } catch (const std::logic_error& e) {
    throw Error(where + ": id2label keys must be class ids");
  }
  if (c.num_buckets <= 0 || c.embedding_dim <= 0 || c.id2label.empty() || c.char_ngram_min < 1 ||
      c.char_ngram_max < c.char_ngram_min)
    throw Error(where + ": invalid n-gram configuration");
  return c;
}

NgramClassifierImpl::NgramClassifierImpl(NgramConfig config) : config_(std::move(config)) {
  embedding_ = register_module(
      "embedding", torch::nn::EmbeddingBag(torch::nn::EmbeddingBagOptions(config_.num_buckets, config_.embedding_dim)
                                               .mode(torch::kMean)));
  classifier_ = register_module(
      "classifier", torch::nn::Linear(config_.embedding_dim, static_cast<int64_t>(config_.id2label.size())));
  torch::NoGradGuard no_grad;
  // fastText's initialisation: small uniform input vectors, zero output layer.
  double bound = 1.0 / static_cast<double>(config_.embedding_dim);
  embedding_->weight.uniform_(-bound, bound);
  classifier_->weight.zero_();
  classifier_->bias.zero_();
}

std::vector<int64_t> NgramClassifierImpl::features(std::string_view text, const NgramConfig& config) {
  std::vector<std::string> words;
  std::string current;
  for (unsigned char c : text) {
    if (is_word_byte(c)) {
      current.push_back(static_cast<char>(c < 0x80 ? std::tolower(c) : c));
    } else if (!current.empty()) {
      words.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  std::vector<int64_t> ids;
  auto add = [&](uint64_t h) { ids.push_back(static_cast<int64_t>(h % static_cast<uint64_t>(config.num_buckets))); };
  for (size_t i = 0; i < words.size(); ++i) {
    add(fnv1a(fnv1a(kFnvOffset, "w:"), words[i]));
    if (config.word_ngrams >= 2 && i + 1 < words.size())
      add(fnv1a(fnv1a(fnv1a(fnv1a(kFnvOffset, "b:"), words[i]), " "), words[i + 1]));
    std::string padded = "<" + words[i] + ">";
    for (int64_t n = config.char_ngram_min; n <= config.char_ngram_max; ++n) {
      if (static_cast<size_t>(n) > padded.size()) break;
      for (size_t p = 0; p + static_cast<size_t>(n) <= padded.size(); ++p)
        add(fnv1a(fnv1a(kFnvOffset, "c:"), std::string_view(padded).substr(p, static_cast<size_t>(n))));
    }
  }
  return ids;
}

torch::Tensor NgramClassifierImpl::forward(const std::vector<std::string>& texts) {
  std::vector<int64_t> flat;
  std::vector<int64_t> offsets;
  offsets.reserve(texts.size());
  for (const auto& text : texts) {
    offsets.push_back(static_cast<int64_t>(flat.size()));
    auto f = features(text, config_);
    flat.insert(flat.end(), f.begin(), f.end());
  }
  auto input = torch::tensor(flat, torch::kInt64);
  auto offs = torch::tensor(offsets, torch::kInt64);
  auto pooled = embedding_->forward(input, offs);
  return classifier_->forward(pooled);
}

void NgramClassifierImpl::save(const std::string& dir) const {
  std::filesystem::create_directories(dir);
  write_file(dir + "/config.json", config_.to_json().dump(2) + "\n");
  save_state(*this, dir + "/model.safetensors");
}

NgramClassifier create_ngram_classifier(const std::vector<std::string>& id2label) {
  NgramConfig config;
  config.id2label = id2label;
  return NgramClassifier(config);
}

NgramClassifier load_ngram_classifier(const std::string& dir) {
  std::string config_path = dir + "/config.json";
  NgramConfig config = NgramConfig::from_json(read_json_file(config_path), config_path);
  NgramClassifier model(config);
  auto checkpoint = safetensors::Checkpoint::open(dir);
  load_state(*model, *checkpoint);
  return model;
}

namespace {

class NgramTextClassifier : public TextClassifier {
 public:
  explicit NgramTextClassifier(NgramClassifier model) : model_(std::move(model)) {}
  torch::Tensor logits(const std::vector<std::string>& texts) override { return model_->forward(texts); }
  std::vector<std::pair<std::string, torch::Tensor>> named_parameters() override {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& item : model_->named_parameters()) out.emplace_back(item.key(), item.value());
    return out;
  }
  void set_training(bool training) override { model_->train(training); }
  void save(const std::string& dir) const override { model_->save(dir); }
  const std::vector<std::string>& labels() const override { return model_->config().id2label; }
  std::string kind() const override { return "mom-ngram"; }
  int64_t max_length() const override { return 0; }  // no token limit: every n-gram counts
  bool multilabel() const override { return model_->config().multilabel; }
  void set_multilabel(bool multilabel) override { model_->set_multilabel(multilabel); }

 private:
  NgramClassifier model_;
};

}  // namespace

std::unique_ptr<TextClassifier> make_ngram_text_classifier(NgramClassifier model) {
  return std::make_unique<NgramTextClassifier>(std::move(model));
}

bool is_ngram_checkpoint(const std::string& dir) { return checkpoint_model_type(dir) == "mom-ngram"; }

}  // namespace mom::models
