// mom-tokenize: flag parsing, and the built program end to end on JSONL files and stdin.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include "core/tokenizers/tools/tokenize_command.h"
#include "tests/support/test_support.h"

namespace mom {
namespace {

std::string program() { return testing::binary_dir() + "/core/tokenizers/mom-tokenize"; }
std::string bert_path() {
  return testing::source_dir() + "/data/vocab/bert-base-uncased/vocab.txt";
}
std::string qwen_path() {
  return testing::source_dir() + "/tests/fixtures/tokenizers/qwen3/tokenizer.json.gz";
}

TEST(TokenizeFlags, ParsesEveryFlag) {
  TokenizeConfig config;
  CLI::App app;
  add_tokenize_flags(app, config);
  app.parse("--tokenizer tok.json --input in.jsonl --add_special --decode --skip_special", false);
  EXPECT_EQ(config.tokenizer_path, "tok.json");
  EXPECT_EQ(config.input_path, "in.jsonl");
  EXPECT_TRUE(config.add_special);
  EXPECT_TRUE(config.decode);
  EXPECT_TRUE(config.skip_special);

  TokenizeConfig defaults;
  CLI::App app2;
  add_tokenize_flags(app2, defaults);
  app2.parse("--tokenizer x", false);
  EXPECT_TRUE(defaults.input_path.empty());
  EXPECT_FALSE(defaults.add_special || defaults.decode || defaults.skip_special);

  TokenizeConfig missing;
  CLI::App app3;
  add_tokenize_flags(app3, missing);
  EXPECT_THROW(app3.parse("--input a", false), CLI::RequiredError);
}

TEST(MomTokenize, EncodesAndDecodesJsonl) {
  testing::TempDir dir;
  std::string input = dir.write(
      "in.jsonl",
      "{\"text\": \"Hello, world!\"}\n\n{\"text\": \"\"}\n{\"text\": \"Café\", \"id\": 7}\n");
  auto r = testing::run_command(program() + " --tokenizer " + bert_path() + " --input " + input);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "{\"ids\":[7592,1010,2088,999]}\n{\"ids\":[]}\n{\"ids\":[7668]}\n");

  r = testing::run_command(program() + " --tokenizer " + bert_path() + " --add_special < " + input);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(
      r.output,
      "{\"ids\":[101,7592,1010,2088,999,102]}\n{\"ids\":[101,102]}\n{\"ids\":[101,7668,102]}\n");

  std::string ids = dir.write("ids.jsonl", "{\"ids\": [101, 7592, 1010, 2088, 999, 102]}\n");
  r = testing::run_command(program() + " --tokenizer " + bert_path() + " --decode --input " + ids);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "{\"text\":\"[CLS] hello, world! [SEP]\"}\n");
  r = testing::run_command(program() + " --tokenizer " + bert_path() +
                           " --decode --skip_special --input " + ids);
  EXPECT_EQ(r.output, "{\"text\":\"hello, world!\"}\n");
}

TEST(MomTokenize, QwenRoundTripThroughTheProgram) {
  testing::TempDir dir;
  std::string input =
      dir.write("in.jsonl", "{\"text\": \"<|im_start|>user\\n你好 😀\\tx<|im_end|>\"}\n");
  auto r = testing::run_command(program() + " --tokenizer " + qwen_path() + " --input " + input +
                                " > " + dir.file("ids.jsonl"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = testing::run_command(program() + " --tokenizer " + qwen_path() + " --decode --input " +
                           dir.file("ids.jsonl"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "{\"text\":\"<|im_start|>user\\n你好 😀\\tx<|im_end|>\"}\n");
}

TEST(MomTokenize, BadLinesNameTheLineAndFail) {
  testing::TempDir dir;
  auto run = [&](const std::string& content, const std::string& flags = "") {
    std::string input = dir.write("bad.jsonl", content);
    return testing::run_command(program() + " --tokenizer " + bert_path() + " " + flags +
                                " --input " + input);
  };
  auto r = run("{\"text\": \"ok\"}\n{\"text\": \n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("{\"ids\":[7929]}"), std::string::npos)
      << r.output;  // line 1 was written
  EXPECT_NE(r.output.find("bad.jsonl:2: not valid JSON"), std::string::npos) << r.output;

  r = run("{\"txt\": \"missing\"}\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("bad.jsonl:1: field 'text' missing"), std::string::npos) << r.output;

  r = run("[1, 2]\n");
  EXPECT_NE(r.output.find("bad.jsonl:1: expected a JSON object"), std::string::npos) << r.output;

  r = run("{\"text\": \"a\"}\n{\"text\": \"b\"}\n{\"ids\": [1, \"x\"]}\n", "--decode");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("bad.jsonl:1: field 'ids' missing"), std::string::npos) << r.output;

  r = run("{\"ids\": [1, -5]}\n", "--decode");
  EXPECT_NE(r.output.find("bad.jsonl:1: field 'ids' holds -5"), std::string::npos) << r.output;

  r = run("{\"text\": \"bad \xff byte\"}\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("bad.jsonl:1:"), std::string::npos) << r.output;

  r = testing::run_command(program() + " --tokenizer " + dir.file("nope.json") + " < /dev/null");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("nope.json"), std::string::npos) << r.output;

  r = testing::run_command(program() + " --input x.jsonl");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--tokenizer"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace mom
