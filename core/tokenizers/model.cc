// BPE (with byte fallback, continuing-subword prefix, end-of-word suffix, ignore_merges),
// WordPiece and WordLevel models.
#include "core/tokenizers/model.h"

#include <array>
#include <cstdio>
#include <mutex>
#include <queue>

#include "core/error.h"
#include "core/tokenizers/json_fields.h"
#include "core/tokenizers/unicode_util.h"
#include "core/tokenizers/unigram_model.h"

namespace mom::tok {

Vocab Vocab::from_json(const Json& object, const std::string& where) {
  if (!object.is_object()) throw Error(where + ": field 'vocab' is not an object of token -> id");
  Vocab v;
  int64_t max_id = -1;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (!it.value().is_number_integer() || it.value().get<int64_t>() < 0 ||
        it.value().get<int64_t>() > INT32_MAX) {
      throw Error(where + ": field 'vocab' entry '" + it.key() + "' has no valid id");
    }
    max_id = std::max<int64_t>(max_id, it.value().get<int64_t>());
  }
  v.tokens_.resize(static_cast<size_t>(max_id + 1));
  v.present_.assign(v.tokens_.size(), false);
  for (auto it = object.begin(); it != object.end(); ++it) {
    auto id = static_cast<size_t>(it.value().get<int64_t>());
    if (v.present_[id]) {
      throw Error(where + ": field 'vocab' gives id " + std::to_string(id) + " to both '" +
                  v.tokens_[id] + "' and '" + it.key() + "'");
    }
    v.tokens_[id] = it.key();
    v.present_[id] = true;
  }
  v.build_index();
  return v;
}

Vocab Vocab::from_tokens(std::vector<std::string> tokens) {
  Vocab v;
  v.tokens_ = std::move(tokens);
  v.present_.assign(v.tokens_.size(), true);
  v.build_index();
  return v;
}

void Vocab::build_index() {
  index_.clear();
  index_.reserve(tokens_.size());
  for (size_t id = 0; id < tokens_.size(); ++id) {
    // A repeated token keeps its first id (as a vocab.txt read line by line does).
    if (present_[id]) index_.emplace(std::string_view(tokens_[id]), static_cast<int32_t>(id));
  }
}

namespace {

// Word -> ids memo for BPE, sharded to keep lock contention low. Stops growing when full.
class BpeCache {
 public:
  bool get(std::string_view word, std::vector<int32_t>& out) const {
    Shard& shard = shards_[hash(word)];
    std::lock_guard<std::mutex> lock(shard.mutex);
    auto it = shard.map.find(std::string(word));
    if (it == shard.map.end()) return false;
    out.insert(out.end(), it->second.begin(), it->second.end());
    return true;
  }
  void put(std::string_view word, const int32_t* ids, size_t n) const {
    if (word.size() > kMaxWordBytes) return;
    Shard& shard = shards_[hash(word)];
    std::lock_guard<std::mutex> lock(shard.mutex);
    if (shard.map.size() >= kShardCapacity) return;
    shard.map.emplace(std::string(word), std::vector<int32_t>(ids, ids + n));
  }

 private:
  static constexpr size_t kShards = 16, kShardCapacity = 4096, kMaxWordBytes = 256;
  struct Shard {
    std::mutex mutex;  // guards map
    std::unordered_map<std::string, std::vector<int32_t>> map;
  };
  static size_t hash(std::string_view word) {
    return std::hash<std::string_view>()(word) % kShards;
  }
  mutable std::array<Shard, kShards> shards_;
};

class BpeModel : public Model {
 public:
  struct Options {
    std::optional<std::string> unk_token;
    std::string continuing_subword_prefix, end_of_word_suffix;
    bool fuse_unk = false, byte_fallback = false, ignore_merges = false;
  };

