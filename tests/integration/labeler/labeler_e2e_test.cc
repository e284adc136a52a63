// mom-label end to end, as a user runs it: on the embedded real sample against independently
// computed labels, and (when ../shared exists) on all 27 models against the harness's own
// results_*.json accuracies.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "core/json_util.h"
#include "tests/support/test_support.h"

namespace mom {
namespace {

namespace fs = std::filesystem;
using testing::run_command;

std::string mom_label() { return testing::binary_dir() + "/labeler/mom-label"; }

// (task, doc_id) -> expected row of tests/reference/labeler/expected_labels.py
std::map<std::pair<std::string, long long>, Json> load_expected(const std::string& path) {
  std::map<std::pair<std::string, long long>, Json> out;
  for_each_jsonl(path, [&](const Json& j, size_t) {
    out[{j["task"].get<std::string>(), j["doc_id"].get<long long>()}] = j;
  });
  return out;
}

// The harness's accuracy of `task` in the newest results_*.json of `model_dir` that has it.
std::optional<double> harness_accuracy(const std::string& model_dir, const std::string& task) {
  std::vector<std::string> results;
  for (const auto& e : fs::directory_iterator(model_dir)) {
    std::string name = e.path().filename().string();
    if (name.rfind("results_", 0) == 0) results.push_back(e.path().string());
  }
  std::sort(results.rbegin(), results.rend());
  for (const auto& path : results) {
    Json doc = read_json_file(path);
    if (!doc["results"].contains(task)) continue;
    const Json& r = doc["results"][task];
    for (const char* key : {"acc,none", "exact_match,flexible-extract", "pass@1,create_test"}) {
      if (r.contains(key)) return r[key].get<double>();
    }
  }
  return std::nullopt;
}

void expect_accuracies_match_harness(const Json& stats, const std::string& base, const Json& registry) {
  std::map<int, std::string> dirs;
  for (const auto& m : registry["models"]) dirs[m["id"].get<int>()] = m["dir_name"].get<std::string>();
  int checked = 0;
  for (const auto& [task, group] : stats["tasks"].items()) {
    std::string dataset = task == "arc_challenge"    ? "arc"
                          : task == "commonsense_qa" ? "csqa"
                          : task.rfind("mmlu_", 0) == 0 ? "mmlu"
                          : task.rfind("mgsm", 0) == 0  ? "mgsm"
                          : task.rfind("humaneval", 0) == 0 ? "humaneval"
                                                           : task;
    for (const auto& [id, m] : group["models"].items()) {
      auto acc = harness_accuracy(base + "/" + dataset + "/" + dirs[std::stoi(id)], task);
      ASSERT_TRUE(acc) << task << " model " << id;
      EXPECT_NEAR(m["accuracy"].get<double>(), *acc, 1e-9) << task << " model " << id;
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

TEST(LabelerEndToEnd, EmbeddedSampleMatchesIndependentLabels) {
  testing::TempDir out;
  std::string base = testing::source_dir() + "/data/sample/lm-eval-output";
  auto r = run_command(mom_label() + " --model_ids 1 7 8 14 16 27 --datasets arc csqa logiqa mgsm humaneval"
                       " --include_mmlu --allow_missing --quiet --base_path " + base +
                       " --output_dir " + out.path() + " --stats_json " + out.file("stats.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("absent in mgsm: 27"), std::string::npos) << r.output;

  auto expected = load_expected(testing::source_dir() + "/tests/fixtures/labeler/sample_expected.jsonl.gz");
  size_t expected_labeled = 0;
  for (const auto& [key, row] : expected) expected_labeled += !row["label"].is_null();
  std::set<std::pair<std::string, long long>> seen;
  for_each_jsonl(out.file("1_7_8_14_16_27.jsonl"), [&](const Json& q, size_t line) {
    auto key = std::make_pair(q["task"].get<std::string>(), q["doc_id"].get<long long>());
    ASSERT_TRUE(expected.count(key)) << "line " << line;
    const Json& want = expected[key];
    ASSERT_FALSE(want["label"].is_null()) << "labeled a question nobody answered: line " << line;
    EXPECT_EQ(q["label"]["id"], want["label"]) << key.first << " " << key.second;
    for (const auto& m : q["models"]) {
      std::string id = std::to_string(m["id"].get<int>());
      EXPECT_EQ(m["correct"], want["correct"][id]) << key.first << " " << key.second << " model " << id;
      if (want["confidence"][id].is_null()) {
        EXPECT_TRUE(m["confidence"].is_null());
      } else {
        EXPECT_NEAR(m["confidence"].get<double>(), want["confidence"][id].get<double>(), 1e-9);
      }
    }
    EXPECT_FALSE(q["text"].get<std::string>().empty());
    seen.insert(key);
  });
  EXPECT_EQ(seen.size(), expected_labeled);

  Json stats = read_json_file(out.file("stats.json"));
  EXPECT_EQ(stats["datasets"]["arc"]["questions"], 1172);
  EXPECT_EQ(stats["datasets"]["mgsm"]["questions"], 250);
  EXPECT_EQ(stats["datasets"]["humaneval"]["questions"], 164);
  EXPECT_EQ(stats["datasets"]["mgsm"]["absent_models"], Json::array({27}));
  expect_accuracies_match_harness(stats, base, read_json_file(testing::source_dir() + "/data/models.json"));
}

TEST(LabelerEndToEnd, MissingModelWithoutAllowMissingFailsNamingIt) {
  testing::TempDir out;
  std::string base = testing::source_dir() + "/data/sample/lm-eval-output";
  auto r = run_command(mom_label() + " --model_ids 8 27 --datasets mgsm --quiet --base_path " + base +
                       " --output_dir " + out.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("model 27 (Qwen/Qwen3-4B) has no outputs for dataset 'mgsm'"), std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(out.file("8_27.jsonl")));
}

TEST(LabelerEndToEnd, AllModelsOnSharedOutputsMatchHarnessAccuracies) {
  std::string shared = testing::shared_dir();
  if (shared.empty()) GTEST_SKIP() << "../shared not present";
  std::string base = shared + "/data/lm-eval-output";
  testing::TempDir out;
  std::string ids;
  for (int i = 1; i <= 27; ++i) ids += " " + std::to_string(i);
  auto r = run_command(mom_label() + " --model_ids" + ids +
                       " --datasets arc csqa logiqa --include_mmlu --mmlu_categories stem social_sciences"
                       " --allow_missing --quiet --base_path " + base + " --output_dir " + out.path() +
                       " --stats_json " + out.file("stats.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Json stats = read_json_file(out.file("stats.json"));
  EXPECT_EQ(stats["tasks"].size(), 34u);  // arc, csqa, logiqa + 31 mmlu subjects
  EXPECT_EQ(stats["datasets"]["mmlu"]["absent_models"], Json::array({5, 13}));
  expect_accuracies_match_harness(stats, base, read_json_file(testing::source_dir() + "/data/models.json"));
}

}  // namespace
}  // namespace mom
