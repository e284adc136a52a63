// mom-train's flags: the original defaults, and the additions.
#include "trainer/train_config.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace mom::trainer {
namespace {

std::optional<TrainConfig> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "mom-train");
  return parse_train_args(static_cast<int>(args.size()), args.data());
}

TEST(TrainConfig, OriginalDefaults) {
  auto c = parse({"--data_path", "x.jsonl"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->batch_size, 128);
  EXPECT_EQ(c->eval_batch_size, 64);
  EXPECT_EQ(c->epochs, 3);
  EXPECT_DOUBLE_EQ(c->learning_rate, 1e-4);
  EXPECT_EQ(c->max_length, 256);
  EXPECT_DOUBLE_EQ(c->test_size, 0.1);
  EXPECT_EQ(c->gradient_accumulation_steps, 2);
  EXPECT_EQ(c->seed, 42u);
  EXPECT_FALSE(c->gpu);
  EXPECT_EQ(c->objective, Objective::kBest);
  EXPECT_FALSE(c->resume);
  EXPECT_DOUBLE_EQ(c->effective_learning_rate(), 1e-4);
}

TEST(TrainConfig, Flags) {
  auto c = parse({"--data_path", "x.jsonl", "--model_name", "ngram", "--batch_size", "16", "--objective", "multilabel",
                  "--resume", "--bucket_mb", "1.5", "--candidates", "1,7", "--gpu", "--seed", "7"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->model_name, "ngram");
  EXPECT_EQ(c->batch_size, 16);
  EXPECT_EQ(c->objective, Objective::kMultilabel);
  EXPECT_TRUE(c->resume);
  EXPECT_DOUBLE_EQ(c->bucket_mb, 1.5);
  EXPECT_EQ(c->candidates, "1,7");
  EXPECT_TRUE(c->gpu);
  EXPECT_EQ(c->seed, 7u);
  EXPECT_DOUBLE_EQ(c->effective_learning_rate(), 5e-3);  // ngram default when not given
  auto d = parse({"--data_path", "x", "--model_name", "ngram", "--learning_rate", "0.1"});
  EXPECT_DOUBLE_EQ(d->effective_learning_rate(), 0.1);
  EXPECT_EQ(d->to_json()["batch_size_is_global"], true);
}

TEST(TrainConfig, BadFlagsThrow) {
  EXPECT_THROW(parse({}), Error);  // --data_path required
  EXPECT_THROW(parse({"--data_path", "x", "--objective", "other"}), Error);
  EXPECT_THROW(parse({"--data_path", "x", "--batch_size", "0"}), Error);
  EXPECT_THROW(parse({"--data_path", "x", "--nope"}), Error);
}

}  // namespace
}  // namespace mom::trainer
