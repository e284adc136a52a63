// The model registry: the stable id <-> model mapping used in labels, checkpoints, cache keys
// and worker registration. Loaded from a data file users extend without recompiling.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mom {

struct ModelInfo {
  int id = 0;
  std::string hf_repo;   // "Qwen/Qwen2.5-Math-7B-Instruct"
  std::string dir_name;  // "Qwen__Qwen2.5-Math-7B-Instruct", as lm-eval sanitizes it
  std::string domain;    // general | math | medical | legal | finance | ...
  double params_b = 0;   // parameters, billions (model card)
  std::string family;    // decoder family: llama, llama2, mistral, qwen2, qwen3, gemma2, gemma3, phi3
  double cost = 0;       // routing cost; defaults to params_b
};

// Immutable after load; safe to share between threads.
class Registry {
 public:
  // Loads `path` (JSON: {"models": [{id, hf_repo, dir_name?, domain, params_b, family, cost?}]}).
  // Throws mom::Error naming the file and the offending entry.
  static Registry load(const std::string& path);
  // The registry at --registry / $MOM_REGISTRY / data/models.json, in that order of precedence.
  static Registry load_default(const std::optional<std::string>& flag_path = std::nullopt);
  static std::string default_path();

  const ModelInfo& get(int id) const;  // throws mom::Error "unknown model id N"
  const ModelInfo* find(int id) const;
  const ModelInfo* find_by_name(const std::string& hf_repo_or_dir) const;
  const std::vector<ModelInfo>& models() const { return models_; }
  const std::string& path() const { return path_; }

 private:
  std::vector<ModelInfo> models_;  // sorted by id
  std::map<int, size_t> by_id_;
  std::string path_;
};

// "org/name" -> "org__name" (lm-evaluation-harness's directory naming).
std::string sanitize_model_name(const std::string& hf_repo);

}  // namespace mom
