// mom-worker: try a model by hand. One-shot generation (chat template by default) or
// loglikelihood scoring with MOM's engine or through an OpenAI-compatible server.
#include <CLI/CLI.hpp>

#include <iostream>

#include "core/error.h"
#include "core/json_util.h"
#include "worker/backends/backend_factory.h"
#include "worker/worker_config.h"

namespace {

int run(const mom::worker::WorkerConfig& c) {
  using namespace mom::worker;
  std::unique_ptr<Backend> backend = make_backend(c.backend);
  if (c.list_models) {
    backend->load(c.model);
    for (const auto& m : backend->models()) {
      std::cout << m.name << "\t" << (m.loaded ? "loaded" : "not loaded") << "\t" << m.family << "\t"
                << m.device << "\tweights " << m.weight_bytes << " B\tkv " << m.kv_bytes << " B\t"
                << m.location << "\n";
    }
    return 0;
  }
  if (c.score) {
    ScoreRequest r;
    r.id = "cli";
    r.model = c.model;
    r.context = c.context;
    r.continuation = c.continuation;
    ScoreResult s = backend->score(r).get();
    if (c.json) {
      std::cout << mom::Json{{"context_ids", s.context_ids}, {"continuation_ids", s.continuation_ids},
                             {"logprob", s.logprob}, {"is_greedy", s.is_greedy}}.dump()
                << "\n";
    } else {
      std::cout << "logprob " << s.logprob << (s.is_greedy ? " (greedy)" : "") << "\n";
    }
    return 0;
  }
  GenerateRequest r;
  r.id = "cli";
  r.model = c.model;
  r.prompt = c.prompt;
  r.chat = !c.raw;
  r.sampling = c.sampling;
  GenerateResult g = backend->generate(r).get();
  if (c.json) {
    std::cout << mom::Json{{"prompt_ids", g.prompt_ids}, {"ids", g.ids}, {"text", g.text},
                           {"finish_reason", finish_reason_name(g.finish_reason)}}.dump()
              << "\n";
  } else {
    std::cout << g.text << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mom-worker: generate or score with one of the worker's models"};
  mom::worker::WorkerFlags flags;
  mom::worker::add_worker_flags(app, flags);
  CLI11_PARSE(app, argc, argv);
  try {
    return run(mom::worker::make_worker_config(flags));
  } catch (const std::exception& e) {
    std::cerr << "mom-worker: " << e.what() << "\n";
    return 1;
  }
}
