// MOM's own engine as a Backend: hosts several Hugging Face models under a memory budget, each
// served by a BatchScheduler (step-level batching) with its tokenizer and chat template.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "worker/backends/backend.h"

namespace mom::worker {

struct TorchModelSpec {
  std::string name;  // what requests call it
  std::string dir;   // Hugging Face layout: config.json, *.safetensors, tokenizer.json, ...
};

struct TorchBackendConfig {
  std::vector<TorchModelSpec> models;
  size_t memory_budget_bytes = 0;  // weights + KV allowance of all loaded models; 0 = unlimited
  int64_t kv_cache_tokens = 8192;  // KV allowance per model (tokens over all its sequences)
  bool load_at_start = false;      // else on first use
  std::string device = "cpu";      // cpu | cuda | auto
  int threads = 0;                 // intra-op threads (> 0: set at start)
  int max_batch = 16;
};

class TorchBackend : public Backend {
 public:
  // Validates the model list (names unique, directories exist) and, with load_at_start, loads all
  // models. Throws mom::Error naming the model that failed or does not fit.
  static std::unique_ptr<TorchBackend> create(const TorchBackendConfig& config);
  ~TorchBackend() override;

  std::future<GenerateResult> generate(GenerateRequest request) override;
  std::future<ScoreResult> score(ScoreRequest request) override;
  std::vector<ModelStatus> models() override;
  void load(const std::string& model) override;

 private:
  struct Impl;
  explicit TorchBackend(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mom::worker