  BpeModel(Vocab vocab, const Json& merges, Options options, const std::string& where)
      : vocab_(std::move(vocab)), options_(std::move(options)) {
    if (options_.unk_token) {
      unk_id_ = vocab_.find(*options_.unk_token);
      // A missing unk token only matters if a character is unknown; Rust fails then too.
    }
    byte_ids_.fill(-1);
    if (options_.byte_fallback) {
      for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof(name), "<0x%02X>", b);
        if (auto id = vocab_.find(name)) byte_ids_[b] = *id;
      }
    }
    load_merges(merges, where);
  }

  const Vocab& vocab() const override { return vocab_; }

  void tokenize(std::string_view word, std::vector<int32_t>& out) const override {
    if (options_.ignore_merges) {
      if (auto id = vocab_.find(word)) {
        out.push_back(*id);
        return;
      }
    }
    if (cache_.get(word, out)) return;
    size_t first = out.size();
    merge_word(word, out);
    cache_.put(word, out.data() + first, out.size() - first);
  }

 private:
  static uint64_t pair_key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }

  void load_merges(const Json& merges, const std::string& where) {
    if (!merges.is_array()) throw Error(where + ": field 'merges' is not an array");
    merges_.reserve(merges.size());
    const std::string& prefix = options_.continuing_subword_prefix;
    for (size_t rank = 0; rank < merges.size(); ++rank) {
      const Json& m = merges[rank];
      std::string a, b;
      if (m.is_string()) {
        const std::string& s = m.get_ref<const std::string&>();
        size_t space = s.find(' ');
        if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos) {
          throw Error(where + ": field 'merges' entry " + std::to_string(rank) + " '" + s +
                      "' is not two tokens separated by one space");
        }
        a = s.substr(0, space);
        b = s.substr(space + 1);
      } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
        a = m[0].get<std::string>();
        b = m[1].get<std::string>();
      } else {
        throw Error(where + ": field 'merges' entry " + std::to_string(rank) +
                    " is neither \"a b\" nor [\"a\", \"b\"]");
      }
      auto id_a = vocab_.find(a), id_b = vocab_.find(b);
      std::string merged =
          a + (!prefix.empty() && b.compare(0, prefix.size(), prefix) == 0 ? b.substr(prefix.size())
                                                                           : b);
      auto id_merged = vocab_.find(merged);
      if (!id_a || !id_b || !id_merged) {
        throw Error(where + ": field 'merges' entry " + std::to_string(rank) + " ('" + a + "', '" +
                    b + "') uses a token missing from the vocab ('" +
                    (!id_a   ? a
                     : !id_b ? b
                             : merged) +
                    "')");
      }
      merges_[pair_key(*id_a, *id_b)] = {
          static_cast<int32_t>(rank),
          *id_merged};  // a repeated pair keeps its last rank, as in Rust
    }
  }

  struct Symbol {
    int32_t id;
    int32_t prev, next;
    bool alive;
  };

  void merge_word(std::string_view word, std::vector<int32_t>& out) const {
    std::vector<Symbol> symbols;
    symbols.reserve(word.size());
    auto add = [&](int32_t id) { symbols.push_back({id, 0, 0, true}); };
    std::optional<int32_t> pending_unk;  // fuse_unk merges a run of unknown characters into one
    std::string decorated;
    for (size_t pos = 0; pos < word.size();) {
      size_t start = pos;
      pos += utf8_length(static_cast<unsigned char>(word[pos]));
      std::string_view ch = word.substr(start, pos - start);
      std::string_view s = ch;
      bool is_first = start == 0, is_last = pos >= word.size();
      if ((!is_first && !options_.continuing_subword_prefix.empty()) ||
          (is_last && !options_.end_of_word_suffix.empty())) {
        decorated.clear();
        if (!is_first) decorated += options_.continuing_subword_prefix;
        decorated += ch;
        if (is_last) decorated += options_.end_of_word_suffix;
        s = decorated;
      }
      if (auto id = vocab_.find(s)) {
        if (pending_unk) {
          add(*pending_unk);
          pending_unk.reset();
        }
        add(*id);
        continue;
      }
      if (options_.byte_fallback) {
        bool all = true;
        for (char byte : s) all = all && byte_ids_[static_cast<unsigned char>(byte)] >= 0;
        if (all) {
          for (char byte : s) add(byte_ids_[static_cast<unsigned char>(byte)]);
          continue;
        }
      }
      if (options_.unk_token) {
        if (!unk_id_) {
          throw Error("BPE: unknown character and the unk_token '" + *options_.unk_token +
                      "' is not in the vocab");
        }
        if (pending_unk && !options_.fuse_unk) add(*pending_unk);
        pending_unk = *unk_id_;
      }
      // Without an unk_token an unknown character is dropped, as in the Rust implementation.
    }
    if (pending_unk) add(*pending_unk);

    const int32_t n = static_cast<int32_t>(symbols.size());
    for (int32_t i = 0; i < n; ++i) {
      symbols[i].prev = i - 1;
      symbols[i].next = i + 1 < n ? i + 1 : -1;
    }
    // Lowest merge rank first, leftmost position among equal ranks.
    struct Candidate {
      int32_t rank, pos, new_id;
      bool operator>(const Candidate& o) const {
        return rank != o.rank ? rank > o.rank : pos > o.pos;
      }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
    auto consider = [&](int32_t pos) {
      int32_t next = symbols[pos].next;
      if (next < 0) return;
      auto it = merges_.find(pair_key(symbols[pos].id, symbols[next].id));
      if (it != merges_.end()) queue.push({it->second.first, pos, it->second.second});
    };
    for (int32_t i = 0; i + 1 < n; ++i) consider(i);
    while (!queue.empty()) {
      Candidate top = queue.top();
      queue.pop();
      Symbol& left = symbols[top.pos];
      if (!left.alive || left.next < 0) continue;
      Symbol& right = symbols[left.next];
      auto it = merges_.find(pair_key(left.id, right.id));
      if (it == merges_.end() || it->second.second != top.new_id) continue;  // stale entry
      left.id = top.new_id;
      right.alive = false;
      left.next = right.next;
      if (right.next >= 0) symbols[right.next].prev = top.pos;
      if (left.prev >= 0) consider(left.prev);
      consider(top.pos);
    }
    for (const auto& s : symbols) {
      if (s.alive) out.push_back(s.id);
    }
  }

  Vocab vocab_;
  Options options_;
  std::optional<int32_t> unk_id_;
  std::array<int32_t, 256> byte_ids_;
  std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merges_;  // (a, b) -> (rank, merged id)
  BpeCache cache_;
};

