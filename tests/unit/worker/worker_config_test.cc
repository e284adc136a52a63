// mom-worker's flag parsing: defaults, conversion, environment fallback and rejected combinations.
#include "worker/worker_config.h"

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/error.h"

namespace mom::worker {
namespace {

WorkerConfig parse(std::vector<std::string> args) {
  CLI::App app;
  WorkerFlags flags;
  add_worker_flags(app, flags);
  std::reverse(args.begin(), args.end());  // CLI11 takes them reversed
  app.parse(args);
  return make_worker_config(flags);
}

TEST(WorkerConfig, ParsesModelsSamplingAndBudget) {
  WorkerConfig c = parse({"--model_dir", "/m/Qwen3-4B/", "--model_dir", "small=/x/y", "--prompt", "hi",
                          "--temperature", "0.7", "--top_k", "40", "--top_p", "0.9", "--seed", "5",
                          "--stop", "\n\n", "--stop", "###", "--max_new_tokens", "12",
                          "--memory_budget_gb", "1.5", "--raw", "--json"});
  ASSERT_EQ(c.backend.torch.models.size(), 2u);
  EXPECT_EQ(c.backend.torch.models[0].name, "Qwen3-4B");
  EXPECT_EQ(c.backend.torch.models[1].name, "small");
  EXPECT_EQ(c.backend.torch.models[1].dir, "/x/y");
  EXPECT_EQ(c.model, "Qwen3-4B");
  EXPECT_DOUBLE_EQ(c.sampling.temperature, 0.7);
  EXPECT_EQ(c.sampling.top_k, 40);
  EXPECT_EQ(*c.sampling.seed, 5u);
  EXPECT_EQ(c.sampling.stop, (std::vector<std::string>{"\n\n", "###"}));
  EXPECT_EQ(c.sampling.max_new_tokens, 12);
  EXPECT_EQ(c.backend.torch.memory_budget_bytes, static_cast<size_t>(1.5 * 1024 * 1024 * 1024));
  EXPECT_TRUE(c.raw);
  EXPECT_TRUE(c.json);
  EXPECT_FALSE(c.sampling.seed == std::nullopt);
}

TEST(WorkerConfig, EnvironmentAndErrors) {
  setenv("MOM_NUM_THREADS", "3", 1);
  EXPECT_EQ(parse({"--model_dir", "/m", "--prompt", "x"}).backend.torch.threads, 3);
  EXPECT_EQ(parse({"--model_dir", "/m", "--prompt", "x", "--threads", "2"}).backend.torch.threads, 2);
  unsetenv("MOM_NUM_THREADS");
  EXPECT_THROW(parse({"--prompt", "x"}), Error);                                  // no model
  EXPECT_THROW(parse({"--model_dir", "/m"}), Error);                              // nothing to do
  EXPECT_THROW(parse({"--model_dir", "/m", "--prompt", "x", "--temperature", "-1"}), Error);
  EXPECT_THROW(parse({"--model_dir", "/m", "--prompt", "x", "--top_p", "0"}), Error);
  EXPECT_THROW(parse({"--model_dir", "/m", "--score"}), Error);
  EXPECT_THROW(parse({"--model_dir", "/m", "--prompt", "x", "--backend", "tgi"}), CLI::ParseError);
  WorkerConfig o = parse({"--backend", "openai", "--openai_url", "http://h:1", "--openai_model", "m1",
                          "--score", "--context", "a", "--continuation", "b"});
  EXPECT_EQ(o.model, "m1");
  EXPECT_EQ(o.backend.openai.base_url, "http://h:1");
}

}  // namespace
}  // namespace mom::worker
