// Step-level batching for one model: a scheduler thread owns the Decoder and its KV cache; requests
// submitted from any thread join the running batch at the next decode step and leave when done.
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "worker/generation.h"

namespace mom::models {
class Decoder;
}

namespace mom::worker {

struct SchedulerOptions {
  int max_batch = 16;  // concurrent sequences in one decode step; more requests wait in the queue
  // Generated ids -> text (special tokens skipped); required for text results and stop strings.
  std::function<std::string(const std::vector<int32_t>&)> detokenize;
  std::string model_name;  // for log lines
  // Token ids that end a generation; empty = config.json's eos_token_id.
  std::vector<int32_t> eos_ids;
};

struct SchedulerStats {
  long steps = 0;        // decode steps run
  long max_batch = 0;    // largest batch a step ran with
  long prefills = 0;
};

// Thread-safe: submit_* may be called from any thread. Destroying the scheduler stops the thread
// and fails every pending request with "worker shutting down".
class BatchScheduler {
 public:
  BatchScheduler(std::unique_ptr<models::Decoder> decoder, SchedulerOptions options);
  ~BatchScheduler();
  BatchScheduler(const BatchScheduler&) = delete;
  BatchScheduler& operator=(const BatchScheduler&) = delete;

  // `request.prompt_ids` must be set. Invalid sampling parameters, out-of-vocabulary ids or a
  // prompt that leaves no room in the context window arrive as mom::Error through the future
  // (prompts are never truncated).
  std::future<GenerateResult> submit_generate(GenerateRequest request);
  // `request.context_ids` / `continuation_ids` must be set (continuation non-empty).
  std::future<ScoreResult> submit_score(ScoreRequest request);

  const models::Decoder& decoder() const;
  SchedulerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mom::worker
