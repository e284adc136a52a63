// Whole-file reads with transparent gzip, via zlib's gz* API.
#include "core/file_io.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace mom {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string read_gzip(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw Error(path + ": cannot open: " + std::strerror(errno));
  gzbuffer(file, 1 << 20);
  std::string out;
  std::string chunk(1 << 20, '\0');
  while (true) {
    int n = gzread(file, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) {
      int code = 0;
      std::string message = gzerror(file, &code);
      gzclose(file);
      throw Error(path + ": corrupt gzip data: " + message);
    }
    if (n == 0) break;
    out.append(chunk.data(), static_cast<size_t>(n));
  }
  // gzread returns 0 at a truncated stream too; gzclose_r reports it.
  int status = gzclose_r(file);
  if (status != Z_OK) throw Error(path + ": truncated or corrupt gzip stream");
  return out;
}

}  // namespace

std::string read_file(const std::string& path) {
  if (!std::filesystem::exists(path)) throw Error(path + ": no such file");
  if (ends_with(path, ".gz")) return read_gzip(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw Error(path + ": read error");
  return std::move(buffer).str();
}

void write_file(const std::string& path, const std::string& data) {
  std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(temp + ": cannot write: " + std::strerror(errno));
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) throw Error(temp + ": write failed: " + std::strerror(errno));
  }
  std::filesystem::rename(temp, target);
}

bool file_exists(const std::string& path) { return std::filesystem::is_regular_file(path); }

}  // namespace mom
