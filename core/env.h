// Every environment variable MOM reads, in one place (all prefixed MOM_).
#pragma once

#include <optional>
#include <string>

namespace mom::env {

inline constexpr const char* kRegistry = "MOM_REGISTRY";      // path of the model registry JSON
inline constexpr const char* kDataDir = "MOM_DATA_DIR";       // repo data/ (registry, vocabularies)
inline constexpr const char* kLogLevel = "MOM_LOG_LEVEL";     // trace|debug|info|warn|error
inline constexpr const char* kThreads = "MOM_NUM_THREADS";    // intra-op / worker threads
inline constexpr const char* kRedisUrl = "MOM_REDIS_URL";     // route cache (serving)

// The value of `name` when set and non-empty.
std::optional<std::string> get(const char* name);

// Directory holding MOM's data files: $MOM_DATA_DIR, else the source tree's data/.
std::string data_dir();

}  // namespace mom::env
