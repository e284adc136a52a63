// Unigram model, with the semantics of the Rust `tokenizers` crate (Unigram::encode_optimized and
// Unigram::tokenize):
// - every vocab piece that starts at a character boundary of the word is a candidate; the Viterbi
//   pass keeps, for each end position, the candidate with the highest total score (sum of piece
//   log-probabilities), the first one seen on a tie (candidates are seen by start position, then
//   by length, both ascending);
// - a character no single-character piece covers becomes an unk candidate with score
//   min(score) - 10;
// - consecutive unk pieces of a word are fused into one string (fuse_unk is always on), which is
//   then looked up: with byte_fallback it becomes its UTF-8 bytes as <0xXX> pieces when all of
//   them are in the vocab, otherwise unk_id.
#include "core/tokenizers/unigram_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "core/tokenizers/json_fields.h"
#include "core/tokenizers/unicode_util.h"

namespace mom::tok {
namespace {

constexpr double kUnkPenalty = 10.0;

// Byte trie over the vocab pieces: node -> (byte -> child) in one hash map, id of the piece that
// ends at each node (-1 when none).
class PieceTrie {
 public:
  PieceTrie() : ids_(1, -1) {}
  void insert(std::string_view piece, int32_t id) {
    uint32_t node = 0;
    for (unsigned char b : piece) {
      uint64_t key = (static_cast<uint64_t>(node) << 8) | b;
      auto it = children_.find(key);
      if (it == children_.end()) {
        uint32_t child = static_cast<uint32_t>(ids_.size());
        ids_.push_back(-1);
        it = children_.emplace(key, child).first;
      }
      node = it->second;
    }
    ids_[node] = id;  // a repeated piece keeps its last id, as the Rust token_to_ids map does
  }
  // Calls f(length_in_bytes, id) for every piece that is a prefix of `text`, shortest first.
  template <typename F>
  void common_prefixes(std::string_view text, F&& f) const {
    uint32_t node = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      auto it =
          children_.find((static_cast<uint64_t>(node) << 8) | static_cast<unsigned char>(text[i]));
      if (it == children_.end()) return;
      node = it->second;
      if (ids_[node] >= 0) f(i + 1, ids_[node]);
    }
  }
  int32_t find(std::string_view piece) const {
    uint32_t node = 0;
    for (unsigned char b : piece) {
      auto it = children_.find((static_cast<uint64_t>(node) << 8) | b);
      if (it == children_.end()) return -1;
      node = it->second;
    }
    return ids_[node];
  }

 private:
  std::unordered_map<uint64_t, uint32_t> children_;
  std::vector<int32_t> ids_;
};

class UnigramModel : public Model {
 public:
  UnigramModel(std::vector<std::string> pieces, std::vector<double> scores,
               std::optional<int32_t> unk_id, bool byte_fallback)
      : scores_(std::move(scores)), unk_id_(unk_id), byte_fallback_(byte_fallback) {
    for (size_t id = 0; id < pieces.size(); ++id)
      trie_.insert(pieces[id], static_cast<int32_t>(id));
    min_score_ = *std::min_element(scores_.begin(), scores_.end());
    vocab_ = Vocab::from_tokens(std::move(pieces));
  }
  const Vocab& vocab() const override { return vocab_; }

