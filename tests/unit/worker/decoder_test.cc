// MOM's decoder against the independent python reference (tests/reference/decoders): prefill and
// per-step decode logits, greedy generations with the KV cache, scoring log-probabilities, and
// loading errors.
#include "models/decoder.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "core/error.h"
#include "core/file_io.h"
#include "core/json_util.h"
#include "core/safetensors/safetensors.h"
#include "models/weights.h"
#include "tests/support/test_support.h"

namespace mom::models {
namespace {

constexpr double kTol = 1e-4;

std::string family_dir(const std::string& family) {
  return testing::source_dir() + "/tests/reference/decoders/data/" + family;
}

struct Expected {
  std::unique_ptr<safetensors::Checkpoint> ckpt;
  Json json;
  torch::Tensor get(const std::string& name) const { return to_tensor(ckpt->get(name), true); }
  std::vector<int32_t> ids(const std::string& name) const {
    torch::Tensor t = to_tensor(ckpt->get(name), false);
    std::vector<int32_t> out;
    for (int64_t i = 0; i < t.numel(); ++i) out.push_back(static_cast<int32_t>(t[i].item<int64_t>()));
    return out;
  }
};

Expected expected(const std::string& family) {
  Expected e;
  e.ckpt = safetensors::Checkpoint::open(family_dir(family) + "/expected.safetensors");
  e.json = read_json_file(family_dir(family) + "/expected.json");
  return e;
}

double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a - b).abs().max().item<double>();
}

class DecoderFamilyTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() { at::set_num_threads(1); }
};

TEST_P(DecoderFamilyTest, PrefillAndDecodeLogitsMatchReference) {
  Expected e = expected(GetParam());
  auto decoder = Decoder::load(family_dir(GetParam()));
  EXPECT_STREQ(decoder_family_name(decoder->config().family),
               GetParam() == "llama2" || GetParam() == "llama3" ? "llama" : GetParam().c_str());
  std::vector<int32_t> prompt = e.ids("prompt_0"), greedy = e.ids("greedy_0");
  KvCache cache = decoder->make_cache(1, 4);  // small on purpose: extend/step must grow it
  torch::Tensor prefill = decoder->extend(cache, 0, prompt, true);
  EXPECT_LE(max_diff(prefill, e.get("prefill_logits")), kTol);
  torch::Tensor decode = e.get("decode_logits");
  // decode_logits[0] is the prefill's last row; then one cached step per greedy token.
  EXPECT_LE(max_diff(prefill[-1], decode[0]), kTol);
  for (size_t i = 0; i + 1 < greedy.size(); ++i) {
    torch::Tensor logits = decoder->step(cache, {greedy[i]});
    EXPECT_LE(max_diff(logits[0], decode[i + 1]), kTol) << "decode step " << i + 1;
  }
  EXPECT_EQ(cache.length(0), static_cast<int64_t>(prompt.size() + greedy.size() - 1));
}

TEST_P(DecoderFamilyTest, GreedyGenerationsMatchTokenForToken) {
  Expected e = expected(GetParam());
  auto decoder = Decoder::load(family_dir(GetParam()));
  int n = e.json["n_prompts"].get<int>();
  for (int k = 0; k < n; ++k) {
    std::vector<int32_t> prompt = e.ids("prompt_" + std::to_string(k));
    std::vector<int32_t> want = e.ids("greedy_" + std::to_string(k));
    KvCache cache = decoder->make_cache(1, 8);
    torch::Tensor logits = decoder->extend(cache, 0, prompt, false);
    std::vector<int32_t> got;
    while (got.size() < want.size()) {
      got.push_back(static_cast<int32_t>(logits[0].argmax().item<int64_t>()));
      if (got.size() < want.size()) logits = decoder->step(cache, {got.back()});
    }
    EXPECT_EQ(got, want) << "prompt " << k;
  }
}

TEST_P(DecoderFamilyTest, ScoringLogprobsMatch) {
  Expected e = expected(GetParam());
  auto decoder = Decoder::load(family_dir(GetParam()));
  for (const auto& s : e.json["scoring"]) {
    auto context = s["context_ids"].get<std::vector<int32_t>>();
    auto cont = s["continuation_ids"].get<std::vector<int32_t>>();
    std::vector<int32_t> all = context;
    all.insert(all.end(), cont.begin(), cont.end());
    torch::Tensor lp = torch::log_softmax(decoder->forward(all), -1);
    double total = 0;
    bool greedy = true;
    for (size_t i = 0; i < cont.size(); ++i) {
      torch::Tensor row = lp[context.size() + i - 1];
      total += row[cont[i]].item<double>();
      greedy = greedy && row.argmax().item<int64_t>() == cont[i];
    }
    EXPECT_NEAR(total, s["logprob"].get<double>(), 1e-3);
    EXPECT_EQ(greedy, s["is_greedy"].get<bool>());
  }
}

INSTANTIATE_TEST_SUITE_P(Families, DecoderFamilyTest,
                         ::testing::Values("llama3", "llama2", "mistral", "qwen2", "qwen3", "gemma2",
                                           "gemma3", "phi3"));

