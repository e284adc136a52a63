// SimilarityIndex against an independent TF-IDF computed here over string features.
#include "core/similarity_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/safetensors/safetensors.h"
#include "tests/support/test_support.h"

namespace mom {
namespace {

// The documented rules, written out plainly: lower-case, split on anything that is not an ASCII
// letter/digit (non-ASCII bytes stay in words), unigrams + adjacent bigrams.
std::map<std::string, int> string_features(const std::string& text) {
  std::vector<std::string> tokens;
  std::string cur;
  for (unsigned char c : text) {
    char l = static_cast<char>(std::tolower(c));
    bool word = std::isalnum(c) || c >= 0x80;
    if (word) {
      cur += c >= 0x80 ? static_cast<char>(c) : l;
    } else if (!cur.empty()) {
      tokens.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) tokens.push_back(cur);
  std::map<std::string, int> f;
  for (size_t i = 0; i < tokens.size(); ++i) {
    ++f[tokens[i]];
    if (i > 0) ++f[tokens[i - 1] + " " + tokens[i]];
  }
  return f;
}

std::vector<double> reference_similarities(const std::vector<std::string>& docs, const std::string& query) {
  std::map<std::string, int> df;
  std::vector<std::map<std::string, int>> feats;
  for (const auto& d : docs) {
    feats.push_back(string_features(d));
    for (const auto& [k, v] : feats.back()) ++df[k];
  }
  double n = static_cast<double>(docs.size());
  auto vec = [&](const std::map<std::string, int>& f) {
    std::map<std::string, double> v;
    double norm = 0;
    for (const auto& [k, c] : f) {
      double idf = std::log((1 + n) / (1 + (df.count(k) ? df[k] : 0))) + 1;
      v[k] = (1 + std::log(static_cast<double>(c))) * idf;
      norm += v[k] * v[k];
    }
    for (auto& [k, x] : v) x /= std::sqrt(norm);
    return v;
  };
  auto q = vec(string_features(query));
  std::vector<double> out;
  for (const auto& f : feats) {
    auto d = vec(f);
    double dot = 0;
    for (const auto& [k, x] : q)
      if (d.count(k)) dot += x * d[k];
    out.push_back(dot);
  }
  return out;
}

const std::vector<std::string> kDocs = {
    "Which planet is closest to the Sun?",
    "What is the boiling point of water at sea level?",
    "The Sun is a star; which planet orbits it fastest?",
    "Wer schrieb den Roman \"Der Zauberberg\"? Café, Straße.",
    "Solve for x: 2x + 3 = 11.",
};

TEST(TextFeatures, UnigramsAndBigramsCaseInsensitive) {
  auto f = text_features("The cat, the CAT!");
  // the(2) cat(2) "the cat"(2) "cat the"(1)
  ASSERT_EQ(f.size(), 4u);
  uint32_t total = 0;
  for (const auto& [h, c] : f) total += c;
  EXPECT_EQ(total, 7u);
  EXPECT_EQ(text_features("The cat"), text_features("the   CAT"));
  EXPECT_NE(text_features("ab"), text_features("a b"));
  EXPECT_TRUE(text_features(" ,;!? ").empty());
  EXPECT_EQ(text_features("Café").size(), 1u);  // UTF-8 word kept whole
}

TEST(SimilarityIndex, MatchesAPlainTfIdfCosine) {
  SimilarityIndex index = SimilarityIndex::build(kDocs);
  ASSERT_EQ(index.size(), kDocs.size());
  for (const std::string query : {"which planet is closest to the sun", "boiling water", "Straße café roman",
                                  "solve 2x = 11 for x, quickly", "a question about nothing here"}) {
    std::vector<double> expected = reference_similarities(kDocs, query);
    std::vector<Neighbour> got = index.nearest(query, kDocs.size());
    std::vector<double> by_row(kDocs.size(), 0.0);
    for (const Neighbour& n : got) by_row[n.row] = n.similarity;
    for (size_t r = 0; r < kDocs.size(); ++r) EXPECT_NEAR(by_row[r], expected[r], 1e-5) << query << " row " << r;
    for (size_t i = 1; i < got.size(); ++i) EXPECT_GE(got[i - 1].similarity, got[i].similarity);
  }
}

TEST(SimilarityIndex, SelfSimilarityIsOneAndUnrelatedIsZero) {
  SimilarityIndex index = SimilarityIndex::build(kDocs);
  auto n = index.nearest(kDocs[1], 1);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].row, 1u);
  EXPECT_NEAR(n[0].similarity, 1.0, 1e-5);
  EXPECT_TRUE(index.nearest("zebra quokka", 3).empty());
  EXPECT_DOUBLE_EQ(index.similarity("zebra quokka", 3), 0.0);
  // Mean over k, missing neighbours count 0: one perfect match, no other document shares a
  // feature with it -> (1 + 0) / 2.
  EXPECT_NEAR(index.similarity("Solve for x: 2x + 3 = 11.", 2), 0.5, 1e-6);
  EXPECT_TRUE(SimilarityIndex().nearest("anything", 3).empty());
}

TEST(SimilarityIndex, SaveLoadRoundTrip) {
  testing::TempDir dir;
  SimilarityIndex index = SimilarityIndex::build(kDocs);
  std::string path = dir.path() + "/index.safetensors";
  index.save(path);
  SimilarityIndex loaded = SimilarityIndex::load(path);
  EXPECT_EQ(loaded.size(), index.size());
  for (const std::string query : {"planet sun", "water boiling point", "Zauberberg"}) {
    auto a = index.nearest(query, 3), b = loaded.nearest(query, 3);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].row, b[i].row);
      EXPECT_FLOAT_EQ(a[i].similarity, b[i].similarity);
    }
  }
}

TEST(SimilarityIndex, LoadErrorsNameTheFile) {
  testing::TempDir dir;
  auto expect_error = [](const std::string& path, const std::string& fragment) {
    try {
      SimilarityIndex::load(path);
      FAIL() << "loaded " << path;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  expect_error(dir.path() + "/missing.safetensors", "missing.safetensors");
  using safetensors::DType;
  std::vector<int64_t> features = {1, 2};
  std::vector<float> idf = {1, 1};
  std::vector<int64_t> offsets = {0, 1, 2};
  std::vector<int32_t> rows = {0, 5};  // row 5 of a 2-document index
  std::vector<float> weights = {1, 1};
  std::vector<safetensors::TensorToWrite> tensors = {{"features", DType::kI64, {2}, features.data()},
                                                     {"idf", DType::kF32, {2}, idf.data()},
                                                     {"offsets", DType::kI64, {3}, offsets.data()},
                                                     {"rows", DType::kI32, {2}, rows.data()},
                                                     {"weights", DType::kF32, {2}, weights.data()}};
  std::string bad_row = dir.path() + "/bad_row.safetensors";
  safetensors::write(bad_row, tensors, {{"format", "mom-tfidf-v1"}, {"documents", "2"}});
  expect_error(bad_row, "bad_row.safetensors: malformed similarity index: row 5");
  std::string bad_format = dir.path() + "/bad_format.safetensors";
  safetensors::write(bad_format, tensors, {{"format", "other"}, {"documents", "2"}});
  expect_error(bad_format, "format");
  rows = {0, 1};
  std::string short_idf = dir.path() + "/short.safetensors";
  tensors[1].shape = {1};
  safetensors::write(short_idf, tensors, {{"format", "mom-tfidf-v1"}, {"documents", "2"}});
  expect_error(short_idf, "lengths disagree");
}

}  // namespace
}  // namespace mom
