// mom-route: flag parsing and query files (in process), then the real program end to end on a
// tiny preset-initialised checkpoint saved to a temporary directory.
#include "coordinator/route_command.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <sstream>

#include "core/error.h"
#include "core/file_io.h"
#include "core/json_util.h"
#include "models/text_classifier.h"
#include "tests/support/test_support.h"

namespace mom::coordinator {
namespace {

using mom::testing::TempDir;

std::optional<RouteConfig> parse(std::vector<std::string> args, std::string* printed = nullptr) {
  args.insert(args.begin(), "mom-route");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out;
  auto c = parse_route_flags(static_cast<int>(argv.size()), argv.data(), out);
  if (printed) *printed = out.str();
  return c;
}

TEST(RouteFlagsTest, Parses) {
  auto c = parse({"--orchestrator_path", "ckpt", "--query", "hi there", "--json", "--top", "5", "--max_length",
                  "128", "--batch_size", "4", "--threads", "2", "--registry", "r.json"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->orchestrator_path, "ckpt");
  EXPECT_EQ(c->query, "hi there");
  EXPECT_FALSE(c->queries_file);
  EXPECT_TRUE(c->json);
  EXPECT_EQ(c->top, 5);
  EXPECT_EQ(c->max_length, 128);
  EXPECT_EQ(c->batch_size, 4);
  EXPECT_EQ(c->threads, 2);
  EXPECT_EQ(c->registry, "r.json");
  auto d = parse({"--orchestrator_path", "x", "--queries", "q.txt"});
  EXPECT_EQ(d->queries_file, "q.txt");
  EXPECT_FALSE(d->json);
  EXPECT_EQ(d->top, 3);
  std::string help;
  EXPECT_FALSE(parse({"--help"}, &help));
  EXPECT_NE(help.find("--orchestrator_path"), std::string::npos);
}

TEST(RouteFlagsTest, Rejects) {
  EXPECT_THROW(parse({"--query", "x"}), Error);                                          // no checkpoint
  EXPECT_THROW(parse({"--orchestrator_path", "x"}), Error);                              // nothing to route
  EXPECT_THROW(parse({"--orchestrator_path", "x", "--query", "a", "--queries", "f"}), Error);  // both
  EXPECT_THROW(parse({"--orchestrator_path", "x", "--query", "a", "--top", "0"}), Error);
  EXPECT_THROW(parse({"--orchestrator_path", "x", "--query", "a", "--batch_size", "many"}), Error);
  EXPECT_THROW(parse({"--orchestrator_path", "x", "--query", "a", "--bogus"}), Error);
}

TEST(ReadQueriesTest, PlainAndJsonl) {
  TempDir dir;
  EXPECT_EQ(read_queries(dir.write("p.txt", "first question\r\nsecond {not json}\n\n")),
            (std::vector<std::string>{"first question", "second {not json}"}));
  EXPECT_EQ(read_queries(dir.write("j.jsonl", "{\"text\": \"a\", \"labels\": [1]}\n\n{\"text\": \"b\\nc\"}\n")),
            (std::vector<std::string>{"a", "b\nc"}));
  auto expect_error = [&](const std::string& name, const std::string& content, const std::string& part) {
    std::string path = dir.write(name, content);
    try {
      read_queries(path);
      FAIL() << name;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  expect_error("blank.txt", "one\n\nthree\n", "blank.txt:2: empty query");
  expect_error("nofield.jsonl", "{\"text\": \"a\"}\n{\"question\": \"b\"}\n", "nofield.jsonl:2");
  expect_error("broken.jsonl", "{\"text\": \"a\"}\n{\"text\": \n", "broken.jsonl:2");
  expect_error("empty.txt", "\n\n", "no queries");
  expect_error("utf8.txt", "ok\nbad \xfe byte\n", "query 2: invalid UTF-8");
  EXPECT_THROW(read_queries(dir.file("missing.txt")), Error);
}

// ---- end to end, through the real binary
struct RouteE2E : ::testing::Test {
  static void SetUpTestSuite() {
    dir = new TempDir;
    torch::manual_seed(11);
    auto clf = models::load_text_classifier(
        "bert-tiny", {{"Qwen/Qwen2.5-Math-7B-Instruct", "meta-llama/Llama-3.1-8B-Instruct", "org/medical"}, 0, 128});
    clf->save(dir->file("ckpt"));
  }
  static void TearDownTestSuite() { delete dir; }
  static std::string bin() { return mom::testing::binary_dir() + "/coordinator/mom-route"; }
  static mom::testing::CommandResult route(const std::string& args) {
    return mom::testing::run_command("MOM_NUM_THREADS=2 " + bin() + " " + args + " 2>&1");
  }
  static TempDir* dir;
};
TempDir* RouteE2E::dir = nullptr;

TEST_F(RouteE2E, SingleQueryTable) {
  auto r = route("--orchestrator_path " + dir->file("ckpt") + " --query 'What is the derivative of sin x?' --top 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("selected model: "), std::string::npos) << r.output;
  size_t shown = 0;
  for (const char* name : {"Qwen/Qwen2.5-Math-7B-Instruct", "meta-llama/Llama-3.1-8B-Instruct", "org/medical"}) {
    shown += r.output.find(name) != std::string::npos;
  }
  EXPECT_GE(shown, 2u) << r.output;
}

TEST_F(RouteE2E, JsonlFileInInputOrderMatchesSingleQueries) {
  std::vector<std::string> qs = {"Solve 3x + 5 = 20.", "What dose of ibuprofen is safe for adults?",
                                 "Tell me a joke about cats", "Translate 'good morning' to German"};
  std::string jsonl;
  for (const auto& q : qs) jsonl += Json{{"text", q}, {"label", 1}}.dump() + "\n";
  std::string file = dir->write("q.jsonl", jsonl);
  auto r = route("--orchestrator_path " + dir->file("ckpt") + " --queries " + file + " --json --batch_size 3");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::istringstream lines(r.output);
  std::string line;
  std::vector<Json> out;
  while (std::getline(lines, line)) {
    if (!line.empty() && line[0] == '{') out.push_back(Json::parse(line));
  }
  ASSERT_EQ(out.size(), qs.size()) << r.output;
  for (size_t i = 0; i < qs.size(); ++i) {
    const Json& o = out[i];
    ASSERT_EQ(o["probabilities"].size(), 3u);
    double sum = 0, best = -1;
    std::string best_name;
    for (auto it = o["probabilities"].begin(); it != o["probabilities"].end(); ++it) {
      sum += it.value().get<double>();
      if (it.value().get<double>() > best) best = it.value().get<double>(), best_name = it.key();
    }
    EXPECT_NEAR(sum, 1.0, 1e-6);
    EXPECT_EQ(o["selected_model"], best_name);
    // The same query alone gives the same answer: output is in input order.
    std::string single = dir->write("one.txt", qs[i] + "\n");
    auto s = route("--orchestrator_path " + dir->file("ckpt") + " --queries " + single + " --json");
    ASSERT_EQ(s.exit_code, 0) << s.output;
    Json so = Json::parse(s.output.substr(s.output.find("{\"selected_model\"")));
    for (auto it = o["probabilities"].begin(); it != o["probabilities"].end(); ++it) {
      EXPECT_NEAR(so["probabilities"][it.key()].get<double>(), it.value().get<double>(), 1e-5) << qs[i];
    }
  }
}

TEST_F(RouteE2E, BadInputExitsNonZeroWithAClearMessage) {
  auto missing = route("--orchestrator_path " + dir->file("nope") + " --query hi");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("nope"), std::string::npos) << missing.output;

  auto empty = route("--orchestrator_path " + dir->file("ckpt") + " --query ''");
  EXPECT_NE(empty.exit_code, 0);
  EXPECT_NE(empty.output.find("empty query"), std::string::npos) << empty.output;

  auto utf8 = route("--orchestrator_path " + dir->file("ckpt") + " --query \"$(printf 'bad \\377')\"");
  EXPECT_NE(utf8.exit_code, 0);
  EXPECT_NE(utf8.output.find("invalid UTF-8"), std::string::npos) << utf8.output;

  // A checkpoint whose weights lack a tensor: the error names it.
  std::string broken = dir->file("broken");
  std::filesystem::create_directories(broken);
  for (const char* f : {"config.json", "vocab.txt", "tokenizer_config.json"}) {
    std::filesystem::copy_file(dir->file("ckpt") + "/" + f, broken + "/" + f);
  }
  Json config = read_json_file(broken + "/config.json");
  config["num_hidden_layers"] = 3;  // one more layer than saved
  write_file(broken + "/config.json", config.dump());
  std::filesystem::copy_file(dir->file("ckpt") + "/model.safetensors", broken + "/model.safetensors");
  auto r = route("--orchestrator_path " + broken + " --query hi");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("bert.encoder.layer.2."), std::string::npos) << r.output;

  // Very long query: truncated, routed.
  std::string longq(40000, 'a');
  for (size_t i = 5; i < longq.size(); i += 6) longq[i] = ' ';
  auto lr = route("--orchestrator_path " + dir->file("ckpt") + " --queries " + dir->write("long.txt", longq) + " --json");
  EXPECT_EQ(lr.exit_code, 0) << lr.output.substr(0, 500);
}

}  // namespace
}  // namespace mom::coordinator
