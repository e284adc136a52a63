// A compiled Unicode regular expression (PCRE2, UTF + UCP, JIT) for the tokenizer patterns.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mom::tok {

// Thread-safe after construction: matching state lives on the calling thread.
class Regex {
 public:
  // Throws mom::Error "<where>: invalid regex ...: <PCRE2 message> at offset N".
  Regex(const std::string& pattern, const std::string& where);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Byte ranges [start, end) of the successive non-overlapping matches in `text` (valid UTF-8),
  // leftmost first; after an empty match the search resumes one character further.
  std::vector<std::pair<size_t, size_t>> find_all(std::string_view text) const;

  // Escapes `literal` so that it matches itself.
  static std::string escape(std::string_view literal);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mom::tok
