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

}  // namespace
}  // namespace mom::models
