// Stratified split: per-class Fisher-Yates shuffle with a 64-bit Mersenne twister (portable,
// unlike std::shuffle whose algorithm is up to the library).
#include "trainer/data_split.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "core/error.h"
#include "core/file_io.h"
#include "core/json_util.h"

namespace mom::trainer {

DataSplit stratified_split(const std::vector<int>& labels, double test_size, uint64_t seed) {
  if (!(test_size >= 0 && test_size < 1)) throw Error("--test_size must be in [0, 1), got " + std::to_string(test_size));
  DataSplit split;
  split.seed = seed;
  split.test_size = test_size;
  std::map<int, std::vector<size_t>> by_label;
  for (size_t i = 0; i < labels.size(); ++i) by_label[labels[i]].push_back(i);
  std::mt19937_64 rng(seed);
  for (auto& [label, members] : by_label) {
    for (size_t i = members.size(); i > 1; --i) std::swap(members[i - 1], members[rng() % i]);
    size_t n_test = static_cast<size_t>(std::llround(test_size * static_cast<double>(members.size())));
    if (n_test == 0 && test_size > 0 && members.size() >= 2) n_test = 1;
    if (n_test >= members.size() && members.size() > 0) n_test = members.size() - 1;
    split.test.insert(split.test.end(), members.begin(), members.begin() + static_cast<long>(n_test));
    split.train.insert(split.train.end(), members.begin() + static_cast<long>(n_test), members.end());
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.test.begin(), split.test.end());
  if (split.train.empty()) throw Error("the split leaves no training data");
  return split;
}

void save_split(const DataSplit& split, const std::string& path) {
  Json j{{"seed", split.seed}, {"test_size", split.test_size}, {"train", split.train}, {"test", split.test}};
  write_file(path, j.dump() + "\n");
}

DataSplit load_split(const std::string& path) {
  Json j = read_json_file(path);
  DataSplit split;
  try {
    split.seed = j.at("seed").get<uint64_t>();
    split.test_size = j.at("test_size").get<double>();
    split.train = j.at("train").get<std::vector<size_t>>();
    split.test = j.at("test").get<std::vector<size_t>>();
  } catch (const Json::exception& e) {
    throw Error(path + ": not a split file: " + e.what());
  }
  return split;
}

}  // namespace mom::trainer
