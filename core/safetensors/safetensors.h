// safetensors checkpoints without torch: memory-mapped reading (single file or sharded through
// model.safetensors.index.json) and writing. models/ turns TensorViews into torch tensors.
// INTERFACE CONTRACT shared by models/, trainer/, worker/ — extend, do not break.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mom::safetensors {

enum class DType { kF32, kF16, kBF16, kF64, kI64, kI32, kI16, kI8, kU8, kBool };

const char* dtype_name(DType dtype);  // "F32", "BF16", ... as in the safetensors header
size_t dtype_size(DType dtype);

// A tensor inside a mapped file. `data` stays valid while the owning Checkpoint lives.
struct TensorView {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  const void* data = nullptr;
  size_t nbytes = 0;
  std::string file;  // which file it came from (for error messages)
};

// One checkpoint: a .safetensors file, or a directory with model.safetensors or
// model.safetensors.index.json + shards. Immutable after open; thread-safe reads.
class Checkpoint {
 public:
  virtual ~Checkpoint() = default;
  // Throws mom::Error naming the file on a missing file, bad header, overlapping or
  // out-of-range offsets, or an index that names a missing shard.
  static std::unique_ptr<Checkpoint> open(const std::string& path);

  virtual const TensorView* find(const std::string& name) const = 0;  // nullptr when absent
  // Throws mom::Error "<dir>: tensor '<name>' missing" when absent.
  virtual const TensorView& get(const std::string& name) const = 0;
  virtual std::vector<std::string> names() const = 0;
  virtual const std::map<std::string, std::string>& metadata() const = 0;
};

struct TensorToWrite {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  const void* data = nullptr;  // row-major, nbytes = prod(shape) * dtype_size
};

// Writes one .safetensors file (header sorted by name, 8-byte aligned data). Throws mom::Error.
void write(const std::string& path, const std::vector<TensorToWrite>& tensors,
           const std::map<std::string, std::string>& metadata = {});

}  // namespace mom::safetensors
