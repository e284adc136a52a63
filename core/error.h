// MOM's error type: a message a user can act on (what failed, where, what to do).
#pragma once

#include <stdexcept>
#include <string>

namespace mom {

// Thrown for expected failures (bad input, missing files, unknown ids). Programs catch it at
// main() and print what(), exiting non-zero; loops and handlers catch it at their top.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// "path:line: message", the form every input error takes.
std::string at_line(const std::string& path, size_t line, const std::string& message);

}  // namespace mom
