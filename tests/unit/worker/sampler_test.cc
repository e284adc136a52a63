// Sampler: parameter validation, greedy, top-k/top-p limits, seeded reproducibility, repetition
// penalty.
#include "worker/sampler.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/error.h"

namespace mom::worker {
namespace {

std::vector<float> logits() { return {1.0f, 3.0f, 2.9f, -1.0f, 0.5f}; }

int32_t draw(const SamplingParams& p, std::vector<float> l, const std::vector<int32_t>& history = {}) {
  Sampler s(p);
  return s.sample(l.data(), static_cast<int64_t>(l.size()), history);
}

TEST(Sampler, InvalidParametersAreRejectedByName) {
  auto bad = [](auto mutate, const std::string& needle) {
    SamplingParams p;
    mutate(p);
    try {
      validate(p);
      FAIL() << "accepted " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
    EXPECT_THROW(Sampler{p}, Error);
  };
  bad([](SamplingParams& p) { p.temperature = -0.5; }, "temperature");
  bad([](SamplingParams& p) { p.top_k = -1; }, "top_k");
  bad([](SamplingParams& p) { p.top_p = 0; }, "top_p");
  bad([](SamplingParams& p) { p.top_p = 1.5; }, "top_p");
  bad([](SamplingParams& p) { p.repetition_penalty = 0; }, "repetition_penalty");
  bad([](SamplingParams& p) { p.max_new_tokens = 0; }, "max_new_tokens");
  bad([](SamplingParams& p) { p.stop = {""}; }, "stop");
}

TEST(Sampler, GreedyAndLimits) {
  SamplingParams p;
  EXPECT_EQ(draw(p, logits()), 1);
  p.temperature = 5.0;
  p.top_k = 1;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    p.seed = seed;
    EXPECT_EQ(draw(p, logits()), 1);
  }
  p.top_k = 0;
  p.top_p = 1e-6;  // only the most likely token survives
  for (uint64_t seed = 0; seed < 20; ++seed) {
    p.seed = seed;
    EXPECT_EQ(draw(p, logits()), 1);
  }
  p.top_k = 2;  // tokens 1 and 2 only
  p.top_p = 1.0;
  std::map<int32_t, int> counts;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    p.seed = seed;
    counts[draw(p, logits())]++;
  }
  EXPECT_EQ(counts.size(), 2u);
  EXPECT_GT(counts[1], 50);
  EXPECT_GT(counts[2], 50);
}

TEST(Sampler, SeedReproducesAndTemperatureSpreads) {
  SamplingParams p;
  p.temperature = 1.0;
  p.seed = 42;
  Sampler a(p), b(p);
  std::vector<int32_t> xa, xb;
  for (int i = 0; i < 50; ++i) {
    auto la = logits(), lb = logits();
    xa.push_back(a.sample(la.data(), 5, {}));
    xb.push_back(b.sample(lb.data(), 5, {}));
  }
  EXPECT_EQ(xa, xb);
  std::set<int32_t> distinct(xa.begin(), xa.end());
  EXPECT_GE(distinct.size(), 3u);
}

TEST(Sampler, RepetitionPenaltyFollowsHuggingFace) {
  SamplingParams p;
  p.repetition_penalty = 2.0;
  // Token 1 (3.0 -> 1.5) was seen: token 2 (2.9) wins.
  EXPECT_EQ(draw(p, logits(), {1}), 2);
  // Negative logits are multiplied: seen token 3 (-1 -> -2) stays last.
  std::vector<float> l = {-1.0f, -3.0f};
  Sampler s(p);
  EXPECT_EQ(s.sample(l.data(), 2, {0}), 0);  // -2 > -3
  EXPECT_FLOAT_EQ(l[0], -2.0f);
}

}  // namespace
}  // namespace mom::worker
