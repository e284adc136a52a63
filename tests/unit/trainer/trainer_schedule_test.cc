// Batching and schedule: deterministic, length-bucketed, independent of the rank count.
#include <gtest/gtest.h>

#include <set>

#include "trainer/trainer.h"

namespace mom::trainer {
namespace {

TEST(TrainerSchedule, EpochBatchesAreDeterministicAndCoverTheData) {
  std::vector<size_t> train, lengths;
  for (size_t i = 0; i < 103; ++i) {
    train.push_back(i);
    lengths.push_back((i * 37) % 101);
  }
  auto a = epoch_batches(train, lengths, 10, 42, 0);
  auto b = epoch_batches(train, lengths, 10, 42, 0);
  auto c = epoch_batches(train, lengths, 10, 42, 1);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  ASSERT_EQ(a.size(), 11u);
  std::multiset<size_t> seen;
  for (const auto& batch : a) {
    EXPECT_LE(batch.size(), 10u);
    seen.insert(batch.begin(), batch.end());
  }
  EXPECT_EQ(seen, std::multiset<size_t>(train.begin(), train.end()));
  // One chunk of 50 batches here: batches are length-sorted runs, so they do not overlap in length.
  for (const auto& x : a)
    for (const auto& y : a) {
      if (&x == &y) continue;
      size_t x_max = 0, y_min = 1000, y_max = 0, x_min = 1000;
      for (size_t q : x) x_max = std::max(x_max, lengths[q]), x_min = std::min(x_min, lengths[q]);
      for (size_t q : y) y_max = std::max(y_max, lengths[q]), y_min = std::min(y_min, lengths[q]);
      EXPECT_TRUE(x_max <= y_min || y_max <= x_min);
    }
}

TEST(TrainerSchedule, RankShardsPartitionTheGlobalBatch) {
  std::vector<size_t> batch = {5, 9, 2, 7, 1};
  for (int size : {1, 2, 3, 8}) {
    std::vector<size_t> joined;
    for (int r = 0; r < size; ++r) {
      auto s = rank_shard(batch, r, size);
      joined.insert(joined.end(), s.begin(), s.end());
    }
    EXPECT_EQ(joined, batch) << size;
  }
}

TEST(TrainerSchedule, WarmupThenLinearDecay) {
  EXPECT_DOUBLE_EQ(learning_rate_at(0, 100, 10, 1.0), 0.1);
  EXPECT_DOUBLE_EQ(learning_rate_at(9, 100, 10, 1.0), 1.0);
  EXPECT_DOUBLE_EQ(learning_rate_at(10, 100, 10, 1.0), 1.0);
  EXPECT_DOUBLE_EQ(learning_rate_at(55, 100, 10, 1.0), 0.5);
  EXPECT_DOUBLE_EQ(learning_rate_at(100, 100, 10, 1.0), 0.0);
  EXPECT_DOUBLE_EQ(learning_rate_at(0, 4, 0, 2.0), 2.0);
}

}  // namespace
}  // namespace mom::trainer
