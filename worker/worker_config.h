// mom-worker's configuration: one typed struct filled from flags > environment > defaults.
#pragma once

#include <string>
#include <vector>

#include "worker/backends/backend_factory.h"
#include "worker/generation.h"

namespace CLI {
class App;
}

namespace mom::worker {

struct WorkerConfig {
  BackendConfig backend;
  // One-shot use (the serving loop comes with the serving issue).
  std::string prompt;
  bool raw = false;          // feed the prompt as plain text instead of a chat turn
  bool json = false;
  bool score = false;
  std::string context, continuation;
  std::string model;         // which hosted model answers (default: the first)
  SamplingParams sampling;
  bool list_models = false;
};

// The command line as parsed, before conversion (lists and units as typed).
struct WorkerFlags {
  WorkerConfig config;  // fields bound directly
  std::vector<std::string> model_dirs;     // DIR or NAME=DIR
  std::vector<std::string> openai_models;
  double memory_budget_gb = 0;
  std::vector<std::string> stop;
  long long seed = -1;
};

// Registers every flag on `app`, writing into `flags`.
void add_worker_flags(CLI::App& app, WorkerFlags& flags);
// After parsing: converts, fills unset values from the environment (MOM_NUM_THREADS) and checks
// the combination. Throws mom::Error naming the flag to fix.
WorkerConfig make_worker_config(const WorkerFlags& flags);

}  // namespace mom::worker
