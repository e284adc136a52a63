// SentencePiece's precompiled_charsmap: a Darts-clone double-array trie over replacement strings.
#include "core/tokenizers/precompiled_charsmap.h"

#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include <memory>

#include "core/error.h"
#include "core/tokenizers/unicode_util.h"

namespace mom::tok {
namespace {

// Darts-clone unit layout: bits 0-7 label (bit 31 set on value units), bit 8 has-leaf, bit 9
// offset scale, bits 10-31 offset; a value unit holds the value in bits 0-30.
bool has_leaf(uint32_t unit) { return (unit >> 8) & 1; }
uint32_t value_of(uint32_t unit) { return unit & 0x7FFFFFFFu; }
uint32_t label_of(uint32_t unit) { return unit & (0x80000000u | 0xFFu); }
uint32_t offset_of(uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); }

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

struct BreakIteratorDeleter {
  void operator()(UBreakIterator* it) const { ubrk_close(it); }
};

}  // namespace

std::string decode_base64(std::string_view text, const std::string& what) {
  auto digit = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  size_t end = text.size();
  size_t padding = 0;
  while (end > 0 && text[end - 1] == '=' && padding < 2) --end, ++padding;
  if (end % 4 == 1 || (padding > 0 && (end + padding) % 4 != 0)) {
    throw Error(what + ": malformed base64 (length " + std::to_string(text.size()) + ")");
  }
  std::string out;
  out.reserve(end / 4 * 3 + 2);
  uint32_t bits = 0;
  int count = 0;
  for (size_t i = 0; i < end; ++i) {
    int d = digit(text[i]);
    if (d < 0) {
      throw Error(what + ": malformed base64 (character " + std::to_string(i) +
                  " is not in the base64 alphabet)");
    }
    bits = (bits << 6) | static_cast<uint32_t>(d);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

PrecompiledCharsmap::PrecompiledCharsmap(std::string_view blob, const std::string& where) {
  std::string field = where + ": field 'precompiled_charsmap'";
  if (blob.size() < 4) {
    throw Error(field + " is too short (" + std::to_string(blob.size()) +
                " bytes; it starts with a 4-byte trie size)");
  }
  uint32_t trie_size = 0;
  for (int i = 3; i >= 0; --i) trie_size = (trie_size << 8) | static_cast<unsigned char>(blob[i]);
  if (trie_size == 0 || trie_size % 4 != 0 || trie_size > blob.size() - 4) {
    throw Error(field + ": trie size " + std::to_string(trie_size) +
                " is not a positive multiple of 4 within the " + std::to_string(blob.size() - 4) +
                " bytes after it");
  }
  units_.resize(trie_size / 4);
  for (size_t i = 0; i < units_.size(); ++i) {
    const auto* p = reinterpret_cast<const unsigned char*>(blob.data()) + 4 + 4 * i;
    units_[i] = static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
                static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
  }
  strings_ = std::string(blob.substr(4 + trie_size));
  check_utf8(strings_, field + " (normalized strings)");
  check_values(field);
}

// Walks every node of the trie once and checks that each value points at the start of a character
// in the string blob. Darts-clone shares identical subtrees (the trie is a DAWG), so nodes are
// marked as visited rather than counted along keys.
void PrecompiledCharsmap::check_values(const std::string& field) const {
  std::vector<bool> visited(units_.size(), false);
  std::vector<uint32_t> stack = {offset_of(units_[0])};
  while (!stack.empty()) {
    uint32_t node = stack.back();
    stack.pop_back();
    for (uint32_t c = 1; c < 256; ++c) {
      uint32_t child = node ^ c;
      if (child >= units_.size() || label_of(units_[child]) != c || visited[child]) continue;
      visited[child] = true;
      uint32_t next = child ^ offset_of(units_[child]);
      if (has_leaf(units_[child])) {
        if (next >= units_.size()) {
          throw Error(field + ": a trie value lies past the " + std::to_string(units_.size()) +
                      " units of the trie");
        }
        uint32_t value = value_of(units_[next]);
        if (value >= strings_.size() || is_continuation(strings_[value])) {
          throw Error(field + ": a trie value (" + std::to_string(value) +
                      ") is not the start of a character in the " +
                      std::to_string(strings_.size()) + " bytes of normalized strings");
        }
      }
      stack.push_back(next);
    }
  }
}

std::string_view PrecompiledCharsmap::replacement_at(uint32_t offset) const {
  std::string_view rest = std::string_view(strings_).substr(offset);
  return rest.substr(0, rest.find('\0'));
}

PrecompiledCharsmap::Match PrecompiledCharsmap::search(std::string_view text, bool longest) const {
  Match match;
  uint32_t node = offset_of(units_[0]);
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == 0) break;
    node ^= c;
    if (node >= units_.size() || label_of(units_[node]) != c) break;
    uint32_t unit = units_[node];
    node ^= offset_of(unit);
    if (has_leaf(unit) && node < units_.size()) {
      match.length = i + 1;
      match.replacement = replacement_at(value_of(units_[node]));
      if (!longest) break;
    }
  }
  return match;
}

std::string PrecompiledCharsmap::normalize_longest_match(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    Match m = longest_prefix(text.substr(pos));
    if (m.length > 0) {
      out += m.replacement;
      pos += m.length;
    } else {
      size_t n = utf8_length(static_cast<unsigned char>(text[pos]));
      out.append(text, pos, n);
      pos += n;
    }
  }
  return out;
}

std::string PrecompiledCharsmap::normalize(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  if (text.empty()) return out;
  // One character break iterator per thread (ICU iterators are not thread-safe).
  thread_local std::unique_ptr<UBreakIterator, BreakIteratorDeleter> iterator;
  UErrorCode status = U_ZERO_ERROR;
  if (!iterator) {
    iterator.reset(ubrk_open(UBRK_CHARACTER, "", nullptr, 0, &status));
    if (U_FAILURE(status)) throw Error(std::string("ICU ubrk_open: ") + u_errorName(status));
  }
  UText* utext = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status);
  if (U_FAILURE(status)) throw Error(std::string("ICU utext_openUTF8: ") + u_errorName(status));
  ubrk_setUText(iterator.get(), utext, &status);
  if (U_FAILURE(status)) {
    utext_close(utext);
    throw Error(std::string("ICU ubrk_setUText: ") + u_errorName(status));
  }
  size_t start = static_cast<size_t>(ubrk_first(iterator.get()));
  for (int32_t end = ubrk_next(iterator.get()); end != UBRK_DONE; end = ubrk_next(iterator.get())) {
    std::string_view grapheme = text.substr(start, static_cast<size_t>(end) - start);
    start = static_cast<size_t>(end);
    if (grapheme.size() < 6) {
      Match m = shortest_prefix(grapheme);
      if (m.length > 0) {
        out += m.replacement;
        continue;
      }
    }
    for (size_t pos = 0; pos < grapheme.size();) {
      size_t n = utf8_length(static_cast<unsigned char>(grapheme[pos]));
      std::string_view ch = grapheme.substr(pos, n);
      pos += n;
      Match m = shortest_prefix(ch);
      if (m.length > 0) {
        out += m.replacement;
      } else {
        out += ch;
      }
    }
  }
  utext_close(utext);
  return out;
}

}  // namespace mom::tok
