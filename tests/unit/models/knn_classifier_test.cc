// The kNN router: scores are the similarity-weighted correctness (or label share) of the nearest
// training questions, computed here from SimilarityIndex's neighbours by hand.
#include "models/knn_classifier.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/error.h"
#include "core/safetensors/safetensors.h"
#include "core/similarity_index.h"
#include "models/text_classifier.h"
#include "tests/support/test_support.h"

namespace mom::models {
namespace {

KnnTrainingSet training_set() {
  KnnTrainingSet s;
  s.texts = {"which planet is closest to the sun", "which planet has the most moons", "what is the boiling point of water",
             "who wrote the iliad"};
  // models A, B: A right on the astronomy questions, B on the others
  s.correct = {1, 0, 1, 1, 0, 1, 0, 1};
  s.labels = {0, 0, 1, -1};
  return s;
}

std::vector<float> probabilities(TextClassifier& model, const std::string& text) {
  auto logits = model.logits({text});
  auto p = (model.multilabel() ? torch::sigmoid(logits) : torch::softmax(logits, 1)).contiguous();
  return {p.data_ptr<float>(), p.data_ptr<float>() + p.numel()};
}

TEST(KnnClassifier, ScoresAreNeighbourWeightedCorrectness) {
  KnnConfig config;
  config.id2label = {"A", "B"};
  config.neighbours = 2;
  KnnTrainingSet set = training_set();
  auto model = fit_knn_text_classifier(config, set);
  EXPECT_TRUE(model->named_parameters().empty());
  EXPECT_EQ(model->kind(), "mom-knn");
  SimilarityIndex index = SimilarityIndex::build(set.texts);
  for (const std::string q : {"which planet is closest", "boiling water", "the iliad and the sun"}) {
    auto nb = index.nearest(q, 2);
    ASSERT_FALSE(nb.empty()) << q;
    double total = 0, a = 0, b = 0;
    for (const auto& n : nb) {
      total += n.similarity;
      a += n.similarity * set.correct[n.row * 2];
      b += n.similarity * set.correct[n.row * 2 + 1];
    }
    auto p = probabilities(*model, q);
    EXPECT_NEAR(p[0], std::clamp(a / total, 1e-6, 1 - 1e-6), 1e-5) << q;
    EXPECT_NEAR(p[1], std::clamp(b / total, 1e-6, 1 - 1e-6), 1e-5) << q;
  }
  // No shared word: the training-set rates (A 2/4, B 3/4).
  auto p = probabilities(*model, "zebra quokka");
  EXPECT_NEAR(p[0], 0.5, 1e-5);
  EXPECT_NEAR(p[1], 0.75, 1e-5);
}

TEST(KnnClassifier, BestObjectiveUsesLabelShares) {
  KnnConfig config;
  config.id2label = {"A", "B"};
  config.neighbours = 4;
  config.multilabel = false;
  auto model = fit_knn_text_classifier(config, training_set());
  auto p = probabilities(*model, "which planet");  // both astronomy questions (label A) share words
  EXPECT_GT(p[0], 0.99);
  // Default neighbours: a tenth of the questions, at least one.
  config.neighbours = 0;
  auto one = fit_knn_text_classifier(config, training_set());
  auto q = probabilities(*one, "what is the boiling point of water");
  EXPECT_NEAR(q[1], 1.0, 1e-4);  // its own nearest question is labelled B
}

TEST(KnnClassifier, SaveLoadRoundTripThroughLoadTextClassifier) {
  testing::TempDir dir;
  KnnConfig config;
  config.id2label = {"A", "B"};
  config.neighbours = 3;
  auto model = fit_knn_text_classifier(config, training_set());
  model->save(dir.path());
  EXPECT_TRUE(is_knn_checkpoint(dir.path()));
  auto loaded = load_text_classifier(dir.path());
  EXPECT_EQ(loaded->kind(), "mom-knn");
  EXPECT_EQ(loaded->labels(), config.id2label);
  for (const std::string q : {"planet moons", "water", "zebra"})
    EXPECT_TRUE(torch::allclose(model->logits({q}), loaded->logits({q}))) << q;
}

TEST(KnnClassifier, BadInputIsNamed) {
  KnnConfig config;
  config.id2label = {"A", "B"};
  KnnTrainingSet set = training_set();
  set.correct.pop_back();
  EXPECT_THROW(fit_knn_text_classifier(config, set), Error);
  set = training_set();
  set.labels[0] = 2;
  EXPECT_THROW(fit_knn_text_classifier(config, set), Error);
  EXPECT_THROW(fit_knn_text_classifier(config, KnnTrainingSet{}), Error);

  testing::TempDir dir;
  fit_knn_text_classifier(config, training_set())->save(dir.path());
  std::vector<uint8_t> wrong(3, 0);
  safetensors::write(dir.path() + "/model.safetensors", {{"correct", safetensors::DType::kU8, {3, 1}, wrong.data()}});
  try {
    load_knn_text_classifier(dir.path());
    FAIL() << "loaded a correctness tensor of the wrong shape";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.safetensors"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mom::models
