// The training loop: sharded global batches, gradient accumulation, overlapped bucketed
// all-reduce, AdamW with warm-up + linear decay and clipping, per-epoch evaluation and checkpoints.
#include "trainer/trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>

#include "coordinator/routing_policy.h"
#include "core/similarity_index.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/logging.h"
#include "core/registry.h"
#include "trainer/checkpoint.h"
#include "trainer/data_split.h"
#include "trainer/evaluation.h"
#include "trainer/grad_bucketer.h"
#include "trainer/labeled_data.h"
#include "trainer/router_model.h"
#include "models/knn_classifier.h"

namespace fs = std::filesystem;

namespace mom::trainer {
namespace {

uint64_t mix(uint64_t a, uint64_t b) {
  // splitmix64 of a combination: independent streams for (seed, epoch), (seed, step, rank).
  uint64_t z = a + 0x9e3779b97f4a7c15ull * (b + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

template <typename T>
void shuffle_with(std::vector<T>& v, std::mt19937_64& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng() % i]);
}

std::string format_duration(double seconds) {
  long s = static_cast<long>(seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

// Per-class routing costs from the registry (cost, defaulting to params_b); 0 for unknown models.
std::vector<double> routing_costs(const LabeledData& data, const std::optional<std::string>& registry_path) {
  std::vector<double> costs(data.num_models(), 0.0);
  Registry registry = Registry::load_default(registry_path);
  for (size_t m = 0; m < data.num_models(); ++m) {
    const ModelInfo* info = registry.find(data.model_ids[m]);
    if (info == nullptr) info = registry.find_by_name(data.model_names[m]);
    if (info != nullptr) costs[m] = info->cost;
  }
  return costs;
}

class TrainingRun {
 public:
  TrainingRun(const TrainConfig& config, Communicator& comm)
      : config_(config), comm_(comm), log_(logger("trainer")), rank_(comm.rank()), world_(comm.size()) {}

  TrainSummary run();

 private:
  void prepare();
  void train_epoch(int64_t epoch);
  void evaluate_and_checkpoint(int64_t epoch, double train_loss);
  std::vector<std::vector<float>> score_split(const std::vector<size_t>& indices);
  // The held-out similarities when the policy gates on them, else none.
  std::vector<double> similarity_for(const RoutingPolicy& policy) const {
    return policy.ood_gate() && !split_.test.empty() ? held_out_similarity_ : std::vector<double>{};
  }
  torch::Tensor loss_sum(const torch::Tensor& logits, const std::vector<size_t>& questions);

  const TrainConfig& config_;
  Communicator& comm_;
  std::shared_ptr<spdlog::logger> log_;
  int rank_;
  int world_;
  bool multilabel_ = false;

  LabeledData data_;
  DataSplit split_;
  std::vector<size_t> lengths_;
  std::vector<double> costs_;
  // Out-of-distribution gate: the training split's index and each held-out question's similarity.
  std::shared_ptr<const SimilarityIndex> similarity_index_;
  std::vector<double> held_out_similarity_;
  std::unique_ptr<models::TextClassifier> model_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  std::unique_ptr<GradBucketer> bucketer_;
  std::optional<std::string> resume_from_;
  TrainerState state_;
  int64_t steps_per_epoch_ = 0;
  int64_t total_steps_ = 0;
  int64_t warmup_steps_ = 0;
  double epoch_loss_sum_ = 0;
  double epoch_samples_ = 0;
  std::string best_checkpoint_;
};

void TrainingRun::prepare() {
  multilabel_ = config_.objective == Objective::kMultilabel;
  // Everything that can be wrong with the input is checked here, before the first step.
  data_ = load_labeled_data(config_.data_path);
  if (config_.resume) {
    resume_from_ = find_last_checkpoint(config_.output_dir);
    if (!resume_from_)
      throw Error("--resume: no checkpoint-epoch-N directory in " + config_.output_dir + " to continue from");
    CheckpointMeta meta = load_checkpoint_meta(*resume_from_);
    if (meta.labels.model_ids.size() != data_.num_models())
      throw Error("--resume: label count mismatch: checkpoint " + *resume_from_ + " has " +
                  std::to_string(meta.labels.model_ids.size()) + " labels, " + config_.data_path + " has " +
                  std::to_string(data_.num_models()) + " models");
    if (meta.labels.model_ids != data_.model_ids)
      throw Error("--resume: the label map of " + *resume_from_ + " lists other models than " + config_.data_path);
    if (meta.labels.objective != objective_name(config_.objective))
      throw Error("--resume: checkpoint was trained with --objective " + meta.labels.objective);
    state_ = meta.state;
  }
  std::vector<int> labels;
  for (const auto& q : data_.questions) labels.push_back(q.label);
  split_ = stratified_split(labels, config_.test_size, config_.seed);
  for (const auto& q : data_.questions) lengths_.push_back(q.text.size());
  costs_ = routing_costs(data_, config_.registry);
  if (multilabel_ && config_.ood_quantile > 0 && !split_.test.empty()) {
    // Every rank builds the same index (cheap next to training) so the policy agrees everywhere.
    std::vector<std::string> texts;
    for (size_t i : split_.train) texts.push_back(data_.questions[i].text);
    similarity_index_ = std::make_shared<SimilarityIndex>(SimilarityIndex::build(texts));
    for (size_t i : split_.test)
      held_out_similarity_.push_back(
          similarity_index_->similarity(data_.questions[i].text, static_cast<size_t>(config_.ood_neighbours)));
  }
  if (rank_ == 0) {
    fs::create_directories(config_.output_dir);
    save_split(split_, config_.output_dir + "/split.json");
  }

  torch::manual_seed(config_.seed);
  if (config_.model_name == "knn") {
    // Nothing to optimise: the router is the training split itself, indexed. One evaluation and
    // checkpoint (as "epoch 1") follow.
    if (resume_from_) throw Error("--resume: the kNN router has nothing to resume; run mom-train --model_name knn again");
    models::KnnConfig knn;
    knn.id2label = data_.model_names;
    knn.neighbours = config_.knn_neighbours;
    knn.multilabel = multilabel_;
    models::KnnTrainingSet set;
    for (size_t i : split_.train) {
      const auto& q = data_.questions[i];
      set.texts.push_back(q.text);
      for (size_t m = 0; m < data_.num_models(); ++m) set.correct.push_back(q.correct[m] && !q.absent[m] ? 1 : 0);
      set.labels.push_back(q.label);
    }
    model_ = models::fit_knn_text_classifier(knn, set);
    if (rank_ == 0)
      log_->info("rank 0 of {}: kNN router over {} training questions ({} held out), {} models, objective {}", world_,
                 split_.train.size(), split_.test.size(), data_.num_models(), objective_name(config_.objective));
    return;
  }
  if (resume_from_) {
    model_ = load_router_model(*resume_from_, config_.max_length);
  } else {
    RouterOptions options;
    options.max_length = config_.max_length;
    options.ngram_buckets = config_.ngram_buckets;
    options.ngram_dim = config_.ngram_dim;
    options.multilabel = multilabel_;
    model_ = create_router_model(config_.model_name, data_.model_names, options);
  }
  optimizer_ = std::make_unique<torch::optim::AdamW>(
      router_parameters(*model_),
      torch::optim::AdamWOptions(config_.effective_learning_rate()).weight_decay(config_.weight_decay));
  if (resume_from_) load_optimizer_state(*resume_from_, *optimizer_);
  bucketer_ = std::make_unique<GradBucketer>(router_parameters(*model_), comm_,
                                             static_cast<size_t>(config_.bucket_mb * 1024 * 1024));
  bucketer_->broadcast_parameters();

  int64_t batches = static_cast<int64_t>(
      (split_.train.size() + static_cast<size_t>(config_.batch_size) - 1) / static_cast<size_t>(config_.batch_size));
  steps_per_epoch_ = (batches + config_.gradient_accumulation_steps - 1) / config_.gradient_accumulation_steps;
  total_steps_ = steps_per_epoch_ * config_.epochs;
  warmup_steps_ = static_cast<int64_t>(std::ceil(config_.warmup_ratio * static_cast<double>(total_steps_)));
  if (rank_ == 0)
    log_->info("rank 0 of {}: {} questions ({} train, {} held out), {} models, model {}, objective {}, global batch {} "
               "x {} accumulation, {} steps/epoch, {} gradient buckets, comm {}",
               world_, data_.questions.size(), split_.train.size(), split_.test.size(), data_.num_models(),
               model_->kind(), objective_name(config_.objective), config_.batch_size,
               config_.gradient_accumulation_steps, steps_per_epoch_, bucketer_->num_buckets(), comm_.backend_name());
  if (resume_from_ && rank_ == 0)
    log_->info("resuming from {} (epoch {}, step {})", *resume_from_, state_.epoch, state_.global_step);
}

torch::Tensor TrainingRun::loss_sum(const torch::Tensor& logits, const std::vector<size_t>& questions) {
  int64_t n = static_cast<int64_t>(questions.size());
  if (multilabel_) {
    int64_t m = static_cast<int64_t>(data_.num_models());
    std::vector<float> targets(static_cast<size_t>(n * m));
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < m; ++j)
        targets[static_cast<size_t>(i * m + j)] = data_.questions[questions[static_cast<size_t>(i)]].correct[static_cast<size_t>(j)] ? 1.f : 0.f;
    auto t = torch::from_blob(targets.data(), {n, m}, torch::kFloat32).clone();
    return torch::binary_cross_entropy_with_logits(logits, t, {}, {}, at::Reduction::Sum);
  }
  std::vector<int64_t> targets;
  for (size_t q : questions) targets.push_back(data_.questions[q].label);
  auto t = torch::tensor(targets, torch::kInt64);
  return torch::nn::functional::cross_entropy(logits, t,
                                              torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
}

void TrainingRun::train_epoch(int64_t epoch) {
  model_->set_training(true);
  auto batches = epoch_batches(split_.train, lengths_, config_.batch_size, config_.seed, epoch);
  int64_t accum = config_.gradient_accumulation_steps;
  auto started = std::chrono::steady_clock::now();
  auto last_report = started;
  double samples_done = 0;
  epoch_loss_sum_ = 0;
  epoch_samples_ = 0;
  for (int64_t step = 0; step < steps_per_epoch_; ++step) {
    size_t first = static_cast<size_t>(step * accum);
    size_t last = std::min(batches.size(), first + static_cast<size_t>(accum));
    double step_samples = 0;
    for (size_t b = first; b < last; ++b) step_samples += static_cast<double>(batches[b].size());
    // Every rank scales its loss by the GLOBAL sample count of the step, and the all-reduce sums:
    // the gradient is the mean over the global batch whatever the number of ranks.
    double local_loss = 0;
    for (size_t b = first; b < last; ++b) {
      if (b + 1 == last) bucketer_->arm();
      // Dropout and other randomness: a stream per (seed, step, micro-batch, rank), so a resumed
      // run draws what the uninterrupted run drew.
      torch::manual_seed(mix(mix(config_.seed, static_cast<uint64_t>(state_.global_step)), b * 1024 + rank_));
      std::vector<size_t> shard = rank_shard(batches[b], rank_, world_);
      if (shard.empty()) continue;
      std::vector<std::string> texts;
      for (size_t q : shard) texts.push_back(data_.questions[q].text);
      auto logits = model_->logits(texts);
      auto loss = loss_sum(logits, shard);
      local_loss += loss.item<double>();
      (loss / step_samples).backward();
    }
    bucketer_->finish();
    if (config_.max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(router_parameters(*model_), config_.max_grad_norm);
    double lr = learning_rate_at(state_.global_step, total_steps_, warmup_steps_, config_.effective_learning_rate());
    for (auto& group : optimizer_->param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    optimizer_->step();
    optimizer_->zero_grad();
    ++state_.global_step;

    float loss_total = static_cast<float>(local_loss);
    comm_.allreduce(&loss_total, 1, ReduceOp::kSum);
    epoch_loss_sum_ += loss_total;
    epoch_samples_ += step_samples;
    samples_done += step_samples;
    auto now = std::chrono::steady_clock::now();
    if (rank_ == 0 && (std::chrono::duration<double>(now - last_report).count() >= 2.0 || step + 1 == steps_per_epoch_)) {
      last_report = now;
      double elapsed = std::chrono::duration<double>(now - started).count();
      double rate = samples_done / std::max(elapsed, 1e-9);
      double remaining_steps = static_cast<double>(total_steps_ - state_.global_step);
      double eta = remaining_steps * elapsed / static_cast<double>(step + 1);
      log_->info("epoch {}/{} step {}/{} loss {:.4f} lr {:.2e} {:.1f} samples/s ETA {}", epoch + 1, config_.epochs,
                 step + 1, steps_per_epoch_, epoch_loss_sum_ / std::max(epoch_samples_, 1.0), lr, rate,
                 format_duration(eta));
    }
  }
}

std::vector<std::vector<float>> TrainingRun::score_split(const std::vector<size_t>& indices) {
  // Each rank scores a contiguous share; an all-reduce of the zero-padded matrix gathers them.
  size_t labels = data_.num_models();
  std::vector<float> matrix(indices.size() * labels, 0.f);
  std::vector<size_t> positions(indices.size());
  for (size_t k = 0; k < positions.size(); ++k) positions[k] = k;
  std::vector<size_t> mine = rank_shard(positions, rank_, world_);
  std::vector<std::string> texts;
  for (size_t k : mine) texts.push_back(data_.questions[indices[k]].text);
  int64_t local_batch = std::max<int64_t>(1, config_.eval_batch_size / world_);
  auto scores = score_texts(*model_, texts, local_batch);
  for (size_t r = 0; r < mine.size(); ++r)
    std::copy(scores[r].begin(), scores[r].end(), matrix.begin() + static_cast<long>(mine[r] * labels));
  comm_.allreduce(matrix.data(), matrix.size(), ReduceOp::kSum);
  std::vector<std::vector<float>> out(indices.size());
  for (size_t k = 0; k < indices.size(); ++k)
    out[k].assign(matrix.begin() + static_cast<long>(k * labels), matrix.begin() + static_cast<long>((k + 1) * labels));
  return out;
}

void TrainingRun::evaluate_and_checkpoint(int64_t epoch, double train_loss) {
  const std::vector<size_t>& held_out = split_.test.empty() ? split_.train : split_.test;
  auto scores = score_split(held_out);

  // The routing policy: fallback + shortlist from the training split, margin tuned on held-out.
  std::vector<double> train_accuracy = model_accuracies(data_, split_.train);
  RoutingPolicy policy;
  policy.costs = costs_;
  policy.candidates = shortlist_candidates(config_.candidates, data_, train_accuracy);
  if (multilabel_) {
    policy.fallback = static_cast<int>(std::max_element(train_accuracy.begin(), train_accuracy.end()) - train_accuracy.begin());
    if (similarity_index_) {
      policy.ood_threshold = ood_threshold_at_quantile(held_out_similarity_, config_.ood_quantile);
      policy.ood_neighbours = static_cast<int>(config_.ood_neighbours);
      policy.ood_index = "similarity_index.safetensors";
    }
    std::vector<double> grid;
    for (int i = 0; i <= 40; ++i) grid.push_back(0.01 * i);
    policy.margin = tune_margin(data_, held_out, scores, policy, grid, similarity_for(policy));
  } else if (config_.candidates.empty()) {
    policy.candidates.clear();  // `best`: argmax over every model, as the original router
  }
  std::vector<int> picks = route_all(policy, scores, similarity_for(policy));
  RouteMetrics metrics = evaluate_routing(data_, held_out, picks, costs_);
  if (!multilabel_) {
    // label accuracy is the argmax's, whatever the shortlist
    RoutingPolicy argmax;
    metrics.overall.label_accuracy =
        evaluate_routing(data_, held_out, route_all(argmax, scores), costs_).overall.label_accuracy;
  }
  double routed = metrics.overall.routed_accuracy;
  bool is_best = routed > state_.best_metric;
  state_.epoch = epoch + 1;
  if (is_best) {
    state_.best_metric = routed;
    state_.best_epoch = epoch + 1;
  }
  if (rank_ == 0) {
    Json line = route_metrics_json(metrics);
    line["epoch"] = epoch + 1;
    line["global_step"] = state_.global_step;
    line["train_loss"] = train_loss;
    line["split"] = split_.test.empty() ? "train" : "held_out";
    line["policy"] = policy.to_json(data_.model_names);
    std::string path = config_.output_dir + "/eval_results.jsonl";
    std::string previous = file_exists(path) ? read_file(path) : "";
    write_file(path, previous + line.dump() + "\n");
    log_->info("epoch {} evaluation on {} held-out questions:\n{}", epoch + 1, metrics.overall.questions,
               route_metrics_table(metrics));

    CheckpointMeta meta;
    meta.labels = {data_.model_ids, data_.model_names, objective_name(config_.objective)};
    meta.state = state_;
    meta.training_args = config_.to_json();
    meta.training_args["world_size"] = world_;
    meta.routing_policy = policy.to_json(data_.model_names);
    if (policy.ood_gate()) meta.similarity_index = similarity_index_;
    std::string dir = config_.output_dir + "/" + epoch_checkpoint_name(epoch + 1);
    save_checkpoint(dir, *model_, optimizer_.get(), meta);
    if (is_best) {
      best_checkpoint_ = config_.output_dir + "/best";
      save_checkpoint(best_checkpoint_, *model_, nullptr, meta);
    }
  }
  comm_.barrier();  // no rank runs ahead of a checkpoint it could be resumed from
}

TrainSummary TrainingRun::run() {
  prepare();
  TrainSummary summary;
  if (!optimizer_) {  // kNN: fitted in prepare()
    evaluate_and_checkpoint(0, 0.0);
    summary.epochs_run = 1;
    summary.best_routed_accuracy = state_.best_metric;
    summary.best_checkpoint = config_.output_dir + "/best";
    return summary;
  }
  for (int64_t epoch = state_.epoch; epoch < config_.epochs; ++epoch) {
    train_epoch(epoch);
    evaluate_and_checkpoint(epoch, epoch_loss_sum_ / std::max(epoch_samples_, 1.0));
    ++summary.epochs_run;
  }
  summary.global_step = state_.global_step;
  summary.best_routed_accuracy = state_.best_metric;
  summary.best_checkpoint = config_.output_dir + "/best";
  return summary;
}

}  // namespace

std::vector<std::vector<size_t>> epoch_batches(const std::vector<size_t>& train, const std::vector<size_t>& lengths,
                                               int64_t batch_size, uint64_t seed, int64_t epoch) {
  std::mt19937_64 rng(mix(seed, static_cast<uint64_t>(epoch)));
  std::vector<size_t> order = train;
  shuffle_with(order, rng);
  size_t bs = static_cast<size_t>(batch_size);
  size_t chunk = bs * 50;
  std::vector<std::vector<size_t>> batches;
  for (size_t start = 0; start < order.size(); start += chunk) {
    size_t end = std::min(order.size(), start + chunk);
    std::stable_sort(order.begin() + static_cast<long>(start), order.begin() + static_cast<long>(end),
                     [&](size_t a, size_t b) { return lengths[a] < lengths[b]; });
    for (size_t b = start; b < end; b += bs)
      batches.emplace_back(order.begin() + static_cast<long>(b), order.begin() + static_cast<long>(std::min(end, b + bs)));
  }
  shuffle_with(batches, rng);
  return batches;
}

std::vector<size_t> rank_shard(const std::vector<size_t>& batch, int rank, int size) {
  size_t n = batch.size();
  size_t begin = n * static_cast<size_t>(rank) / static_cast<size_t>(size);
  size_t end = n * static_cast<size_t>(rank + 1) / static_cast<size_t>(size);
  return std::vector<size_t>(batch.begin() + static_cast<long>(begin), batch.begin() + static_cast<long>(end));
}

double learning_rate_at(int64_t step, int64_t total, int64_t warmup, double peak) {
  if (warmup > 0 && step < warmup) return peak * static_cast<double>(step + 1) / static_cast<double>(warmup);
  if (total <= warmup) return peak;
  return peak * std::max(0.0, static_cast<double>(total - step) / static_cast<double>(total - warmup));
}

TrainSummary run_training(const TrainConfig& config, Communicator& comm) {
  TrainingRun run(config, comm);
  return run.run();
}

}  // namespace mom::trainer
