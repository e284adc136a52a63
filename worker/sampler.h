// Next-token choice from one row of logits: repetition penalty, temperature, top-k, top-p and a
// seeded generator. One Sampler per request; not thread-safe. Torch-free.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "worker/generation.h"

namespace mom::worker {

class Sampler {
 public:
  // Throws mom::Error for invalid parameters (see validate()).
  explicit Sampler(const SamplingParams& params);

  // The next token given `logits` (vocab entries, modified in place) and the ids seen so far
  // (prompt + generated) for the repetition penalty.
  int32_t sample(float* logits, int64_t vocab, const std::vector<int32_t>& history);

 private:
  SamplingParams params_;
  std::mt19937_64 rng_;
  std::vector<int32_t> order_;  // scratch
};

}  // namespace mom::worker
