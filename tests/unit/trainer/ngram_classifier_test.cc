// The ngram baseline: its features, its forward shape, and a save/load round trip.
#include "models/ngram_classifier.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/error.h"
#include "tests/support/test_support.h"

namespace mom::models {
namespace {

TEST(NgramClassifier, Features) {
  NgramConfig c;
  // words hi, there: 2 unigrams + 1 bigram; "<hi>": 2 trigrams + 1 four-gram; "<there>": 5 + 4 + 3.
  auto f = NgramClassifierImpl::features("Hi, there!", c);
  EXPECT_EQ(f.size(), 18u);
  EXPECT_EQ(f, NgramClassifierImpl::features("hi THERE", c));  // lower-cased, punctuation splits
  for (int64_t id : f) EXPECT_TRUE(id >= 0 && id < c.num_buckets);
  EXPECT_TRUE(NgramClassifierImpl::features("", c).empty());
  c.word_ngrams = 1;
  EXPECT_EQ(NgramClassifierImpl::features("hi there", c).size(), 17u);
}

TEST(NgramClassifier, ForwardAndRoundTrip) {
  testing::TempDir dir;
  NgramConfig c;
  c.num_buckets = 1000;
  c.embedding_dim = 8;
  c.id2label = {"a/one", "b/two", "c/three"};
  torch::manual_seed(1);
  NgramClassifier model(c);
  {
    torch::NoGradGuard g;
    for (auto& p : model->parameters()) p.uniform_(-1, 1);
  }
  std::vector<std::string> texts = {"what is an atom", "", "the king of france"};
  auto logits = model->forward(texts);
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{3, 3}));
  model->save(dir.path() + "/ckpt");
  EXPECT_TRUE(is_ngram_checkpoint(dir.path() + "/ckpt"));
  EXPECT_FALSE(is_ngram_checkpoint(dir.path()));
  NgramClassifier loaded = load_ngram_classifier(dir.path() + "/ckpt");
  EXPECT_EQ(loaded->config().id2label, c.id2label);
  EXPECT_TRUE(torch::allclose(loaded->forward(texts), logits));
}

TEST(NgramClassifier, TextClassifierInterfaceAndProblemType) {
  testing::TempDir dir;
  NgramConfig c;
  c.num_buckets = 64;
  c.embedding_dim = 4;
  c.id2label = {"a", "b"};
  auto model = make_ngram_text_classifier(NgramClassifier(c));
  EXPECT_FALSE(model->multilabel());
  model->set_multilabel(true);
  std::vector<std::string> names;
  for (auto& [name, tensor] : model->named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"embedding.weight", "classifier.weight", "classifier.bias"}));
  EXPECT_EQ(model->logits({"x y", "z"}).sizes(), (std::vector<int64_t>{2, 2}));
  model->save(dir.path());
  EXPECT_EQ(read_json_file(dir.file("config.json"))["problem_type"], "multi_label_classification");
  EXPECT_TRUE(load_ngram_classifier(dir.path())->config().multilabel);
}

}  // namespace
}  // namespace mom::models
