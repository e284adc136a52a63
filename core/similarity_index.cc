// SimilarityIndex: TF-IDF features, the inverted index, and its safetensors form.
#include "core/similarity_index.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "core/error.h"
#include "core/safetensors/safetensors.h"

namespace mom {
namespace {

constexpr uint64_t kFnvOffset = 1469598103934665603ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;
constexpr const char* kFormat = "mom-tfidf-v1";

uint64_t fnv1a(uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

bool word_byte(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80; }

float idf_of(size_t documents, size_t df) {
  return static_cast<float>(std::log((1.0 + static_cast<double>(documents)) / (1.0 + static_cast<double>(df))) + 1.0);
}

float tf_weight(uint32_t count) { return 1.0f + std::log(static_cast<float>(count)); }

}  // namespace

std::vector<std::pair<uint64_t, uint32_t>> text_features(std::string_view text) {
  std::string lower(text);
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  std::vector<uint64_t> hashes;
  uint64_t previous = 0;
  bool has_previous = false;
  for (size_t i = 0; i < lower.size();) {
    if (!word_byte(static_cast<unsigned char>(lower[i]))) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < lower.size() && word_byte(static_cast<unsigned char>(lower[end]))) ++end;
    std::string_view token(lower.data() + i, end - i);
    uint64_t unigram = fnv1a(kFnvOffset, token);
    hashes.push_back(unigram);
    if (has_previous) {
      // The bigram hash continues the previous token's with a separator, so "a b" != "ab".
      uint64_t bigram = fnv1a(fnv1a(previous, " "), token);
      hashes.push_back(bigram ^ 0x9e3779b97f4a7c15ull);
    }
    previous = unigram;
    has_previous = true;
    i = end;
  }
  std::sort(hashes.begin(), hashes.end());
  std::vector<std::pair<uint64_t, uint32_t>> out;
  for (uint64_t h : hashes) {
    if (!out.empty() && out.back().first == h)
      ++out.back().second;
    else
      out.emplace_back(h, 1);
  }
  return out;
}

SimilarityIndex SimilarityIndex::build(const std::vector<std::string>& texts) {
  SimilarityIndex index;
  index.documents_ = texts.size();
  std::vector<std::vector<std::pair<uint64_t, uint32_t>>> rows(texts.size());
  std::unordered_map<uint64_t, uint32_t> df;
  for (size_t r = 0; r < texts.size(); ++r) {
    rows[r] = text_features(texts[r]);
    for (const auto& f : rows[r]) ++df[f.first];
  }
  index.features_.reserve(df.size());
  for (const auto& [feature, count] : df) index.features_.push_back(feature);
  std::sort(index.features_.begin(), index.features_.end());
  std::unordered_map<uint64_t, uint32_t> position;
  position.reserve(index.features_.size());
  index.idf_.resize(index.features_.size());
  index.offsets_.assign(index.features_.size() + 1, 0);
  for (size_t i = 0; i < index.features_.size(); ++i) {
    position[index.features_[i]] = static_cast<uint32_t>(i);
    uint32_t count = df[index.features_[i]];
    index.idf_[i] = idf_of(texts.size(), count);
    index.offsets_[i + 1] = index.offsets_[i] + count;
  }
  index.rows_.resize(index.offsets_.back());
  index.weights_.resize(index.offsets_.back());
  std::vector<uint64_t> fill(index.offsets_.begin(), index.offsets_.end() - 1);
  for (size_t r = 0; r < rows.size(); ++r) {
    double norm = 0;
    std::vector<float> values(rows[r].size());
    for (size_t j = 0; j < rows[r].size(); ++j) {
      values[j] = tf_weight(rows[r][j].second) * index.idf_[position[rows[r][j].first]];
      norm += static_cast<double>(values[j]) * values[j];
    }
    float scale = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.f;
    for (size_t j = 0; j < rows[r].size(); ++j) {
      uint64_t slot = fill[position[rows[r][j].first]]++;
      index.rows_[slot] = static_cast<uint32_t>(r);
      index.weights_[slot] = values[j] * scale;
    }
  }
  return index;
}

std::vector<Neighbour> SimilarityIndex::nearest(std::string_view text, size_t k) const {
  if (documents_ == 0 || k == 0) return {};
  auto features = text_features(text);
  std::vector<std::pair<size_t, float>> matched;  // (feature position, query weight)
  double norm = 0;
  for (const auto& [feature, count] : features) {
    auto it = std::lower_bound(features_.begin(), features_.end(), feature);
    bool found = it != features_.end() && *it == feature;
    size_t pos = static_cast<size_t>(it - features_.begin());
    float w = tf_weight(count) * (found ? idf_[pos] : idf_of(documents_, 0));
    norm += static_cast<double>(w) * w;
    if (found) matched.emplace_back(pos, w);
  }
  if (matched.empty() || norm <= 0) return {};
  float scale = static_cast<float>(1.0 / std::sqrt(norm));
  std::vector<float> scores(documents_, 0.f);
  for (const auto& [pos, w] : matched) {
    float qw = w * scale;
    for (uint64_t p = offsets_[pos]; p < offsets_[pos + 1]; ++p) scores[rows_[p]] += qw * weights_[p];
  }
  std::vector<Neighbour> out;
  for (size_t r = 0; r < documents_; ++r)
    if (scores[r] > 0) out.push_back({static_cast<uint32_t>(r), std::min(scores[r], 1.0f)});
  auto better = [](const Neighbour& a, const Neighbour& b) {
    return a.similarity != b.similarity ? a.similarity > b.similarity : a.row < b.row;
  };
  if (out.size() > k) {
    std::partial_sort(out.begin(), out.begin() + static_cast<long>(k), out.end(), better);
    out.resize(k);
  } else {
    std::sort(out.begin(), out.end(), better);
  }
  return out;
}

double SimilarityIndex::similarity(std::string_view text, size_t k) const {
  if (k == 0) return 0;
  double sum = 0;
  for (const Neighbour& n : nearest(text, k)) sum += n.similarity;
  return sum / static_cast<double>(k);
}

void SimilarityIndex::save(const std::string& path) const {
  std::vector<int64_t> features(features_.begin(), features_.end());  // bit pattern kept
  std::vector<int64_t> offsets(offsets_.begin(), offsets_.end());
  std::vector<int32_t> rows(rows_.begin(), rows_.end());
  using safetensors::DType;
  auto n = [](size_t v) { return static_cast<int64_t>(v); };
  safetensors::write(path,
                     {{"features", DType::kI64, {n(features.size())}, features.data()},
                      {"idf", DType::kF32, {n(idf_.size())}, idf_.data()},
                      {"offsets", DType::kI64, {n(offsets.size())}, offsets.data()},
                      {"rows", DType::kI32, {n(rows.size())}, rows.data()},
                      {"weights", DType::kF32, {n(weights_.size())}, weights_.data()}},
                     {{"format", kFormat}, {"documents", std::to_string(documents_)}});
}

SimilarityIndex SimilarityIndex::load(const std::string& path) {
  auto file = safetensors::Checkpoint::open(path);
  auto bad = [&](const std::string& what) { return Error(path + ": malformed similarity index: " + what); };
  const auto& meta = file->metadata();
  auto format = meta.find("format");
  if (format == meta.end() || format->second != kFormat)
    throw bad("metadata \"format\" must be \"" + std::string(kFormat) + "\"");
  auto documents = meta.find("documents");
  SimilarityIndex index;
  try {
    index.documents_ = documents == meta.end() ? throw bad("metadata \"documents\" missing")
                                               : static_cast<size_t>(std::stoull(documents->second));
  } catch (const std::logic_error&) {
    throw bad("metadata \"documents\" is not a number");
  }
  if (index.documents_ > std::numeric_limits<uint32_t>::max())
    throw bad("metadata \"documents\" (" + std::to_string(index.documents_) + ") exceeds the 32-bit row range");
  auto vector_of = [&](const char* name, safetensors::DType dtype) -> const safetensors::TensorView& {
    const safetensors::TensorView& t = file->get(name);
    if (t.dtype != dtype || t.shape.size() != 1)
      throw bad(std::string("tensor '") + name + "' must be a 1-d " + safetensors::dtype_name(dtype));
    return t;
  };
  const auto& features = vector_of("features", safetensors::DType::kI64);
  const auto& idf = vector_of("idf", safetensors::DType::kF32);
  const auto& offsets = vector_of("offsets", safetensors::DType::kI64);
  const auto& rows = vector_of("rows", safetensors::DType::kI32);
  const auto& weights = vector_of("weights", safetensors::DType::kF32);
  size_t f = static_cast<size_t>(features.shape[0]);
  size_t nnz = static_cast<size_t>(rows.shape[0]);
  if (static_cast<size_t>(idf.shape[0]) != f || static_cast<size_t>(offsets.shape[0]) != f + 1 ||
      static_cast<size_t>(weights.shape[0]) != nnz)
    throw bad("tensor lengths disagree (features " + std::to_string(f) + ", idf " + std::to_string(idf.shape[0]) +
              ", offsets " + std::to_string(offsets.shape[0]) + ", rows " + std::to_string(nnz) + ", weights " +
              std::to_string(weights.shape[0]) + ")");
  const auto* fp = static_cast<const int64_t*>(features.data);
  const auto* op = static_cast<const int64_t*>(offsets.data);
  const auto* rp = static_cast<const int32_t*>(rows.data);
  index.features_.assign(fp, fp + f);
  index.idf_.assign(static_cast<const float*>(idf.data), static_cast<const float*>(idf.data) + f);
  index.offsets_.assign(op, op + f + 1);
  index.weights_.assign(static_cast<const float*>(weights.data), static_cast<const float*>(weights.data) + nnz);
  index.rows_.resize(nnz);
  for (size_t i = 0; i < nnz; ++i) {
    if (rp[i] < 0 || static_cast<size_t>(rp[i]) >= index.documents_)
      throw bad("row " + std::to_string(rp[i]) + " at posting " + std::to_string(i) + " is outside [0, " +
                std::to_string(index.documents_) + ")");
    index.rows_[i] = static_cast<uint32_t>(rp[i]);
  }
  if (index.offsets_.front() != 0 || index.offsets_.back() != nnz) throw bad("offsets must run from 0 to the posting count");
  for (size_t i = 0; i < f; ++i) {
    if (index.offsets_[i] > index.offsets_[i + 1]) throw bad("offsets decrease at feature " + std::to_string(i));
    if (i > 0 && index.features_[i - 1] >= index.features_[i]) throw bad("features are not sorted at " + std::to_string(i));
  }
  return index;
}

}  // namespace mom
