// safetensors reading (mmap, header validation, sharded index) and writing, without torch.
#include "core/safetensors/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include "core/error.h"
#include "core/json_util.h"

namespace mom::safetensors {
namespace {

namespace fs = std::filesystem;

// The header length field is a u64; real headers are a few MB at most. A larger value means a
// corrupt or non-safetensors file, and refusing it early avoids a huge allocation.
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

struct DTypeInfo {
  DType dtype;
  const char* name;
  size_t size;
};
constexpr DTypeInfo kDTypes[] = {
    {DType::kF32, "F32", 4},  {DType::kF16, "F16", 2}, {DType::kBF16, "BF16", 2},
    {DType::kF64, "F64", 8},  {DType::kI64, "I64", 8}, {DType::kI32, "I32", 4},
    {DType::kI16, "I16", 2},  {DType::kI8, "I8", 1},   {DType::kU8, "U8", 1},
    {DType::kBool, "BOOL", 1},
};

bool parse_dtype(const std::string& name, DType* out) {
  for (const auto& info : kDTypes) {
    if (name == info.name) {
      *out = info.dtype;
      return true;
    }
  }
  return false;
}

// A read-only private mapping of a whole file; unmapped on destruction.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) : path_(path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      throw Error(path + ": cannot stat: " + std::strerror(err));
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        int err = errno;
        ::close(fd);
        throw Error(path + ": cannot mmap: " + std::strerror(err));
      }
      data_ = static_cast<const uint8_t*>(p);
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

uint64_t read_le_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Parses and validates one file's header; appends its tensors (pointing into `file`) to `out`.
void parse_file(const MappedFile& file, std::vector<TensorView>* out,
                std::map<std::string, std::string>* metadata) {
  const std::string& path = file.path();
  if (file.size() < 8) {
    throw Error(path + ": not a safetensors file (" + std::to_string(file.size()) +
                " bytes, shorter than the 8-byte header length)");
  }
  uint64_t header_len = read_le_u64(file.data());
  if (header_len > kMaxHeaderBytes || header_len > file.size() - 8) {
    throw Error(path + ": header length " + std::to_string(header_len) +
                " exceeds the file size " + std::to_string(file.size()) +
                " (truncated or not a safetensors file)");
  }
  std::string_view header_text(reinterpret_cast<const char*>(file.data()) + 8, header_len);
  Json header;
  try {
    header = Json::parse(header_text);
  } catch (const Json::parse_error& e) {
    throw Error(path + ": invalid header JSON: " + e.what());
  }
  if (!header.is_object()) throw Error(path + ": header is not a JSON object");

  const uint8_t* data_start = file.data() + 8 + header_len;
  const size_t data_size = file.size() - 8 - header_len;

  struct Range {
    size_t begin, end;
    std::string name;
  };
  std::vector<Range> ranges;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const Json& entry = it.value();
    if (name == "__metadata__") {
      if (!entry.is_object()) throw Error(path + ": __metadata__ is not an object");
      for (auto m = entry.begin(); m != entry.end(); ++m) {
        if (!m.value().is_string()) {
          throw Error(path + ": __metadata__ value '" + m.key() + "' is not a string");
        }
        if (metadata != nullptr) (*metadata)[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = path + ": tensor '" + name + "'";
    if (!entry.is_object()) throw Error(where + ": header entry is not an object");
    std::string dtype_str = require_string(entry, "dtype", where);
    TensorView view;
    view.name = name;
    view.file = path;
    if (!parse_dtype(dtype_str, &view.dtype)) {
      throw Error(where + ": unsupported dtype '" + dtype_str + "'");
    }
    const Json& shape = require_field(entry, "shape", where);
    if (!shape.is_array()) throw Error(where + ": shape is not an array");
    uint64_t numel = 1;
    for (const Json& d : shape) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0) {
        throw Error(where + ": shape " + shape.dump() + " has a non-integer or negative dimension");
      }
      int64_t dim = d.get<int64_t>();
      if (dim != 0 && numel > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(dim)) {
        throw Error(where + ": shape " + shape.dump() + " overflows");
      }
      numel *= static_cast<uint64_t>(dim);
      view.shape.push_back(dim);
    }
    const Json& offsets = require_field(entry, "data_offsets", where);
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned()) {
      throw Error(where + ": data_offsets must be [begin, end] with non-negative integers");
    }
    uint64_t begin = offsets[0].get<uint64_t>();
    uint64_t end = offsets[1].get<uint64_t>();
    if (begin > end || end > data_size) {
      throw Error(where + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                  "] out of range (data section is " + std::to_string(data_size) +
                  " bytes; truncated file?)");
    }
    uint64_t expected = numel * dtype_size(view.dtype);
    if (end - begin != expected) {
      throw Error(where + ": holds " + std::to_string(end - begin) + " bytes but shape " +
                  shape.dump() + " x " + dtype_str + " needs " + std::to_string(expected));
    }
    view.data = data_start + begin;
    view.nbytes = static_cast<size_t>(end - begin);
    ranges.push_back({static_cast<size_t>(begin), static_cast<size_t>(end), name});
    out->push_back(std::move(view));
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const Range& a, const Range& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].begin < ranges[i - 1].end) {
      throw Error(path + ": tensors '" + ranges[i - 1].name + "' and '" + ranges[i].name +
                  "' overlap in the data section");
    }
  }
}