// Prompts longer than prefill_chunk are prefilled in pieces through the cache: same logits.
TEST(DecoderLoad, ChunkedPrefillMatchesReference) {
  for (const char* family : {"gemma2", "mistral", "llama3"}) {
    Expected e = expected(family);
    DecoderOptions opts;
    opts.prefill_chunk = 5;
    auto decoder = Decoder::load(family_dir(family), opts);
    EXPECT_LE(max_diff(decoder->forward(e.ids("prompt_0")), e.get("prefill_logits")), kTol) << family;
    KvCache cache = decoder->make_cache(1, 4);
    torch::Tensor last = decoder->extend(cache, 0, e.ids("prompt_0"), false);
    EXPECT_LE(max_diff(last[0], e.get("decode_logits")[0]), kTol) << family;
  }
}

TEST(DecoderLoad, BatchedStepEqualsSingleRows) {
  auto decoder = Decoder::load(family_dir("gemma2"));
  std::vector<std::vector<int32_t>> prompts = {{1, 2, 3, 4, 5, 6, 7}, {9, 8}, {20, 21, 22, 23}};
  KvCache batch = decoder->make_cache(3, 8);
  std::vector<int32_t> next;
  for (int b = 0; b < 3; ++b) {
    next.push_back(static_cast<int32_t>(decoder->extend(batch, b, prompts[b], false)[0].argmax().item<int64_t>()));
  }
  torch::Tensor batched = decoder->step(batch, next);
  for (int b = 0; b < 3; ++b) {
    auto alone = prompts[b];
    alone.push_back(next[b]);
    torch::Tensor want = decoder->forward(alone)[-1];
    EXPECT_LE(max_diff(batched[b], want), kTol) << "row " << b;
  }
  // Compaction: move slot 2 into slot 0 and keep decoding it.
  batch.move(2, 0);
  EXPECT_EQ(batch.length(0), 5);
  EXPECT_EQ(batch.length(2), 0);
}

TEST(DecoderLoad, ErrorsNameTheProblem) {
  testing::TempDir dir;
  auto expect_error = [](const std::string& path, const std::string& needle) {
    try {
      Decoder::load(path);
      FAIL() << "no error for " << path;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error(dir.path() + "/nope", "config.json");
  // Unsupported architecture.
  namespace fs = std::filesystem;
  fs::copy(family_dir("llama3"), dir.file("m"), fs::copy_options::recursive);
  Json cfg = read_json_file(dir.file("m/config.json"));
  cfg["architectures"] = {"FalconForCausalLM"};
  write_file(dir.file("m/config.json"), cfg.dump());
  expect_error(dir.file("m"), "unsupported architecture 'FalconForCausalLM'");
  // Config says qwen2 (biases) but the weights are llama's.
  cfg["architectures"] = {"Qwen2ForCausalLM"};
  cfg["model_type"] = "qwen2";
  write_file(dir.file("m/config.json"), cfg.dump());
  expect_error(dir.file("m"), "self_attn.q_proj.bias' missing");
  // Unsupported rope scaling.
  cfg = read_json_file(family_dir("llama3") + "/config.json");
  cfg["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4.0}};
  write_file(dir.file("m/config.json"), cfg.dump());
  expect_error(dir.file("m"), "unsupported rope_scaling type 'yarn'");
  // Missing weights.
  write_file(dir.file("m/config.json"), read_file(family_dir("llama3") + "/config.json"));
  fs::remove(dir.file("m/model.safetensors"));
  expect_error(dir.file("m"), "no model.safetensors");
}

// Gemma 3 4B / MedGemma ship as Gemma3ForConditionalGeneration: text fields under text_config,
// text weights under language_model.model., plus vision tensors MOM ignores.
TEST(DecoderLoad, Gemma3MultimodalCheckpointLoadsItsTextDecoder) {
  testing::TempDir dir;
  Json text = read_json_file(family_dir("gemma3") + "/config.json");
  text.erase("architectures");
  Json cfg = {{"architectures", {"Gemma3ForConditionalGeneration"}}, {"model_type", "gemma3"},
              {"text_config", text}, {"vision_config", {{"hidden_size", 8}}}};
  write_file(dir.file("config.json"), cfg.dump());
  auto src = safetensors::Checkpoint::open(family_dir("gemma3") + "/model.safetensors");
  std::vector<safetensors::TensorToWrite> out;
  std::vector<std::string> names;
  for (const auto& n : src->names()) names.push_back(n);
  for (const auto& n : names) {
    const auto& v = src->get(n);
    out.push_back({"language_model." + n, v.dtype, v.shape, v.data});
  }
  float vision[4] = {1, 2, 3, 4};
  out.push_back({"vision_tower.patch.weight", safetensors::DType::kF32, {4}, vision});
  safetensors::write(dir.file("model.safetensors"), out);
  auto decoder = Decoder::load(dir.path());
  EXPECT_EQ(decoder->config().family, DecoderFamily::kGemma3);
  Expected e = expected("gemma3");
  EXPECT_LE(max_diff(decoder->forward(e.ids("prompt_0")), e.get("prefill_logits")), kTol);
}

TEST(DecoderLoad, ContextWindowIsEnforced) {
  auto decoder = Decoder::load(family_dir("qwen3"));
  std::vector<int32_t> ids(decoder->config().max_position_embeddings + 1, 5);
  EXPECT_THROW(decoder->forward(ids), Error);
  EXPECT_THROW(decoder->forward({100000}), Error);
}

}  // namespace
}  // namespace mom::models
