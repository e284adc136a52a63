// Labeling over synthetic directory trees: join, labels and tie rules, categories, every error.
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/json_util.h"
#include "labeler/labeler.h"
#include "tests/unit/labeler/fixtures.h"

namespace mom::labeler {
namespace {

using labeler::testing::gen_line;
using labeler::testing::jsonl;
using labeler::testing::mc_line;
using labeler::testing::write_samples;

class LabelerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Model 1 is the largest; 2 and 3 are equally small.
    auto path = root_.write("registry.json", R"({"models":[
      {"id":1,"hf_repo":"org/big","params_b":8},
      {"id":2,"hf_repo":"org/small-a","params_b":1},
      {"id":3,"hf_repo":"org/small-b","params_b":1}]})");
    registry_ = Registry::load(path);
    options_.base_path = root_.file("out");
    options_.output_dir = root_.file("labeled");
    options_.model_ids = {1, 2, 3};
    options_.progress = false;
    options_.threads = 2;
  }
  std::string error_of() {
    try {
      label(options_, registry_);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  void write(const std::string& dataset, const std::string& model_dir, const std::string& task,
             const std::vector<nlohmann::json>& lines) {
    write_samples(root_, "out/" + dataset, model_dir, task, jsonl(lines));
  }

  mom::testing::TempDir root_;
  Registry registry_;
  LabelOptions options_;
};

TEST_F(LabelerTest, LabelIsMostConfidentCorrectModelWithTieRules) {
  // doc 0: 1 and 2 correct, 1 more confident -> 1.
  // doc 1: all correct with identical loglikelihoods -> tie -> fewer params (2, 3) -> lower id 2.
  // doc 2: only 3 correct -> 3.   doc 3: nobody correct -> unsolved.
  write("arc", "org__big", "arc_challenge",
        {mc_line(0, {-0.1, -5}, 0), mc_line(1, {-1, -2}, 0), mc_line(2, {-1, -2}, 1), mc_line(3, {-1, -2}, 1)});
  write("arc", "org__small-a", "arc_challenge",
        {mc_line(3, {-1, -2}, 1), mc_line(2, {-1, -2}, 1), mc_line(1, {-1, -2}, 0), mc_line(0, {-1, -2}, 0)});
  write("arc", "org__small-b", "arc_challenge",
        {mc_line(0, {-1, -2}, 1), mc_line(1, {-1, -2}, 0), mc_line(2, {-2, -1}, 1), mc_line(3, {-1, -2}, 1)});
  LabelResult r = label(options_, registry_);
  ASSERT_EQ(r.questions.size(), 4u);
  EXPECT_EQ(r.questions[0].label, 1);
  EXPECT_EQ(r.questions[1].label, 2);
  EXPECT_EQ(r.questions[2].label, 3);
  EXPECT_TRUE(r.questions[3].unsolved);
  EXPECT_EQ(r.questions[3].label, 0);
  const GroupStats& ds = r.datasets.at("arc");
  EXPECT_EQ(ds.questions, 4u);
  EXPECT_EQ(ds.labeled, 3u);
  EXPECT_EQ(ds.unsolved, 1u);
  EXPECT_EQ(ds.oracle_correct, 3u);
  EXPECT_EQ(ds.models[0].correct, 2u);  // model 1: docs 0, 1
  EXPECT_EQ(ds.models[2].correct, 2u);  // model 3: docs 1, 2
  // All three tie at 0.5 accuracy: fewer parameters (2, 3), then the lower id.
  EXPECT_EQ(best_single_model(ds, options_.model_ids, registry_), 2);

  options_.unsolved_model = 2;
  LabelResult with_fallback = label(options_, registry_);
  EXPECT_EQ(with_fallback.questions[3].label, 2);
  EXPECT_TRUE(with_fallback.questions[3].unsolved);
}

TEST_F(LabelerTest, OutputRecordsFollowTheDocumentedFormat) {
  for (const char* dir : {"org__big", "org__small-a", "org__small-b"}) {
    write("mgsm", dir, "mgsm_direct_en", {gen_line(0, std::string(dir) != "org__big")});
  }
  options_.datasets = {"mgsm"};
  LabelResult r = label(options_, registry_);
  std::string path = output_path(options_);
  EXPECT_EQ(path, root_.file("labeled") + "/1_2_3.jsonl");
  EXPECT_EQ(write_labels(r, options_, registry_, path), 1u);
  std::vector<Json> lines;
  for_each_jsonl(path, [&](const Json& j, size_t) { lines.push_back(j); });
  ASSERT_EQ(lines.size(), 1u);
  const Json& q = lines[0];
  EXPECT_EQ(q["text"], "how many?");
  EXPECT_EQ(q["kind"], "generate");
  EXPECT_EQ(q["label"]["id"], 2);  // generation: no confidence -> tie -> fewer params -> lower id
  EXPECT_EQ(q["label"]["name"], "org/small-a");
  ASSERT_EQ(q["models"].size(), 3u);
  EXPECT_EQ(q["models"][0]["correct"], false);
  EXPECT_TRUE(q["models"][1]["confidence"].is_null());
  EXPECT_EQ(q["models"][2]["absent"], false);
}

TEST_F(LabelerTest, MissingModelIsAnErrorUnlessAllowed) {
  write("arc", "org__big", "arc_challenge", {mc_line(0, {-1, -2}, 0)});
  write("arc", "org__small-a", "arc_challenge", {mc_line(0, {-1, -2}, 1)});
  std::string e = error_of();
  EXPECT_NE(e.find("model 3 (org/small-b) has no outputs for dataset 'arc'"), std::string::npos) << e;
  options_.allow_missing = true;
  LabelResult r = label(options_, registry_);
  ASSERT_EQ(r.questions.size(), 1u);
  EXPECT_TRUE(r.questions[0].outcomes[2].absent);
  EXPECT_FALSE(r.questions[0].outcomes[1].absent);
  EXPECT_EQ(r.datasets.at("arc").absent_models, std::vector<int>{3});
  EXPECT_EQ(r.datasets.at("arc").models[2].answered, 0u);
  EXPECT_NE(summary_table(r, options_, registry_).find("absent in arc: 3"), std::string::npos);
}

TEST_F(LabelerTest, MissingTaskAndMissingDocAreErrorsUnlessAllowed) {
  for (const char* dir : {"org__big", "org__small-a", "org__small-b"}) {
    write("mmlu", dir, "mmlu_anatomy", {mc_line(0, {-1, -2}, 0), mc_line(1, {-1, -2}, 0)});
  }
  write("mmlu", "org__big", "mmlu_sociology", {mc_line(0, {-1, -2}, 0)});
  options_.datasets = {"mmlu"};
  EXPECT_NE(error_of().find("model 2 (org/small-a) has no samples for task 'mmlu_sociology'"), std::string::npos);
  // Category selection: only stem -> sociology (social_sciences) is not selected.
  options_.mmlu_categories = {"stem"};
  LabelResult stem = label(options_, registry_);
  EXPECT_EQ(stem.questions.size(), 2u);
  EXPECT_EQ(stem.tasks.count("mmlu_sociology"), 0u);
  options_.mmlu_categories = {"social_sciences"};
  EXPECT_NE(error_of().find("has no samples for task 'mmlu_sociology'"), std::string::npos);
  options_.mmlu_categories = {"stem", "social_sciences"};
  options_.allow_missing = true;
  EXPECT_EQ(label(options_, registry_).questions.size(), 3u);
  options_.mmlu_categories = {"science"};
  EXPECT_NE(error_of().find("unknown category 'science'"), std::string::npos);

  options_.mmlu_categories = {};
  options_.allow_missing = false;
  write("arc", "org__big", "arc_challenge", {mc_line(0, {-1, -2}, 0), mc_line(1, {-1, -2}, 0)});
  write("arc", "org__small-a", "arc_challenge", {mc_line(0, {-1, -2}, 0)});
  write("arc", "org__small-b", "arc_challenge", {mc_line(0, {-1, -2}, 0), mc_line(1, {-1, -2}, 0)});
  options_.datasets = {"arc"};
  std::string e = error_of();
  EXPECT_NE(e.find("has no record for doc_id 1 of task 'arc_challenge'"), std::string::npos) << e;
}

TEST_F(LabelerTest, DocHashMismatchNamesBothFiles) {
  write("arc", "org__big", "arc_challenge", {mc_line(0, {-1, -2}, 0, "aaa")});
  write("arc", "org__small-a", "arc_challenge", {mc_line(0, {-1, -2}, 0, "bbb")});
  write("arc", "org__small-b", "arc_challenge", {mc_line(0, {-1, -2}, 0, "aaa")});
  std::string e = error_of();
  EXPECT_NE(e.find("doc_hash mismatch for task 'arc_challenge' doc_id 0"), std::string::npos) << e;
  EXPECT_NE(e.find("org__small-a"), std::string::npos);
}

TEST_F(LabelerTest, BadSelectionsAreClearErrors) {
  write("arc", "org__big", "arc_challenge", {mc_line(0, {-1, -2}, 1)});
  options_.model_ids = {1, 9};
  EXPECT_NE(error_of().find("unknown model id 9"), std::string::npos);
  options_.model_ids = {1, 1};
  EXPECT_NE(error_of().find("given twice"), std::string::npos);
  options_.model_ids = {1};
  options_.datasets = {"medmcqa"};
  EXPECT_NE(error_of().find("unknown dataset 'medmcqa'"), std::string::npos);
  options_.datasets = {"arc"};
  EXPECT_NE(error_of().find("empty result"), std::string::npos);  // model 1 got it wrong
  options_.base_path = root_.file("nowhere");
  EXPECT_NE(error_of().find("is not a directory"), std::string::npos);
}

TEST_F(LabelerTest, MalformedLineFailsOrIsSkippedAndCounted) {
  for (const char* dir : {"org__big", "org__small-a", "org__small-b"}) {
    std::string content = jsonl({mc_line(0, {-1, -2}, 0)});
    if (std::string(dir) == "org__small-b") content += "not json\n";
    write_samples(root_, "out/arc", dir, "arc_challenge", content);
  }
  std::string e = error_of();
  EXPECT_NE(e.find("samples_arc_challenge_2025-05-23T23-43-25.634180.jsonl:2: malformed JSON"), std::string::npos) << e;
  options_.skip_bad_lines = true;
  LabelResult r = label(options_, registry_);
  EXPECT_EQ(r.bad_lines, 1u);
  EXPECT_EQ(r.questions.size(), 1u);
}

}  // namespace
}  // namespace mom::labeler
