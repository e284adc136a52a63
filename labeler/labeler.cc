// Labeling: discovery -> parallel parsing -> join on (task, doc_id) -> labels and statistics.
#include "labeler/labeler.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>

#include "core/error.h"
#include "core/file_io.h"
#include "core/logging.h"
#include "core/thread_pool.h"
#include "labeler/mmlu_categories.h"
#include "labeler/sample_file.h"

namespace fs = std::filesystem;

namespace mom::labeler {
namespace {

// One samples file to parse: (dataset, task, model slot).
struct Job {
  std::string dataset;
  std::string task;
  size_t model_index = 0;
  std::string path;
  ParsedFile parsed;
};

std::string model_label(const ModelInfo& m) {
  return "model " + std::to_string(m.id) + " (" + m.hf_repo + ")";
}

std::vector<std::string> list_datasets(const std::string& base_path) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(base_path, ec)) {
    if (entry.is_directory()) out.push_back(entry.path().filename().string());
  }
  if (ec) throw Error(base_path + ": cannot list --base_path: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::vector<std::string> resolve_datasets(const LabelOptions& options) {
  if (!fs::is_directory(options.base_path)) {
    throw Error("--base_path " + options.base_path + " is not a directory");
  }
  std::vector<std::string> available = list_datasets(options.base_path);
  std::vector<std::string> datasets = options.datasets;
  if (datasets.empty()) {
    for (const auto& d : available) {
      if (d != "mmlu") datasets.push_back(d);
    }
  }
  if (options.include_mmlu && std::find(datasets.begin(), datasets.end(), "mmlu") == datasets.end()) {
    datasets.push_back("mmlu");
  }
  std::set<std::string> seen;
  for (const auto& d : datasets) {
    if (!seen.insert(d).second) throw Error("dataset '" + d + "' given twice in --datasets");
    if (std::find(available.begin(), available.end(), d) == available.end()) {
      throw Error("unknown dataset '" + d + "': no directory " + options.base_path + "/" + d +
                  " (available: " + join(available, ", ") + ")");
    }
  }
  if (datasets.empty()) throw Error("no datasets under " + options.base_path);
  return datasets;
}

bool task_selected(const std::string& dataset, const std::string& task, const LabelOptions& options) {
  if (dataset != "mmlu" || options.mmlu_categories.empty()) return true;
  auto category = mmlu_category(mmlu_subject_of_task(task));
  if (!category) return false;  // aggregate or unknown subtask: not in any selected category
  return std::find(options.mmlu_categories.begin(), options.mmlu_categories.end(), *category) !=
         options.mmlu_categories.end();
}

void validate(const LabelOptions& options, const Registry& registry) {
  if (options.model_ids.empty()) throw Error("--model_ids: give at least one model id");
  std::set<int> ids;
  for (int id : options.model_ids) {
    registry.get(id);  // throws "unknown model id"
    if (!ids.insert(id).second) throw Error("--model_ids: model " + std::to_string(id) + " given twice");
  }
  for (const auto& c : options.mmlu_categories) {
    const auto& names = mmlu_category_names();
    if (std::find(names.begin(), names.end(), c) == names.end()) {
      throw Error("--mmlu_categories: unknown category '" + c + "' (use " + join(names, ", ") + ")");
    }
  }
  if (options.unsolved_model) registry.get(*options.unsolved_model);
}

}  // namespace

int best_single_model(const GroupStats& stats, const std::vector<int>& model_ids,
                      const Registry& registry) {
  int best = 0;
  double best_acc = -1;
  for (size_t i = 0; i < model_ids.size(); ++i) {
    if (stats.models[i].answered == 0) continue;
    double acc = stats.models[i].accuracy();
    const ModelInfo& m = registry.get(model_ids[i]);
    bool better = acc > best_acc;
    if (!better && acc == best_acc) {
      const ModelInfo& b = registry.get(best);
      better = m.params_b < b.params_b || (m.params_b == b.params_b && m.id < b.id);
    }
    if (better) {
      best = m.id;
      best_acc = acc;
    }
  }
  return best;
}

