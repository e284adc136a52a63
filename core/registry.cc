// Registry loading and validation.
#include "core/registry.h"

#include <algorithm>

#include "core/env.h"
#include "core/error.h"
#include "core/json_util.h"

namespace mom {

std::string sanitize_model_name(const std::string& hf_repo) {
  std::string out;
  for (char c : hf_repo) {
    if (c == '/') out += "__";
    else out += c;
  }
  return out;
}

std::string Registry::default_path() { return env::data_dir() + "/models.json"; }

Registry Registry::load_default(const std::optional<std::string>& flag_path) {
  if (flag_path && !flag_path->empty()) return load(*flag_path);
  if (auto from_env = env::get(env::kRegistry)) return load(*from_env);
  return load(default_path());
}

Registry Registry::load(const std::string& path) {
  Json doc = read_json_file(path);
  const Json& models = require_field(doc, "models", path);
  if (!models.is_array()) throw Error(path + ": 'models' must be an array");
  Registry registry;
  registry.path_ = path;
  for (size_t i = 0; i < models.size(); ++i) {
    const Json& m = models[i];
    std::string where = path + ": models[" + std::to_string(i) + "]";
    ModelInfo info;
    info.id = static_cast<int>(require_int(m, "id", where));
    if (info.id <= 0) throw Error(where + ": id must be a positive integer");
    info.hf_repo = require_string(m, "hf_repo", where);
    info.dir_name = m.contains("dir_name") ? require_string(m, "dir_name", where)
                                           : sanitize_model_name(info.hf_repo);
    info.domain = m.value("domain", "general");
    info.params_b = require_number(m, "params_b", where);
    if (info.params_b <= 0) throw Error(where + ": params_b must be positive");
    info.family = m.value("family", "");
    info.cost = m.contains("cost") ? require_number(m, "cost", where) : info.params_b;
    if (registry.by_id_.count(info.id)) {
      throw Error(where + ": duplicate model id " + std::to_string(info.id));
    }
    registry.by_id_[info.id] = 0;
    registry.models_.push_back(std::move(info));
  }
  if (registry.models_.empty()) throw Error(path + ": no models");
  std::sort(registry.models_.begin(), registry.models_.end(),
            [](const ModelInfo& a, const ModelInfo& b) { return a.id < b.id; });
  for (size_t i = 0; i < registry.models_.size(); ++i) registry.by_id_[registry.models_[i].id] = i;
  return registry;
}

const ModelInfo* Registry::find(int id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &models_[it->second];
}

const ModelInfo& Registry::get(int id) const {
  const ModelInfo* info = find(id);
  if (info == nullptr) {
    throw Error("unknown model id " + std::to_string(id) + " (registry " + path_ + " has ids " +
                std::to_string(models_.front().id) + ".." + std::to_string(models_.back().id) +
                ")");
  }
  return *info;
}

const ModelInfo* Registry::find_by_name(const std::string& name) const {
  for (const auto& m : models_) {
    if (m.hf_repo == name || m.dir_name == name) return &m;
  }
  return nullptr;
}

}  // namespace mom
