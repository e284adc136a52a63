// Sampling rules as Hugging Face's logits processors apply them: repetition penalty, then
// temperature, top-k, top-p, then a draw from the softmax.
#include "worker/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

#include "core/error.h"

namespace mom::worker {

void validate(const SamplingParams& p) {
  if (!std::isfinite(p.temperature) || p.temperature < 0) {
    throw Error("temperature must be >= 0 (0 = greedy), got " + std::to_string(p.temperature));
  }
  if (p.top_k < 0) throw Error("top_k must be >= 0 (0 = off), got " + std::to_string(p.top_k));
  if (!(p.top_p > 0 && p.top_p <= 1)) {
    throw Error("top_p must be in (0, 1], got " + std::to_string(p.top_p));
  }
  if (!std::isfinite(p.repetition_penalty) || p.repetition_penalty <= 0) {
    throw Error("repetition_penalty must be > 0 (1 = off), got " + std::to_string(p.repetition_penalty));
  }
  if (p.max_new_tokens < 1) {
    throw Error("max_new_tokens must be >= 1, got " + std::to_string(p.max_new_tokens));
  }
  for (const auto& s : p.stop) {
    if (s.empty()) throw Error("stop strings must not be empty");
  }
}

const char* finish_reason_name(FinishReason reason) {
  return reason == FinishReason::kLength ? "length" : "stop";
}

Sampler::Sampler(const SamplingParams& params) : params_(params) {
  validate(params);
  rng_.seed(params.seed ? *params.seed : std::random_device{}());
}

int32_t Sampler::sample(float* logits, int64_t vocab, const std::vector<int32_t>& history) {
  if (params_.repetition_penalty != 1.0) {
    std::unordered_set<int32_t> seen(history.begin(), history.end());
    float p = static_cast<float>(params_.repetition_penalty);
    for (int32_t id : seen) {
      if (id < 0 || id >= vocab) continue;
      logits[id] = logits[id] > 0 ? logits[id] / p : logits[id] * p;
    }
  }
  if (params_.temperature == 0) {
    return static_cast<int32_t>(std::max_element(logits, logits + vocab) - logits);
  }
  float t = static_cast<float>(params_.temperature);
  for (int64_t i = 0; i < vocab; ++i) logits[i] /= t;
  // Candidates in descending order (ties: lower id first, so runs are reproducible).
  order_.resize(vocab);
  std::iota(order_.begin(), order_.end(), 0);
  auto by_logit = [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); };
  int64_t keep = vocab;
  if (params_.top_k > 0 && params_.top_k < vocab) {
    keep = params_.top_k;
    std::partial_sort(order_.begin(), order_.begin() + keep, order_.end(), by_logit);
  } else {
    std::sort(order_.begin(), order_.end(), by_logit);
  }
  double max_logit = logits[order_[0]];
  std::vector<double> prob(keep);
  double total = 0;
  for (int64_t i = 0; i < keep; ++i) total += prob[i] = std::exp(logits[order_[i]] - max_logit);
  if (params_.top_p < 1.0) {
    // Keep the smallest prefix whose mass reaches top_p (at least one token).
    double cumulative = 0;
    int64_t n = 0;
    while (n < keep) {
      cumulative += prob[n] / total;
      ++n;
      if (cumulative >= params_.top_p) break;
    }
    keep = n;
    total = 0;
    for (int64_t i = 0; i < keep; ++i) total += prob[i];
  }
  double u = std::uniform_real_distribution<double>(0.0, total)(rng_);
  for (int64_t i = 0; i < keep; ++i) {
    u -= prob[i];
    if (u < 0) return order_[i];
  }
  return order_[keep - 1];
}

}  // namespace mom::worker
