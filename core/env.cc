// The only place MOM calls getenv.
#include "core/env.h"

#include <cstdlib>

namespace mom::env {

std::optional<std::string> get(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::string data_dir() {
  if (auto dir = get(kDataDir)) return *dir;
  return MOM_DATA_DIR;
}

}  // namespace mom::env
