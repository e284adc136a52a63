// OpenAIBackend against a real HTTP server on 127.0.0.1 that serves MOM's own torch backend with
// the OpenAI completions API (the subset vLLM implements: prompt ids, echo + logprobs, stop,
// seed). Results through HTTP must equal the torch backend's own.
#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "core/error.h"
#include "core/json_util.h"
#include "core/tokenizers/tokenizer.h"
#include "tests/support/test_support.h"
#include "worker/backends/backend_factory.h"

namespace mom::worker {
namespace {

std::string family_dir(const std::string& family) {
  return testing::source_dir() + "/tests/reference/decoders/data/" + family;
}

// A small OpenAI-compatible server in front of a TorchBackend.
class TestServer {
 public:
  explicit TestServer(const std::string& family) : family_(family) {
    TorchBackendConfig c;
    c.models.push_back({family, family_dir(family)});
    c.threads = 1;
    backend_ = TorchBackend::create(c);
    tokenizer_ = Tokenizer::load(family_dir(family));
    server_.Post("/v1/completions", [this](const httplib::Request& req, httplib::Response& res) {
      handle(req, res, false);
    });
    server_.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
      handle(req, res, true);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TestServer() { stop(); }
  void stop() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  TorchBackend& backend() { return *backend_; }

 private:
  void handle(const httplib::Request& req, httplib::Response& res, bool chat) {
    try {
      Json body = Json::parse(req.body);
      if (body.value("model", "") != family_) {
        res.status = 404;
        res.set_content(Json{{"error", {{"message", "model '" + body.value("model", "") + "' not found"}}}}.dump(),
                        "application/json");
        return;
      }
      GenerateRequest g;
      g.model = family_;
      g.sampling.max_new_tokens = body.value("max_tokens", 16);
      g.sampling.temperature = body.value("temperature", 1.0);
      g.sampling.top_p = body.value("top_p", 1.0);
      g.sampling.top_k = body.value("top_k", 0);
      g.sampling.repetition_penalty = body.value("repetition_penalty", 1.0);
      g.sampling.ignore_eos = body.value("ignore_eos", false);
      if (body.contains("seed")) g.sampling.seed = body["seed"].get<uint64_t>();
      if (body.contains("stop")) g.sampling.stop = body["stop"].get<std::vector<std::string>>();
      Json choice;
      if (chat) {
        g.chat = true;
        g.prompt = body["messages"].back()["content"].get<std::string>();
      } else if (body["prompt"].is_array()) {
        g.prompt_ids = body["prompt"].get<std::vector<int32_t>>();
      } else {
        g.prompt = body["prompt"].get<std::string>();
      }
      if (!chat && body.value("echo", false) && body.value("logprobs", 0) > 0) {
        // Prompt log-probabilities: token i scored given tokens < i.
        ScoreRequest s;
        s.model = family_;
        s.context_ids = {g.prompt_ids[0]};
        s.continuation_ids.assign(g.prompt_ids.begin() + 1, g.prompt_ids.end());
        ScoreResult sr = backend_->score(s).get();
        Json tokens = Json::array(), lps = Json::array({nullptr}), top = Json::array({nullptr});
        for (int32_t id : g.prompt_ids) tokens.push_back(tokenizer_->id_to_token(id));
        for (size_t k = 0; k < sr.token_logprobs.size(); ++k) {
          lps.push_back(sr.token_logprobs[k]);
          top.push_back(Json{{tokenizer_->id_to_token(sr.greedy_ids[k]), sr.greedy_logprobs[k]}});
        }
        choice["logprobs"] = {{"tokens", tokens}, {"token_logprobs", lps}, {"top_logprobs", top}};
      }
      GenerateResult r = backend_->generate(g).get();
      std::string text = r.text;
      if (choice.contains("logprobs")) {
        // echo: the prompt's tokens come first; append the generated ones.
        for (int32_t id : r.ids) {
          choice["logprobs"]["tokens"].push_back(tokenizer_->id_to_token(id));
          choice["logprobs"]["token_logprobs"].push_back(0.0);
          choice["logprobs"]["top_logprobs"].push_back(Json::object());
        }
      }
      if (chat) {
        choice["message"] = {{"role", "assistant"}, {"content", text}};
      } else {
        choice["text"] = text;
      }
      choice["finish_reason"] = finish_reason_name(r.finish_reason);
      if (r.finish_reason == FinishReason::kStopString) choice["stop_reason"] = g.sampling.stop[0];
      Json out = {{"object", chat ? "chat.completion" : "text_completion"},
                  {"model", family_},
                  {"choices", Json::array({choice})},
                  {"usage", {{"prompt_tokens", r.prompt_tokens}, {"completion_tokens", r.completion_tokens}}}};
      res.set_content(out.dump(), "application/json");
    } catch (const std::exception& e) {
      res.status = 400;
      res.set_content(Json{{"error", {{"message", e.what()}}}}.dump(), "application/json");
    }
  }

  std::string family_;
  std::unique_ptr<TorchBackend> backend_;
  std::unique_ptr<Tokenizer> tokenizer_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

std::unique_ptr<Backend> client_for(const TestServer& server, const std::string& model) {
  BackendConfig c;
  c.kind = "openai";
  c.openai.base_url = server.url();
  c.openai.models.push_back({model, family_dir(model)});
  c.openai.timeout_s = 30;
  return make_backend(c);
}

TEST(OpenAIBackend, GenerationThroughHttpEqualsTheTorchBackend) {
  TestServer server("mistral");
  auto client = client_for(server, "mistral");
  GenerateRequest r;
  r.model = "mistral";
  r.prompt_ids = {5, 60, 70, 80, 90, 100, 110};
  r.sampling.max_new_tokens = 6;
  r.sampling.ignore_eos = true;
  GenerateResult direct = server.backend().generate(r).get();
  GenerateResult remote = client->generate(r).get();
  EXPECT_EQ(remote.text, direct.text);
  EXPECT_EQ(remote.finish_reason, FinishReason::kLength);
  EXPECT_EQ(remote.completion_tokens, 6);
  EXPECT_EQ(remote.prompt_tokens, 7);
  // Seeded sampling, text prompt, and chat: same answers both ways.
  r.prompt_ids.clear();
  r.prompt = "the cat sat on";
  r.sampling.temperature = 0.9;
  r.sampling.seed = 11;
  EXPECT_EQ(client->generate(r).get().text, server.backend().generate(r).get().text);
  r.chat = true;
  EXPECT_EQ(client->generate(r).get().text, server.backend().generate(r).get().text);
  // Concurrent requests.
  std::vector<std::future<GenerateResult>> futures;
  for (int i = 0; i < 4; ++i) futures.push_back(client->generate(r));
  for (auto& f : futures) EXPECT_EQ(f.get().completion_tokens, 6);
}

TEST(OpenAIBackend, ScoringThroughEchoLogprobsEqualsTheTorchBackend) {
  TestServer server("gemma2");
  auto client = client_for(server, "gemma2");
  Json e = read_json_file(family_dir("gemma2") + "/expected.json");
  for (const auto& want : e["scoring"]) {
    ScoreRequest r;
    r.model = "gemma2";
    r.context_ids = want["context_ids"].get<std::vector<int32_t>>();
    r.continuation_ids = want["continuation_ids"].get<std::vector<int32_t>>();
    ScoreResult s = client->score(r).get();
    EXPECT_NEAR(s.logprob, want["logprob"].get<double>(), 1e-4);
    EXPECT_EQ(s.is_greedy, want["is_greedy"].get<bool>());
  }
  // Text scoring, encoded locally with the model's tokenizer.
  ScoreRequest t;
  t.model = "gemma2";
  t.context = "the answer is";
  t.continuation = " at the house";
  ScoreResult remote = client->score(t).get();
  EXPECT_GT(remote.continuation_ids.size(), 1u);
  ScoreRequest ids;
  ids.model = "gemma2";
  ids.context_ids = remote.context_ids;
  ids.continuation_ids = remote.continuation_ids;
  EXPECT_NEAR(remote.logprob, server.backend().score(ids).get().logprob, 1e-4);
}

TEST(OpenAIBackend, ServerErrorsArriveAsNamedErrors) {
  TestServer server("qwen3");
  BackendConfig c;
  c.kind = "openai";
  c.openai.base_url = server.url();
  c.openai.models.push_back({"qwen3-typo", ""});
  auto client = make_backend(c);
  GenerateRequest r;
  r.model = "qwen3-typo";
  r.prompt_ids = {1, 2};
  try {
    client->generate(r).get();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("HTTP 404"), std::string::npos) << e.what();
  }
  r.model = "other";
  EXPECT_THROW(client->generate(r).get(), Error);  // not configured
  ScoreRequest s;
  s.model = "qwen3-typo";
  s.context = "a";
  s.continuation = "b";
  EXPECT_THROW(client->score(s).get(), Error);  // text needs a tokenizer
  server.stop();
  r.model = "qwen3-typo";
  try {
    client->generate(r).get();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is the server up?"), std::string::npos) << e.what();
  }
  c.openai.base_url = "localhost:8000";
  EXPECT_THROW(make_backend(c), Error);
}

}  // namespace
}  // namespace mom::worker
