// The benches' one way to run a peer (python3, node) in its own process and read what it prints.
#pragma once

#include <cstdio>
#include <string>

namespace mom::bench {

// Runs `command` with /bin/sh and returns its standard output ("" when it cannot start).
inline std::string capture_output(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  return out;
}

}  // namespace mom::bench
