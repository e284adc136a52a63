// Parsing one samples file: shapes, correctness, confidence, filters, errors with file:line.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "labeler/sample_file.h"
#include "labeler/sample_record.h"
#include "tests/support/test_support.h"
#include "tests/unit/labeler/fixtures.h"

namespace mom::labeler {
namespace {

using labeler::testing::gen_line;
using labeler::testing::jsonl;
using labeler::testing::mc_line;

using mom::testing::error_of;

TEST(SampleRecord, MultipleChoiceConfidenceIsSoftmaxOfGoldNotChoiceZero) {
  // Gold is choice 2; the original implementation's "choice 0" confidence would be wrong here.
  auto parsed = parse_samples("f.jsonl", "arc_challenge",
                              jsonl({mc_line(0, {-3.0, -2.0, -1.0}, 2), mc_line(1, {-1.0, -2.0, -4.0}, 1)}),
                              {});
  ASSERT_EQ(parsed.records.size(), 2u);
  double z = std::exp(-3.0) + std::exp(-2.0) + std::exp(-1.0);
  EXPECT_EQ(parsed.records[0].kind, RecordKind::kMultipleChoice);
  EXPECT_TRUE(parsed.records[0].correct);
  EXPECT_NEAR(*parsed.records[0].confidence, std::exp(-1.0) / z, 1e-6);
  z = std::exp(-1.0) + std::exp(-2.0) + std::exp(-4.0);
  EXPECT_FALSE(parsed.records[1].correct);
  EXPECT_NEAR(*parsed.records[1].confidence, std::exp(-2.0) / z, 1e-6);
  EXPECT_EQ(parsed.records[0].text, "Q?");
  EXPECT_EQ(parsed.records[1].line, 2u);
}

TEST(SampleRecord, LetterTargetMatchesContinuation) {
  auto line = mc_line(3, {-5.0, -0.5, -2.0}, 1);
  line["target"] = "B";
  line["arguments"]["gen_args_0"]["arg_1"] = " A";
  line["arguments"]["gen_args_1"]["arg_1"] = " B";
  line["arguments"]["gen_args_2"]["arg_1"] = " C";
  auto parsed = parse_samples("csqa.jsonl", "commonsense_qa", jsonl({line}), {});
  EXPECT_TRUE(parsed.records[0].correct);
  EXPECT_GT(*parsed.records[0].confidence, 0.5);
}

TEST(SampleRecord, DigitTargetIsAnIndexEvenWhenAChoiceReadsTheSame) {
  // Real arc doc 234: choices "2", "4", "8", "16", target "2" = index 2 ("8"). A model that got
  // it wrong (argmax 1) must still get the confidence of choice 2, not of the choice reading "2".
  std::vector<double> lls = {-6.0, -0.5, -3.0, -4.0};
  auto line = mc_line(234, lls, 2);
  const char* texts[] = {" 2", " 4", " 8", " 16"};
  for (int i = 0; i < 4; ++i) line["arguments"]["gen_args_" + std::to_string(i)]["arg_1"] = texts[i];
  line["target"] = "2";
  auto parsed = parse_samples("f.jsonl", "arc_challenge", jsonl({line}), {});
  double z = 0;
  for (double ll : lls) z += std::exp(ll);
  EXPECT_FALSE(parsed.records[0].correct);
  EXPECT_NEAR(*parsed.records[0].confidence, std::exp(-3.0) / z, 1e-6);
}

TEST(SampleRecord, GenerationIsToldByShapeNotMetricName) {
  auto line = gen_line(0, true, "none");
  line.erase("exact_match");
  line["metrics"] = {"acc"};  // a generation task scored with acc
  line["acc"] = 1.0;
  auto parsed = parse_samples("g.jsonl", "gen_task", jsonl({line}), {});
  EXPECT_EQ(parsed.records[0].kind, RecordKind::kGenerate);
  EXPECT_TRUE(parsed.records[0].correct);
  EXPECT_FALSE(parsed.records[0].confidence.has_value());
}

TEST(SampleRecord, FilterChoice) {
  std::string content = jsonl({gen_line(0, false, "remove_whitespace"), gen_line(0, true, "flexible-extract"),
                               gen_line(1, true, "remove_whitespace"), gen_line(1, false, "flexible-extract")});
  auto by_default = parse_samples("m.jsonl", "mgsm_direct_en", content, {});
  EXPECT_EQ(by_default.filter, "flexible-extract");
  ASSERT_EQ(by_default.records.size(), 2u);
  EXPECT_TRUE(by_default.records[0].correct);
  EXPECT_FALSE(by_default.records[1].correct);
  ParseOptions opts;
  opts.filter = "remove_whitespace";
  auto chosen = parse_samples("m.jsonl", "mgsm_direct_en", content, opts);
  EXPECT_FALSE(chosen.records[0].correct);
  EXPECT_TRUE(chosen.records[1].correct);
  opts.filter = "strict-match";
  EXPECT_NE(error_of([&] { parse_samples("m.jsonl", "t", content, opts); }).find("filter 'strict-match' not logged"),
            std::string::npos);
  std::string no_default = jsonl({gen_line(0, true, "a"), gen_line(0, true, "b")});
  EXPECT_NE(error_of([&] { parse_samples("m.jsonl", "t", no_default, {}); }).find("--filter"), std::string::npos);
}

TEST(SampleRecord, MalformedLineNamesFileAndLine) {
  std::string content = jsonl({mc_line(0, {-1, -2}, 0)}) + "{\"doc_id\": 1, oops\n" + jsonl({mc_line(2, {-1, -2}, 0)});
  EXPECT_NE(error_of([&] { parse_samples("dir/s.jsonl", "t", content, {}); }).find("dir/s.jsonl:2: malformed JSON"),
            std::string::npos);
  ParseOptions skip;
  skip.skip_bad_lines = true;
  auto parsed = parse_samples("dir/s.jsonl", "t", content, skip);
  EXPECT_EQ(parsed.bad_lines, 1u);
  EXPECT_EQ(parsed.records.size(), 2u);
}

TEST(SampleRecord, ShapeErrorsNameTheField) {
  auto no_acc = mc_line(0, {-1, -2}, 0);
  no_acc.erase("acc");
  EXPECT_NE(error_of([&] { parse_samples("a.jsonl", "t", jsonl({no_acc}), {}); }).find("a.jsonl:1: multiple-choice record without"),
            std::string::npos);
  auto no_id = mc_line(0, {-1, -2}, 0);
  no_id.erase("doc_id");
  EXPECT_NE(error_of([&] { parse_samples("a.jsonl", "t", jsonl({no_id}), {}); }).find("'doc_id'"), std::string::npos);
  auto bad_target = mc_line(0, {-1, -2}, 0);
  bad_target["target"] = "Z";
  EXPECT_NE(error_of([&] { parse_samples("a.jsonl", "t", jsonl({bad_target}), {}); }).find("gold choice"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_samples("a.jsonl", "t", jsonl({mc_line(4, {-1, -2}, 0), mc_line(4, {-1, -2}, 0)}), {}); })
                .find("doc_id 4 already logged at line 1"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_samples("e.jsonl", "t", "\n\n", {}); }).find("e.jsonl: no sample records"),
            std::string::npos);
}

TEST(SampleFile, NameParsingAndNewestRun) {
  auto parsed = parse_sample_file_name("samples_mmlu_high_school_us_history_2025-05-22T18-20-44.682983.jsonl.gz");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->task, "mmlu_high_school_us_history");
  EXPECT_EQ(parsed->timestamp, "2025-05-22T18-20-44.682983");
  EXPECT_FALSE(parse_sample_file_name("results_2025-05-22T18-20-44.682983.json"));
  EXPECT_FALSE(parse_sample_file_name("samples_arc.jsonl"));
  mom::testing::TempDir dir;
  dir.write("m/samples_arc_challenge_2025-05-23T22-45-47.640995.jsonl", "{}");
  dir.write("m/samples_arc_challenge_2025-05-23T22-48-02.038239.jsonl.gz", "{}");
  dir.write("m/samples_mgsm_direct_en_2024-01-01T00-00-00.000000.jsonl", "{}");
  auto newest = newest_sample_files(dir.file("m"));
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_NE(newest["arc_challenge"].find("22-48-02"), std::string::npos);
}

}  // namespace
}  // namespace mom::labeler
