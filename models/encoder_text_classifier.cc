// Encoder-backed TextClassifier: tokenizer (batched, truncated, padded) -> encoder classifier.
#include "models/encoder_text_classifier.h"

#include <torch/torch.h>

#include <filesystem>

#include "core/error.h"
#include "core/file_io.h"
#include "core/tokenizers/tokenizer.h"
#include "models/encoder_classifier.h"
#include "models/encoder_presets.h"

namespace mom::models {
namespace {

namespace fs = std::filesystem;

// The tokenizer files a Hugging Face checkpoint directory may hold, copied along on save.
constexpr const char* kTokenizerFiles[] = {"tokenizer.json", "vocab.txt", "tokenizer_config.json",
                                           "special_tokens_map.json"};

class EncoderTextClassifier : public TextClassifier {
 public:
  EncoderTextClassifier(std::shared_ptr<EncoderClassifierImpl> model, std::unique_ptr<Tokenizer> tokenizer,
                        std::string tokenizer_source, int64_t max_length)
      : model_(std::move(model)),
        tokenizer_(std::move(tokenizer)),
        tokenizer_source_(std::move(tokenizer_source)),
        max_length_(max_length) {}

  torch::Tensor logits(const std::vector<std::string>& texts) override {
    const int64_t n = static_cast<int64_t>(texts.size());
    if (n == 0) return torch::zeros({0, static_cast<int64_t>(num_labels())});
    std::vector<Encoding> encodings = tokenizer_->encode_batch(texts, static_cast<size_t>(max_length_));
    const int64_t seq = static_cast<int64_t>(encodings[0].ids.size());
    torch::Tensor ids = torch::empty({n, seq}, torch::kInt64);
    torch::Tensor mask = torch::empty({n, seq}, torch::kInt64);
    auto ids_a = ids.accessor<int64_t, 2>();
    auto mask_a = mask.accessor<int64_t, 2>();
    for (int64_t b = 0; b < n; ++b) {
      const Encoding& e = encodings[static_cast<size_t>(b)];
      if (static_cast<int64_t>(e.ids.size()) != seq || e.attention_mask.size() != e.ids.size()) {
        throw Error("tokenizer returned a ragged batch (" + std::to_string(e.ids.size()) + " vs " +
                    std::to_string(seq) + " tokens)");
      }
      for (int64_t t = 0; t < seq; ++t) {
        ids_a[b][t] = e.ids[static_cast<size_t>(t)];
        mask_a[b][t] = e.attention_mask[static_cast<size_t>(t)];
      }
    }
    return model_->forward(ids, mask);
  }

  std::vector<std::pair<std::string, torch::Tensor>> named_parameters() override {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& p : model_->named_parameters(true)) out.emplace_back(p.key(), p.value());
    return out;
  }

  void set_training(bool training) override { model_->train(training); }

  void save(const std::string& dir) const override {
    save_encoder_classifier(*model_, dir);
    fs::path out(dir);
    std::error_code ec;
    if (fs::is_directory(tokenizer_source_)) {
      for (const char* f : kTokenizerFiles) {
        fs::path src = fs::path(tokenizer_source_) / f;
        if (fs::is_regular_file(src) && !fs::equivalent(src, out / f, ec)) {
          fs::copy_file(src, out / f, fs::copy_options::overwrite_existing);
        }
      }
    } else if (!fs::equivalent(tokenizer_source_, out / fs::path(tokenizer_source_).filename(), ec)) {
      fs::copy_file(tokenizer_source_, out / fs::path(tokenizer_source_).filename(),
                    fs::copy_options::overwrite_existing);
    }
    if (!fs::exists(out / "tokenizer.json") && !fs::exists(out / "tokenizer_config.json")) {
      // A bare vocab.txt: tell Hugging Face's AutoTokenizer which tokenizer it is.
      write_file((out / "tokenizer_config.json").string(),
                 R"({"tokenizer_class": "BertTokenizer", "do_lower_case": true, "model_max_length": )" +
                     std::to_string(max_length_) +
                     R"(, "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]", "mask_token": "[MASK]"})"
                     "\n");
    }
  }

  const std::vector<std::string>& labels() const override { return model_->config().labels.id2label; }
  std::string kind() const override { return model_->config().model_type; }
  int64_t max_length() const override { return max_length_; }
  bool multilabel() const override { return model_->config().multilabel(); }
  void set_multilabel(bool multilabel) override {
    model_->set_problem_type(multilabel ? "multi_label_classification" : "single_label_classification");
  }

 private:
  std::shared_ptr<EncoderClassifierImpl> model_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::string tokenizer_source_;  // checkpoint directory or the preset's vocab.txt
  int64_t max_length_;
};

}  // namespace

std::unique_ptr<TextClassifier> load_encoder_text_classifier(const std::string& dir_or_preset,
                                                             const TextClassifierOptions& options) {
  if (options.max_length < 3) {
    throw Error("max_length " + std::to_string(options.max_length) + " leaves no room for text ([CLS] x [SEP])");
  }
  std::shared_ptr<EncoderClassifierImpl> model;
  std::string tokenizer_source;
  LabelConfig labels = options.labels.empty() ? LabelConfig::default_labels(options.num_labels)
                                              : LabelConfig{options.labels};
  if (auto preset = encoder_preset(dir_or_preset, labels)) {
    model = make_encoder_classifier(*preset);
    tokenizer_source = preset_vocab_path();
  } else if (fs::is_directory(dir_or_preset)) {
    model = load_encoder_classifier(dir_or_preset, options.labels);
    tokenizer_source = dir_or_preset;
  } else {
    std::string names;
    for (const auto& n : encoder_preset_names()) names += (names.empty() ? "" : ", ") + n;
    throw Error(dir_or_preset + ": neither a checkpoint directory nor an encoder preset (" + names + ")");
  }
  std::unique_ptr<Tokenizer> tokenizer = Tokenizer::load(tokenizer_source);
  const EncoderConfig& c = model->config();
  if (static_cast<int64_t>(tokenizer->vocab_size()) > c.vocab_size) {
    throw Error(tokenizer_source + ": the tokenizer has " + std::to_string(tokenizer->vocab_size()) +
                " tokens but the model's vocab_size is " + std::to_string(c.vocab_size));
  }
  int64_t max_length = std::min(options.max_length, c.max_position_embeddings);
  model->eval();
  return std::make_unique<EncoderTextClassifier>(std::move(model), std::move(tokenizer), tokenizer_source, max_length);
}

}  // namespace mom::models
