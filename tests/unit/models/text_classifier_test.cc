// TextClassifier over encoders: presets, tokenizer batching/truncation, save -> load (HF layout).
#include "models/text_classifier.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "core/error.h"
#include "core/json_util.h"
#include "tests/support/test_support.h"

namespace mom::models {
namespace {

using mom::testing::TempDir;

std::string long_text(int words, const std::string& tail) {
  std::string s;
  for (int i = 0; i < words; ++i) s += "word" + std::to_string(i % 50) + " ";
  return s + tail;
}

class PresetTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PresetTest, BatchingTruncationAndSaveLoad) {
  torch::manual_seed(7);
  TextClassifierOptions options;
  options.labels = {"org/a", "org/b", "org/c"};
  options.max_length = 64;
  auto clf = load_text_classifier(GetParam(), options);
  EXPECT_EQ(clf->labels(), options.labels);
  EXPECT_EQ(clf->max_length(), 64);
  EXPECT_FALSE(clf->multilabel());
  torch::NoGradGuard no_grad;
  std::vector<std::string> texts = {"What is the integral of x^2?", "Bonjour, ça va ?",
                                    "Explain the holding in Marbury v. Madison in two sentences please."};
  torch::Tensor batch = clf->logits(texts);
  ASSERT_EQ(batch.sizes(), (c10::IntArrayRef{3, 3}));
  // A row of a padded batch equals the text run alone.
  for (size_t i = 0; i < texts.size(); ++i) {
    torch::Tensor alone = clf->logits({texts[i]});
    EXPECT_LE((alone[0] - batch[static_cast<int64_t>(i)]).abs().max().item<double>(), 1e-5) << texts[i];
  }
  // Texts longer than max_length are truncated: what comes after the cut does not matter.
  torch::Tensor a = clf->logits({long_text(300, "alpha beta")});
  torch::Tensor b = clf->logits({long_text(300, "gamma delta epsilon")});
  EXPECT_TRUE(torch::allclose(a, b));
  EXPECT_THROW(clf->logits({std::string("bad \xff utf8")}), Error);

  TempDir dir;
  clf->save(dir.path());
  for (const char* f : {"config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json"}) {
    EXPECT_TRUE(std::filesystem::exists(dir.file(f))) << f;
  }
  Json config = read_json_file(dir.file("config.json"));
  EXPECT_EQ(config["model_type"], GetParam().substr(0, GetParam().find('-')));
  EXPECT_EQ(config["id2label"]["2"], "org/c");
  auto back = load_text_classifier(dir.path(), {{}, 2, 64});
  EXPECT_EQ(back->labels(), options.labels);
  EXPECT_TRUE(torch::allclose(back->logits(texts), batch, 1e-6, 1e-6));
  // Parameters carry Hugging Face names.
  bool found = false;
  for (const auto& [name, t] : back->named_parameters()) found |= name == "classifier.weight";
  EXPECT_TRUE(found);
}

INSTANTIATE_TEST_SUITE_P(Presets, PresetTest, ::testing::Values("bert-tiny", "modernbert-tiny"));

TEST(TextClassifierTest, UnknownNamesAndTypes) {
  try {
    load_text_classifier("no-such-preset-or-dir");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("modernbert-tiny"), std::string::npos) << e.what();
  }
  TempDir dir;
  dir.write("config.json", R"({"model_type":"gpt2"})");
  try {
    load_text_classifier(dir.path());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("gpt2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("config.json"), std::string::npos) << e.what();
  }
}

TEST(TextClassifierTest, TrainingStepChangesLogits) {
  torch::manual_seed(1);
  auto clf = load_text_classifier("bert-tiny", {{"x", "y"}, 2, 32});
  std::vector<torch::Tensor> params;
  for (auto& [name, t] : clf->named_parameters()) params.push_back(t);
  torch::optim::AdamW opt(params, torch::optim::AdamWOptions(1e-3));
  clf->set_training(false);
  torch::Tensor before;
  {
    torch::NoGradGuard g;
    before = clf->logits({"a math question"});
  }
  clf->set_training(true);
  for (int i = 0; i < 5; ++i) {
    opt.zero_grad();
    torch::Tensor loss = torch::cross_entropy_loss(clf->logits({"a math question"}), torch::tensor({1}));
    loss.backward();
    opt.step();
  }
  clf->set_training(false);
  torch::NoGradGuard g;
  torch::Tensor after = clf->logits({"a math question"});
  EXPECT_GT((after[0][1] - after[0][0]).item<double>(), (before[0][1] - before[0][0]).item<double>());
}

}  // namespace
}  // namespace mom::models
