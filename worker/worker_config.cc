// mom-worker's flags (CLI11) and their checks.
#include "worker/worker_config.h"

#include <CLI/CLI.hpp>

#include <filesystem>

#include "core/env.h"
#include "core/error.h"

namespace mom::worker {

void add_worker_flags(CLI::App& app, WorkerFlags& raw) {
  WorkerConfig& c = raw.config;
  auto& t = c.backend.torch;
  app.add_option("--backend", c.backend.kind, "torch (MOM's engine) or openai (forward to a server)")
      ->check(CLI::IsMember({"torch", "openai"}));
  app.add_option("--model_dir", raw.model_dirs,
                 "Hugging Face model directory, repeatable; NAME=DIR names it (default name: the "
                 "directory's basename)");
  app.add_option("--memory_budget_gb", raw.memory_budget_gb, "weights + KV allowance of all models (0 = no limit)");
  app.add_option("--kv_cache_tokens", t.kv_cache_tokens, "KV-cache allowance per model, in tokens");
  app.add_flag("--load_at_start", t.load_at_start, "load every model at start (default: on first use)");
  app.add_option("--device", t.device, "cpu, cuda or auto")->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  app.add_option("--threads", t.threads, "intra-op threads (default $MOM_NUM_THREADS, else all cores)");
  app.add_option("--max_batch", t.max_batch, "sequences per decode step");
  app.add_option("--openai_url", c.backend.openai.base_url, "OpenAI-compatible server (openai backend)");
  app.add_option("--openai_model", raw.openai_models, "model name on the server, repeatable");
  app.add_option("--api_key", c.backend.openai.api_key, "bearer token for the server");

  app.add_option("--model", c.model, "hosted model to use (default: the first)");
  app.add_option("--prompt", c.prompt, "prompt for one generation");
  app.add_flag("--raw", c.raw, "use the prompt as plain text (default: apply the chat template)");
  app.add_flag("--json", c.json, "print JSON");
  app.add_flag("--score", c.score, "loglikelihood of --continuation given --context");
  app.add_option("--context", c.context, "context of --score");
  app.add_option("--continuation", c.continuation, "continuation of --score");
  app.add_flag("--list_models", c.list_models, "print what the worker holds and exit");
  auto& s = c.sampling;
  app.add_option("--max_new_tokens", s.max_new_tokens, "tokens to generate at most");
  app.add_option("--temperature", s.temperature, "0 = greedy");
  app.add_option("--top_k", s.top_k, "0 = off");
  app.add_option("--top_p", s.top_p, "nucleus mass, 1 = off");
  app.add_option("--repetition_penalty", s.repetition_penalty, "1 = off");
  app.add_option("--seed", raw.seed, "sampling seed (default random)");
  app.add_option("--stop", raw.stop, "stop string, repeatable");
  app.add_flag("--ignore_eos", s.ignore_eos, "keep generating after eos");
}

WorkerConfig make_worker_config(const WorkerFlags& raw) {
  WorkerConfig c = raw.config;
  auto& t = c.backend.torch;
  for (const auto& entry : raw.model_dirs) {
    TorchModelSpec spec;
    size_t eq = entry.find('=');
    if (eq != std::string::npos && !std::filesystem::exists(entry)) {
      spec.name = entry.substr(0, eq);
      spec.dir = entry.substr(eq + 1);
    } else {
      spec.dir = entry;
      spec.name = std::filesystem::path(entry).lexically_normal().filename().string();
      if (spec.name.empty()) spec.name = std::filesystem::path(entry).parent_path().filename().string();
    }
    t.models.push_back(spec);
  }
  for (const auto& name : raw.openai_models) c.backend.openai.models.push_back({name, ""});
  if (raw.memory_budget_gb < 0) throw Error("--memory_budget_gb must be >= 0");
  t.memory_budget_bytes = static_cast<size_t>(raw.memory_budget_gb * 1024.0 * 1024 * 1024);
  if (raw.seed >= 0) c.sampling.seed = static_cast<uint64_t>(raw.seed);
  c.sampling.stop = raw.stop;
  if (t.threads <= 0) {
    if (auto v = env::get(env::kThreads)) {
      try {
        t.threads = std::stoi(*v);
      } catch (const std::exception&) {
        throw Error(std::string(env::kThreads) + "='" + *v + "' is not a number");
      }
    }
  }
  if (c.backend.kind == "torch" && t.models.empty()) throw Error("give at least one --model_dir");
  if (c.backend.kind == "openai" && c.backend.openai.models.empty()) throw Error("give at least one --openai_model");
  if (c.score && (c.context.empty() && c.continuation.empty())) {
    throw Error("--score needs --context and --continuation");
  }
  if (!c.score && !c.list_models && c.prompt.empty()) throw Error("give --prompt, --score or --list_models");
  validate(c.sampling);
  if (c.model.empty()) {
    c.model = c.backend.kind == "torch" ? t.models[0].name : c.backend.openai.models[0].name;
  }
  return c;
}

}  // namespace mom::worker
