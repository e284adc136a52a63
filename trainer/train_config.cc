// CLI11 flags -> TrainConfig.
#include "trainer/train_config.h"

#include <CLI/CLI.hpp>

#include <iostream>

#include "core/error.h"

namespace mom::trainer {

Objective parse_objective(const std::string& name) {
  if (name == "best") return Objective::kBest;
  if (name == "multilabel") return Objective::kMultilabel;
  throw Error("unknown --objective '" + name + "' (expected best or multilabel)");
}

std::string objective_name(Objective objective) { return objective == Objective::kBest ? "best" : "multilabel"; }

double TrainConfig::effective_learning_rate() const {
  if (!learning_rate_set && model_name == "ngram") return 5e-3;
  return learning_rate;
}

Json TrainConfig::to_json() const {
  return Json{{"model_name", model_name},
              {"data_path", data_path},
              {"output_dir", output_dir},
              {"batch_size", batch_size},
              {"eval_batch_size", eval_batch_size},
              {"epochs", epochs},
              {"learning_rate", effective_learning_rate()},
              {"max_length", max_length},
              {"test_size", test_size},
              {"gradient_accumulation_steps", gradient_accumulation_steps},
              {"seed", seed},
              {"gpu", gpu},
              {"objective", objective_name(objective)},
              {"bucket_mb", bucket_mb},
              {"candidates", candidates},
              {"knn_neighbours", knn_neighbours},
              {"ood_quantile", ood_quantile},
              {"ood_neighbours", ood_neighbours},
              {"weight_decay", weight_decay},
              {"ngram_buckets", ngram_buckets},
              {"ngram_dim", ngram_dim},
              {"warmup_ratio", warmup_ratio},
              {"max_grad_norm", max_grad_norm},
              {"batch_size_is_global", true}};
}

std::optional<TrainConfig> parse_train_args(int argc, const char* const* argv) {
  TrainConfig c;
  CLI::App app{"mom-train: fine-tune the orchestrator (router) on labeled JSONL; launch with "
               "mpirun -np N for data parallelism"};
  std::string objective = "best";
  app.add_option("--model_name", c.model_name, "checkpoint directory, encoder preset, 'ngram' (fastText-style baseline) or 'knn' (nearest-neighbour router, nothing to train)")->capture_default_str();
  app.add_option("--data_path", c.data_path, "labeled JSONL from mom-label")->required();
  app.add_option("--output_dir", c.output_dir, "where checkpoints, split and metrics go")->capture_default_str();
  app.add_option("--batch_size", c.batch_size, "GLOBAL training batch (summed over ranks)")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--eval_batch_size", c.eval_batch_size, "GLOBAL evaluation batch")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--epochs", c.epochs)->capture_default_str()->check(CLI::PositiveNumber);
  auto* lr = app.add_option("--learning_rate", c.learning_rate, "peak learning rate (ngram default: 5e-3)")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--max_length", c.max_length, "tokens per question")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--test_size", c.test_size, "held-out share, stratified by label")->capture_default_str()->check(CLI::Range(0.0, 0.99));
  app.add_option("--gradient_accumulation_steps", c.gradient_accumulation_steps)->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--seed", c.seed)->capture_default_str();
  app.add_flag("--gpu", c.gpu, "train on the GPU / communicate with NCCL when available");
  app.add_option("--objective", objective, "best (cross-entropy on the best model) | multilabel (P(correct) per model)")
      ->capture_default_str()->check(CLI::IsMember({"best", "multilabel"}));
  app.add_flag("--resume", c.resume, "continue from the last checkpoint in --output_dir");
  app.add_option("--bucket_mb", c.bucket_mb, "gradient all-reduce bucket size (MiB)")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--knn_neighbours", c.knn_neighbours,
                 "kNN router (--model_name knn): neighbours per question; 0 = a tenth of the training split")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--ood_quantile", c.ood_quantile,
                 "out-of-distribution gate: share of held-out questions, the least similar to the training data, sent to the "
                 "fallback; sets the similarity threshold (0: no gate)")
      ->capture_default_str()->check(CLI::Range(0.0, 0.5));
  app.add_option("--ood_neighbours", c.ood_neighbours, "out-of-distribution gate: similarity = mean cosine of this many nearest training questions")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1000}));
  app.add_option("--candidates", c.candidates, "routing shortlist: topK (the K best on the training split), all, or comma-separated model names/registry ids; default top3");
  app.add_option("--ngram_buckets", c.ngram_buckets, "ngram baseline: hash buckets")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--ngram_dim", c.ngram_dim, "ngram baseline: embedding width")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--weight_decay", c.weight_decay)->capture_default_str();
  app.add_option("--warmup_ratio", c.warmup_ratio)->capture_default_str()->check(CLI::Range(0.0, 1.0));
  app.add_option("--max_grad_norm", c.max_grad_norm, "gradient clipping (0: off)")->capture_default_str();
  app.add_option("--comm", c.comm, "communicator backend: auto | mpi | nccl")->capture_default_str()->check(CLI::IsMember({"auto", "mpi", "nccl"}));
  app.add_option("--comm_timeout", c.comm_timeout_s, "seconds before a hung collective ends the job")->capture_default_str();
  app.add_option("--registry", c.registry, "model registry JSON (routing costs)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    throw Error(std::string("mom-train: ") + e.what() + " (see --help)");
  }
  c.objective = parse_objective(objective);
  c.learning_rate_set = lr->count() > 0;
  return c;
}

}  // namespace mom::trainer
