// How close a question is to the questions a router was trained on: a TF-IDF nearest-neighbour
// index over hashed word unigrams and bigrams. The routing policy falls back to its default model
// for questions far from the training data (routers are unreliable there), and the kNN router
// reads per-model correctness off a question's neighbours. No torch; pure C++.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mom {

// Features of one text: lower-cased ASCII, tokens are maximal runs of ASCII letters/digits or of
// non-ASCII bytes (so UTF-8 words stay whole); every token and every pair of adjacent tokens is
// one feature, hashed with 64-bit FNV-1a. Returns (feature, count) sorted by feature.
std::vector<std::pair<uint64_t, uint32_t>> text_features(std::string_view text);

struct Neighbour {
  uint32_t row = 0;   // index of the indexed text (build order)
  float similarity = 0;  // cosine of the TF-IDF vectors, in [0, 1]
};

// Immutable after build()/load(); every const method is thread-safe.
// Weights: idf(f) = ln((1 + N) / (1 + df(f))) + 1, tf weight 1 + ln(count), rows and queries
// L2-normalised. A query's features never seen in the index count in its norm (novel words make
// it less similar) but match nothing.
class SimilarityIndex {
 public:
  SimilarityIndex() = default;
  static SimilarityIndex build(const std::vector<std::string>& texts);
  // Throws mom::Error naming `path` for a missing file or a malformed index.
  static SimilarityIndex load(const std::string& path);
  // One .safetensors file (tensors features, idf, offsets, rows, weights).
  void save(const std::string& path) const;

  size_t size() const { return documents_; }
  bool empty() const { return documents_ == 0; }

  // The `k` most similar indexed texts, most similar first (ties: lower row first). Rows with no
  // shared feature are not returned, so the result may be shorter than k.
  std::vector<Neighbour> nearest(std::string_view text, size_t k) const;
  // Mean similarity of the k nearest (missing neighbours count 0): the out-of-distribution score.
  double similarity(std::string_view text, size_t k) const;

 private:
  size_t documents_ = 0;
  // Inverted index, feature-major: features_[i] (sorted) has idf_[i] and postings
  // [offsets_[i], offsets_[i + 1]) of (rows_, weights_); weights are final (normalised) row values.
  std::vector<uint64_t> features_;
  std::vector<float> idf_;
  std::vector<uint64_t> offsets_;
  std::vector<uint32_t> rows_;
  std::vector<float> weights_;
};

}  // namespace mom
