// mom-train as a user runs it, on generated labeled data with the ngram router: one rank and two
// ranks under real mpirun give the same parameters; a killed and resumed run ends where an
// uninterrupted one does; bad input fails before training with a message that says where.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

#include "core/file_io.h"
#include "core/json_util.h"
#include "core/safetensors/safetensors.h"
#include "tests/integration/trainer/labeled_fixture.h"
#include "tests/support/test_support.h"

namespace {

using mom::testing::binary_dir;
using mom::testing::run_command;
using mom::testing::TempDir;
namespace fs = std::filesystem;

std::string mom_train() { return binary_dir() + "/trainer/mom-train"; }
std::string mpirun(int n) {
  return "OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo timeout 120 mpirun --allow-run-as-root "
         "--oversubscribe -np " + std::to_string(n) + " ";
}

// Largest absolute difference between the float tensors of two checkpoints (which must hold the
// same names and shapes).
double max_difference(const std::string& a_dir, const std::string& b_dir) {
  auto a = mom::safetensors::Checkpoint::open(a_dir);
  auto b = mom::safetensors::Checkpoint::open(b_dir);
  EXPECT_EQ(a->names(), b->names());
  double worst = 0;
  for (const auto& name : a->names()) {
    const auto& x = a->get(name);
    const auto& y = b->get(name);
    EXPECT_EQ(x.shape, y.shape) << name;
    EXPECT_EQ(x.nbytes, y.nbytes) << name;
    if (x.nbytes != y.nbytes) return 1e9;
    const float* p = static_cast<const float*>(x.data);
    const float* q = static_cast<const float*>(y.data);
    for (size_t i = 0; i < x.nbytes / sizeof(float); ++i) worst = std::max(worst, std::fabs(double(p[i]) - double(q[i])));
  }
  return worst;
}

const char* kSmallModel = " --model_name ngram --ngram_buckets 4096 --ngram_dim 16 ";

TEST(TrainerE2E, OneRankAndTwoRanksGiveTheSameParameters) {
  TempDir dir;
  std::string data = dir.write("labeled.jsonl", mom::trainer::testing::make_labeled_jsonl(300));
  std::string common = std::string(kSmallModel) + " --data_path " + data +
                       " --epochs 2 --batch_size 24 --gradient_accumulation_steps 2 --test_size 0.2 --seed 5"
                       " --objective multilabel --bucket_mb 0.05";
  auto one = run_command(mom_train() + common + " --output_dir " + dir.file("n1"));
  ASSERT_EQ(one.exit_code, 0) << one.output;
  auto two = run_command(mpirun(2) + mom_train() + common + " --output_dir " + dir.file("n2"));
  ASSERT_EQ(two.exit_code, 0) << two.output;
  EXPECT_NE(two.output.find("rank 0 of 2"), std::string::npos) << two.output;
  for (const char* ckpt : {"/checkpoint-epoch-1", "/checkpoint-epoch-2"}) {
    double diff = max_difference(dir.file("n1") + ckpt, dir.file("n2") + ckpt);
    EXPECT_LT(diff, 2e-5) << ckpt;
  }
  EXPECT_EQ(mom::read_json_file(dir.file("n1/split.json")), mom::read_json_file(dir.file("n2/split.json")));
  // Different seeds must differ, or the comparison above proves nothing.
  auto other = run_command(mom_train() + std::string(kSmallModel) + " --data_path " + data +
                           " --epochs 1 --batch_size 24 --test_size 0.2 --seed 6 --objective multilabel --output_dir " +
                           dir.file("n1b"));
  ASSERT_EQ(other.exit_code, 0) << other.output;
  EXPECT_GT(max_difference(dir.file("n1") + "/checkpoint-epoch-1", dir.file("n1b") + "/checkpoint-epoch-1"), 1e-3);
}

TEST(TrainerE2E, EvaluationAndCheckpointLayout) {
  TempDir dir;
  std::string data = dir.write("labeled.jsonl", mom::trainer::testing::make_labeled_jsonl(600));
  auto r = run_command(mom_train() + " --model_name ngram --ngram_buckets 16384 --data_path " + data +
                       " --epochs 3 --batch_size 16 --test_size 0.2 --objective multilabel --output_dir " + dir.file("out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string best = dir.file("out/best");
  for (const char* f : {"config.json", "model.safetensors", "label_map.json", "training_args.json", "routing_policy.json",
                        "trainer_state.json"})
    EXPECT_TRUE(fs::exists(best + "/" + f)) << f;
  auto config = mom::read_json_file(best + "/config.json");
  EXPECT_EQ(config["id2label"]["2"], "google/gemma-2-9b-it");
  EXPECT_EQ(config["num_labels"], 3);
  auto policy = mom::read_json_file(best + "/routing_policy.json");
  EXPECT_TRUE(policy["fallback"].is_string());
  EXPECT_EQ(policy["costs"]["google/gemma-2-9b-it"], 9.24);
  // One JSON line per epoch; the topics are learnable, so routing beats the best single model.
  std::vector<mom::Json> lines;
  mom::for_each_jsonl(dir.file("out/eval_results.jsonl"), [&](const mom::Json& j, size_t) { lines.push_back(j); });
  ASSERT_EQ(lines.size(), 3u);
  const auto& last = lines.back();
  EXPECT_GT(last["routed_accuracy"].get<double>(), last["best_single_accuracy"].get<double>() + 0.1) << last.dump();
  EXPECT_LE(last["routed_accuracy"].get<double>(), last["oracle_accuracy"].get<double>());
  EXPECT_TRUE(last["per_dataset"].contains("arc"));
  EXPECT_TRUE(last["per_dataset"].contains("mmlu"));
  EXPECT_NE(r.output.find("samples/s"), std::string::npos) << r.output;

  // mom-route --evaluate on the whole file. Forcing the fallback with a margin no score can beat
  // must give exactly that model's accuracy, counted here from the file itself.
  std::string route = binary_dir() + "/coordinator/mom-route --orchestrator_path " + best + " --evaluate " + data;
  auto forced = run_command(route + " --json --fallback google/gemma-2-2b-it --margin 2");
  ASSERT_EQ(forced.exit_code, 0) << forced.output;
  mom::Json result = mom::Json::parse(forced.output.substr(forced.output.find("{\"")));
  size_t right = 0, n = 0;
  mom::for_each_jsonl(data, [&](const mom::Json& j, size_t) {
    ++n;
    if (j["models"][1]["correct"].get<bool>()) ++right;
  });
  EXPECT_EQ(result["questions"], n);
  EXPECT_DOUBLE_EQ(result["routed_accuracy"].get<double>(), double(right) / n);
  EXPECT_NEAR(result["mean_cost"].get<double>(), 2.61, 1e-9);
  EXPECT_DOUBLE_EQ(result["oracle_accuracy"].get<double>(), 1.0);  // the fixture drops unsolved questions
  auto sweep = run_command(route + " --json --sweep");
  ASSERT_EQ(sweep.exit_code, 0) << sweep.output;
  mom::Json curve = mom::Json::parse(sweep.output.substr(sweep.output.find("{\"")));
  EXPECT_EQ(curve["sweep"]["single_models"].size(), 3u);
  EXPECT_GE(curve["sweep"]["router"].size(), 5u);
  EXPECT_GT(curve["routed_accuracy"].get<double>(), curve["best_single_accuracy"].get<double>());

  // The out-of-distribution gate: the checkpoint carries the training questions' index and a
  // threshold; questions unlike anything trained on go to the fallback whatever the scores say.
  EXPECT_TRUE(fs::exists(best + "/similarity_index.safetensors"));
  ASSERT_TRUE(policy["ood"].is_object()) << policy.dump();
  EXPECT_GT(policy["ood"]["threshold"].get<double>(), 0.0);
  EXPECT_LT(curve["ood_share"].get<double>(), 0.1);  // the training file itself is in distribution
  std::string far, line;
  std::istringstream lines_in(mom::read_file(data));
  const std::vector<std::string> words = {"zorblat", "quixnar", "vemtok", "plibber", "snorf", "gadwump", "frell", "yint"};
  size_t fallback_right = 0, far_n = 0;
  std::string fallback = policy["fallback"].get<std::string>();
  while (std::getline(lines_in, line)) {
    mom::Json j = mom::Json::parse(line);
    std::string text;
    for (size_t w = 0; w < 6; ++w) text += words[(far_n * 7 + w * 3) % words.size()] + " ";
    j["text"] = text + "?";
    for (const auto& m : j["models"])
      if (m["name"] == fallback && m["correct"].get<bool>()) ++fallback_right;
    far += j.dump() + "\n";
    ++far_n;
  }
  std::string far_path = dir.write("far.jsonl", far);
  std::string route_far = binary_dir() + "/coordinator/mom-route --orchestrator_path " + best + " --evaluate " + far_path;
  auto gated = run_command(route_far + " --json");
  ASSERT_EQ(gated.exit_code, 0) << gated.output;
  mom::Json g = mom::Json::parse(gated.output.substr(gated.output.find("{\"")));
  EXPECT_DOUBLE_EQ(g["ood_share"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(g["routed_accuracy"].get<double>(), double(fallback_right) / far_n);
  auto ungated = run_command(route_far + " --json --ood_threshold 0");
  ASSERT_EQ(ungated.exit_code, 0) << ungated.output;
  EXPECT_DOUBLE_EQ(mom::Json::parse(ungated.output.substr(ungated.output.find("{\"")))["ood_share"].get<double>(), 0.0);
  auto one = run_command(binary_dir() + "/coordinator/mom-route --orchestrator_path " + best +
                         " --json --query 'zorblat quixnar vemtok'");
  ASSERT_EQ(one.exit_code, 0) << one.output;
  mom::Json decision = mom::Json::parse(one.output.substr(one.output.find("{\"")));
  EXPECT_EQ(decision["selected_model"], fallback);
  EXPECT_TRUE(decision["out_of_distribution"].get<bool>());
  EXPECT_DOUBLE_EQ(decision["similarity"].get<double>(), 0.0);
}

TEST(TrainerE2E, KnnRouterFitsEvaluatesAndRoutes) {
  TempDir dir;
  std::string data = dir.write("labeled.jsonl", mom::trainer::testing::make_labeled_jsonl(600));
  std::string out = " --output_dir " + dir.file("knn");
  auto r = run_command(mom_train() + " --model_name knn --objective multilabel --test_size 0.2 --data_path " + data + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string best = dir.file("knn/best");
  for (const char* f : {"config.json", "model.safetensors", "knn_index.safetensors", "routing_policy.json", "label_map.json"})
    EXPECT_TRUE(fs::exists(best + "/" + f)) << f;
  std::vector<mom::Json> lines;
  mom::for_each_jsonl(dir.file("knn/eval_results.jsonl"), [&](const mom::Json& j, size_t) { lines.push_back(j); });
  ASSERT_EQ(lines.size(), 1u);  // nothing to train: one evaluation
  EXPECT_GT(lines[0]["routed_accuracy"].get<double>(), lines[0]["best_single_accuracy"].get<double>() + 0.1) << lines[0].dump();
  // The same numbers from mom-route --evaluate on the held-out questions.
  mom::Json split = mom::read_json_file(dir.file("knn/split.json"));
  std::vector<std::string> all;
  std::istringstream in(mom::read_file(data));
  for (std::string line; std::getline(in, line);) all.push_back(line);
  std::string held_out;
  for (const auto& i : split["test"]) held_out += all[i.get<size_t>()] + "\n";
  auto e = run_command(binary_dir() + "/coordinator/mom-route --orchestrator_path " + best + " --json --evaluate " +
                       dir.write("held_out.jsonl", held_out));
  ASSERT_EQ(e.exit_code, 0) << e.output;
  mom::Json ev = mom::Json::parse(e.output.substr(e.output.find("{\"")));
  EXPECT_NEAR(ev["routed_accuracy"].get<double>(), lines[0]["routed_accuracy"].get<double>(), 1e-12);
  auto q = run_command(binary_dir() + "/coordinator/mom-route --orchestrator_path " + best +
                       " --json --query 'Question: which prime number solves the equation'");
  ASSERT_EQ(q.exit_code, 0) << q.output;
  EXPECT_NE(q.output.find("\"selected_model\""), std::string::npos) << q.output;
  auto resume = run_command(mom_train() + " --model_name knn --objective multilabel --resume --data_path " + data + out);
  EXPECT_NE(resume.exit_code, 0);
  EXPECT_NE(resume.output.find("nothing to resume"), std::string::npos) << resume.output;
}

TEST(TrainerE2E, KilledAndResumedRunEndsWithTheSameParameters) {
  TempDir dir;
  std::string data = dir.write("labeled.jsonl", mom::trainer::testing::make_labeled_jsonl(2000));
  std::string args = " --model_name ngram --ngram_buckets 32768 --data_path " + data +
                     " --epochs 3 --batch_size 16 --gradient_accumulation_steps 1"
                     " --test_size 0.1 --seed 11";
  auto full = run_command(mom_train() + args + " --output_dir " + dir.file("full"));
  ASSERT_EQ(full.exit_code, 0) << full.output;

  // Start the same run, kill -9 it once the first epoch's checkpoint is published.
  std::string out = dir.file("cut");
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::string log = dir.file("cut.log");
    freopen(log.c_str(), "w", stderr);
    std::string cmd = mom_train() + args + " --output_dir " + out;
    execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), nullptr);
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(out + "/checkpoint-epoch-1/trainer_state.json") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed; make the fixture larger";
  ASSERT_FALSE(fs::exists(out + "/checkpoint-epoch-3"));

  auto resumed = run_command(mom_train() + args + " --output_dir " + out + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming from"), std::string::npos) << resumed.output;
  EXPECT_EQ(max_difference(dir.file("full/checkpoint-epoch-3"), out + "/checkpoint-epoch-3"), 0.0);
  EXPECT_EQ(mom::read_json_file(dir.file("full/checkpoint-epoch-3/trainer_state.json")),
            mom::read_json_file(out + "/checkpoint-epoch-3/trainer_state.json"));
}

TEST(TrainerE2E, BadInputFailsBeforeTraining) {
  TempDir dir;
  std::string good = mom::trainer::testing::make_labeled_jsonl(40);
  std::string out = " --output_dir " + dir.file("out");
  std::string model = kSmallModel;

  auto empty = run_command(mom_train() + model + " --data_path " + dir.write("empty.jsonl", "") + out);
  EXPECT_NE(empty.exit_code, 0);
  EXPECT_NE(empty.output.find("empty.jsonl: no labeled questions"), std::string::npos) << empty.output;

  std::string broken = good.substr(0, good.find('\n') + 1) + "{not json\n";
  auto malformed = run_command(mom_train() + model + " --data_path " + dir.write("bad.jsonl", broken) + out);
  EXPECT_NE(malformed.exit_code, 0);
  EXPECT_NE(malformed.output.find("bad.jsonl:2:"), std::string::npos) << malformed.output;

  std::string unknown = good;
  unknown.replace(unknown.find("\"label\": {\"id\": "), 17, "\"label\": {\"id\": 99");
  auto bad_label = run_command(mom_train() + model + " --data_path " + dir.write("unknown.jsonl", unknown) + out);
  EXPECT_NE(bad_label.exit_code, 0);
  EXPECT_NE(bad_label.output.find("unknown.jsonl:1: unknown label"), std::string::npos) << bad_label.output;

  auto missing = run_command(mom_train() + model + " --data_path " + dir.file("nope.jsonl") + out);
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("nope.jsonl"), std::string::npos) << missing.output;

  // Train one epoch on three models, then resume on data with two: refused before any step.
  auto first = run_command(mom_train() + model + " --epochs 1 --data_path " + dir.write("three.jsonl", good) + out);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  std::string two_models = mom::trainer::testing::make_labeled_jsonl(40, 1, 2);
  auto mismatch = run_command(mom_train() + model + " --epochs 2 --resume --data_path " + dir.write("two.jsonl", two_models) + out);
  EXPECT_NE(mismatch.exit_code, 0);
  EXPECT_NE(mismatch.output.find("label count mismatch: checkpoint"), std::string::npos) << mismatch.output;
  EXPECT_FALSE(fs::exists(dir.file("out/checkpoint-epoch-2")));

  auto no_checkpoint = run_command(mom_train() + model + " --resume --data_path " + dir.file("three.jsonl") +
                                   " --output_dir " + dir.file("fresh"));
  EXPECT_NE(no_checkpoint.exit_code, 0);
  EXPECT_NE(no_checkpoint.output.find("no checkpoint-epoch-N"), std::string::npos) << no_checkpoint.output;
}

TEST(TrainerE2E, KilledRankEndsTheTrainingJob) {
  TempDir dir;
  std::string data = dir.write("labeled.jsonl", mom::trainer::testing::make_labeled_jsonl(3000));
  // Rank 1 is killed 1.5 s after it starts, in the middle of training.
  std::string wrapper = dir.write("kill_rank1.sh",
                                  "#!/bin/sh\nif [ \"$OMPI_COMM_WORLD_RANK\" = 1 ]; then (sleep 1.5; kill -9 $$) & fi\nexec \"$@\"\n");
  auto start = std::chrono::steady_clock::now();
  auto r = run_command(mpirun(2) + "sh " + wrapper + " " + mom_train() + " --model_name ngram --epochs 20 --batch_size 16 "
                       "--data_path " + data + " --output_dir " + dir.file("out"));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.exit_code, 124) << "hung: " << r.output;
  EXPECT_LT(seconds, 60);
  EXPECT_NE(r.output.find("rank 1"), std::string::npos) << r.output;
}

}  // namespace
