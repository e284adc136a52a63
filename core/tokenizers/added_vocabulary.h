// Added tokens of a tokenizer.json ("added_tokens"): strings matched in the text before
// pre-tokenization (special tokens such as <|im_end|> or [CLS], and user-added words).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mom::tok {

class Normalizer;

struct AddedToken {
  int32_t id = 0;
  std::string content;
  bool single_word = false;  // only matched when not inside a word
  bool lstrip = false;       // the match swallows whitespace on its left
  bool rstrip = false;       // ... and on its right
  bool normalized = true;    // matched in the normalized text rather than the raw text
  bool special = false;      // dropped by decode(skip_special_tokens)
};

// Immutable after construction; safe to share between threads.
class AddedVocabulary {
 public:
  AddedVocabulary() = default;
  // Normalized tokens are matched in their normalized form, so `normalizer` (may be null) is
  // applied to their content here.
  AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer);

  struct Split {
    size_t begin, end;             // bytes of the text
    std::optional<int32_t> token;  // the added token matched there, or nothing for plain text
  };
  // Splits `text` at the leftmost-longest matches of the raw (normalized == false) tokens, or of
  // the normalized ones; the splits cover the whole text.
  std::vector<Split> split(std::string_view text, bool normalized) const;

  std::optional<int32_t> token_to_id(std::string_view content) const;
  const std::string* id_to_token(int32_t id) const;  // nullptr when `id` is not an added token
  bool is_special(int32_t id) const;
  const std::vector<AddedToken>& tokens() const { return tokens_; }

 private:
  // A byte trie over the contents of one group of tokens.
  struct Trie {
    struct Node {
      std::unordered_map<unsigned char, int32_t> next;
      int32_t token = -1;  // index into tokens_
    };
    std::vector<Node> nodes{Node{}};
    bool first_byte[256] = {};
    void insert(std::string_view key, int32_t token);
  };

  std::vector<AddedToken> tokens_;
  Trie raw_trie_, normalized_trie_;
  std::unordered_map<std::string, int32_t> by_content_;
  std::unordered_map<int32_t, size_t> by_id_;  // id -> index into tokens_
};

}  // namespace mom::tok