class MappedCheckpoint : public Checkpoint {
 public:
  explicit MappedCheckpoint(std::string where) : where_(std::move(where)) {}

  void add_file(const std::string& path, const std::set<std::string>* expected_names) {
    files_.push_back(std::make_unique<MappedFile>(path));
    std::vector<TensorView> views;
    parse_file(*files_.back(), &views, &metadata_);
    for (auto& v : views) {
      if (expected_names != nullptr && expected_names->count(v.name) == 0) {
        continue;  // the index assigns this tensor to another shard; ignore stray copies
      }
      if (index_.count(v.name) != 0) {
        throw Error(path + ": tensor '" + v.name + "' also appears in " +
                    tensors_[index_[v.name]].file);
      }
      index_[v.name] = tensors_.size();
      tensors_.push_back(std::move(v));
    }
  }

  const TensorView* find(const std::string& name) const override {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
  }
  const TensorView& get(const std::string& name) const override {
    const TensorView* v = find(name);
    if (v == nullptr) throw Error(where_ + ": tensor '" + name + "' missing");
    return *v;
  }
  std::vector<std::string> names() const override {
    std::vector<std::string> out;
    out.reserve(index_.size());
    for (const auto& kv : index_) out.push_back(kv.first);
    return out;
  }
  const std::map<std::string, std::string>& metadata() const override { return metadata_; }

 private:
  std::string where_;
  std::vector<std::unique_ptr<MappedFile>> files_;
  std::vector<TensorView> tensors_;
  std::map<std::string, size_t> index_;  // name -> position in tensors_ (sorted names)
  std::map<std::string, std::string> metadata_;
};

std::unique_ptr<Checkpoint> open_index(const std::string& index_path) {
  Json index = read_json_file(index_path);
  const Json& weight_map = require_field(index, "weight_map", index_path);
  if (!weight_map.is_object()) throw Error(index_path + ": weight_map is not an object");
  std::map<std::string, std::set<std::string>> by_shard;  // shard file -> tensor names
  for (auto it = weight_map.begin(); it != weight_map.end(); ++it) {
    if (!it.value().is_string()) {
      throw Error(index_path + ": weight_map entry '" + it.key() + "' is not a file name");
    }
    by_shard[it.value().get<std::string>()].insert(it.key());
  }
  fs::path dir = fs::path(index_path).parent_path();
  auto ckpt = std::make_unique<MappedCheckpoint>(dir.string());
  for (const auto& [shard, names] : by_shard) {
    fs::path shard_path = dir / shard;
    if (!fs::is_regular_file(shard_path)) {
      throw Error(index_path + ": shard '" + shard + "' (named for tensor '" + *names.begin() +
                  "') not found in " + dir.string());
    }
    ckpt->add_file(shard_path.string(), &names);
    for (const auto& name : names) {
      const TensorView* v = ckpt->find(name);
      if (v == nullptr) {
        throw Error(index_path + ": tensor '" + name + "' is mapped to shard '" + shard +
                    "' but that file does not contain it");
      }
    }
  }
  return ckpt;
}

}  // namespace

