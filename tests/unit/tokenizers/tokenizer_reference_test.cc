// Encodes the strings of tests/reference/tokenizers/*.jsonl and checks the ids (with and without
// special tokens) and the decoded text against the vectors of @huggingface/tokenizers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/json_util.h"
#include "core/tokenizers/tokenizer.h"
#include "tests/support/test_support.h"

namespace mom {
namespace {

struct Case {
  const char* vectors;    // under tests/reference/tokenizers/
  const char* tokenizer;  // under the repository root
};

class ReferenceTest : public ::testing::TestWithParam<Case> {};

// Where the reference departs from the Rust tokenizers, the line is checked against the reference
// ids of an equivalent text instead:
// - JavaScript's toLowerCase applies the final-sigma rule (Σ -> ς at the end of a word); the Rust
//   BertNormalizer and Lowercase normalizers map character by character (Σ -> σ), as MOM does.
// - Tokenizers.js's Digits pre-tokenizer only knows ASCII digits; the Rust one splits at every
//   char::is_numeric character (Arabic-Indic and Devanagari digits too), as MOM does.
// - Tokenizers.js's WhitespaceSplit does not split at U+0085 (NEL); the Rust one does.
struct Divergence {
  const char* vectors;
  const char* text;
  const char* equivalent;
};
constexpr Divergence kDivergences[] = {
    {"bert_base_uncased.jsonl", "\u03a3\u0391\u03a3 \u03c3\u03b1\u03c2",
     "\u03c3\u03b1\u03c3 \u03c3\u03b1\u03c2"},
    {"wordpiece_pipeline.jsonl", "\u03a3\u0391\u03a3 \u03c3\u03b1\u03c2",
     "\u03c3\u03b1\u03c3 \u03c3\u03b1\u03c2"},
    {"wordpiece_pipeline.jsonl", "\u0661\u0662\u0663\u0664\u0665 \u06f1\u06f2\u06f3",
     "\u0661 \u0662 \u0663 \u0664 \u0665 \u06f1 \u06f2 \u06f3"},
    {"wordpiece_pipeline.jsonl", "\u0969\u096a\u096b", "\u0969 \u096a \u096b"},
    // Tokenizers.js's WhitespaceSplit splits at JavaScript's \s, which leaves out U+0085 (NEL); the
    // Rust one splits at every char::is_whitespace character, NEL included, as MOM does.
    {"unigram.jsonl", "nel\u0085char", "nel char"},
};

std::string show(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) s += std::to_string(id) + " ";
  return s;
}

TEST_P(ReferenceTest, IdsAndDecodingMatchReference) {
  const Case& c = GetParam();
  std::string root = testing::source_dir();
  auto tokenizer = Tokenizer::load(root + "/" + c.tokenizer);
  size_t count = 0, failures = 0;
  std::string path = root + "/tests/reference/tokenizers/" + c.vectors;
  std::vector<Json> lines;
  for_each_jsonl(path, [&](const Json& v, size_t) { lines.push_back(v); });
  auto find_text = [&](const std::string& text) -> Json {
    for (const auto& v : lines) {
      if (v["text"] == text) return v;
    }
    ADD_FAILURE() << "no vector for " << text;
    return Json();
  };
  for_each_jsonl(path, [&](const Json& line_json, size_t line) {
    ++count;
    Json v = line_json;
    for (const auto& d : kDivergences) {
      if (c.vectors == std::string(d.vectors) && v["text"] == d.text) {
        Json equivalent = find_text(d.equivalent);
        v["ids"] = equivalent["ids"];
        v["ids_special"] = equivalent["ids_special"];
        v["decoded"] = equivalent["decoded"];
        v["decoded_skip_special"] = equivalent["decoded_skip_special"];
      }
    }
    std::string text = v["text"].get<std::string>();
    auto expected = v["ids"].get<std::vector<int32_t>>();
    auto expected_special = v["ids_special"].get<std::vector<int32_t>>();
    auto ids = tokenizer->encode(text, false);
    auto ids_special = tokenizer->encode(text, true);
    bool ok = ids == expected && ids_special == expected_special;
    EXPECT_EQ(show(ids), show(expected))
        << c.vectors << ":" << line << " text " << v["text"].dump();
    EXPECT_EQ(show(ids_special), show(expected_special))
        << c.vectors << ":" << line << " text " << v["text"].dump();
    std::string decoded = tokenizer->decode(expected, false);
    EXPECT_EQ(decoded, v["decoded"].get<std::string>())
        << c.vectors << ":" << line << " text " << v["text"].dump();
    ok = ok && decoded == v["decoded"].get<std::string>();
    std::string decoded_skip = tokenizer->decode(expected_special, true);
    EXPECT_EQ(decoded_skip, v["decoded_skip_special"].get<std::string>())
        << c.vectors << ":" << line << " text " << v["text"].dump();
    ok = ok && decoded_skip == v["decoded_skip_special"].get<std::string>();
    failures += !ok;
  });
  EXPECT_GE(count, 200u);
  EXPECT_EQ(failures, 0u) << "of " << count;
}

INSTANTIATE_TEST_SUITE_P(
    Tokenizers, ReferenceTest,
    ::testing::Values(
        Case{"qwen3.jsonl", "tests/fixtures/tokenizers/qwen3/tokenizer.json.gz"},
        Case{"bert_base_uncased.jsonl", "data/vocab/bert-base-uncased/vocab.txt"},
        Case{"sp_bpe.jsonl", "tests/fixtures/tokenizers/sp_bpe/tokenizer.json"},
        Case{"sp_bpe_legacy.jsonl", "tests/fixtures/tokenizers/sp_bpe_legacy/tokenizer.json"},
        Case{"byte_level_bpe.jsonl", "tests/fixtures/tokenizers/byte_level_bpe/tokenizer.json"},
        Case{"wordpiece_cased.jsonl", "tests/fixtures/tokenizers/wordpiece_cased/tokenizer.json"},
        Case{"llama3_style.jsonl", "tests/fixtures/tokenizers/llama3_style/tokenizer.json"},
        Case{"wordpiece_pipeline.jsonl",
             "tests/fixtures/tokenizers/wordpiece_pipeline/tokenizer.json"},
        Case{"unigram.jsonl", "tests/fixtures/tokenizers/unigram/tokenizer.json"},
        Case{"unigram_spm.jsonl", "tests/fixtures/tokenizers/unigram_spm/tokenizer.json"}),
    [](const ::testing::TestParamInfo<Case>& info) {
      std::string name = info.param.vectors;
      name = name.substr(0, name.find('.'));
      return name;
    });

}  // namespace
}  // namespace mom
