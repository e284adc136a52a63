// Formatting helpers for mom::Error messages.
#include "core/error.h"

namespace mom {

std::string at_line(const std::string& path, size_t line, const std::string& message) {
  return path + ":" + std::to_string(line) + ": " + message;
}

}  // namespace mom
