// Labeled JSONL parsing: typed fields, and the input errors mom-train must report before training.
#include "trainer/labeled_data.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "tests/support/test_support.h"

namespace mom::trainer {
namespace {

std::string line(const std::string& text, int label, bool c1, bool c2, bool absent2 = false) {
  std::string m2 = absent2 ? R"({"id": 7, "name": "b/two", "correct": null, "confidence": null, "absent": true})"
                           : std::string(R"({"id": 7, "name": "b/two", "correct": )") + (c2 ? "true" : "false") +
                                 R"(, "confidence": 0.5, "absent": false})";
  return R"({"text": ")" + text + R"(", "dataset": "arc", "task": "arc_easy", "doc_id": 1, "kind": "multiple_choice", "label": {"id": )" +
         std::to_string(label) + R"(, "name": "x"}, "unsolved": false, "models": [{"id": 3, "name": "a/one", "correct": )" +
         (c1 ? "true" : "false") + R"(, "confidence": 0.9, "absent": false}, )" + m2 + "]}\n";
}

std::string error_of(const std::string& path) {
  try {
    load_labeled_data(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(LabeledData, ParsesModelsLabelsAndAbsence) {
  testing::TempDir dir;
  auto path = dir.write("l.jsonl", line("q one", 3, true, false) + "\n" + line("q two", 7, false, true) +
                                       line("q three", 3, true, false, true));
  LabeledData data = load_labeled_data(path);
  ASSERT_EQ(data.questions.size(), 3u);
  EXPECT_EQ(data.model_ids, (std::vector<int>{3, 7}));
  EXPECT_EQ(data.model_names, (std::vector<std::string>{"a/one", "b/two"}));
  EXPECT_EQ(data.questions[0].label, 0);
  EXPECT_EQ(data.questions[1].label, 1);
  EXPECT_EQ(data.questions[1].line, 3u);  // blank line skipped, numbering kept
  EXPECT_EQ(data.questions[2].absent, (std::vector<bool>{false, true}));
  EXPECT_EQ(data.questions[2].correct, (std::vector<bool>{true, false}));
  EXPECT_EQ(data.questions[0].task, "arc_easy");
  EXPECT_EQ(data.find_model("b__two"), 1);
  EXPECT_EQ(data.find_model("7"), 1);
  EXPECT_FALSE(data.find_model("c/three"));
}

TEST(LabeledData, EmptyFileIsAnError) {
  testing::TempDir dir;
  auto path = dir.write("empty.jsonl", "\n");
  EXPECT_NE(error_of(path).find("no labeled questions"), std::string::npos) << error_of(path);
}

TEST(LabeledData, MalformedLineNamesFileAndLine) {
  testing::TempDir dir;
  auto path = dir.write("bad.jsonl", line("ok", 3, true, false) + "{\"text\": oops\n");
  EXPECT_NE(error_of(path).find("bad.jsonl:2:"), std::string::npos) << error_of(path);
  auto missing = dir.write("missing.jsonl", R"({"dataset": "arc", "models": []})" "\n");
  EXPECT_NE(error_of(missing).find("missing.jsonl:1"), std::string::npos) << error_of(missing);
  EXPECT_NE(error_of(missing).find("text"), std::string::npos) << error_of(missing);
}

TEST(LabeledData, UnknownLabelIsAnError) {
  testing::TempDir dir;
  auto path = dir.write("l.jsonl", line("ok", 3, true, false) + line("bad", 99, true, false));
  std::string e = error_of(path);
  EXPECT_NE(e.find("l.jsonl:2:"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown label"), std::string::npos) << e;
}

TEST(LabeledData, DifferentModelListIsAnError) {
  testing::TempDir dir;
  std::string other = line("x", 3, true, false);
  other.replace(other.find("\"id\": 7"), 7, "\"id\": 8");
  auto path = dir.write("l.jsonl", line("ok", 3, true, false) + other);
  EXPECT_NE(error_of(path).find("l.jsonl:2: the model list differs"), std::string::npos) << error_of(path);
}

}  // namespace
}  // namespace mom::trainer
