// Tokenization models of a tokenizer.json ("model"): BPE, WordPiece and WordLevel (Unigram is in
// unigram_model.h) turn one pre-tokenized piece into ids.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/json_util.h"

namespace mom::tok {

// Token <-> id table. Ids may have holes; lookups by string_view do not allocate.
class Vocab {
 public:
  Vocab() = default;
  Vocab(Vocab&&) = default;  // moving keeps the token buffers, so the index views stay valid
  Vocab& operator=(Vocab&&) = default;
  Vocab(const Vocab&) = delete;
  Vocab& operator=(const Vocab&) = delete;

  // Throws mom::Error naming `where` on a duplicate id or a negative id.
  static Vocab from_json(const Json& object, const std::string& where);
  static Vocab from_tokens(std::vector<std::string> tokens);  // id = position

  std::optional<int32_t> find(std::string_view token) const {
    auto it = index_.find(token);
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }
  // nullptr when `id` has no token.
  const std::string* token(int32_t id) const {
    if (id < 0 || static_cast<size_t>(id) >= tokens_.size() || !present_[id]) return nullptr;
    return &tokens_[id];
  }
  size_t size() const { return index_.size(); }

 private:
  void build_index();
  std::vector<std::string> tokens_;
  std::vector<bool> present_;
  std::unordered_map<std::string_view, int32_t> index_;  // views into tokens_
};

// Immutable after construction (apart from internally locked caches); safe to share between
// threads.
class Model {
 public:
  virtual ~Model() = default;
  // Appends the ids of one pre-tokenized piece (non-empty, valid UTF-8) to `out`.
  virtual void tokenize(std::string_view piece, std::vector<int32_t>& out) const = 0;
  virtual const Vocab& vocab() const = 0;
};

// Builds the model a tokenizer.json describes. Throws mom::Error naming `where` and the field.
std::unique_ptr<Model> make_model(const Json& config, const std::string& where);

// WordPiece over `vocab` (greedy longest match first, "##"-style continuation prefix).
std::unique_ptr<Model> make_wordpiece_model(Vocab vocab, const std::string& unk_token,
                                            const std::string& continuing_subword_prefix,
                                            size_t max_input_chars_per_word);

}  // namespace mom::tok
