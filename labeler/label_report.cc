// Labeler output: labeled JSONL, the --stats_json document and the printed summary table.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file_io.h"
#include "labeler/labeler.h"

namespace mom::labeler {
namespace {

using Json = nlohmann::ordered_json;

Json group_json(const GroupStats& g, const LabelOptions& options, const Registry& registry) {
  Json out;
  out["questions"] = g.questions;
  out["labeled"] = g.labeled;
  out["unsolved"] = g.unsolved;
  out["oracle_accuracy"] = g.questions ? static_cast<double>(g.oracle_correct) / g.questions : 0.0;
  Json models = Json::object();
  for (size_t i = 0; i < options.model_ids.size(); ++i) {
    const auto& m = g.models[i];
    if (m.answered == 0) continue;
    models[std::to_string(options.model_ids[i])] = {
        {"name", registry.get(options.model_ids[i]).hf_repo},
        {"answered", m.answered},
        {"correct", m.correct},
        {"accuracy", m.accuracy()}};
  }
  out["models"] = models;
  int best = best_single_model(g, options.model_ids, registry);
  if (best != 0) {
    for (size_t i = 0; i < options.model_ids.size(); ++i) {
      if (options.model_ids[i] == best) {
        out["best_single"] = {{"id", best},
                              {"name", registry.get(best).hf_repo},
                              {"accuracy", g.models[i].accuracy()}};
      }
    }
  }
  Json labels = Json::object();
  for (auto& [id, count] : g.label_counts) labels[std::to_string(id)] = count;
  out["label_distribution"] = labels;
  out["absent_models"] = g.absent_models;
  if (!g.filter.empty()) out["filter"] = g.filter;
  return out;
}

std::string fmt(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

std::string pad(const std::string& s, size_t width, bool right = false) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

}  // namespace

size_t write_labels(const LabelResult& result, const LabelOptions& options,
                    const Registry& registry, const std::string& path) {
  std::string out;
  size_t lines = 0;
  for (const auto& q : result.questions) {
    if (q.label == 0) continue;
    Json record;
    record["text"] = q.text;
    record["dataset"] = q.dataset;
    record["task"] = q.task;
    record["doc_id"] = q.doc_id;
    record["kind"] = record_kind_name(q.kind);
    record["label"] = {{"id", q.label}, {"name", registry.get(q.label).hf_repo}};
    record["unsolved"] = q.unsolved;
    Json models = Json::array();
    for (size_t i = 0; i < options.model_ids.size(); ++i) {
      const ModelOutcome& o = q.outcomes[i];
      Json m;
      m["id"] = options.model_ids[i];
      m["name"] = registry.get(options.model_ids[i]).hf_repo;
      m["correct"] = o.absent ? Json(nullptr) : Json(o.correct);
      m["confidence"] = o.confidence ? Json(*o.confidence) : Json(nullptr);
      m["absent"] = o.absent;
      models.push_back(std::move(m));
    }
    record["models"] = std::move(models);
    out += record.dump(-1, ' ', false, Json::error_handler_t::replace);
    out += '\n';
    ++lines;
  }
  write_file(path, out);
  return lines;
}

std::string stats_json(const LabelResult& result, const LabelOptions& options,
                       const Registry& registry) {
  Json out;
  out["model_ids"] = options.model_ids;
  out["files"] = result.files;
  out["bytes"] = result.bytes;
  out["bad_lines_skipped"] = result.bad_lines;
  Json datasets = Json::object();
  for (const auto& d : result.dataset_order) datasets[d] = group_json(result.datasets.at(d), options, registry);
  out["datasets"] = datasets;
  Json tasks = Json::object();
  for (const auto& [t, g] : result.tasks) tasks[t] = group_json(g, options, registry);
  out["tasks"] = tasks;
  return out.dump(1);
}

std::string summary_table(const LabelResult& result, const LabelOptions& options,
                          const Registry& registry) {
  const auto& ds = result.dataset_order;
  const size_t name_w = 44, col_w = 16;
  std::string out;
  auto header = [&](const std::string& title) {
    out += pad(title, name_w);
    for (const auto& d : ds) out += pad(d, col_w, true);
    out += "\n" + std::string(name_w + col_w * ds.size(), '-') + "\n";
  };
  header("accuracy (labels)");
  for (size_t i = 0; i < options.model_ids.size(); ++i) {
    const ModelInfo& m = registry.get(options.model_ids[i]);
    out += pad(std::to_string(m.id) + " " + m.hf_repo, name_w);
    for (const auto& d : ds) {
      const GroupStats& g = result.datasets.at(d);
      std::string cell;
      if (g.models[i].answered == 0) {
        cell = "absent";
      } else {
        auto it = g.label_counts.find(m.id);
        size_t n = it == g.label_counts.end() ? 0 : it->second;
        cell = fmt("%.3f", g.models[i].accuracy()) + " (" + std::to_string(n) + ")";
      }
      out += pad(cell, col_w, true);
    }
    out += "\n";
  }
  out += std::string(name_w + col_w * ds.size(), '-') + "\n";
  auto row = [&](const std::string& title, auto cell_of) {
    out += pad(title, name_w);
    for (const auto& d : ds) out += pad(cell_of(result.datasets.at(d)), col_w, true);
    out += "\n";
  };
  row("questions", [](const GroupStats& g) { return std::to_string(g.questions); });
  row("labeled", [](const GroupStats& g) { return std::to_string(g.labeled); });
  row("unsolved", [](const GroupStats& g) { return std::to_string(g.unsolved); });
  row("oracle (any model right)", [](const GroupStats& g) {
    return fmt("%.3f", g.questions ? static_cast<double>(g.oracle_correct) / g.questions : 0.0);
  });
  row("best single model (id)", [&](const GroupStats& g) {
    return std::to_string(best_single_model(g, options.model_ids, registry));
  });
  row("best single accuracy", [&](const GroupStats& g) {
    int best = best_single_model(g, options.model_ids, registry);
    for (size_t i = 0; i < options.model_ids.size(); ++i) {
      if (options.model_ids[i] == best) return fmt("%.3f", g.models[i].accuracy());
    }
    return std::string("-");
  });
  for (const auto& d : ds) {
    const GroupStats& g = result.datasets.at(d);
    if (g.absent_models.empty()) continue;
    out += "absent in " + d + ":";
    for (int id : g.absent_models) out += " " + std::to_string(id);
    out += "\n";
  }
  if (result.bad_lines) out += "bad lines skipped: " + std::to_string(result.bad_lines) + "\n";
  return out;
}

}  // namespace mom::labeler
