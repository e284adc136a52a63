// The worker's model-serving interface: generation and loglikelihood scoring for named models,
// answered through futures. Backends: torch (MOM's own engine) and openai (an OpenAI-compatible
// server); backend_factory.h picks one.
#pragma once

#include <future>
#include <string>
#include <vector>

#include "worker/generation.h"

namespace mom::worker {

// Thread-safe: every method may be called from several threads at once. Failures (unknown model,
// bad input, budget exceeded, server down) arrive as mom::Error through the future; the methods
// themselves do not throw.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::future<GenerateResult> generate(GenerateRequest request) = 0;
  virtual std::future<ScoreResult> score(ScoreRequest request) = 0;
  // Models this backend serves and what it holds in memory.
  virtual std::vector<ModelStatus> models() = 0;
  // Loads `model` now (no-op when loaded). Throws mom::Error (unknown model, budget exceeded).
  virtual void load(const std::string& model) = 0;
};

}  // namespace mom::worker
