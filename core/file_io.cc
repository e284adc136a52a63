// Whole-file reads with transparent gzip (libdeflate).
#include "core/file_io.h"

#include <libdeflate.h>

#include <algorithm>
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

std::string read_plain(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw Error(path + ": read error");
  return std::move(buffer).str();
}

// Whole-buffer inflate with libdeflate (2-3x zlib's streaming speed). Handles concatenated
// gzip members; the output size comes from each member's ISIZE trailer (mod 2^32), grown on
// demand for members over 4 GiB.
std::string read_gzip(const std::string& path) {
  std::string compressed = read_plain(path);
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  if (d == nullptr) throw Error(path + ": out of memory for the gzip decompressor");
  std::string out;
  size_t in_pos = 0;
  while (in_pos < compressed.size()) {
    size_t remaining = compressed.size() - in_pos;
    if (remaining < 18) {
      libdeflate_free_decompressor(d);
      throw Error(path + ": truncated gzip stream");
    }
    // ISIZE of a single-member file sits in the last 4 bytes; for later members guess big.
    uint32_t isize = 0;
    std::memcpy(&isize, compressed.data() + compressed.size() - 4, 4);
    size_t capacity = in_pos == 0 ? std::max<size_t>(isize, 1) : remaining * 8;
    while (true) {
      size_t base = out.size();
      out.resize(base + capacity);
      size_t in_used = 0, out_used = 0;
      auto status = libdeflate_gzip_decompress_ex(d, compressed.data() + in_pos, remaining,
                                                  out.data() + base, capacity, &in_used, &out_used);
      if (status == LIBDEFLATE_SUCCESS) {
        out.resize(base + out_used);
        in_pos += in_used;
        break;
      }
      out.resize(base);
      if (status == LIBDEFLATE_INSUFFICIENT_SPACE) {
        capacity *= 2;
        continue;
      }
      libdeflate_free_decompressor(d);
      throw Error(path + ": corrupt or truncated gzip data");
    }
  }
  libdeflate_free_decompressor(d);
  return out;
}

}  // namespace

std::string read_file(const std::string& path) {
  if (!std::filesystem::exists(path)) throw Error(path + ": no such file");
  if (ends_with(path, ".gz")) return read_gzip(path);
  return read_plain(path);
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
