// Checkpoint directories: JSON side files, torch-serialized optimizer state, atomic publication.
#include "trainer/checkpoint.h"

#include <torch/torch.h>

#include <filesystem>

#include "core/similarity_index.h"
#include "core/error.h"
#include "core/file_io.h"
#include "trainer/router_model.h"

namespace fs = std::filesystem;

namespace mom::trainer {
namespace {

Json label_map_json(const LabelMap& m) {
  Json labels = Json::array();
  for (size_t i = 0; i < m.model_ids.size(); ++i)
    labels.push_back({{"index", i}, {"id", m.model_ids[i]}, {"name", m.model_names[i]}});
  return Json{{"labels", labels}, {"objective", m.objective}};
}

}  // namespace

std::string epoch_checkpoint_name(int64_t epoch) { return "checkpoint-epoch-" + std::to_string(epoch); }

void save_checkpoint(const std::string& dir, const models::TextClassifier& model, const torch::optim::Optimizer* optimizer,
                     const CheckpointMeta& meta) {
  fs::path target(dir);
  fs::path tmp = target.parent_path() / (target.filename().string() + ".tmp");
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp);
  model.save(tmp.string());
  write_file((tmp / "label_map.json").string(), label_map_json(meta.labels).dump(2) + "\n");
  write_file((tmp / "training_args.json").string(), meta.training_args.dump(2) + "\n");
  write_file((tmp / "routing_policy.json").string(), meta.routing_policy.dump(2) + "\n");
  if (meta.similarity_index) {
    const Json& ood = meta.routing_policy.is_object() ? meta.routing_policy.value("ood", Json()) : Json();
    std::string name = ood.is_object() ? ood.value("index", std::string()) : std::string();
    if (name.empty()) throw Error("checkpoint " + dir + ": a similarity index needs routing_policy.ood.index (its file name)");
    meta.similarity_index->save((tmp / name).string());
  }
  if (optimizer != nullptr) torch::save(*optimizer, (tmp / "optimizer.pt").string());
  Json state{{"epoch", meta.state.epoch},
             {"global_step", meta.state.global_step},
             {"best_metric", meta.state.best_metric},
             {"best_epoch", meta.state.best_epoch}};
  write_file((tmp / "trainer_state.json").string(), state.dump(2) + "\n");
  fs::remove_all(target, ec);
  fs::rename(tmp, target, ec);
  if (ec) throw Error("cannot publish checkpoint " + dir + ": " + ec.message());
}

CheckpointMeta load_checkpoint_meta(const std::string& dir) {
  CheckpointMeta meta;
  std::string label_path = dir + "/label_map.json";
  Json labels = read_json_file(label_path);
  try {
    for (const Json& l : labels.at("labels")) {
      meta.labels.model_ids.push_back(l.at("id").get<int>());
      meta.labels.model_names.push_back(l.at("name").get<std::string>());
    }
    meta.labels.objective = labels.value("objective", "best");
  } catch (const Json::exception& e) {
    throw Error(label_path + ": malformed label map: " + e.what());
  }
  std::string state_path = dir + "/trainer_state.json";
  if (file_exists(state_path)) {
    Json s = read_json_file(state_path);
    meta.state.epoch = s.value("epoch", int64_t{0});
    meta.state.global_step = s.value("global_step", int64_t{0});
    meta.state.best_metric = s.value("best_metric", -1.0);
    meta.state.best_epoch = s.value("best_epoch", int64_t{0});
  }
  if (file_exists(dir + "/training_args.json")) meta.training_args = read_json_file(dir + "/training_args.json");
  if (file_exists(dir + "/routing_policy.json")) meta.routing_policy = read_json_file(dir + "/routing_policy.json");
  return meta;
}

void load_optimizer_state(const std::string& dir, torch::optim::Optimizer& optimizer) {
  std::string path = dir + "/optimizer.pt";
  if (!file_exists(path)) throw Error(path + ": missing; cannot resume the optimizer");
  try {
    torch::load(optimizer, path);
  } catch (const c10::Error& e) {
    throw Error(path + ": cannot load optimizer state: " + e.what_without_backtrace());
  }
}

std::optional<std::string> find_last_checkpoint(const std::string& output_dir) {
  std::error_code ec;
  if (!fs::is_directory(output_dir, ec)) return std::nullopt;
  int64_t best = -1;
  std::string found;
  const std::string prefix = "checkpoint-epoch-";
  for (const auto& entry : fs::directory_iterator(output_dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || !entry.is_directory()) continue;
    std::string digits = name.substr(prefix.size());
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    if (!file_exists((entry.path() / "trainer_state.json").string())) continue;
    int64_t epoch = std::stoll(digits);
    if (epoch > best) {
      best = epoch;
      found = entry.path().string();
    }
  }
  if (best < 0) return std::nullopt;
  return found;
}

}  // namespace mom::trainer
