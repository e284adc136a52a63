// The stratified split: deterministic, stratified, saved and reloaded unchanged.
#include "trainer/data_split.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "tests/support/test_support.h"

namespace mom::trainer {
namespace {

TEST(DataSplit, StratifiedAndDeterministic) {
  std::vector<int> labels;
  for (int i = 0; i < 100; ++i) labels.push_back(0);
  for (int i = 0; i < 50; ++i) labels.push_back(1);
  for (int i = 0; i < 10; ++i) labels.push_back(2);
  labels.push_back(3);  // a class of one stays in training
  DataSplit a = stratified_split(labels, 0.1, 42);
  DataSplit b = stratified_split(labels, 0.1, 42);
  DataSplit c = stratified_split(labels, 0.1, 43);
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.test, b.test);
  EXPECT_NE(a.test, c.test);
  std::map<int, int> held;
  for (size_t i : a.test) held[labels[i]]++;
  EXPECT_EQ(held[0], 10);
  EXPECT_EQ(held[1], 5);
  EXPECT_EQ(held[2], 1);
  EXPECT_EQ(held[3], 0);
  std::set<size_t> all(a.train.begin(), a.train.end());
  all.insert(a.test.begin(), a.test.end());
  EXPECT_EQ(all.size(), labels.size());
  EXPECT_EQ(a.train.size() + a.test.size(), labels.size());
}

TEST(DataSplit, SavedAndLoaded) {
  testing::TempDir dir;
  DataSplit a = stratified_split({0, 0, 1, 1, 1, 0, 1, 0}, 0.25, 7);
  save_split(a, dir.file("split.json"));
  DataSplit b = load_split(dir.file("split.json"));
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.test, b.test);
  EXPECT_EQ(b.seed, 7u);
}

TEST(DataSplit, RejectsBadTestSize) {
  EXPECT_THROW(stratified_split({0, 1}, 1.0, 1), Error);
  EXPECT_THROW(stratified_split({0, 1}, -0.1, 1), Error);
}

}  // namespace
}  // namespace mom::trainer