const char* dtype_name(DType dtype) {
  for (const auto& info : kDTypes) {
    if (info.dtype == dtype) return info.name;
  }
  return "?";
}

size_t dtype_size(DType dtype) {
  for (const auto& info : kDTypes) {
    if (info.dtype == dtype) return info.size;
  }
  return 0;
}

std::unique_ptr<Checkpoint> Checkpoint::open(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    fs::path dir(path);
    if (fs::is_regular_file(dir / "model.safetensors.index.json")) {
      return open_index((dir / "model.safetensors.index.json").string());
    }
    if (fs::is_regular_file(dir / "model.safetensors")) {
      auto ckpt = std::make_unique<MappedCheckpoint>(path);
      ckpt->add_file((dir / "model.safetensors").string(), nullptr);
      return ckpt;
    }
    throw Error(path + ": no model.safetensors or model.safetensors.index.json in this directory");
  }
  if (!fs::exists(path, ec)) throw Error(path + ": no such file or directory");
  if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0) {
    return open_index(path);
  }
  auto ckpt = std::make_unique<MappedCheckpoint>(path);
  ckpt->add_file(path, nullptr);
  return ckpt;
}

void write(const std::string& path, const std::vector<TensorToWrite>& tensors,
           const std::map<std::string, std::string>& metadata) {
  std::vector<const TensorToWrite*> sorted;
  sorted.reserve(tensors.size());
  for (const auto& t : tensors) sorted.push_back(&t);
  std::sort(sorted.begin(), sorted.end(),
            [](const TensorToWrite* a, const TensorToWrite* b) { return a->name < b->name; });

  Json header = Json::object();
  if (!metadata.empty()) {
    Json meta = Json::object();
    for (const auto& [k, v] : metadata) meta[k] = v;
    header["__metadata__"] = meta;
  }
  std::vector<size_t> sizes;
  size_t offset = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const TensorToWrite& t = *sorted[i];
    if (i > 0 && t.name == sorted[i - 1]->name) {
      throw Error(path + ": tensor '" + t.name + "' given twice");
    }
    if (t.name == "__metadata__" || t.name.empty()) {
      throw Error(path + ": invalid tensor name '" + t.name + "'");
    }
    size_t numel = 1;
    for (int64_t d : t.shape) {
      if (d < 0) throw Error(path + ": tensor '" + t.name + "' has a negative dimension");
      numel *= static_cast<size_t>(d);
    }
    size_t nbytes = numel * dtype_size(t.dtype);
    if (nbytes > 0 && t.data == nullptr) {
      throw Error(path + ": tensor '" + t.name + "' has no data");
    }
    header[t.name] = {{"dtype", dtype_name(t.dtype)},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + nbytes}}};
    sizes.push_back(nbytes);
    offset += nbytes;
  }
  std::string header_text = header.dump();
  // Pad with spaces so the data section starts 8-byte aligned (as the reference writer does).
  while ((8 + header_text.size()) % 8 != 0) header_text.push_back(' ');

  fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path + ": cannot open for writing: " + std::strerror(errno));
    uint8_t len_bytes[8];
    uint64_t len = header_text.size();
    for (int i = 0; i < 8; ++i) len_bytes[i] = static_cast<uint8_t>(len >> (8 * i));
    out.write(reinterpret_cast<const char*>(len_bytes), 8);
    out.write(header_text.data(), static_cast<std::streamsize>(header_text.size()));
    for (size_t i = 0; i < sorted.size(); ++i) {
      if (sizes[i] > 0) {
        out.write(static_cast<const char*>(sorted[i]->data), static_cast<std::streamsize>(sizes[i]));
      }
    }
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw Error(path + ": write failed (disk full?)");
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw Error(path + ": cannot rename temp file: " + ec.message());
  }
}

}  // namespace mom::safetensors
