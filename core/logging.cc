// Logger registry: one stderr sink shared by all component loggers.
#include "core/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <mutex>

#include "core/env.h"

namespace mom {

std::shared_ptr<spdlog::logger> logger(const std::string& component) {
  static std::mutex mutex;  // guards creation, so two threads never register one name twice
  std::lock_guard<std::mutex> lock(mutex);
  if (auto existing = spdlog::get(component)) return existing;
  auto created = spdlog::stderr_color_mt(component);
  created->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ [%n] %v");
  auto level = env::get(env::kLogLevel).value_or("info");
  created->set_level(spdlog::level::from_str(level));
  return created;
}

}  // namespace mom