  void tokenize(std::string_view word, std::vector<int32_t>& out) const override {
    struct Best {
      double score = 0;
      size_t start = 0;
      int32_t id = -1;
      bool set = false;
    };
    const size_t n = word.size();
    std::vector<Best> best(n + 1);
    best[0].set = true;
    const double unk_score = min_score_ - kUnkPenalty;
    for (size_t start = 0; start < n;) {
      size_t char_len = utf8_length(static_cast<unsigned char>(word[start]));
      if (!best[start].set) {  // cannot happen: every character has a piece or an unk node
        start += char_len;
        continue;
      }
      const double base = best[start].score;
      bool has_single = false;
      auto relax = [&](size_t len, int32_t id, double score) {
        Best& target = best[start + len];
        double candidate = score + base;
        if (!target.set || candidate > target.score) {
          target.score = candidate;
          target.start = start;
          target.id = id;
          target.set = true;
        }
      };
      trie_.common_prefixes(word.substr(start), [&](size_t len, int32_t id) {
        relax(len, id, scores_[static_cast<size_t>(id)]);
        if (len == char_len) has_single = true;
      });
      if (!has_single) {
        if (!unk_id_) {
          throw Error("Unigram: no piece covers '" + std::string(word.substr(start, char_len)) +
                      "' and the model has no unk_id");
        }
        relax(char_len, *unk_id_, unk_score);
      }
      start += char_len;
    }
    // Back-track from the end, fusing runs of unk pieces.
    std::vector<std::string_view> pieces;
    size_t end = n, unk_end = std::string_view::npos;
    while (end > 0) {
      const Best& node = best[end];
      if (unk_id_ && node.id == *unk_id_) {
        if (unk_end == std::string_view::npos) unk_end = end;
      } else {
        if (unk_end != std::string_view::npos) {
          pieces.push_back(word.substr(end, unk_end - end));
          unk_end = std::string_view::npos;
        }
        pieces.push_back(word.substr(node.start, end - node.start));
      }
      end = node.start;
    }
    if (unk_end != std::string_view::npos) pieces.push_back(word.substr(0, unk_end));
    for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) emit(*it, out);
  }

 private:
  void emit(std::string_view piece, std::vector<int32_t>& out) const {
    int32_t id = trie_.find(piece);
    if (id >= 0) {
      out.push_back(id);
      return;
    }
    if (byte_fallback_) {
      size_t mark = out.size();
      bool all = true;
      for (unsigned char b : piece) {
        char name[8];
        std::snprintf(name, sizeof(name), "<0x%02X>", b);
        int32_t byte_id = trie_.find(name);
        if (byte_id < 0) {
          all = false;
          break;
        }
        out.push_back(byte_id);
      }
      if (all) return;
      out.resize(mark);
    }
    if (!unk_id_) {
      throw Error("Unigram: '" + std::string(piece) +
                  "' is not in the vocab and the model has no unk_id");
    }
    out.push_back(*unk_id_);
  }

  PieceTrie trie_;
  Vocab vocab_;
  std::vector<double> scores_;
  double min_score_ = 0;
  std::optional<int32_t> unk_id_;
  bool byte_fallback_;
};

}  // namespace

std::unique_ptr<Model> make_unigram_model(const Json& config, const std::string& where) {
  auto vocab_it = config.find("vocab");
  if (vocab_it == config.end() || !vocab_it->is_array()) {
    throw Error(where + ": field 'vocab' is missing or not an array of [piece, score]");
  }
  const Json& vocab = *vocab_it;
  if (vocab.empty()) throw Error(where + ": field 'vocab' is empty");
  if (vocab.size() > static_cast<size_t>(INT32_MAX))
    throw Error(where + ": field 'vocab' too large");
  std::vector<std::string> pieces;
  std::vector<double> scores;
  pieces.reserve(vocab.size());
  scores.reserve(vocab.size());
  for (size_t i = 0; i < vocab.size(); ++i) {
    const Json& entry = vocab[i];
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_number() ||
        !std::isfinite(entry[1].get<double>())) {
      throw Error(where + ": field 'vocab' entry " + std::to_string(i) +
                  " is not [piece (string), score (finite number)]: " + entry.dump());
    }
    std::string piece = entry[0].get<std::string>();
    check_utf8(piece, where + ": field 'vocab' entry " + std::to_string(i));
    pieces.push_back(std::move(piece));
    scores.push_back(entry[1].get<double>());
  }
  std::optional<int32_t> unk_id;
  auto unk_it = config.find("unk_id");
  if (unk_it != config.end() && !unk_it->is_null()) {
    if (!unk_it->is_number_integer() || unk_it->get<int64_t>() < 0 ||
        unk_it->get<int64_t>() >= static_cast<int64_t>(pieces.size())) {
      throw Error(where + ": field 'unk_id' (" + unk_it->dump() +
                  ") is not an index into 'vocab' (size " + std::to_string(pieces.size()) + ")");
    }
    unk_id = static_cast<int32_t>(unk_it->get<int64_t>());
  }
  bool byte_fallback = bool_field(config, "byte_fallback", false, where);
  return std::make_unique<UnigramModel>(std::move(pieces), std::move(scores), unk_id,
                                        byte_fallback);
}

}  // namespace mom::tok
