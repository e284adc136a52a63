// Tokenizer behaviour beyond the reference vectors: loading (files, directories, gzip), error
// messages, batches with truncation and padding, added-token rules, split behaviours, threads.
#include "core/tokenizers/tokenizer.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/error.h"
#include "core/file_io.h"
#include "core/json_util.h"
#include "tests/support/test_support.h"

namespace mom {
namespace {

std::string qwen_path() {
  return testing::source_dir() + "/tests/fixtures/tokenizers/qwen3/tokenizer.json.gz";
}
// Loaded once for the whole suite (about half a second each time otherwise).
const Tokenizer* shared_qwen() {
  static const std::unique_ptr<Tokenizer> t = Tokenizer::load(qwen_path());
  return t.get();
}
std::string bert_path() {
  return testing::source_dir() + "/data/vocab/bert-base-uncased/vocab.txt";
}

using testing::error_of;

// A WordLevel tokenizer over `tokens` (id = position) with the given pipeline parts, so that the
// ids show exactly how the text was split.
Json word_level(const std::vector<std::string>& tokens, const Json& pre_tokenizer,
                const Json& added = Json::array()) {
  Json vocab = Json::object();
  for (size_t i = 0; i < tokens.size(); ++i) vocab[tokens[i]] = i;
  return Json{{"version", "1.0"},
              {"added_tokens", added},
              {"normalizer", nullptr},
              {"pre_tokenizer", pre_tokenizer},
              {"post_processor", nullptr},
              {"decoder", nullptr},
              {"model", {{"type", "WordLevel"}, {"vocab", vocab}, {"unk_token", "<unk>"}}}};
}

std::unique_ptr<Tokenizer> load_json(const testing::TempDir& dir, const Json& json) {
  return Tokenizer::load(dir.write("tokenizer.json", json.dump()));
}

TEST(Tokenizer, EmptyTextGivesNoIds) {
  auto bert = Tokenizer::load(bert_path());
  EXPECT_TRUE(bert->encode("", false).empty());
  EXPECT_EQ(bert->encode("", true), (std::vector<int32_t>{101, 102}));
  auto qwen = shared_qwen();
  EXPECT_TRUE(qwen->encode("", false).empty());
  EXPECT_TRUE(qwen->encode("", true).empty());  // Qwen3's post-processor adds nothing
}

TEST(Tokenizer, InvalidUtf8NamesTheByteOffset) {
  auto qwen = shared_qwen();
  std::string message = error_of([&] {
    qwen->encode(
        "abc\xff"
        "def",
        false);
  });
  EXPECT_NE(message.find("invalid UTF-8 at byte 3"), std::string::npos) << message;
  message = error_of([&] { qwen->encode("ok \xe4\xbd", false); });  // truncated 3-byte sequence
  EXPECT_NE(message.find("byte 3"), std::string::npos) << message;
  message = error_of([&] { qwen->encode("\xed\xa0\x80", false); });  // UTF-16 surrogate
  EXPECT_NE(message.find("byte 0"), std::string::npos) << message;
  auto bert = Tokenizer::load(bert_path());
  EXPECT_NE(error_of([&] {
              bert->encode_batch({"fine", "\xc0\xaf"}, 16);
            }).find("invalid UTF-8"),
            std::string::npos);
}

TEST(Tokenizer, VocabularyQueries) {
  auto qwen = shared_qwen();
  EXPECT_EQ(qwen->vocab_size(), 151669u);
  EXPECT_EQ(qwen->token_to_id("<|im_end|>"), 151645);
  EXPECT_EQ(qwen->token_to_id("Hello"), 9707);
  EXPECT_EQ(qwen->id_to_token(151644), "<|im_start|>");
  EXPECT_FALSE(qwen->token_to_id("no such token at all").has_value());
  EXPECT_EQ(qwen->pad_id(), 151643);  // tokenizer_config.json: pad_token <|endoftext|>
  EXPECT_NE(error_of([&] { qwen->id_to_token(999999); }).find("999999"), std::string::npos);

  auto bert = Tokenizer::load(bert_path());
  EXPECT_EQ(bert->vocab_size(), 30522u);
  EXPECT_EQ(bert->pad_id(), 0);
  EXPECT_EQ(bert->token_to_id("[CLS]"), 101);
  EXPECT_EQ(bert->id_to_token(102), "[SEP]");
}

TEST(Tokenizer, LoadsDirectoriesAndGzip) {
  testing::TempDir dir;
  std::string vocab = read_file(bert_path());
  dir.write("bert/vocab.txt", vocab);
  auto from_dir = Tokenizer::load(dir.file("bert"));
  EXPECT_EQ(from_dir->encode("Hello, world!", true),
            (std::vector<int32_t>{101, 7592, 1010, 2088, 999, 102}));

  std::string json = read_file(qwen_path());
  testing::write_gzip(dir.file("qwen/tokenizer.json.gz"), json);
  auto from_gz_dir = Tokenizer::load(dir.file("qwen"));
  EXPECT_EQ(from_gz_dir->encode("Hello World", false), (std::vector<int32_t>{9707, 4337}));
  dir.write("qwen_plain/tokenizer.json", json);
  EXPECT_EQ(Tokenizer::load(dir.file("qwen_plain"))->vocab_size(), 151669u);

  EXPECT_NE(error_of([&] { Tokenizer::load(dir.file("missing.json")); }).find("not found"),
            std::string::npos);
  dir.write("empty/readme", "x");
  EXPECT_NE(error_of([&] { Tokenizer::load(dir.file("empty")); }).find("no tokenizer.json"),
            std::string::npos);
}

TEST(Tokenizer, MalformedFilesNameTheField) {
  testing::TempDir dir;
  auto message_for = [&](const std::string& content) {
    std::string path = dir.write("bad/tokenizer.json", content);
    return error_of([&] { Tokenizer::load(path); });
  };
  EXPECT_NE(message_for("{not json").find("not valid JSON"), std::string::npos);

  Json good = word_level({"<unk>", "a"}, nullptr);
  Json j = good;
  j["model"].erase("vocab");
  std::string m = message_for(j.dump());
  EXPECT_NE(m.find("model"), std::string::npos) << m;
  EXPECT_NE(m.find("'vocab'"), std::string::npos) << m;

  j = good;
  j["pre_tokenizer"] = {{"type", "Magic"}};
  m = message_for(j.dump());
  EXPECT_NE(m.find("pre_tokenizer"), std::string::npos) << m;
  EXPECT_NE(m.find("'Magic'"), std::string::npos) << m;

  j = good;
  j["pre_tokenizer"] = {
      {"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}};
  m = message_for(j.dump());
  EXPECT_NE(m.find("invalid regex"), std::string::npos) << m;

  j = good;
  j["added_tokens"] = Json::array({{{"content", "x"}}});
  m = message_for(j.dump());
  EXPECT_NE(m.find("added_tokens[0]"), std::string::npos) << m;
  EXPECT_NE(m.find("'id'"), std::string::npos) << m;

  Json bpe = {
      {"model",
       {{"type", "BPE"}, {"vocab", {{"a", 0}, {"b", 1}, {"ab", 2}}}, {"merges", {"a b", "a c"}}}}};
  m = message_for(bpe.dump());
  EXPECT_NE(m.find("'merges' entry 1"), std::string::npos) << m;
  EXPECT_NE(m.find("'c'"), std::string::npos) << m;
  bpe["model"]["merges"] = {"a b c"};
  EXPECT_NE(message_for(bpe.dump()).find("entry 0"), std::string::npos);

  Json tmpl = good;
  tmpl["post_processor"] = {{"type", "TemplateProcessing"},
                            {"single", {{{"SpecialToken", {{"id", "[X]"}, {"type_id", 0}}}}}},
                            {"special_tokens", Json::object()}};
  m = message_for(tmpl.dump());
  EXPECT_NE(m.find("'[X]'"), std::string::npos) << m;

  std::string no_cls = dir.write("vocab.txt", "[PAD]\n[UNK]\nhello\n");
  m = error_of([&] { Tokenizer::load(no_cls); });
  EXPECT_NE(m.find("[CLS]"), std::string::npos) << m;
}

TEST(Tokenizer, BatchTruncatesKeepingSpecialTokensAndPads) {
  auto bert = Tokenizer::load(bert_path());
  auto batch =
      bert->encode_batch({"hello world", "the quick brown fox jumps over the lazy dog", ""}, 6);
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[0].ids, (std::vector<int32_t>{101, 7592, 2088, 102, 0, 0}));
  EXPECT_EQ(batch[0].attention_mask, (std::vector<int32_t>{1, 1, 1, 1, 0, 0}));
  EXPECT_EQ(batch[1].ids, (std::vector<int32_t>{101, 1996, 4248, 2829, 4419, 102}));
  EXPECT_EQ(batch[1].attention_mask, (std::vector<int32_t>(6, 1)));
  EXPECT_EQ(batch[2].ids, (std::vector<int32_t>{101, 102, 0, 0, 0, 0}));

  // Padding goes to the longest sequence, not to max_length.
  batch = bert->encode_batch({"a", "a b"}, 512);
  EXPECT_EQ(batch[0].ids.size(), 4u);
  EXPECT_EQ(batch[0].ids.back(), 0);
  EXPECT_EQ(batch[1].attention_mask, (std::vector<int32_t>(4, 1)));

  // max_length 0: no truncation; Qwen3 pads with <|endoftext|>.
  auto qwen = shared_qwen();
  batch = qwen->encode_batch({"Hello World", "Hi"}, 0);
  EXPECT_EQ(batch[0].ids, (std::vector<int32_t>{9707, 4337}));
  EXPECT_EQ(batch[1].ids[1], 151643);
  EXPECT_EQ(batch[1].attention_mask, (std::vector<int32_t>{1, 0}));
  EXPECT_TRUE(qwen->encode_batch({}, 8).empty());
}

TEST(Tokenizer, DecodeSkipsSpecialTokensOnRequest) {
  auto qwen = shared_qwen();
  std::string chat = "<|im_start|>user\nHi there<|im_end|>";
  auto ids = qwen->encode(chat, false);
  EXPECT_EQ(ids.front(), 151644);
  EXPECT_EQ(ids.back(), 151645);
  EXPECT_EQ(qwen->decode(ids, false), chat);
  EXPECT_EQ(qwen->decode(ids, true), "user\nHi there");
  // Ids outside the vocabulary are skipped, as the Rust implementation does.
  EXPECT_EQ(qwen->decode({9707, 160000, 4337}, false), "Hello World");

  auto bert = Tokenizer::load(bert_path());
  // The WordPiece decoder's cleanup works token by token (as in Rust): "don ' t" keeps its spaces.
  EXPECT_EQ(bert->decode(bert->encode("Don't stop, Café!", true), true), "don ' t stop, cafe!");
  EXPECT_EQ(bert->decode(bert->encode("unaffable", true), false), "[CLS] unaffable [SEP]");
}

TEST(Tokenizer, QwenRoundTripsArbitraryText) {
  auto qwen = shared_qwen();
  for (const std::string text :
       {"  spaces\t\ttabs\n\nnewlines  ", "emoji 👨‍👩‍👧‍👦 and 🇫🇷",
        "混合 text 123456789", "def f(x):\n    return x\n", "\xF4\x8F\xBF\xBF"}) {
    EXPECT_EQ(qwen->decode(qwen->encode(text, false), false), text);
  }
  // A byte-level token cut in the middle of a character decodes to U+FFFD rather than bad UTF-8.
  auto ids = qwen->encode("\xF0\x90\x8D\x88", false);  // U+10348, a rare 4-byte character
  ASSERT_GT(ids.size(), 1u);
  EXPECT_EQ(qwen->decode({ids[0]}, false), "\xEF\xBF\xBD");
}

TEST(Tokenizer, AddedTokenRules) {
  testing::TempDir dir;
  Json added = Json::array({
      {{"id", 1},
       {"content", "<m>"},
       {"lstrip", true},
       {"rstrip", true},
       {"special", true},
       {"normalized", false}},
      {{"id", 2},
       {"content", "cat"},
       {"single_word", true},
       {"special", false},
       {"normalized", false}},
      {{"id", 3}, {"content", "catalog"}, {"special", false}, {"normalized", false}},
  });
  auto t = load_json(dir, word_level({"<unk>", "<m>", "cat", "catalog", "a", "b", "x", "cats"},
                                     {{"type", "WhitespaceSplit"}}, added));
  // lstrip/rstrip swallow the spaces around <m>.
  EXPECT_EQ(t->encode("a  <m>  b", false), (std::vector<int32_t>{4, 1, 5}));
  // single_word: "cat" alone matches, inside a word it does not; longest match wins.
  EXPECT_EQ(t->encode("a cat b", false), (std::vector<int32_t>{4, 2, 5}));
  EXPECT_EQ(t->encode("cats", false), (std::vector<int32_t>{7}));
  EXPECT_EQ(t->encode("xcat", false), (std::vector<int32_t>{0}));
  EXPECT_EQ(t->encode("catalog", false), (std::vector<int32_t>{3}));
  EXPECT_EQ(t->decode({4, 1, 5}, true), "a b");
}

TEST(Tokenizer, SplitBehaviours) {
  testing::TempDir dir;
  std::vector<std::string> vocab = {"<unk>", "a", "-", "a-", "-a", "--", "b"};
  auto split = [&](const std::string& behavior) {
    Json pre = {{"type", "Split"},
                {"pattern", {{"String", "-"}}},
                {"behavior", behavior},
                {"invert", false}};
    return load_json(dir, word_level(vocab, pre))->encode("a-b--a", false);
  };
  EXPECT_EQ(split("Removed"), (std::vector<int32_t>{1, 6, 1}));
  EXPECT_EQ(split("Isolated"), (std::vector<int32_t>{1, 2, 6, 2, 2, 1}));
  EXPECT_EQ(split("MergedWithPrevious"), (std::vector<int32_t>{3, 0, 2, 1}));  // a- b- - a
  EXPECT_EQ(split("MergedWithNext"), (std::vector<int32_t>{1, 0, 2, 4}));      // a -b - -a
  EXPECT_EQ(split("Contiguous"), (std::vector<int32_t>{1, 2, 6, 5, 1}));
}

TEST(Tokenizer, MetaspacePrependSchemes) {
  testing::TempDir dir;
  std::vector<std::string> vocab = {"<unk>",
                                    "<s>",
                                    "\xE2\x96\x81"
                                    "a",
                                    "a",
                                    "\xE2\x96\x81"
                                    "b",
                                    "b"};
  Json added =
      Json::array({{{"id", 1}, {"content", "<s>"}, {"special", true}, {"normalized", false}}});
  auto with_scheme = [&](const std::string& scheme, const std::string& text) {
    Json pre = {{"type", "Metaspace"},
                {"replacement", "\xE2\x96\x81"},
                {"prepend_scheme", scheme},
                {"split", true}};
    return load_json(dir, word_level(vocab, pre, added))->encode(text, false);
  };
  EXPECT_EQ(with_scheme("always", "a b"), (std::vector<int32_t>{2, 4}));
  EXPECT_EQ(with_scheme("never", "a b"), (std::vector<int32_t>{3, 4}));
  EXPECT_EQ(with_scheme("first", "a b"), (std::vector<int32_t>{2, 4}));
  EXPECT_EQ(with_scheme("first", "<s>a"),
            (std::vector<int32_t>{1, 3}));  // not at the start of the input
  EXPECT_EQ(with_scheme("always", "<s>a"), (std::vector<int32_t>{1, 2}));
}

// Pre-tokenizers whose Tokenizers.js versions depart from Rust (so the reference vectors do not
// cover them); expectations derived from the Rust sources: Whitespace is \w+|[^\w\s]+ with
// Unicode \w (letters, marks, digits, connectors, join controls), Punctuation and Digits test
// one character at a time (char::is_numeric covers every decimal digit).
TEST(Tokenizer, UnicodeAwarePreTokenizers) {
  testing::TempDir dir;
  std::vector<std::string> vocab = {
      "<unk>", "straße", "中文english", "!", "!!", "٣", "٣٤", "x", "?!", "\xE0\xA4\xA8\xE0\xA4\xBF",
      "_a"};
  auto encode = [&](const Json& pre, const std::string& text) {
    return load_json(dir, word_level(vocab, pre))->encode(text, false);
  };
  Json whitespace = {{"type", "Whitespace"}};
  EXPECT_EQ(encode(whitespace, "straße 中文english ?!"), (std::vector<int32_t>{1, 2, 8}));
  EXPECT_EQ(encode(whitespace, "\xE0\xA4\xA8\xE0\xA4\xBF _a"),
            (std::vector<int32_t>{9, 10}));  // नि: a spacing mark stays in the word
  Json punctuation = {{"type", "Punctuation"}, {"behavior", "Isolated"}};
  EXPECT_EQ(encode(punctuation, "!!x"), (std::vector<int32_t>{3, 3, 7}));
  Json contiguous = {{"type", "Punctuation"}, {"behavior", "Contiguous"}};
  EXPECT_EQ(encode(contiguous, "!!x"), (std::vector<int32_t>{4, 7}));
  Json digits = {{"type", "Digits"}, {"individual_digits", true}};
  EXPECT_EQ(encode(digits, "٣٤x"), (std::vector<int32_t>{5, 0, 7}));  // ٤ alone is not in the vocab
  Json runs = {{"type", "Digits"}, {"individual_digits", false}};
  EXPECT_EQ(encode(runs, "٣٤x"), (std::vector<int32_t>{6, 7}));
}

TEST(Tokenizer, StripAccentsRemovesEveryMarkButBertOnlyNonspacing) {
  testing::TempDir dir;
  // न + ि (U+093F, a spacing mark Mc) + ् (U+094D, nonspacing Mn)
  std::string word = "\xE0\xA4\xA8\xE0\xA4\xBF\xE0\xA5\x8D";
  std::vector<std::string> vocab = {"<unk>", "\xE0\xA4\xA8", "\xE0\xA4\xA8\xE0\xA4\xBF"};
  Json strip = word_level(vocab, nullptr);
  strip["normalizer"] = {{"type", "Sequence"},
                         {"normalizers", {{{"type", "NFD"}}, {{"type", "StripAccents"}}}}};
  EXPECT_EQ(load_json(dir, strip)->encode(word, false), (std::vector<int32_t>{1}));
  Json bert = word_level(vocab, nullptr);
  bert["normalizer"] = {{"type", "BertNormalizer"}, {"lowercase", false}, {"strip_accents", true}};
  EXPECT_EQ(load_json(dir, bert)->encode(word, false), (std::vector<int32_t>{2}));
}

// A BPE tokenizer.json with a whitespace split, so that each word is one BPE input.
Json bpe(const Json& vocab, const Json& merges, const Json& extra_model, const Json& decoder) {
  Json model = {{"type", "BPE"}, {"vocab", vocab}, {"merges", merges}};
  model.update(extra_model);
  return Json{{"added_tokens", Json::array()},
              {"pre_tokenizer", {{"type", "WhitespaceSplit"}}},
              {"decoder", decoder},
              {"model", model}};
}

TEST(Tokenizer, BpeUnknownsPrefixAndSuffix) {
  testing::TempDir dir;
  Json vocab = {{"<unk>", 0}, {"a", 1}, {"b", 2}, {"ab", 3}};
  auto fused =
      load_json(dir, bpe(vocab, {"a b"}, {{"unk_token", "<unk>"}, {"fuse_unk", true}}, nullptr));
  EXPECT_EQ(fused->encode("axyb ab", false), (std::vector<int32_t>{1, 0, 2, 3}));
  auto unfused = load_json(dir, bpe(vocab, {"a b"}, {{"unk_token", "<unk>"}}, nullptr));
  EXPECT_EQ(unfused->encode("axyb", false), (std::vector<int32_t>{1, 0, 0, 2}));
  auto dropped = load_json(dir, bpe(vocab, {"a b"}, Json::object(), nullptr));  // no unk_token
  EXPECT_EQ(dropped->encode("axyb", false), (std::vector<int32_t>{3}));  // a and b meet and merge

  // continuing_subword_prefix: the merge of "a" and "##b" is "ab".
  Json prefixed = {{"a", 0}, {"##b", 1}, {"ab", 2}, {"##a", 3}};
  auto with_prefix = load_json(dir, bpe(prefixed, Json::array({Json::array({"a", "##b"})}),
                                        {{"continuing_subword_prefix", "##"}}, nullptr));
  EXPECT_EQ(with_prefix->encode("ab aa", false), (std::vector<int32_t>{2, 0, 3}));

  // end_of_word_suffix with the BPEDecoder that turns it back into spaces.
  Json suffixed = {{"a", 0}, {"b</w>", 1}, {"ab</w>", 2}, {"a</w>", 3}};
  auto with_suffix = load_json(dir, bpe(suffixed, {"a b</w>"}, {{"end_of_word_suffix", "</w>"}},
                                        {{"type", "BPEDecoder"}, {"suffix", "</w>"}}));
  auto ids = with_suffix->encode("ab a", false);
  EXPECT_EQ(ids, (std::vector<int32_t>{2, 3}));
  EXPECT_EQ(with_suffix->decode(ids, false), "ab a");
}

// A Unigram tokenizer: WhitespaceSplit, then the model over `vocab` ([piece, score] pairs).
Json unigram(const Json& vocab, const Json& extra) {
  Json model = {{"type", "Unigram"}, {"vocab", vocab}};
  for (auto it = extra.begin(); it != extra.end(); ++it) model[it.key()] = it.value();
  return Json{{"version", "1.0"},
              {"added_tokens", Json::array()},
              {"normalizer", nullptr},
              {"pre_tokenizer", {{"type", "WhitespaceSplit"}}},
              {"post_processor", nullptr},
              {"decoder", nullptr},
              {"model", model}};
}

TEST(Tokenizer, UnigramViterbiUnknownsAndByteFallback) {
  testing::TempDir dir;
  // abc: "abc" -5, "ab"+"c" -3.5, "a"+"b"+"c" -4: the best path is ab + c.
  Json vocab = Json::array({Json::array({"<unk>", 0.0}), Json::array({"a", -1.0}),
                            Json::array({"b", -1.0}), Json::array({"ab", -1.5}),
                            Json::array({"abc", -5.0}), Json::array({"c", -2.0})});
  auto t = load_json(dir, unigram(vocab, {{"unk_id", 0}}));
  EXPECT_EQ(t->encode("abc", false), (std::vector<int32_t>{3, 5}));
  // Unknown characters become unk (score min - 10); a run of them in one word is one unk.
  EXPECT_EQ(t->encode("axyb", false), (std::vector<int32_t>{1, 0, 2}));
  EXPECT_EQ(t->encode("xa y", false), (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(t->encode("x y", false), (std::vector<int32_t>{0, 0}));  // not fused across words

  // A tie between "ab" (-2) and "a" + "b" (-2) keeps the path seen first: the one whose last
  // piece starts earliest.
  Json tie = Json::array({Json::array({"<unk>", 0.0}), Json::array({"a", -1.0}),
                          Json::array({"b", -1.0}), Json::array({"ab", -2.0})});
  EXPECT_EQ(load_json(dir, unigram(tie, {{"unk_id", 0}}))->encode("ab", false),
            (std::vector<int32_t>{3}));

  // byte_fallback: an unknown run becomes its UTF-8 bytes when every <0xXX> piece exists.
  Json bytes = vocab;
  bytes.push_back(Json::array({"<0x78>", -3.0}));  // x
  bytes.push_back(Json::array({"<0x79>", -3.0}));  // y
  bytes.push_back(Json::array({"<0xC3>", -3.0}));
  bytes.push_back(Json::array({"<0xA9>", -3.0}));  // é = C3 A9
  auto fallback = load_json(dir, unigram(bytes, {{"unk_id", 0}, {"byte_fallback", true}}));
  EXPECT_EQ(fallback->encode("axyb", false), (std::vector<int32_t>{1, 6, 7, 2}));
  EXPECT_EQ(fallback->encode("\xC3\xA9", false), (std::vector<int32_t>{8, 9}));
  EXPECT_EQ(fallback->encode("axzb", false), (std::vector<int32_t>{1, 0, 2}));  // no <0x7A>

  // Without unk_id an uncovered character is an error; covered text still encodes.
  auto no_unk = load_json(dir, unigram(vocab, Json::object()));
  EXPECT_EQ(no_unk->encode("ab", false), (std::vector<int32_t>{3}));
  EXPECT_NE(error_of([&] { no_unk->encode("x", false); }).find("unk_id"), std::string::npos);

  // A model without "type" whose vocab is an array is a Unigram (as the Rust deserializer infers).
  Json untyped = unigram(vocab, {{"unk_id", 0}});
  untyped["model"].erase("type");
  EXPECT_EQ(load_json(dir, untyped)->encode("abc", false), (std::vector<int32_t>{3, 5}));
}

TEST(Tokenizer, UnigramMalformedFilesNameTheField) {
  testing::TempDir dir;
  auto message_for = [&](const Json& json) {
    std::string path = dir.write("bad/tokenizer.json", json.dump());
    return error_of([&] { Tokenizer::load(path); });
  };
  Json good = Json::array({Json::array({"<unk>", 0.0}), Json::array({"a", -1.0})});
  for (const Json& entry : {Json::array({1, -1.0}), Json::array({"b"}), Json::array({"b", "x"}),
                            Json("b"), Json::array({"b", -1.0, 3})}) {
    Json vocab = good;
    vocab.push_back(entry);
    std::string m = message_for(unigram(vocab, {{"unk_id", 0}}));
    EXPECT_NE(m.find("tokenizer.json"), std::string::npos) << m;
    EXPECT_NE(m.find("'vocab' entry 2"), std::string::npos) << m;
  }
  std::string m = message_for(unigram(good, {{"unk_id", 2}}));
  EXPECT_NE(m.find("tokenizer.json"), std::string::npos) << m;
  EXPECT_NE(m.find("'unk_id'"), std::string::npos) << m;
  EXPECT_NE(message_for(unigram(good, {{"unk_id", -1}})).find("'unk_id'"), std::string::npos);
  EXPECT_NE(message_for(unigram(good, {{"unk_id", "0"}})).find("'unk_id'"), std::string::npos);
  EXPECT_NE(message_for(unigram(Json::array(), Json::object())).find("'vocab'"), std::string::npos);
  Json object_vocab = unigram(good, Json::object());
  object_vocab["model"]["vocab"] = {{"a", 0}};
  EXPECT_NE(message_for(object_vocab).find("'vocab'"), std::string::npos);

  // A malformed Precompiled normalizer (here a 3-byte charsmap) names the field.
  Json precompiled = unigram(good, {{"unk_id", 0}});
  precompiled["normalizer"] = {{"type", "Precompiled"}, {"precompiled_charsmap", "AAAA"}};
  m = message_for(precompiled);
  EXPECT_NE(m.find("tokenizer.json"), std::string::npos) << m;
  EXPECT_NE(m.find("normalizer"), std::string::npos) << m;
  EXPECT_NE(m.find("'precompiled_charsmap'"), std::string::npos) << m;
}

TEST(Tokenizer, Decoders) {
  testing::TempDir dir;
  const std::string m = "\xE2\x96\x81";  // ▁
  std::vector<std::string> vocab = {"<unk>",  m + "Hello", m + "world", m + m + "x",
                                    "<0xE4>", "<0xBD>",    "<0xA0>",    "y"};
  auto with_decoder = [&](const Json& decoder) {
    Json j = word_level(vocab, nullptr);
    j["decoder"] = decoder;
    return load_json(dir, j);
  };
  auto metaspace =
      with_decoder({{"type", "Metaspace"}, {"replacement", m}, {"prepend_scheme", "always"}});
  EXPECT_EQ(metaspace->decode({1, 2}, false), "Hello world");
  EXPECT_EQ(metaspace->decode({3, 3}, false), "x  x");  // every ▁ of the first token goes
  auto never =
      with_decoder({{"type", "Metaspace"}, {"replacement", m}, {"prepend_scheme", "never"}});
  EXPECT_EQ(never->decode({1, 2}, false), " Hello world");

  Json fallback = {{"type", "Sequence"},
                   {"decoders", {{{"type", "ByteFallback"}}, {{"type", "Fuse"}}}}};
  auto bytes = with_decoder(fallback);
  EXPECT_EQ(bytes->decode({4, 5, 6, 7}, false), "\xE4\xBD\xA0y");  // 你 from its bytes
  EXPECT_EQ(bytes->decode({4, 5, 7}, false),
            "\xEF\xBF\xBD\xEF\xBF\xBDy");  // two bytes, no character
  auto strip = with_decoder({{"type", "Strip"}, {"content", "y"}, {"start", 1}, {"stop", 0}});
  EXPECT_EQ(strip->decode({7, 7}, false), "");
  auto replace =
      with_decoder({{"type", "Replace"}, {"pattern", {{"String", m}}}, {"content", "_"}});
  EXPECT_EQ(replace->decode({1, 2}, false), "_Hello_world");
  auto none = with_decoder(nullptr);
  EXPECT_EQ(none->decode({7, 7}, false), "y y");
}

TEST(Tokenizer, RustLowercasingIsPerCharacter) {
  // The Rust BertNormalizer maps each character on its own: no final sigma, İ -> i + U+0307.
  auto bert = Tokenizer::load(bert_path());
  EXPECT_EQ(bert->encode("ΣΑΣ", false), bert->encode("σασ", false));
  EXPECT_EQ(bert->encode("İ", false),
            bert->encode("i", false));  // the dot above is stripped as an accent
}

TEST(Tokenizer, ConcurrentEncodingAgrees) {
  auto qwen = shared_qwen();
  std::vector<std::string> texts;
  for (int i = 0; i < 50; ++i)
    texts.push_back("sample " + std::to_string(i * 7919) + " text — 你好 " +
                    std::string(i % 7, ' ') + "end");
  std::vector<std::vector<int32_t>> expected;
  for (const auto& t : texts) expected.push_back(qwen->encode(t, true));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      for (int round = 0; round < 20; ++round) {
        for (size_t i = 0; i < texts.size(); ++i)
          mismatches[w] += qwen->encode(texts[i], true) != expected[i];
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace mom
