// Named spdlog loggers per component (labeler, trainer, coordinator, worker, ...).
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace mom {

// The logger called `component`, created on first use, writing to stderr. Level from
// MOM_LOG_LEVEL (default info). Thread-safe.
std::shared_ptr<spdlog::logger> logger(const std::string& component);

}  // namespace mom
