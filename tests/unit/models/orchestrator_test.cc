// Orchestrator: probabilities per candidate, input order, registry names, bad queries,
// concurrent route() calls.
#include "models/orchestrator.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <thread>

#include "core/error.h"
#include "core/file_io.h"
#include "core/json_util.h"
#include "models/text_classifier.h"
#include "tests/support/test_support.h"

namespace mom {
namespace {

using mom::testing::TempDir;

// A preset-initialised checkpoint with the given labels (and multi-label head when asked).
void make_checkpoint(const std::string& dir, const std::vector<std::string>& labels, bool multilabel = false) {
  torch::manual_seed(3);
  auto clf = models::load_text_classifier("modernbert-tiny", {labels, 0, 128});
  clf->set_multilabel(multilabel);
  clf->save(dir);
}

const std::vector<std::string> kQueries = {
    "What is 17 * 23?", "Summarise the plot of Hamlet.", "Which drug interacts with warfarin?",
    "Write a Python function that reverses a list.", "Is a verbal contract binding in England?"};

TEST(OrchestratorTest, ProbabilitiesOrderAndBatching) {
  TempDir dir;
  make_checkpoint(dir.path(), {"org/math", "org/general", "org/medical"});
  OrchestratorOptions options;
  options.batch_size = 2;  // several batches, sorted by length internally
  options.num_threads = 2;
  auto orch = Orchestrator::create(dir.path(), options);
  EXPECT_EQ(orch->model_names(), (std::vector<std::string>{"org/math", "org/general", "org/medical"}));
  EXPECT_FALSE(orch->multilabel());
  auto all = orch->route(kQueries);
  ASSERT_EQ(all.size(), kQueries.size());
  for (size_t i = 0; i < kQueries.size(); ++i) {
    const RouteDecision& d = all[i];
    ASSERT_EQ(d.probabilities.size(), 3u);
    double sum = 0;
    for (double p : d.probabilities) sum += p;
    EXPECT_NEAR(sum, 1.0, 1e-9);
    EXPECT_EQ(d.selected, static_cast<size_t>(std::max_element(d.probabilities.begin(), d.probabilities.end()) -
                                              d.probabilities.begin()));
    EXPECT_EQ(d.selected_model, orch->model_names()[d.selected]);
    // Same answer alone as inside the batch: results come back in input order.
    auto alone = orch->route({kQueries[i]});
    for (size_t k = 0; k < 3; ++k) EXPECT_NEAR(alone[0].probabilities[k], d.probabilities[k], 1e-6);
  }
}

TEST(OrchestratorTest, ConcurrentRouteCallsAgree) {
  TempDir dir;
  make_checkpoint(dir.path(), {"a", "b"});
  auto orch = Orchestrator::create(dir.path(), {512, 8, 2, std::nullopt});
  auto expected = orch->route(kQueries);
  std::vector<std::vector<RouteDecision>> got(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < got.size(); ++t) threads.emplace_back([&, t] { got[t] = orch->route(kQueries); });
  for (auto& th : threads) th.join();
  for (const auto& g : got) {
    ASSERT_EQ(g.size(), expected.size());
    for (size_t i = 0; i < g.size(); ++i) {
      for (size_t k = 0; k < 2; ++k) EXPECT_NEAR(g[i].probabilities[k], expected[i].probabilities[k], 1e-9);
    }
  }
}

TEST(OrchestratorTest, NumericLabelsAreRegistryIds) {
  TempDir dir;
  make_checkpoint(dir.path(), {"1", "2"}, /*multilabel=*/true);
  std::string registry = dir.write("reg.json", R"({"models":[
    {"id":1,"hf_repo":"org/one","domain":"general","params_b":1,"family":"llama"},
    {"id":2,"hf_repo":"org/two","domain":"math","params_b":2,"family":"qwen2"}]})");
  OrchestratorOptions options;
  options.registry_path = registry;
  auto orch = Orchestrator::create(dir.path(), options);
  EXPECT_EQ(orch->model_names(), (std::vector<std::string>{"org/one", "org/two"}));
  EXPECT_TRUE(orch->multilabel());
  auto d = orch->route({"hello"})[0];
  for (double p : d.probabilities) EXPECT_TRUE(p > 0 && p < 1);  // independent sigmoids

  TempDir unknown;
  make_checkpoint(unknown.path(), {"1", "99"});
  try {
    Orchestrator::create(unknown.path(), options);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("99"), std::string::npos) << e.what();
  }
}

TEST(OrchestratorTest, BadQueriesAreClearErrors) {
  auto orch = Orchestrator::create("bert-tiny", {64, 4, 1, std::nullopt});
  auto expect_error = [&](const std::vector<std::string>& q, const std::string& part) {
    try {
      orch->route(q);
      FAIL() << "no error for " << part;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  expect_error({"fine", ""}, "query 2: empty");
  expect_error({"  \t\n"}, "query 1: empty");
  expect_error({"ok", "ok", std::string("caf\xc3")}, "query 3: invalid UTF-8 at byte 3");
  // A very long query is truncated, not an error.
  std::string huge;
  for (int i = 0; i < 20000; ++i) huge += "token ";
  EXPECT_EQ(orch->route({huge}).size(), 1u);
}

TEST(OrchestratorTest, MissingOrBrokenCheckpoint) {
  TempDir dir;
  make_checkpoint(dir.path(), {"a", "b"});
  Json config = read_json_file(dir.file("config.json"));
  config["hidden_size"] = 64;
  config["num_attention_heads"] = 2;
  write_file(dir.file("config.json"), config.dump());
  try {
    Orchestrator::create(dir.path());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.embeddings.tok_embeddings.weight"), std::string::npos) << e.what();
  }
  TempDir empty;
  EXPECT_THROW(Orchestrator::create(empty.path()), Error);
}

TEST(Utf8Test, Offsets) {
  EXPECT_EQ(invalid_utf8_offset("plain ascii"), std::nullopt);
  EXPECT_EQ(invalid_utf8_offset("h\xc3\xa9llo \xf0\x9f\x98\x80"), std::nullopt);  // é, emoji
  EXPECT_EQ(invalid_utf8_offset("ab\x80"), 2u);                                  // lone continuation
  EXPECT_EQ(invalid_utf8_offset("\xc0\xaf"), 0u);                                // overlong '/'
  EXPECT_EQ(invalid_utf8_offset("x\xed\xa0\x80"), 1u);                           // surrogate
  EXPECT_EQ(invalid_utf8_offset("\xf4\x90\x80\x80"), 0u);                        // > U+10FFFF
  EXPECT_EQ(invalid_utf8_offset("\xe2\x82"), 0u);                                // truncated
}

}  // namespace
}  // namespace mom
