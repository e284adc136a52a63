// The deterministic, label-stratified train / held-out split, saved so evaluation can be redone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mom::trainer {

struct DataSplit {
  uint64_t seed = 0;
  double test_size = 0;
  std::vector<size_t> train;  // question indices (file order), ascending
  std::vector<size_t> test;
};

// Within each label class, shuffles the questions with `seed` and holds out
// round(test_size * class size) of them (at least one when the class has two or more and
// test_size > 0). The same labels and seed always give the same split. Throws mom::Error when
// test_size is outside [0, 1) or the split leaves no training data.
DataSplit stratified_split(const std::vector<int>& labels, double test_size, uint64_t seed);

// {"seed", "test_size", "train": [...], "test": [...]} and back (throws mom::Error naming the file).
void save_split(const DataSplit& split, const std::string& path);
DataSplit load_split(const std::string& path);

}  // namespace mom::trainer
