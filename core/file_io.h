// Reading whole files, plain or gzip-compressed, and small filesystem helpers.
#pragma once

#include <string>

namespace mom {

// The bytes of `path`; a name ending in ".gz" is inflated. Throws mom::Error naming the file on
// any failure (missing, unreadable, corrupt gzip).
std::string read_file(const std::string& path);

// Writes `data` to `path` atomically (temp file + rename), creating parent directories.
void write_file(const std::string& path, const std::string& data);

// True when `path` names an existing regular file.
bool file_exists(const std::string& path);

}  // namespace mom