class WordPieceModel : public Model {
 public:
  WordPieceModel(Vocab vocab, std::string unk_token, std::string prefix, size_t max_chars)
      : vocab_(std::move(vocab)),
        unk_token_(std::move(unk_token)),
        prefix_(std::move(prefix)),
        max_chars_(max_chars) {
    unk_id_ = vocab_.find(unk_token_);
  }

  const Vocab& vocab() const override { return vocab_; }

  void tokenize(std::string_view word, std::vector<int32_t>& out) const override {
    if (count_code_points(word) > max_chars_) return push_unk(out);
    size_t first = out.size();
    std::string candidate;
    for (size_t start = 0; start < word.size();) {
      size_t end = word.size();
      std::optional<int32_t> found;
      while (start < end) {
        std::string_view sub = word.substr(start, end - start);
        if (start > 0) {
          candidate.assign(prefix_);
          candidate.append(sub);
          found = vocab_.find(candidate);
        } else {
          found = vocab_.find(sub);
        }
        if (found) break;
        do {
          --end;  // back off one character
        } while (end > start && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80);
      }
      if (!found) {
        out.resize(first);
        return push_unk(out);
      }
      out.push_back(*found);
      start = end;
    }
  }

 private:
  void push_unk(std::vector<int32_t>& out) const {
    if (!unk_id_) throw Error("WordPiece: the unk_token '" + unk_token_ + "' is not in the vocab");
    out.push_back(*unk_id_);
  }

