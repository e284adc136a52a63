// safetensors reader/writer: files assembled byte by byte in the test (as the format spec
// describes them), round trips, sharded indexes, and corrupt or truncated files.
#include "core/safetensors/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/file_io.h"
#include <functional>
#include "tests/support/test_support.h"

namespace mom::safetensors {
namespace {

using mom::testing::TempDir;

// 8-byte little-endian header length + JSON header + raw data, exactly as the spec defines it.
std::string make_file(const std::string& header, const std::string& data) {
  std::string out;
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + header + data;
}

std::string floats(std::initializer_list<float> values) {
  std::string out(values.size() * 4, '\0');
  std::memcpy(out.data(), values.begin(), out.size());
  return out;
}

template <typename T>
std::vector<T> values_of(const TensorView& v) {
  std::vector<T> out(v.nbytes / sizeof(T));
  std::memcpy(out.data(), v.data, v.nbytes);
  return out;
}

void expect_error_containing(const std::function<void()>& fn, const std::vector<std::string>& parts) {
  try {
    fn();
    FAIL() << "expected mom::Error";
  } catch (const mom::Error& e) {
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos)
        << "message '" << e.what() << "' lacks '" << p << "'";
  }
}

TEST(SafetensorsTest, ReadsHandWrittenFile) {
  TempDir dir;
  // a: F32 [2,2] at [0,16); b: I64 [3] at [16,40); c: BF16 [2] at [40,44); bf16(1.0)=0x3f80.
  std::string header =
      R"({"__metadata__":{"format":"pt"},)"
      R"("b":{"dtype":"I64","shape":[3],"data_offsets":[16,40]},)"
      R"("a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},)"
      R"("c":{"dtype":"BF16","shape":[2],"data_offsets":[40,44]}})";
  std::string data = floats({1.f, 2.f, 3.f, -4.5f});
  int64_t ints[3] = {7, -8, 1LL << 40};
  data.append(reinterpret_cast<const char*>(ints), sizeof(ints));
  data.append(std::string("\x80\x3f\x00\x40", 4));  // 1.0, 2.0 in bf16
  std::string path = dir.write("x.safetensors", make_file(header, data));

  auto ckpt = Checkpoint::open(path);
  EXPECT_EQ(ckpt->names(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(ckpt->metadata().at("format"), "pt");
  const TensorView& a = ckpt->get("a");
  EXPECT_EQ(a.dtype, DType::kF32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values_of<float>(a), (std::vector<float>{1.f, 2.f, 3.f, -4.5f}));
  EXPECT_EQ(a.file, path);
  const TensorView& b = ckpt->get("b");
  EXPECT_EQ(b.dtype, DType::kI64);
  EXPECT_EQ(values_of<int64_t>(b), (std::vector<int64_t>{7, -8, 1LL << 40}));
  const TensorView& c = ckpt->get("c");
  EXPECT_EQ(c.dtype, DType::kBF16);
  EXPECT_EQ(values_of<uint16_t>(c), (std::vector<uint16_t>{0x3f80, 0x4000}));
  EXPECT_EQ(ckpt->find("zzz"), nullptr);
  expect_error_containing([&] { ckpt->get("zzz"); }, {"zzz", "missing"});
}

TEST(SafetensorsTest, DirectoryWithModelSafetensors) {
  TempDir dir;
  dir.write("model.safetensors",
            make_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", floats({5.f})));
  auto ckpt = Checkpoint::open(dir.path());
  EXPECT_EQ(values_of<float>(ckpt->get("w")), std::vector<float>{5.f});
  TempDir empty;
  expect_error_containing([&] { Checkpoint::open(empty.path()); }, {empty.path(), "model.safetensors"});
  expect_error_containing([&] { Checkpoint::open(empty.file("nope.safetensors")); }, {"nope"});
}

TEST(SafetensorsTest, RoundTripAllDTypes) {
  TempDir dir;
  std::vector<float> f32 = {1.5f, -2.f, 3.25f, 0.f, 1e-3f, 7.f};
  std::vector<uint16_t> f16 = {0x3c00, 0xc000};  // 1.0, -2.0
  std::vector<int32_t> i32 = {-1, 2, 3};
  std::vector<uint8_t> flags = {1, 0, 1, 1};
  double f64 = 3.14159;
  std::vector<TensorToWrite> tensors = {
      {"layer.weight", DType::kF32, {2, 3}, f32.data()},
      {"half", DType::kF16, {2}, f16.data()},
      {"ids", DType::kI32, {3}, i32.data()},
      {"mask", DType::kBool, {2, 2}, flags.data()},
      {"scalar", DType::kF64, {}, &f64},
      {"empty", DType::kF32, {0, 4}, nullptr},
  };
  std::string path = dir.file("sub/rt.safetensors");
  write(path, tensors, {{"format", "pt"}, {"mom", "1"}});

  // Data offsets must start 8-byte aligned after the header.
  std::string bytes = mom::read_file(path);
  uint64_t header_len = 0;
  std::memcpy(&header_len, bytes.data(), 8);
  EXPECT_EQ((8 + header_len) % 8, 0u);

  auto ckpt = Checkpoint::open(path);
  EXPECT_EQ(ckpt->names().size(), 6u);
  EXPECT_EQ(ckpt->metadata().at("mom"), "1");
  EXPECT_EQ(values_of<float>(ckpt->get("layer.weight")), f32);
  EXPECT_EQ(ckpt->get("layer.weight").shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values_of<uint16_t>(ckpt->get("half")), f16);
  EXPECT_EQ(values_of<int32_t>(ckpt->get("ids")), i32);
  EXPECT_EQ(values_of<uint8_t>(ckpt->get("mask")), flags);
  EXPECT_EQ(ckpt->get("mask").dtype, DType::kBool);
  EXPECT_EQ(values_of<double>(ckpt->get("scalar")), std::vector<double>{f64});
  EXPECT_TRUE(ckpt->get("scalar").shape.empty());
  EXPECT_EQ(ckpt->get("empty").nbytes, 0u);
  EXPECT_EQ(ckpt->get("empty").shape, (std::vector<int64_t>{0, 4}));

  expect_error_containing(
      [&] { write(dir.file("dup.safetensors"), {tensors[0], tensors[0]}); }, {"layer.weight", "twice"});
}

TEST(SafetensorsTest, ShardedIndex) {
  TempDir dir;
  dir.write("model-00001-of-00002.safetensors",
            make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", floats({1.f, 2.f})));
  dir.write("model-00002-of-00002.safetensors",
            make_file(R"({"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", floats({3.f})));
  dir.write("model.safetensors.index.json",
            R"({"metadata":{"total_size":12},"weight_map":{"a":"model-00001-of-00002.safetensors",)"
            R"("b":"model-00002-of-00002.safetensors"}})");
  auto ckpt = Checkpoint::open(dir.path());
  EXPECT_EQ(ckpt->names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(values_of<float>(ckpt->get("a")), (std::vector<float>{1.f, 2.f}));
  EXPECT_EQ(values_of<float>(ckpt->get("b")), std::vector<float>{3.f});
  EXPECT_NE(ckpt->get("b").file.find("00002"), std::string::npos);

  TempDir bad;
  bad.write("model-00001-of-00002.safetensors",
            make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", floats({1.f, 2.f})));
  bad.write("model.safetensors.index.json",
            R"({"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}})");
  expect_error_containing([&] { Checkpoint::open(bad.path()); }, {"model-00002-of-00002", "'b'"});

  TempDir lying;  // the index names a tensor that its shard does not hold
  lying.write("s.safetensors",
              make_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", floats({1.f})));
  lying.write("model.safetensors.index.json", R"({"weight_map":{"a":"s.safetensors","q":"s.safetensors"}})");
  expect_error_containing([&] { Checkpoint::open(lying.path()); }, {"'q'", "s.safetensors"});
}

TEST(SafetensorsTest, CorruptFilesNameFileAndTensor) {
  TempDir dir;
  auto open_bytes = [&](const std::string& name, const std::string& bytes) {
    std::string path = dir.write(name, bytes);
    return [path] { Checkpoint::open(path); };
  };
  // Shorter than the length field.
  expect_error_containing(open_bytes("short.safetensors", "abc"), {"short.safetensors", "8-byte"});
  // Header length beyond the file.
  std::string good = make_file(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", floats({1.f, 2.f}));
  std::string big = good;
  big[0] = static_cast<char>(0xff);
  big[1] = static_cast<char>(0xff);
  expect_error_containing(open_bytes("biglen.safetensors", big), {"biglen.safetensors", "header length"});
  // Truncated data section: the tensor's range no longer fits.
  expect_error_containing(open_bytes("trunc.safetensors", good.substr(0, good.size() - 3)),
                          {"trunc.safetensors", "'w'", "out of range"});
  // Invalid JSON.
  expect_error_containing(open_bytes("json.safetensors", make_file("{not json", "")),
                          {"json.safetensors", "JSON"});
  // Size mismatch between shape and offsets.
  expect_error_containing(
      open_bytes("size.safetensors",
                 make_file(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", floats({1.f, 2.f}))),
      {"size.safetensors", "'w'", "needs 12"});
  // Overlapping tensors.
  expect_error_containing(
      open_bytes("overlap.safetensors",
                 make_file(R"({"u":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                           R"("v":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                           floats({1.f, 2.f, 3.f}))),
      {"overlap.safetensors", "'u'", "'v'", "overlap"});
  // Unknown dtype.
  expect_error_containing(
      open_bytes("dtype.safetensors",
                 make_file(R"({"w":{"dtype":"F8_E9","shape":[1],"data_offsets":[0,1]}})", "x")),
      {"dtype.safetensors", "'w'", "F8_E9"});
  // Missing field, negative dimension, bad offsets.
  expect_error_containing(
      open_bytes("nofield.safetensors", make_file(R"({"w":{"dtype":"F32","shape":[1]}})", floats({1.f}))),
      {"nofield.safetensors", "'w'", "data_offsets"});
  expect_error_containing(
      open_bytes("neg.safetensors",
                 make_file(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", floats({1.f}))),
      {"neg.safetensors", "'w'"});
  expect_error_containing(
      open_bytes("rev.safetensors",
                 make_file(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}})", floats({1.f}))),
      {"rev.safetensors", "'w'"});
}

TEST(SafetensorsTest, DTypeNamesAndSizes) {
  EXPECT_STREQ(dtype_name(DType::kBF16), "BF16");
  EXPECT_STREQ(dtype_name(DType::kBool), "BOOL");
  EXPECT_EQ(dtype_size(DType::kF16), 2u);
  EXPECT_EQ(dtype_size(DType::kI64), 8u);
  EXPECT_EQ(dtype_size(DType::kU8), 1u);
}

}  // namespace
}  // namespace mom::safetensors
