// read_file: plain and gzip, and errors naming the file.
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/file_io.h"
#include "core/json_util.h"
#include "tests/support/test_support.h"

namespace mom {
namespace {

std::string read_file_raw(const std::string& path) {
  std::string out;
  FILE* f = fopen(path.c_str(), "rb");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  fclose(f);
  return out;
}

TEST(FileIo, ReadsPlainAndGzip) {
  testing::TempDir dir;
  std::string content(300000, 'x');
  content += "\nend";
  dir.write("a.txt", content);
  testing::write_gzip(dir.file("a.txt.gz"), content);
  EXPECT_EQ(read_file(dir.file("a.txt")), content);
  EXPECT_EQ(read_file(dir.file("a.txt.gz")), content);
}

TEST(FileIo, ConcatenatedGzipMembers) {
  testing::TempDir dir;
  testing::write_gzip(dir.file("a.gz"), std::string(70000, 'a'));
  testing::write_gzip(dir.file("b.gz"), "tail\n");
  dir.write("ab.jsonl.gz", read_file_raw(dir.file("a.gz")) + read_file_raw(dir.file("b.gz")));
  EXPECT_EQ(read_file(dir.file("ab.jsonl.gz")), std::string(70000, 'a') + "tail\n");
}

TEST(FileIo, CorruptGzipAndMissingFileNameTheFile) {
  testing::TempDir dir;
  testing::write_gzip(dir.file("b.jsonl.gz"), std::string(100000, 'y'));
  EXPECT_EQ(read_file(dir.file("b.jsonl.gz")).size(), 100000u);
  // Truncate the compressed stream.
  std::string compressed;
  {
    FILE* f = fopen(dir.file("b.jsonl.gz").c_str(), "rb");
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) compressed.append(buf, n);
    fclose(f);
  }
  dir.write("t.jsonl.gz", compressed.substr(0, compressed.size() / 2));
  try {
    read_file(dir.file("t.jsonl.gz"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("t.jsonl.gz"), std::string::npos);
  }
  EXPECT_THROW(read_file(dir.file("nope")), Error);
}

TEST(JsonUtil, JsonlErrorNamesFileAndLine) {
  testing::TempDir dir;
  auto path = dir.write("x.jsonl", "{\"a\":1}\n\n{\"a\":2}\n{bad\n");
  int seen = 0;
  try {
    for_each_jsonl(path, [&](const Json&, size_t) { ++seen; });
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("x.jsonl:4:"), std::string::npos) << e.what();
  }
  EXPECT_EQ(seen, 2);
}

}  // namespace
}  // namespace mom