  Vocab vocab_;
  std::string unk_token_, prefix_;
  size_t max_chars_;
  std::optional<int32_t> unk_id_;
};

class WordLevelModel : public Model {
 public:
  WordLevelModel(Vocab vocab, std::string unk_token)
      : vocab_(std::move(vocab)), unk_token_(std::move(unk_token)) {
    unk_id_ = vocab_.find(unk_token_);
  }
  const Vocab& vocab() const override { return vocab_; }
  void tokenize(std::string_view word, std::vector<int32_t>& out) const override {
    if (auto id = vocab_.find(word)) {
      out.push_back(*id);
    } else if (unk_id_) {
      out.push_back(*unk_id_);
    } else {
      throw Error("WordLevel: '" + std::string(word) +
                  "' is not in the vocab and neither is the unk_token '" + unk_token_ + "'");
    }
  }

 private:
  Vocab vocab_;
  std::string unk_token_;
  std::optional<int32_t> unk_id_;
};

}  // namespace

std::unique_ptr<Model> make_wordpiece_model(Vocab vocab, const std::string& unk_token,
                                            const std::string& continuing_subword_prefix,
                                            size_t max_input_chars_per_word) {
  return std::make_unique<WordPieceModel>(std::move(vocab), unk_token, continuing_subword_prefix,
                                          max_input_chars_per_word);
}

std::unique_ptr<Model> make_model(const Json& config, const std::string& where) {
  if (!config.is_object()) throw Error(where + ": missing or not an object");
  // Old files omit "type": infer it from the fields, as the Rust deserializer does.
  std::string type = string_field(config, "type", "", where);
  if (type.empty()) {
    auto vocab = config.find("vocab");
    type = vocab != config.end() && vocab->is_array()     ? "Unigram"
           : config.contains("merges")                    ? "BPE"
           : config.contains("continuing_subword_prefix") ? "WordPiece"
                                                          : "WordLevel";
  }
  std::string here = where + " (" + type + ")";
  if (type == "BPE") {
    BpeModel::Options options;
    auto unk = config.find("unk_token");
    if (unk != config.end() && !unk->is_null())
      options.unk_token = string_field(config, "unk_token", "", here);
    options.continuing_subword_prefix = string_field(config, "continuing_subword_prefix", "", here);
    options.end_of_word_suffix = string_field(config, "end_of_word_suffix", "", here);
    options.fuse_unk = bool_field(config, "fuse_unk", false, here);
    options.byte_fallback = bool_field(config, "byte_fallback", false, here);
    options.ignore_merges = bool_field(config, "ignore_merges", false, here);
    auto dropout = config.find("dropout");
    if (dropout != config.end() && !dropout->is_null() && dropout->is_number() &&
        dropout->get<double>() > 0) {
      throw Error(here +
                  ": field 'dropout' > 0 (BPE dropout is a training-time option; set it to null)");
    }
    return std::make_unique<BpeModel>(Vocab::from_json(require_field(config, "vocab", here), here),
                                      require_field(config, "merges", here), std::move(options),
                                      here);
  }
  if (type == "WordPiece") {
    return make_wordpiece_model(
        Vocab::from_json(require_field(config, "vocab", here), here),
        string_field(config, "unk_token", "[UNK]", here),
        string_field(config, "continuing_subword_prefix", "##", here),
        static_cast<size_t>(int_field(config, "max_input_chars_per_word", 100, here)));
  }
  if (type == "WordLevel") {
    return std::make_unique<WordLevelModel>(
        Vocab::from_json(require_field(config, "vocab", here), here),
        string_field(config, "unk_token", "<unk>", here));
  }
  if (type == "Unigram") return make_unigram_model(config, here);
  throw Error(where + ": unsupported model type '" + type +
              "' (supported: BPE, WordPiece, WordLevel, Unigram)");
}

}  // namespace mom::tok
