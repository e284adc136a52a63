// The worker engine on the tiny reference checkpoints: KV-cache generation equals the reference,
// step-level batching gives each request what it gets alone, stop conditions, scoring (ids and
// lm-eval text encoding), memory budget, and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "core/error.h"
#include "core/file_io.h"
#include "core/json_util.h"
#include "core/safetensors/safetensors.h"
#include "core/tokenizers/tokenizer.h"
#include "models/chat_template.h"
#include "models/decoder.h"
#include "worker/backends/backend_factory.h"
#include "worker/batch_scheduler.h"
#include "worker/loglikelihood.h"
#include "tests/support/test_support.h"

#include <torch/torch.h>

namespace mom::worker {
namespace {

std::string family_dir(const std::string& family) {
  return testing::source_dir() + "/tests/reference/decoders/data/" + family;
}

std::vector<int32_t> expected_ids(const std::string& family, const std::string& name) {
  auto ckpt = safetensors::Checkpoint::open(family_dir(family) + "/expected.safetensors");
  const auto& v = ckpt->get(name);
  const int64_t* data = static_cast<const int64_t*>(v.data);
  return std::vector<int32_t>(data, data + v.nbytes / 8);
}

std::unique_ptr<BatchScheduler> scheduler(const std::string& family, int max_batch = 8,
                                          std::vector<int32_t> eos = {}) {
  models::DecoderOptions opts;
  opts.intra_op_threads = 1;
  SchedulerOptions so;
  so.max_batch = max_batch;
  so.model_name = family;
  so.eos_ids = std::move(eos);
  return std::make_unique<BatchScheduler>(models::Decoder::load(family_dir(family), opts), so);
}

GenerateRequest request(std::vector<int32_t> prompt, int max_new, double temperature = 0,
                        std::optional<uint64_t> seed = std::nullopt) {
  GenerateRequest r;
  r.id = "t";
  r.prompt_ids = std::move(prompt);
  r.sampling.max_new_tokens = max_new;
  r.sampling.temperature = temperature;
  r.sampling.top_k = temperature > 0 ? 50 : 0;
  r.sampling.top_p = temperature > 0 ? 0.9 : 1.0;
  r.sampling.seed = seed;
  r.sampling.ignore_eos = true;
  return r;
}

const char* kFamilies[] = {"llama3", "llama2", "mistral", "qwen2", "qwen3", "gemma2", "gemma3", "phi3"};

TEST(Engine, GreedyGenerationMatchesReferenceForEveryFamily) {
  for (const char* family : kFamilies) {
    auto s = scheduler(family);
    for (int k = 0; k < 3; ++k) {
      auto want = expected_ids(family, "greedy_" + std::to_string(k));
      GenerateResult r = s->submit_generate(request(expected_ids(family, "prompt_" + std::to_string(k)),
                                                    static_cast<int>(want.size()))).get();
      EXPECT_EQ(r.ids, want) << family << " prompt " << k;
      EXPECT_EQ(r.finish_reason, FinishReason::kLength);
      EXPECT_EQ(r.completion_tokens, static_cast<int>(want.size()));
      EXPECT_EQ(r.prompt_tokens, static_cast<int>(r.prompt_ids.size()));
    }
  }
}

TEST(Engine, ConcurrentRequestsJoinTheBatchAndGetWhatTheyGetAlone) {
  for (const char* family : {"gemma2", "mistral", "qwen2"}) {
    std::vector<GenerateRequest> requests;
    for (int k = 0; k < 3; ++k) {
      auto prompt = expected_ids(family, "prompt_" + std::to_string(k));
      requests.push_back(request(prompt, 12 + 5 * k));                 // greedy, different lengths
      requests.push_back(request(prompt, 20 - 4 * k, 0.8, 7 + k));      // seeded sampling
    }
    // Alone: a batch of one, one request at a time.
    std::vector<GenerateResult> alone;
    {
      auto s = scheduler(family, 1);
      for (const auto& r : requests) alone.push_back(s->submit_generate(r).get());
    }
    auto s = scheduler(family, 8);
    std::vector<std::future<GenerateResult>> futures;
    std::vector<std::thread> threads;
    std::mutex m;
    futures.resize(requests.size());
    for (size_t i = 0; i < requests.size(); ++i) {
      threads.emplace_back([&, i] {
        auto f = s->submit_generate(requests[i]);
        std::lock_guard<std::mutex> lock(m);
        futures[i] = std::move(f);
      });
    }
    for (auto& t : threads) t.join();
    for (size_t i = 0; i < requests.size(); ++i) {
      GenerateResult r = futures[i].get();
      EXPECT_EQ(r.ids, alone[i].ids) << family << " request " << i;
      EXPECT_EQ(r.finish_reason, alone[i].finish_reason);
    }
    EXPECT_GT(s->stats().max_batch, 1) << "requests were not batched";
    // A late request joins a running batch.
    auto first = s->submit_generate(request(expected_ids(family, "prompt_0"), 30));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    auto late = s->submit_generate(requests[1]);
    EXPECT_EQ(late.get().ids, alone[1].ids);
    first.get();
  }
}

TEST(Engine, StopsOnEosAndMaxNewTokens) {
  auto greedy = expected_ids("phi3", "greedy_0");
  // greedy_0[2] declared an eos id: generation ends there, eos included in ids.
  auto s = scheduler("phi3", 4, {greedy[2]});
  GenerateRequest r = request(expected_ids("phi3", "prompt_0"), 8);
  r.sampling.ignore_eos = false;
  GenerateResult g = s->submit_generate(r).get();
  std::vector<int32_t> want(greedy.begin(), greedy.begin() + 3);
  if (greedy[1] == greedy[2]) want.resize(2);
  if (greedy[0] == greedy[2]) want.resize(1);
  EXPECT_EQ(g.ids, want);
  EXPECT_EQ(g.finish_reason, FinishReason::kEos);
  r.sampling.ignore_eos = true;
  g = s->submit_generate(r).get();
  EXPECT_EQ(g.ids, greedy);
  EXPECT_EQ(g.finish_reason, FinishReason::kLength);
  r.sampling.max_new_tokens = 1;
  g = s->submit_generate(r).get();
  EXPECT_EQ(g.ids.size(), 1u);
}

TEST(Engine, BadRequestsFailThroughTheFuture) {
  auto s = scheduler("qwen3");
  auto expect_error = [&](GenerateRequest r, const std::string& needle) {
    try {
      s->submit_generate(r).get();
      FAIL() << "no error, wanted " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error(request(std::vector<int32_t>(64, 5), 4), "context window");
  expect_error(request({}, 4), "empty prompt");
  expect_error(request({1, 2, 99999}, 4), "outside the vocabulary");
  auto bad = request({1, 2, 3}, 4);
  bad.sampling.top_p = 2;
  expect_error(bad, "top_p");
  bad = request({1, 2, 3}, 4);
  bad.sampling.stop = {"x"};
  expect_error(bad, "stop strings need a tokenizer");
  // Generation stops at the context window (64) with finish reason length.
  GenerateResult g = s->submit_generate(request(std::vector<int32_t>(60, 5), 50)).get();
  EXPECT_EQ(g.ids.size(), 4u);
  EXPECT_EQ(g.finish_reason, FinishReason::kLength);
  // The scheduler keeps serving after failures.
  EXPECT_EQ(s->submit_generate(request({1, 2, 3}, 2)).get().ids.size(), 2u);
}

TEST(Engine, ShutdownFailsPendingRequestsByName) {
  std::vector<std::future<GenerateResult>> pending;
  {
    auto s = scheduler("llama2", 1);
    for (int i = 0; i < 4; ++i) pending.push_back(s->submit_generate(request({1, 2, 3}, 40)));
  }  // destroyed while requests run and wait
  int cancelled = 0;
  for (auto& f : pending) {
    try {
      EXPECT_EQ(f.get().ids.size(), 40u);  // finished before the stop
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("worker shutting down"), std::string::npos) << e.what();
      ++cancelled;
    }
  }
  EXPECT_GE(cancelled, 1);
}

TEST(Engine, ScoringErrors) {
  auto s = scheduler("qwen2");
  ScoreRequest r;
  r.context_ids = std::vector<int32_t>(60, 7);
  r.continuation_ids = std::vector<int32_t>(10, 8);
  try {
    s->submit_score(r).get();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("context window"), std::string::npos) << e.what();
  }
  r.context_ids = {1};
  r.continuation_ids = {};
  EXPECT_THROW(s->submit_score(r).get(), Error);
}

TEST(Engine, ScoringIdsMatchReference) {
  for (const char* family : kFamilies) {
    auto s = scheduler(family);
    Json e = read_json_file(family_dir(family) + "/expected.json");
    for (const auto& want : e["scoring"]) {
      ScoreRequest r;
      r.context_ids = want["context_ids"].get<std::vector<int32_t>>();
      r.continuation_ids = want["continuation_ids"].get<std::vector<int32_t>>();
      ScoreResult got = s->submit_score(r).get();
      EXPECT_NEAR(got.logprob, want["logprob"].get<double>(), 1e-4) << family;
      EXPECT_EQ(got.is_greedy, want["is_greedy"].get<bool>()) << family;
      EXPECT_EQ(got.token_logprobs.size(), r.continuation_ids.size());
    }
  }
}

// ---- TorchBackend: text, tokenizer, chat template, budget --------------------------------------

TorchBackendConfig backend_config(std::vector<std::string> families) {
  TorchBackendConfig c;
  for (const auto& f : families) c.models.push_back({f, family_dir(f)});
  c.threads = 1;
  c.kv_cache_tokens = 256;
  return c;
}

TEST(TorchBackend, LmEvalPairEncodingAndScores) {
  auto backend = TorchBackend::create(backend_config({"llama2"}));
  auto tok = Tokenizer::load(family_dir("llama2"));
  ScoreRequest r;
  r.model = "llama2";
  r.context = "Question: where is the cat? Answer: ";
  r.continuation = "on the mat";
  ScoreResult s = backend->score(r).get();
  // Trailing space moved to the continuation; context ids are encode(context without it).
  EXPECT_EQ(s.context_ids, tok->encode("Question: where is the cat? Answer:", false));
  auto whole = tok->encode("Question: where is the cat? Answer: on the mat", false);
  EXPECT_EQ(s.continuation_ids, std::vector<int32_t>(whole.begin() + s.context_ids.size(), whole.end()));
  EXPECT_EQ(s.continuation_ids, tok->encode(" on the mat", false));
  // The same score as the decoder's log-softmax over the concatenation.
  auto decoder = models::Decoder::load(family_dir("llama2"));
  std::vector<int32_t> all = s.context_ids;
  all.insert(all.end(), s.continuation_ids.begin(), s.continuation_ids.end());
  auto lp = torch::log_softmax(decoder->forward(all), -1);
  double want = 0;
  for (size_t k = 0; k < s.continuation_ids.size(); ++k) {
    want += lp[s.context_ids.size() + k - 1][s.continuation_ids[k]].item<double>();
  }
  EXPECT_NEAR(s.logprob, want, 1e-4);
  // Empty context: the prefix token (bos) stands in.
  r.context = "";
  s = backend->score(r).get();
  EXPECT_EQ(s.context_ids, std::vector<int32_t>{*decoder->config().bos_token_id});
}

TEST(TorchBackend, StopStringsCutTheText) {
  auto backend = TorchBackend::create(backend_config({"mistral"}));
  GenerateRequest r;
  r.model = "mistral";
  r.prompt = "the weather is";
  r.sampling.max_new_tokens = 8;
  r.sampling.ignore_eos = true;
  GenerateResult full = backend->generate(r).get();
  ASSERT_EQ(full.ids.size(), 8u);
  // Pick an ASCII character of the text past its start as the stop string.
  size_t at = std::string::npos;
  for (size_t i = 1; i < full.text.size(); ++i) {
    unsigned char ch = full.text[i];
    if (ch > 32 && ch < 127) {
      at = i;
      break;
    }
  }
  ASSERT_NE(at, std::string::npos) << "no ASCII character in '" << full.text << "'";
  std::string stop(1, full.text[at]);
  r.sampling.stop = {stop};
  GenerateResult cut = backend->generate(r).get();
  EXPECT_EQ(cut.finish_reason, FinishReason::kStopString);
  EXPECT_EQ(cut.text, full.text.substr(0, full.text.find(stop)));
  EXPECT_LE(cut.ids.size(), full.ids.size());
  EXPECT_EQ(cut.ids, std::vector<int32_t>(full.ids.begin(), full.ids.begin() + cut.ids.size()));
}

TEST(TorchBackend, ChatPromptUsesTheTemplate) {
  auto backend = TorchBackend::create(backend_config({"qwen3"}));
  auto tok = Tokenizer::load(family_dir("qwen3"));
  GenerateRequest r;
  r.model = "qwen3";
  r.prompt = "hello";
  r.chat = true;
  r.sampling.max_new_tokens = 2;
  GenerateResult g = backend->generate(r).get();
  EXPECT_EQ(g.prompt_ids, tok->encode("<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n", false));
  EXPECT_EQ(g.prompt_ids[0], *tok->token_to_id("<|im_start|>"));
}

TEST(TorchBackend, MemoryBudgetRefusesWhatDoesNotFit) {
  TorchBackendConfig c = backend_config({"qwen3", "gemma3"});
  auto probe = TorchBackend::create(c);
  probe->load("qwen3");
  ModelStatus q = probe->models()[1];  // sorted by name: gemma3, qwen3
  ASSERT_EQ(q.name, "qwen3");
  ASSERT_TRUE(q.loaded);
  c.memory_budget_bytes = q.weight_bytes + q.kv_bytes + 1000;  // qwen3 fits, nothing else
  auto backend = TorchBackend::create(c);
  backend->load("qwen3");
  try {
    backend->load("gemma3");
    FAIL() << "gemma3 loaded beyond the budget";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("model 'gemma3' does not fit"), std::string::npos) << msg;
    EXPECT_NE(msg.find("holding: qwen3"), std::string::npos) << msg;
  }
  GenerateRequest r;
  r.model = "gemma3";
  r.prompt_ids = {1, 2, 3};
  EXPECT_THROW(backend->generate(r).get(), Error);
  auto status = backend->models();
  EXPECT_FALSE(status[0].loaded);
  EXPECT_TRUE(status[1].loaded);
  // load_at_start with a budget that fits nothing fails at create.
  c.memory_budget_bytes = 1000;
  c.load_at_start = true;
  EXPECT_THROW(TorchBackend::create(c), Error);
}

// The real Qwen3 tokenizer and chat template (shared/, optional): the ChatML markers become the
// special token ids, not text.
TEST(TorchBackend, RealQwen3ChatPromptEncodesSpecialTokens) {
  std::string shared = testing::shared_dir();
  if (shared.empty()) GTEST_SKIP() << "no ../shared";
  std::string dir = shared + "/tokenizers/qwen3";
  auto tok = Tokenizer::load(dir);
  auto chat = models::ChatTemplate::load(dir, "qwen3");
  EXPECT_EQ(chat.kind(), models::ChatFormat::kChatML);
  std::string text = chat.format({{"user", "What is 2+2?"}});
  EXPECT_EQ(text, "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n");
  auto ids = tok->encode(text, false);
  ASSERT_GE(ids.size(), 8u);
  EXPECT_EQ(ids[0], 151644);                 // <|im_start|>
  EXPECT_EQ(ids[ids.size() - 3], 151644);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 151645), 1);  // <|im_end|>
}

TEST(TorchBackend, BadInput) {
  TorchBackendConfig c = backend_config({"llama3"});
  c.models.push_back({"ghost", "/nonexistent/model"});
  EXPECT_THROW(TorchBackend::create(c), Error);
  auto backend = TorchBackend::create(backend_config({"llama3"}));
  GenerateRequest r;
  r.model = "nope";
  r.prompt_ids = {1};
  try {
    backend->generate(r).get();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown model 'nope' (this worker serves: llama3)"), std::string::npos);
  }
  BackendConfig bc;
  bc.kind = "tensorrt";
  EXPECT_THROW(make_backend(bc), Error);
}

}  // namespace
}  // namespace mom::worker
