// UTF-8 and Unicode helpers for the tokenizers: validation, code point iteration, character
// classes with the meaning the Hugging Face tokenizers (Rust) give them, and normalization forms.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mom::tok {

// Throws mom::Error "invalid UTF-8 at byte N" when `text` is not well-formed UTF-8.
void check_utf8(std::string_view text, const std::string& what);

// Decodes the code point starting at `text[pos]` (text must be valid UTF-8) and advances `pos`.
char32_t next_code_point(std::string_view text, size_t& pos);
// Appends the UTF-8 encoding of `c` to `out`.
void append_utf8(std::string& out, char32_t c);
// Byte length of the UTF-8 sequence that starts with `lead`.
inline size_t utf8_length(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}
// Number of code points in valid UTF-8 `text`.
size_t count_code_points(std::string_view text);
// Replaces invalid sequences with U+FFFD (like Rust's String::from_utf8_lossy).
std::string utf8_lossy(std::string_view bytes);

// Rust char::is_whitespace (the Unicode White_Space property).
bool is_whitespace(char32_t c);
// Rust char::is_alphanumeric / is_numeric (Nd, Nl, No) / is_alphabetic.
bool is_alphanumeric(char32_t c);
bool is_numeric(char32_t c);
// ASCII punctuation or a Unicode P* category: the punctuation of BertPreTokenizer and Punctuation.
bool is_punctuation(char32_t c);
// Unicode categories Cc, Cf or Co: what the Rust crate's `is_other` tests (it leaves out Cn, so
// unassigned code points survive BertNormalizer's clean_text).
bool is_other(char32_t c);
// Unicode general category Mn (what BertNormalizer's accent stripping removes after NFD).
bool is_nonspacing_mark(char32_t c);
// Unicode general category M (Mn, Mc, Me): what the StripAccents normalizer removes.
bool is_mark(char32_t c);
// The CJK ideograph blocks BertNormalizer surrounds with spaces.
bool is_cjk_ideograph(char32_t c);

enum class NormalForm { kNFC, kNFD, kNFKC, kNFKD };
std::string normalize_unicode(std::string_view text, NormalForm form);
// Per-character full lowercase mapping (no context rules such as final sigma), as Rust's
// char::to_lowercase applied character by character.
std::string lowercase(std::string_view text);

}  // namespace mom::tok
