// UTF-8 handling and Unicode properties (ICU's uchar + Normalizer2).
#include "core/tokenizers/unicode_util.h"

#include <unicode/errorcode.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include "core/error.h"

namespace mom::tok {
namespace {

// Length of the valid UTF-8 sequence at text[pos], or 0 when it is malformed.
size_t valid_sequence_length(std::string_view text, size_t pos) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char b0 = byte(pos);
  if (b0 < 0x80) return 1;
  size_t n;
  char32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4, min = 0x10000;
  } else {
    return 0;
  }
  if (pos + n > text.size()) return 0;
  char32_t c = b0 & (0x7F >> n);
  for (size_t i = 1; i < n; ++i) {
    unsigned char b = byte(pos + i);
    if ((b & 0xC0) != 0x80) return 0;
    c = (c << 6) | (b & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  return n;
}

bool is_ascii(std::string_view text) {
  for (char ch : text) {
    if (static_cast<unsigned char>(ch) >= 0x80) return false;
  }
  return true;
}

}  // namespace

void check_utf8(std::string_view text, const std::string& what) {
  for (size_t pos = 0; pos < text.size();) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    size_t n = valid_sequence_length(text, pos);
    if (n == 0) {
      throw Error(what + ": invalid UTF-8 at byte " + std::to_string(pos) +
                  " (the text must be UTF-8 encoded)");
    }
    pos += n;
  }
}

char32_t next_code_point(std::string_view text, size_t& pos) {
  unsigned char b0 = static_cast<unsigned char>(text[pos]);
  size_t n = utf8_length(b0);
  if (n == 1) {
    ++pos;
    return b0;
  }
  char32_t c = b0 & (0x7F >> n);
  for (size_t i = 1; i < n; ++i) c = (c << 6) | (static_cast<unsigned char>(text[pos + i]) & 0x3F);
  pos += n;
  return c;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

size_t count_code_points(std::string_view text) {
  size_t n = 0;
  for (char ch : text) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  return n;
}

std::string utf8_lossy(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t pos = 0; pos < bytes.size();) {
    size_t n = valid_sequence_length(bytes, pos);
    if (n == 0) {
      // Like Rust: a maximal prefix of a valid sequence becomes one U+FFFD.
      size_t skip = 1;
      unsigned char b0 = static_cast<unsigned char>(bytes[pos]);
      size_t want = (b0 >= 0xC2 && b0 <= 0xF4) ? utf8_length(b0) : 1;
      while (skip < want && pos + skip < bytes.size()) {
        unsigned char b = static_cast<unsigned char>(bytes[pos + skip]);
        if ((b & 0xC0) != 0x80) break;
        if (skip == 1 && ((b0 == 0xE0 && b < 0xA0) || (b0 == 0xED && b > 0x9F) ||
                          (b0 == 0xF0 && b < 0x90) || (b0 == 0xF4 && b > 0x8F))) {
          break;
        }
        ++skip;
      }
      out += "\xEF\xBF\xBD";
      pos += skip;
    } else {
      out.append(bytes.substr(pos, n));
      pos += n;
    }
  }
  return out;
}

bool is_whitespace(char32_t c) { return u_hasBinaryProperty(c, UCHAR_WHITE_SPACE); }

bool is_numeric(char32_t c) {
  int8_t type = u_charType(c);
  return type == U_DECIMAL_DIGIT_NUMBER || type == U_LETTER_NUMBER || type == U_OTHER_NUMBER;
}

bool is_alphanumeric(char32_t c) {
  return u_hasBinaryProperty(c, UCHAR_ALPHABETIC) || is_numeric(c);
}

bool is_punctuation(char32_t c) {
  if (c < 0x80)
    return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
           (c >= 123 && c <= 126);
  return u_ispunct(c);
}

bool is_other(char32_t c) {
  int8_t type = u_charType(c);
  return type == U_CONTROL_CHAR || type == U_FORMAT_CHAR || type == U_PRIVATE_USE_CHAR;
}

bool is_nonspacing_mark(char32_t c) { return u_charType(c) == U_NON_SPACING_MARK; }

bool is_mark(char32_t c) {
  int8_t type = u_charType(c);
  return type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK || type == U_ENCLOSING_MARK;
}

bool is_cjk_ideograph(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

std::string normalize_unicode(std::string_view text, NormalForm form) {
  if (is_ascii(text)) return std::string(text);  // ASCII is invariant under every form
  icu::ErrorCode status;
  const icu::Normalizer2* normalizer = nullptr;
  switch (form) {
    case NormalForm::kNFC:
      normalizer = icu::Normalizer2::getNFCInstance(status);
      break;
    case NormalForm::kNFD:
      normalizer = icu::Normalizer2::getNFDInstance(status);
      break;
    case NormalForm::kNFKC:
      normalizer = icu::Normalizer2::getNFKCInstance(status);
      break;
    case NormalForm::kNFKD:
      normalizer = icu::Normalizer2::getNFKDInstance(status);
      break;
  }
  if (status.isFailure())
    throw Error(std::string("ICU normalizer unavailable: ") + status.errorName());
  icu::UnicodeString input =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), text.size()));
  icu::UnicodeString output = normalizer->normalize(input, status);
  if (status.isFailure())
    throw Error(std::string("Unicode normalization failed: ") + status.errorName());
  std::string out;
  output.toUTF8String(out);
  return out;
}

std::string lowercase(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    unsigned char b = static_cast<unsigned char>(text[pos]);
    if (b < 0x80) {
      out.push_back(static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b));
      ++pos;
      continue;
    }
    char32_t c = next_code_point(text, pos);
    if (c == 0x130) {  // the one unconditional multi-character lowercase mapping: İ -> i + U+0307
      out += "i\xCC\x87";
    } else {
      append_utf8(out, static_cast<char32_t>(u_tolower(static_cast<UChar32>(c))));
    }
  }
  return out;
}

}  // namespace mom::tok
