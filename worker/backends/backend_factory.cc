// The one place that knows every backend.
#include "worker/backends/backend_factory.h"

#include "core/error.h"

namespace mom::worker {

std::unique_ptr<Backend> make_backend(const BackendConfig& config) {
  if (config.kind == "torch") return TorchBackend::create(config.torch);
  if (config.kind == "openai") return OpenAIBackend::create(config.openai);
  throw Error("unknown backend '" + config.kind + "' (torch or openai)");
}

}  // namespace mom::worker
