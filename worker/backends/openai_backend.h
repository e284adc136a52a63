// A Backend that forwards to an OpenAI-compatible server (vLLM, llama.cpp server, TGI) over HTTP:
// /v1/completions and /v1/chat/completions for generation, /v1/completions with echo + logprobs
// for loglikelihood scoring (as lm-evaluation-harness's local-completions model does).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "worker/backends/backend.h"

namespace mom::worker {

struct OpenAIModelSpec {
  std::string name;           // the server's model name
  std::string tokenizer_dir;  // optional: encodes scoring texts locally (the server scores ids)
};

struct OpenAIBackendConfig {
  std::string base_url = "http://127.0.0.1:8000";  // scheme://host:port, no path
  std::vector<OpenAIModelSpec> models;
  std::string api_key;  // sent as "Authorization: Bearer ..." when set
  int timeout_s = 600;
};

// Each request runs on its own thread with its own connection; the object itself holds no
// mutable state after create().
class OpenAIBackend : public Backend {
 public:
  // Throws mom::Error for a malformed base_url or an empty model list.
  static std::unique_ptr<OpenAIBackend> create(const OpenAIBackendConfig& config);
  ~OpenAIBackend() override;

  std::future<GenerateResult> generate(GenerateRequest request) override;
  std::future<ScoreResult> score(ScoreRequest request) override;
  std::vector<ModelStatus> models() override;
  void load(const std::string& model) override;

 private:
  struct Impl;
  explicit OpenAIBackend(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;  // shared with in-flight request threads
};

}  // namespace mom::worker