LabelResult label(const LabelOptions& options, const Registry& registry) {
  auto log = logger("labeler");
  validate(options, registry);
  const size_t n_models = options.model_ids.size();
  LabelResult result;
  result.dataset_order = resolve_datasets(options);

  // ---- discovery ----
  std::vector<Job> jobs;
  // (dataset, task) -> model slot -> job index; -1 = absent.
  std::map<std::pair<std::string, std::string>, std::vector<long>> layout;
  for (const auto& dataset : result.dataset_order) {
    GroupStats& ds = result.datasets[dataset];
    ds.models.resize(n_models);
    std::vector<std::map<std::string, std::string>> files(n_models);
    std::vector<bool> present(n_models, false);
    std::set<std::string> tasks;
    for (size_t i = 0; i < n_models; ++i) {
      const ModelInfo& m = registry.get(options.model_ids[i]);
      std::string dir = options.base_path + "/" + dataset + "/" + m.dir_name;
      if (!fs::is_directory(dir)) {
        if (!options.allow_missing) {
          throw Error(model_label(m) + " has no outputs for dataset '" + dataset + "' (no directory " +
                      dir + "); pass --allow_missing to label it among the models that have outputs");
        }
        ds.absent_models.push_back(m.id);
        continue;
      }
      auto all_files = newest_sample_files(dir);
      for (auto& [task, path] : all_files) {
        if (task_selected(dataset, task, options)) files[i][task] = path;
      }
      if (all_files.empty()) {
        throw Error(model_label(m) + ": no samples_<task>_<timestamp>.jsonl[.gz] files for dataset '" +
                    dataset + "' in " + dir);
      }
      present[i] = true;
      for (auto& [task, path] : files[i]) tasks.insert(task);
    }
    if (std::none_of(present.begin(), present.end(), [](bool p) { return p; })) {
      throw Error("no selected model has outputs for dataset '" + dataset + "'");
    }
    for (const auto& task : tasks) {
      std::vector<long> slots(n_models, -1);
      for (size_t i = 0; i < n_models; ++i) {
        if (!present[i]) continue;
        auto it = files[i].find(task);
        if (it == files[i].end()) {
          const ModelInfo& m = registry.get(options.model_ids[i]);
          if (!options.allow_missing) {
            throw Error(model_label(m) + " has no samples for task '" + task + "' of dataset '" +
                        dataset + "' (in " + options.base_path + "/" + dataset + "/" + m.dir_name +
                        "); pass --allow_missing to label it among the models that have it");
          }
          continue;
        }
        slots[i] = static_cast<long>(jobs.size());
        jobs.push_back(Job{dataset, task, i, it->second, {}});
      }
      layout[{dataset, task}] = slots;
    }
  }
  result.files = jobs.size();
  for (const auto& job : jobs) result.paths.push_back(job.path);

  // ---- parsing, in parallel over files ----
  ParseOptions parse_options;
  parse_options.filter = options.filter;
  parse_options.skip_bad_lines = options.skip_bad_lines;
  std::atomic<size_t> done{0};
  std::atomic<size_t> bytes{0};
  auto start = std::chrono::steady_clock::now();
  std::mutex progress_mutex;  // serialises progress lines
  auto last_report = start;
  parallel_for(jobs.size(), options.threads, [&](size_t j) {
    Job& job = jobs[j];
    job.parsed = parse_samples(job.path, job.task, read_file(job.path), parse_options);
    bytes += job.parsed.bytes;
    size_t finished = ++done;
    if (options.progress) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      auto now = std::chrono::steady_clock::now();
      if (now - last_report > std::chrono::seconds(2) || finished == jobs.size()) {
        last_report = now;
        double secs = std::chrono::duration<double>(now - start).count();
        log->info("parsed {}/{} files, {:.0f} MB, {:.1f} s", finished, jobs.size(),
                  bytes.load() / 1e6, secs);
      }
    }
  });
  result.bytes = bytes;

  // ---- join on (task, doc_id), label ----
  for (auto& [key, slots] : layout) {
    const auto& [dataset, task] = key;
    GroupStats& ts = result.tasks[task];
    GroupStats& ds = result.datasets[dataset];
    ts.models.resize(n_models);
    // doc_id -> per model record
    std::map<int64_t, std::vector<const SampleRecord*>> docs;
    std::map<int64_t, size_t> hash_owner;  // doc_id -> model slot whose hash is the reference
    for (size_t i = 0; i < n_models; ++i) {
      if (slots[i] < 0) {
        ts.absent_models.push_back(options.model_ids[i]);
        continue;
      }
      const ParsedFile& parsed = jobs[slots[i]].parsed;
      result.bad_lines += parsed.bad_lines;
      ts.filter = parsed.filter;
      for (const SampleRecord& r : parsed.records) {
        auto& row = docs[r.doc_id];
        if (row.empty()) row.resize(n_models, nullptr);
        auto [owner, first] = hash_owner.emplace(r.doc_id, i);
        if (!first) {
          const SampleRecord* ref = row[owner->second];
          if (!ref->doc_hash.empty() && !r.doc_hash.empty() && ref->doc_hash != r.doc_hash) {
            throw Error("doc_hash mismatch for task '" + task + "' doc_id " +
                        std::to_string(r.doc_id) + ": " + jobs[slots[owner->second]].path + ":" +
                        std::to_string(ref->line) + " has " + ref->doc_hash + " but " +
                        parsed.path + ":" + std::to_string(r.line) + " has " + r.doc_hash +
                        " (the runs evaluated different documents)");
          }
        }
        row[i] = &r;
      }
    }
    for (auto& [doc_id, row] : docs) {
      // A present model missing a question the others have is lost data unless allowed.
      for (size_t i = 0; i < n_models; ++i) {
        if (slots[i] >= 0 && row[i] == nullptr) {
          const ModelInfo& m = registry.get(options.model_ids[i]);
          if (!options.allow_missing) {
            throw Error(model_label(m) + ": " + jobs[slots[i]].path + " has no record for doc_id " +
                        std::to_string(doc_id) + " of task '" + task +
                        "' that other models have; pass --allow_missing to treat it as absent");
          }
          if (std::find(ts.absent_models.begin(), ts.absent_models.end(), m.id) == ts.absent_models.end()) {
            ts.absent_models.push_back(m.id);
          }
        }
      }
      LabeledQuestion q;
      q.dataset = dataset;
      q.task = task;
      q.doc_id = doc_id;
      q.outcomes.resize(n_models);
      bool have_text = false;
      for (size_t i = 0; i < n_models; ++i) {
        const SampleRecord* r = row[i];
        if (r == nullptr) continue;
        if (!have_text) {
          q.text = r->text;
          q.kind = r->kind;
          have_text = true;
        }
        q.outcomes[i] = ModelOutcome{false, r->correct, r->confidence};
      }
      // Label: highest confidence among correct models; ties -> fewer parameters, lower id.
      const ModelInfo* best = nullptr;
      double best_conf = -1;
      for (size_t i = 0; i < n_models; ++i) {
        const ModelOutcome& o = q.outcomes[i];
        if (o.absent || !o.correct) continue;
        const ModelInfo& m = registry.get(options.model_ids[i]);
        double conf = o.confidence.value_or(0.0);
        bool better = best == nullptr || conf > best_conf;
        if (!better && conf == best_conf) {
          better = m.params_b < best->params_b || (m.params_b == best->params_b && m.id < best->id);
        }
        if (better) {
          best = &m;
          best_conf = conf;
        }
      }
      for (GroupStats* g : {&ts, &ds}) {
        ++g->questions;
        for (size_t i = 0; i < n_models; ++i) {
          if (q.outcomes[i].absent) continue;
          ++g->models[i].answered;
          if (q.outcomes[i].correct) ++g->models[i].correct;
        }
        if (best) ++g->oracle_correct;
      }
      if (best) {
        q.label = best->id;
      } else {
        q.unsolved = true;
        q.label = options.unsolved_model.value_or(0);
      }
      for (GroupStats* g : {&ts, &ds}) {
        if (q.unsolved) ++g->unsolved;
        if (q.label != 0) {
          ++g->labeled;
          ++g->label_counts[q.label];
        }
      }
      result.questions.push_back(std::move(q));
    }
    for (int id : ts.absent_models) {
      if (std::find(ds.absent_models.begin(), ds.absent_models.end(), id) == ds.absent_models.end()) {
        ds.absent_models.push_back(id);
      }
    }
  }
  // Free the parsed files' memory before returning.
  jobs.clear();
  size_t labeled = 0;
  for (const auto& q : result.questions) labeled += q.label != 0;
  if (labeled == 0) {
    throw Error("empty result: no question was labeled (" + std::to_string(result.questions.size()) +
                " questions joined, none answered correctly by a selected model)");
  }
  // Questions in a stable order: datasets as given, tasks by name, doc ids ascending.
  std::map<std::string, size_t> rank;
  for (size_t i = 0; i < result.dataset_order.size(); ++i) rank[result.dataset_order[i]] = i;
  std::stable_sort(result.questions.begin(), result.questions.end(),
                   [&](const LabeledQuestion& a, const LabeledQuestion& b) {
                     if (a.dataset != b.dataset) return rank[a.dataset] < rank[b.dataset];
                     if (a.task != b.task) return a.task < b.task;
                     return a.doc_id < b.doc_id;
                   });
  return result;
}

std::string output_path(const LabelOptions& options) {
  std::string name;
  for (int id : options.model_ids) name += (name.empty() ? "" : "_") + std::to_string(id);
  return options.output_dir + "/" + name + ".jsonl";
}

}  // namespace mom::labeler
