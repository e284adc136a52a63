// The orchestrator: a trained router checkpoint that, for each question, gives a probability for
// every candidate model and picks one. Torch-free header; the model lives behind a pimpl.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mom {

struct RouteDecision {
  size_t selected = 0;                // index into Orchestrator::model_names()
  std::string selected_model;         // model_names()[selected]
  std::vector<double> probabilities;  // per candidate, in model_names() order
};

struct OrchestratorOptions {
  int64_t max_length = 512;  // tokens per query; longer queries are truncated
  int64_t batch_size = 32;   // queries per forward pass
  int num_threads = 0;       // torch intra-op threads; 0: $MOM_NUM_THREADS, else all cores
  // Registry used to turn numeric labels ("3") into model names; nullopt: the default registry
  // ($MOM_REGISTRY, else data/models.json).
  std::optional<std::string> registry_path;
};

// Thread-safety: immutable after create(). route() is const, takes no lock and may run on many
// threads at once: the model is in eval mode, runs under c10::InferenceMode and its forward only reads
// the weights (no caches, no module state). Each call uses torch's intra-op thread pool, so
// concurrent calls share the cores; batching several queries in one call is the faster path.
class Orchestrator {
 public:
  // `dir_or_preset`: a checkpoint directory (config.json with id2label naming the candidate
  // models, model.safetensors, tokenizer) or an encoder preset (random weights; tests/demos).
  // Throws mom::Error naming the file or tensor at fault (missing, shape or dtype mismatch,
  // unknown architecture).
  static std::unique_ptr<Orchestrator> create(const std::string& dir_or_preset,
                                              const OrchestratorOptions& options = {});
  ~Orchestrator();
  Orchestrator(const Orchestrator&) = delete;
  Orchestrator& operator=(const Orchestrator&) = delete;

  // Candidate model names (the checkpoint's id2label; numeric ids resolved via the registry).
  const std::vector<std::string>& model_names() const;
  // Probabilities are a softmax over candidates, or per-candidate sigmoids for checkpoints
  // trained multi-label (problem_type multi_label_classification).
  bool multilabel() const;

  // One decision per query, in order. Throws mom::Error "query N: ..." for an empty (or blank)
  // query or invalid UTF-8, before any model work.
  std::vector<RouteDecision> route(const std::vector<std::string>& queries) const;

 private:
  struct Impl;
  explicit Orchestrator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Where `text` stops being valid UTF-8 (byte offset), or nullopt when it is valid. Rejects
// overlong forms, surrogates and code points above U+10FFFF.
std::optional<size_t> invalid_utf8_offset(const std::string& text);

}  // namespace mom
