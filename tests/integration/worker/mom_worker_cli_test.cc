// mom-worker as a user runs it: one-shot generation (chat template and --raw) and --score with
// --json, checked against the decoder run directly; bad input exits non-zero with a message.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/json_util.h"
#include "core/tokenizers/tokenizer.h"
#include "models/decoder.h"
#include "tests/support/test_support.h"

namespace mom {
namespace {

std::string family_dir(const std::string& family) {
  return testing::source_dir() + "/tests/reference/decoders/data/" + family;
}

std::string worker() { return testing::binary_dir() + "/worker/mom-worker"; }

Json run_json(const std::string& args) {
  auto r = testing::run_command("(" + worker() + " " + args + " 2>/dev/null)");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return Json::parse(r.output);
}

std::vector<int32_t> greedy(models::Decoder& d, std::vector<int32_t> ids, int n) {
  std::vector<int32_t> out;
  for (int i = 0; i < n; ++i) {
    int32_t next = static_cast<int32_t>(d.forward(ids)[-1].argmax().item<int64_t>());
    out.push_back(next);
    ids.push_back(next);
  }
  return out;
}

TEST(MomWorker, RawAndChatGenerationJson) {
  auto tok = Tokenizer::load(family_dir("llama3"));
  auto decoder = models::Decoder::load(family_dir("llama3"));
  Json raw = run_json("--model_dir " + family_dir("llama3") +
                      " --prompt 'the weather is' --raw --max_new_tokens 5 --ignore_eos --json --threads 1");
  auto prompt = raw["prompt_ids"].get<std::vector<int32_t>>();
  EXPECT_EQ(prompt, tok->encode("the weather is", true));
  EXPECT_EQ(raw["ids"].get<std::vector<int32_t>>(), greedy(*decoder, prompt, 5));
  EXPECT_EQ(raw["finish_reason"], "length");
  EXPECT_EQ(raw["text"], tok->decode(raw["ids"].get<std::vector<int32_t>>(), true));

  Json chat = run_json("--model_dir " + family_dir("llama3") + " --prompt 'hi' --max_new_tokens 3 --ignore_eos --json");
  EXPECT_EQ(chat["prompt_ids"].get<std::vector<int32_t>>(),
            tok->encode("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>"
                        "<|start_header_id|>assistant<|end_header_id|>\n\n", false));
  EXPECT_EQ(chat["ids"].size(), 3u);
}

TEST(MomWorker, ScoreJson) {
  auto decoder = models::Decoder::load(family_dir("phi3"));
  Json s = run_json("--model_dir " + family_dir("phi3") + " --score --context 'Q: 2+2? A: ' --continuation '4' --json");
  auto ctx = s["context_ids"].get<std::vector<int32_t>>();
  auto cont = s["continuation_ids"].get<std::vector<int32_t>>();
  ASSERT_FALSE(cont.empty());
  std::vector<int32_t> all = ctx;
  all.insert(all.end(), cont.begin(), cont.end());
  auto lp = torch::log_softmax(decoder->forward(all), -1);
  double want = 0;
  bool is_greedy = true;
  for (size_t k = 0; k < cont.size(); ++k) {
    auto row = lp[ctx.size() + k - 1];
    want += row[cont[k]].item<double>();
    is_greedy = is_greedy && row.argmax().item<int64_t>() == cont[k];
  }
  EXPECT_NEAR(s["logprob"].get<double>(), want, 1e-4);
  EXPECT_EQ(s["is_greedy"].get<bool>(), is_greedy);
}

TEST(MomWorker, BadInputExitsWithAMessage) {
  auto r = testing::run_command(worker() + " --model_dir /nonexistent/m --prompt x 2>&1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("/nonexistent/m"), std::string::npos) << r.output;
  r = testing::run_command(worker() + " --model_dir " + family_dir("qwen2") + " --prompt x --temperature -1 2>&1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("temperature"), std::string::npos) << r.output;
  std::string long_prompt(300, 'z');
  r = testing::run_command(worker() + " --model_dir " + family_dir("qwen2") + " --raw --prompt " + long_prompt + " 2>&1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("context window"), std::string::npos) << r.output;
  r = testing::run_command(worker() + " --model_dir " + family_dir("qwen2") + " --memory_budget_gb 0.0000001 --prompt x 2>&1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("does not fit"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace mom
