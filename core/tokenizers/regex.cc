// PCRE2 behind Regex: compiled once with PCRE2_UTF | PCRE2_UCP, JIT-compiled when available.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "core/tokenizers/regex.h"

#include <pcre2.h>

#include "core/error.h"
#include "core/tokenizers/unicode_util.h"

namespace mom::tok {
namespace {

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof(buffer));
  return reinterpret_cast<const char*>(buffer);
}

// Per-thread matching scratch: a JIT stack large enough for long whitespace runs (patterns such
// as \s+(?!\S) backtrack once per character) and the match context that points at it.
struct ThreadScratch {
  pcre2_jit_stack* jit_stack = nullptr;
  pcre2_match_context* context = nullptr;
  ThreadScratch() {
    context = pcre2_match_context_create(nullptr);
    jit_stack = pcre2_jit_stack_create(64 * 1024, 64 * 1024 * 1024, nullptr);
    if (context && jit_stack) pcre2_jit_stack_assign(context, nullptr, jit_stack);
  }
  ~ThreadScratch() {
    if (jit_stack) pcre2_jit_stack_free(jit_stack);
    if (context) pcre2_match_context_free(context);
  }
};

ThreadScratch& scratch() {
  thread_local ThreadScratch s;
  return s;
}

// Oniguruma (what the Rust tokenizers compile Split patterns with) gives \w the Unicode word
// meaning: letters (Alphabetic), marks, decimal digits and connector punctuation. PCRE2 10.42's
// \w leaves out marks, so \w and \W are spelled out. (\s and \d already agree: White_Space, Nd.)
constexpr const char* kWordItems = "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}";

std::string onig_compatible(const std::string& pattern) {
  std::string out;
  bool in_class = false;
  size_t class_start = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      char e = pattern[++i];
      if (e == 'w') {
        out += in_class ? kWordItems : std::string("[") + kWordItems + "]";
      } else if (e == 'W' && !in_class) {
        out += std::string("[^") + kWordItems + "]";
      } else {
        out += c;
        out += e;
      }
      continue;
    }
    if (!in_class && c == '[') {
      in_class = true;
      class_start = out.size() + 1;
      out += c;
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') {
        out += pattern[++i];
        ++class_start;
      }
      continue;
    }
    if (in_class && c == ']' && out.size() > class_start) in_class = false;
    out += c;
  }
  return out;
}

}  // namespace

struct Regex::Impl {
  pcre2_code* code = nullptr;
  bool jit = false;
  std::string pattern;
};

Regex::Regex(const std::string& pattern, const std::string& where)
    : impl_(std::make_unique<Impl>()) {
  impl_->pattern = pattern;
  std::string translated = onig_compatible(pattern);
  int error = 0;
  PCRE2_SIZE offset = 0;
  impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                              PCRE2_UTF | PCRE2_UCP, &error, &offset, nullptr);
  if (impl_->code == nullptr) {
    throw Error(where + ": invalid regex '" + pattern + "': " + pcre2_message(error) +
                " at offset " + std::to_string(offset));
  }
  impl_->jit = pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE) == 0;
}

Regex::~Regex() {
  if (impl_ && impl_->code) pcre2_code_free(impl_->code);
}

std::vector<std::pair<size_t, size_t>> Regex::find_all(std::string_view text) const {
  std::vector<std::pair<size_t, size_t>> matches;
  ThreadScratch& s = scratch();
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(impl_->code, nullptr);
  if (data == nullptr) throw Error("out of memory matching regex '" + impl_->pattern + "'");
  auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t start = 0;
  while (start <= text.size()) {
    // The text was validated once up front; re-checking UTF-8 at every call would be quadratic.
    int rc = impl_->jit
                 ? pcre2_jit_match(impl_->code, subject, text.size(), start, 0, data, s.context)
                 : PCRE2_ERROR_JIT_BADOPTION;
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_JIT_BADOPTION) {
      rc = pcre2_match(impl_->code, subject, text.size(), start, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT,
                       data, nullptr);
    }
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      pcre2_match_data_free(data);
      throw Error("regex '" + impl_->pattern + "' failed: " + pcre2_message(rc));
    }
    PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
    size_t begin = ovector[0], end = ovector[1];
    matches.emplace_back(begin, end);
    if (end == begin) {
      if (end >= text.size()) break;
      start = end + utf8_length(static_cast<unsigned char>(text[end]));
    } else {
      start = end;
    }
  }
  pcre2_match_data_free(data);
  return matches;
}

std::string Regex::escape(std::string_view literal) {
  std::string out;
  for (char ch : literal) {
    if (std::string_view("\\^$.|?*+()[]{}-/#&~ ").find(ch) != std::string_view::npos)
      out.push_back('\\');
    out.push_back(ch);
  }
  return out;
}

}  // namespace mom::tok
