// Helpers shared by the test suites: scratch directories, repo paths, free loopback ports,
// running a command and capturing its output, the message of an expected mom::Error.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"

namespace mom::testing {

// A fresh directory under /tmp, removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to path()/name (creating directories); returns the full path.
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

std::string source_dir();  // repository root ($MOM_SOURCE_DIR, set by ctest)
std::string binary_dir();  // build directory ($MOM_BINARY_DIR)
// ../shared next to the repository, or "" when absent (tests that use it skip without it).
std::string shared_dir();

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};
// Runs `command` with /bin/sh, capturing its output.
CommandResult run_command(const std::string& command);

// The message of the mom::Error `fn` throws ("" when it throws nothing).
template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const mom::Error& e) {
    return e.what();
  }
  return "";
}

// Gzip-compresses `content` into `path`.
void write_gzip(const std::string& path, const std::string& content);

}  // namespace mom::testing
