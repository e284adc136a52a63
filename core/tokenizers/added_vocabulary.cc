// Matching added tokens in text: leftmost-longest over a byte trie, with the single_word,
// lstrip and rstrip rules of the Rust implementation.
#include "core/tokenizers/added_vocabulary.h"

#include <unicode/uchar.h>

#include "core/tokenizers/normalizer.h"
#include "core/tokenizers/unicode_util.h"

namespace mom::tok {
namespace {

bool is_word_char(char32_t c) {
  if (c == '_' || is_alphanumeric(c)) return true;
  int8_t type = u_charType(c);
  return type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK ||
         type == U_COMBINING_SPACING_MARK || type == U_CONNECTOR_PUNCTUATION || c == 0x200C ||
         c == 0x200D;
}

// Start of the code point that ends right before `end`.
size_t previous_char_start(std::string_view text, size_t end) {
  size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  return start;
}

}  // namespace

void AddedVocabulary::Trie::insert(std::string_view key, int32_t token) {
  int32_t node = 0;
  for (char ch : key) {
    auto byte = static_cast<unsigned char>(ch);
    auto it = nodes[node].next.find(byte);
    if (it == nodes[node].next.end()) {
      nodes.push_back(Node{});
      int32_t child = static_cast<int32_t>(nodes.size() - 1);
      nodes[node].next.emplace(byte, child);
      node = child;
    } else {
      node = it->second;
    }
  }
  nodes[node].token = token;
  first_byte[static_cast<unsigned char>(key[0])] = true;
}

AddedVocabulary::AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer) {
  for (auto& token : tokens) {
    if (token.content.empty()) continue;  // never matches
    int32_t index = static_cast<int32_t>(tokens_.size());
    by_content_[token.content] = token.id;
    by_id_[token.id] = static_cast<size_t>(index);
    if (token.normalized) {
      std::string key = token.content;
      if (normalizer) normalizer->normalize(key);
      if (!key.empty()) normalized_trie_.insert(key, index);
    } else {
      raw_trie_.insert(token.content, index);
    }
    tokens_.push_back(std::move(token));
  }
}

std::vector<AddedVocabulary::Split> AddedVocabulary::split(std::string_view text,
                                                           bool normalized) const {
  const Trie& trie = normalized ? normalized_trie_ : raw_trie_;
  std::vector<Split> out;
  size_t done = 0;  // text before this is already emitted
  for (size_t pos = 0; pos < text.size();) {
    if (!trie.first_byte[static_cast<unsigned char>(text[pos])]) {
      ++pos;
      continue;
    }
    // Longest token starting at pos.
    int32_t best = -1;
    size_t best_end = 0;
    int32_t node = 0;
    for (size_t i = pos; i < text.size(); ++i) {
      auto it = trie.nodes[node].next.find(static_cast<unsigned char>(text[i]));
      if (it == trie.nodes[node].next.end()) break;
      node = it->second;
      if (trie.nodes[node].token >= 0) {
        best = trie.nodes[node].token;
        best_end = i + 1;
      }
    }
    if (best < 0) {
      ++pos;
      continue;
    }
    const AddedToken& token = tokens_[best];
    size_t start = pos, stop = best_end;
    pos = best_end;  // a match that is rejected below is still consumed, as with Aho-Corasick
    if (token.single_word) {
      bool start_ok = true, stop_ok = true;
      if (start > 0) {
        size_t p = previous_char_start(text, start);
        start_ok = !is_word_char(next_code_point(text, p));
      }
      if (stop < text.size()) {
        size_t p = stop;
        stop_ok = !is_word_char(next_code_point(text, p));
      }
      if (!start_ok || !stop_ok) continue;
    }
    if (token.lstrip) {
      while (start > done) {
        size_t p = previous_char_start(text, start), q = p;
        if (!is_whitespace(next_code_point(text, q))) break;
        start = p;
      }
    }
    if (token.rstrip) {
      while (stop < text.size()) {
        size_t q = stop;
        if (!is_whitespace(next_code_point(text, q))) break;
        stop = q;
      }
      pos = stop;
    }
    if (done < start) out.push_back({done, start, std::nullopt});
    out.push_back({start, stop, token.id});
    done = stop;
  }
  if (done < text.size() || text.empty()) out.push_back({done, text.size(), std::nullopt});
  return out;
}

std::optional<int32_t> AddedVocabulary::token_to_id(std::string_view content) const {
  auto it = by_content_.find(std::string(content));
  if (it == by_content_.end()) return std::nullopt;
  return it->second;
}

const std::string* AddedVocabulary::id_to_token(int32_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &tokens_[it->second].content;
}

bool AddedVocabulary::is_special(int32_t id) const {
  auto it = by_id_.find(id);
  return it != by_id_.end() && tokens_[it->second].special;
}

}  // namespace mom::tok
