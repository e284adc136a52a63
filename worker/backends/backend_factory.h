// Picks and builds the worker's Backend: "torch" (MOM's engine) or "openai" (forward to an
// OpenAI-compatible server).
#pragma once

#include <memory>
#include <string>

#include "worker/backends/backend.h"
#include "worker/backends/openai_backend.h"
#include "worker/backends/torch_backend.h"

namespace mom::worker {

struct BackendConfig {
  std::string kind = "torch";  // torch | openai
  TorchBackendConfig torch;
  OpenAIBackendConfig openai;
};

// Throws mom::Error for an unknown kind or whatever the backend's create() rejects.
std::unique_ptr<Backend> make_backend(const BackendConfig& config);

}  // namespace mom::worker
