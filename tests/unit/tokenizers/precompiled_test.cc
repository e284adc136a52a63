// The Precompiled normalizer (SentencePiece's precompiled_charsmap) against Google's sentencepiece:
// the charsmaps of two tiny models (nmt_nfkc, nfkc_cf) and the normalized text and ids
// sentencepiece gives for each test string (tests/reference/tokenizers/precompiled_*.jsonl, made by
// make_precompiled_vectors.py). Also the error paths of a malformed charsmap.
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/file_io.h"
#include "core/json_util.h"
#include "core/tokenizers/precompiled_charsmap.h"
#include "core/tokenizers/tokenizer.h"
#include "core/tokenizers/unicode_util.h"
#include "tests/support/test_support.h"

namespace mom {
namespace {

using tok::PrecompiledCharsmap;

using testing::error_of;

// SentencePiece shows a space as U+2581 in its pieces.
std::string escape_spaces(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == ' ') {
      out += "\xE2\x96\x81";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string show(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) s += std::to_string(id) + " ";
  return s;
}

// Whether `text` holds a grapheme cluster of several code points of the kinds in the test strings:
// CR LF, a combining mark (U+0300-036F), a (half-width) kana voicing mark, a Hangul vowel or final
// jamo. Only there can the Hugging Face rule (whole clusters) depart from SentencePiece's.
bool has_multi_code_point_cluster(const std::string& text) {
  if (text.find("\r\n") != std::string::npos) return true;
  for (size_t pos = 0; pos < text.size();) {
    char32_t c = tok::next_code_point(text, pos);
    if ((c >= 0x300 && c <= 0x36F) || c == 0x3099 || c == 0x309A || c == 0xFF9E || c == 0xFF9F ||
        (c >= 0x1160 && c <= 0x11FF)) {
      return true;
    }
  }
  return false;
}

class PrecompiledReferenceTest : public ::testing::TestWithParam<const char*> {};

TEST_P(PrecompiledReferenceTest, MatchesSentencePiece) {
  std::string name = GetParam();
  std::string root = testing::source_dir();
  std::string tokenizer_path = root + "/tests/fixtures/tokenizers/" + name + "/tokenizer.json";
  Json config = Json::parse(read_file(tokenizer_path));
  std::string blob = tok::decode_base64(
      config["normalizer"]["precompiled_charsmap"].get<std::string>(), tokenizer_path);
  PrecompiledCharsmap charsmap(blob, tokenizer_path);
  auto tokenizer = Tokenizer::load(tokenizer_path);
  std::string vectors = name + ".jsonl";
  size_t count = 0, diverging = 0, ids_checked = 0, ties = 0;
  std::vector<double> scores;
  for (const auto& entry : config["model"]["vocab"]) scores.push_back(entry[1].get<double>());
  auto score = [&](const std::vector<int32_t>& ids) {
    double total = 0;
    for (int32_t id : ids) total += scores.at(static_cast<size_t>(id));
    return total;
  };
  for_each_jsonl(root + "/tests/reference/tokenizers/" + vectors, [&](const Json& v, size_t line) {
    ++count;
    std::string text = v["text"].get<std::string>();
    std::string expected = v["normalized"].get<std::string>();
    // SentencePiece's own rule reproduces sentencepiece on every string.
    EXPECT_EQ(escape_spaces(charsmap.normalize_longest_match(text)), expected)
        << vectors << ":" << line << " text " << v["text"].dump();
    // The Hugging Face rule (MOM's) agrees except where a cluster of several code points starts
    // with a key (replaced whole by that key's replacement: CR LF -> one space, A + U+0301 with a
    // full-width A -> A) or is 6 bytes or longer (then per character, so a + U+0300 U+0301 U+0302
    // is not composed as SentencePiece's longest match composes a + U+0300).
    std::string hf = charsmap.normalize(text);
    if (escape_spaces(hf) != expected) {
      ++diverging;
      EXPECT_TRUE(has_multi_code_point_cluster(text))
          << vectors << ":" << line << " text " << v["text"].dump() << " HF rule "
          << Json(hf).dump() << " SentencePiece " << Json(expected).dump();
      return;
    }
    // Ids: Precompiled + Metaspace (never prepend, no split) + Unigram against sp.encode; where
    // they differ the two segmentations must score the same (a Viterbi tie, broken differently).
    auto expected_ids = v["ids"].get<std::vector<int32_t>>();
    auto ids = tokenizer->encode(text, false);
    ++ids_checked;
    if (ids != expected_ids) {
      ++ties;
      EXPECT_NEAR(score(ids), score(expected_ids), 1e-3)
          << vectors << ":" << line << " text " << v["text"].dump() << " ids " << show(ids)
          << " sentencepiece " << show(expected_ids);
    }
  });
  EXPECT_GE(count, 300u);
  EXPECT_LE(diverging, 30u);
  EXPECT_LE(ties, 2u);
  std::cout << vectors << ": " << count << " strings; SentencePiece's rule matches all; the "
            << "Hugging Face rule departs on " << diverging << " (clusters); ids compared on "
            << ids_checked << ", of which " << ties << " equal-score ties\n";
}

INSTANTIATE_TEST_SUITE_P(SentencePiece, PrecompiledReferenceTest,
                         ::testing::Values("precompiled_nmt_nfkc", "precompiled_nfkc_cf"));

// The Hugging Face rule on the nmt_nfkc charsmap, per the Rust tokenizers' Precompiled normalizer:
// a cluster under 6 bytes that a key prefixes becomes that (shortest) key's replacement, whole.
TEST(Precompiled, HuggingFaceClusterRule) {
  std::string path =
      testing::source_dir() + "/tests/fixtures/tokenizers/precompiled_nmt_nfkc/tokenizer.json";
  Json config = Json::parse(read_file(path));
  PrecompiledCharsmap charsmap(
      tok::decode_base64(config["normalizer"]["precompiled_charsmap"].get<std::string>(), path),
      path);
  EXPECT_EQ(charsmap.normalize("a\r\nb"), "a b");  // CR LF: one cluster
  EXPECT_EQ(charsmap.normalize_longest_match("a\r\nb"), "a  b");
  EXPECT_EQ(charsmap.normalize("\xEF\xBC\xA1\xCC\x81"), "A");  // full-width A + U+0301
  EXPECT_EQ(charsmap.normalize_longest_match("\xEF\xBC\xA1\xCC\x81"), "\xC3\x81");  // Á
  EXPECT_EQ(charsmap.normalize("e\xCC\x81"), "\xC3\xA9");              // e + U+0301 -> é
  EXPECT_EQ(charsmap.normalize("\xEF\xAC\x81 \xE2\x91\xA0"), "fi 1");  // ﬁ ①
  EXPECT_EQ(charsmap.normalize("x\xC2\xA0y"), "x y");                  // NBSP
  EXPECT_EQ(charsmap.normalize(std::string("a\0b", 3)), std::string("a\0b", 3));
}

// A hand-made trie with the single key "a" -> strings[value]: root offset 1, so "a" (0x61) sits at
// unit 1 ^ 0x61 = 96, with the has-leaf bit and offset 1 to its value unit 97.
std::string tiny_charsmap(uint32_t value, const std::string& strings, uint32_t trie_size = 98 * 4) {
  std::vector<uint32_t> units(98, 0);
  units[0] = 1u << 10;
  units[96] = 0x61u | 0x100u | (1u << 10);
  units[97] = 0x80000000u | value;
  std::string blob;
  auto put = [&](uint32_t x) {
    for (int i = 0; i < 4; ++i) blob.push_back(static_cast<char>((x >> (8 * i)) & 0xFF));
  };
  put(trie_size);
  for (uint32_t u : units) put(u);
  return blob + strings;
}

TEST(Precompiled, HandMadeTrie) {
  PrecompiledCharsmap charsmap(tiny_charsmap(2, std::string("x\0bc\0", 5)), "test");
  EXPECT_EQ(charsmap.normalize("a"), "bc");
  EXPECT_EQ(charsmap.normalize("xay\xC3\xA9"
                               "a"),
            "xbcy\xC3\xA9"
            "bc");
  EXPECT_EQ(charsmap.normalize(""), "");
  EXPECT_EQ(charsmap.normalize_longest_match("banana"), "bbcnbcnbc");
  EXPECT_EQ(charsmap.longest_prefix("ab").length, 1u);
  EXPECT_EQ(charsmap.shortest_prefix("ba").length, 0u);
}

TEST(Precompiled, Base64) {
  EXPECT_EQ(tok::decode_base64("aGVsbG8=", "t"), "hello");
  EXPECT_EQ(tok::decode_base64("aGVsbG8", "t"), "hello");
  EXPECT_EQ(tok::decode_base64("", "t"), "");
  EXPECT_NE(tok::decode_base64("+/+/", "t"), "");
  EXPECT_NE(error_of([] { tok::decode_base64("aGV*bG8=", "t"); }).find("base64"),
            std::string::npos);
  EXPECT_NE(error_of([] { tok::decode_base64("aGVsb", "t"); }).find("base64"), std::string::npos);
}

std::string to_base64(const std::string& b) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < b.size(); i += 3) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(b[i])) << 16;
    if (i + 1 < b.size()) n |= static_cast<uint32_t>(static_cast<unsigned char>(b[i + 1])) << 8;
    if (i + 2 < b.size()) n |= static_cast<unsigned char>(b[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < b.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < b.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

TEST(Precompiled, MalformedCharsmapNamesFileAndField) {
  testing::TempDir dir;
  auto write = [&](const std::string& field) {
    Json j = {{"model",
               {{"type", "Unigram"},
                {"unk_id", 0},
                {"vocab", Json::array({Json::array({"<unk>", 0.0}), Json::array({"b", -1.0})})}}},
              {"normalizer", {{"type", "Precompiled"}, {"precompiled_charsmap", field}}}};
    return dir.write("t/tokenizer.json", j.dump());
  };
  // A good one loads and normalizes ("a" -> "b").
  auto good = Tokenizer::load(write(to_base64(tiny_charsmap(0, std::string("b\0", 2)))));
  EXPECT_EQ(good->encode("ab", false), (std::vector<int32_t>{1, 1}));

  auto message_for = [&](const std::string& field) {
    std::string path = write(field);
    std::string m = error_of([&] { Tokenizer::load(path); });
    EXPECT_NE(m.find("tokenizer.json"), std::string::npos) << m;
    EXPECT_NE(m.find("'precompiled_charsmap'"), std::string::npos) << m;
    return m;
  };
  EXPECT_NE(message_for("not*base64").find("base64"), std::string::npos);
  EXPECT_NE(message_for("AAAA").find("too short"), std::string::npos);
  // trie_size larger than the blob, not a multiple of 4, zero.
  EXPECT_NE(message_for(to_base64(tiny_charsmap(0, "b", 1000 * 4))).find("trie size"),
            std::string::npos);
  EXPECT_NE(message_for(to_base64(tiny_charsmap(0, "b", 6))).find("trie size"), std::string::npos);
  EXPECT_NE(message_for(to_base64(tiny_charsmap(0, "b", 0))).find("trie size"), std::string::npos);
  // A value past the strings, or inside a character.
  EXPECT_NE(message_for(to_base64(tiny_charsmap(7, std::string("b\0", 2)))).find("trie value"),
            std::string::npos);
  EXPECT_NE(message_for(to_base64(tiny_charsmap(1, "\xC3\xA9"))).find("trie value"),
            std::string::npos);
  EXPECT_NE(message_for(to_base64(tiny_charsmap(0, "\xFF"))).find("UTF-8"), std::string::npos);
}

}  // namespace
}  // namespace mom
