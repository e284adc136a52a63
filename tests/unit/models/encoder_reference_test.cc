// Encoder classifiers against an independent reference (tests/reference/encoders/, made by
// reference_encoders.py in plain torch), plus Hugging Face semantics the reference does not
// isolate: padding invariance, mean pooling ignoring pads, checkpoint save/load and errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "core/file_io.h"
#include "core/json_util.h"
#include "models/encoder_classifier.h"
#include "models/encoder_presets.h"
#include "models/weights.h"
#include "tests/support/test_support.h"

namespace mom::models {
namespace {

namespace fs = std::filesystem;
using mom::testing::TempDir;

std::string case_dir(const std::string& name) {
  return mom::testing::source_dir() + "/tests/reference/encoders/" + name;
}

torch::Tensor tensor_2d(const Json& rows, torch::ScalarType type) {
  std::vector<torch::Tensor> out;
  for (const Json& row : rows) {
    std::vector<double> v = row.get<std::vector<double>>();
    out.push_back(torch::tensor(v, torch::kFloat64).to(type));
  }
  return torch::stack(out);
}

struct Case {
  torch::Tensor ids, mask, logits;
};

Case read_case(const std::string& name) {
  Json j = read_json_file(case_dir(name) + "/expected.json");
  return {tensor_2d(j["input_ids"], torch::kInt64), tensor_2d(j["attention_mask"], torch::kInt64),
          tensor_2d(j["logits"], torch::kFloat32)};
}

torch::Tensor run(EncoderClassifierImpl& model, const torch::Tensor& ids, const torch::Tensor& mask) {
  torch::NoGradGuard no_grad;
  model.eval();
  return model.forward(ids, mask);
}

class ReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ReferenceTest, LogitsMatchReference) {
  auto model = load_encoder_classifier(case_dir(GetParam()));
  Case c = read_case(GetParam());
  torch::Tensor logits = run(*model, c.ids, c.mask);
  ASSERT_EQ(logits.sizes(), c.logits.sizes());
  double diff = (logits - c.logits).abs().max().item<double>();
  EXPECT_LE(diff, 1e-4) << GetParam() << "\nMOM:\n" << logits << "\nreference:\n" << c.logits;
  EXPECT_EQ(model->config().labels.id2label, (std::vector<std::string>{"model_0", "model_1", "model_2"}));
}

// A padded row gives the same logits as the same sequence alone without padding.
TEST_P(ReferenceTest, PaddingDoesNotChangeLogits) {
  auto model = load_encoder_classifier(case_dir(GetParam()));
  Case c = read_case(GetParam());
  torch::Tensor batch = run(*model, c.ids, c.mask);
  for (int64_t b = 0; b < c.ids.size(0); ++b) {
    int64_t n = c.mask[b].sum().item<int64_t>();
    torch::Tensor alone = run(*model, c.ids[b].narrow(0, 0, n).unsqueeze(0), c.mask[b].narrow(0, 0, n).unsqueeze(0));
    EXPECT_LE((alone[0] - batch[b]).abs().max().item<double>(), 1e-5) << GetParam() << " row " << b;
  }
  // What sits under the padding (ids there) must not matter either (mean pooling ignores pads).
  torch::Tensor scrambled = c.ids.masked_fill(c.mask.eq(0), 7);
  EXPECT_LE((run(*model, scrambled, c.mask) - batch).abs().max().item<double>(), 1e-5);
}

// save -> load gives identical logits; the config keeps HF's fields.
TEST_P(ReferenceTest, SaveLoadRoundTrip) {
  auto model = load_encoder_classifier(case_dir(GetParam()));
  TempDir dir;
  save_encoder_classifier(*model, dir.path());
  Json config = read_json_file(dir.file("config.json"));
  EXPECT_EQ(config["id2label"]["1"], "model_1");
  EXPECT_EQ(config["label2id"]["model_2"], 2);
  EXPECT_EQ(config["num_labels"], 3);
  EXPECT_EQ(config["architectures"][0], classifier_architecture(model->config().family));
  auto again = load_encoder_classifier(dir.path());
  Case c = read_case(GetParam());
  EXPECT_TRUE(torch::equal(run(*model, c.ids, c.mask), run(*again, c.ids, c.mask)));
}

INSTANTIATE_TEST_SUITE_P(Encoders, ReferenceTest,
                         ::testing::Values("bert_tiny", "modernbert_tiny_cls", "modernbert_tiny_mean_bf16"));

void copy_case(const std::string& name, const TempDir& dir) {
  for (const char* f : {"config.json", "model.safetensors"}) {
    fs::copy_file(case_dir(name) + "/" + f, dir.file(f), fs::copy_options::overwrite_existing);
  }
}

void expect_load_error(const std::string& dir, const std::vector<std::string>& parts) {
  try {
    load_encoder_classifier(dir);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

TEST(EncoderCheckpointTest, InconsistentCheckpointsNameTheProblem) {
  {  // config says a bigger intermediate size than the weights hold
    TempDir dir;
    copy_case("bert_tiny", dir);
    Json config = read_json_file(dir.file("config.json"));
    config["intermediate_size"] = 80;
    write_file(dir.file("config.json"), config.dump());
    expect_load_error(dir.path(), {"model.safetensors", "bert.encoder.layer.0.intermediate.dense.weight", "shape"});
  }
  {  // one more layer than the weights have
    TempDir dir;
    copy_case("modernbert_tiny_cls", dir);
    Json config = read_json_file(dir.file("config.json"));
    config["num_hidden_layers"] = 5;
    write_file(dir.file("config.json"), config.dump());
    expect_load_error(dir.path(), {"model.layers.4.", "missing"});
  }
  {  // unknown architecture
    TempDir dir;
    copy_case("bert_tiny", dir);
    write_file(dir.file("config.json"), R"({"model_type":"t5","architectures":["T5ForConditionalGeneration"]})");
    expect_load_error(dir.path(), {"config.json", "t5"});
  }
  {  // no weights
    TempDir dir;
    fs::copy_file(case_dir("bert_tiny") + "/config.json", dir.file("config.json"));
    expect_load_error(dir.path(), {dir.path(), "model.safetensors"});
  }
  {  // no config
    TempDir dir;
    expect_load_error(dir.path(), {"config.json"});
  }
}

// A masked-LM checkpoint (as published: model.* + head.* + decoder.*, no classifier) loads as a
// base: encoder and head weights are taken, the classifier starts fresh with the requested labels.
TEST(EncoderCheckpointTest, PretrainedBaseGetsFreshClassifier) {
  TempDir dir;
  copy_case("modernbert_tiny_cls", dir);
  {  // keep model.* and head.*, drop the classifier, add an MLM decoder bias
    auto src = safetensors::Checkpoint::open(case_dir("modernbert_tiny_cls"));
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto& name : src->names()) {
      if (name.rfind("classifier.", 0) != 0) tensors.emplace_back(name, to_tensor(src->get(name)));
    }
    tensors.emplace_back("decoder.bias", torch::zeros({100}));
    save_tensors(tensors, dir.file("model.safetensors"));
  }
  Json config = read_json_file(dir.file("config.json"));
  config["architectures"] = {"ModernBertForMaskedLM"};
  write_file(dir.file("config.json"), config.dump());
  auto model = load_encoder_classifier(dir.path(), {"a", "b", "c", "d"});
  EXPECT_EQ(model->config().labels.num_labels(), 4u);
  auto ref = load_encoder_classifier(case_dir("modernbert_tiny_cls"));
  auto params = model->named_parameters();
  auto ref_params = ref->named_parameters();
  EXPECT_TRUE(torch::equal(params["model.layers.1.attn.Wqkv.weight"], ref_params["model.layers.1.attn.Wqkv.weight"]));
  EXPECT_TRUE(torch::equal(params["head.dense.weight"], ref_params["head.dense.weight"]));
  EXPECT_EQ(params["classifier.weight"].size(0), 4);
  // A classifier checkpoint refuses different labels.
  EXPECT_THROW(load_encoder_classifier(case_dir("modernbert_tiny_cls"), {"x", "y"}), Error);
}

// bert-base-uncased style: BertForMaskedLM with legacy LayerNorm gamma/beta names, an MLM head
// (cls.*), no pooler: loads with a fresh pooler and classifier.
TEST(EncoderCheckpointTest, BertMaskedLmBase) {
  TempDir dir;
  copy_case("bert_tiny", dir);
  auto src = safetensors::Checkpoint::open(case_dir("bert_tiny"));
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (std::string name : src->names()) {
    if (name.rfind("classifier.", 0) == 0 || name.rfind("bert.pooler.", 0) == 0) continue;
    torch::Tensor t = to_tensor(src->get(name));
    if (name.size() > 16 && name.compare(name.size() - 16, 16, "LayerNorm.weight") == 0) name.replace(name.size() - 6, 6, "gamma");
    if (name.size() > 14 && name.compare(name.size() - 14, 14, "LayerNorm.bias") == 0) name.replace(name.size() - 4, 4, "beta");
    tensors.emplace_back(name, t);
  }
  tensors.emplace_back("cls.predictions.bias", torch::zeros({100}));
  save_tensors(tensors, dir.file("model.safetensors"));
  Json config = read_json_file(dir.file("config.json"));
  config["architectures"] = {"BertForMaskedLM"};
  config.erase("id2label");
  config.erase("label2id");
  write_file(dir.file("config.json"), config.dump());
  auto model = load_encoder_classifier(dir.path(), {"m1", "m2"});
  auto ref = load_encoder_classifier(case_dir("bert_tiny"));
  auto params = model->named_parameters();
  auto ref_params = ref->named_parameters();
  EXPECT_TRUE(torch::equal(params["bert.encoder.layer.1.output.LayerNorm.weight"],
                           ref_params["bert.encoder.layer.1.output.LayerNorm.weight"]));
  EXPECT_TRUE(torch::equal(params["bert.embeddings.LayerNorm.bias"], ref_params["bert.embeddings.LayerNorm.bias"]));
  EXPECT_EQ(model->config().labels.id2label, (std::vector<std::string>{"m1", "m2"}));
  // A strict (classifier) checkpoint without the pooler is still an error naming it.
  config["architectures"] = {"BertForSequenceClassification"};
  write_file(dir.file("config.json"), config.dump());
  expect_load_error(dir.path(), {"bert.pooler.dense", "missing"});
}

TEST(EncoderCheckpointTest, RandomInitIsSaneAndTrainable) {
  EncoderConfig c = EncoderConfig::from_json(
      Json::parse(R"({"model_type":"modernbert","hidden_size":32,"num_attention_heads":2,"num_hidden_layers":3,
                     "intermediate_size":48,"vocab_size":50,"pad_token_id":0,"local_attention":4,"num_labels":2})"),
      "inline");
  auto model = make_encoder_classifier(c);
  torch::Tensor ids = torch::randint(1, 50, {2, 9});
  torch::Tensor mask = torch::ones({2, 9}, torch::kInt64);
  model->train();
  torch::Tensor loss = torch::cross_entropy_loss(model->forward(ids, mask), torch::tensor({0, 1}));
  loss.backward();
  for (const auto& p : model->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
  }
  EXPECT_TRUE(std::isfinite(loss.item<double>()));
  EXPECT_EQ(model->named_parameters().find("model.layers.0.attn_norm.weight"), nullptr);  // Identity
  EXPECT_NE(model->named_parameters().find("model.layers.1.attn_norm.weight"), nullptr);
  EXPECT_EQ(model->named_parameters().find("model.final_norm.bias"), nullptr);  // norm_bias=false
}

// The base presets have the published sizes: bert-base-uncased's BertModel has 109,482,240
// parameters; ModernBERT-base's ModernBertModel 149,014,272 with its 50368-token vocabulary (the
// preset uses BERT's 30522 tokens, so 19846 fewer embedding rows of 768).
TEST(EncoderPresetTest, BaseSizesArePublishedSizes) {
  auto count = [](const std::string& preset, const std::string& prefix) {
    auto config = encoder_preset(preset, LabelConfig::default_labels(2));
    EXPECT_TRUE(config.has_value());
    auto model = make_encoder_classifier(*config);
    int64_t n = 0;
    for (const auto& p : model->named_parameters()) {
      if (p.key().rfind(prefix, 0) == 0) n += p.value().numel();
    }
    return n;
  };
  EXPECT_EQ(count("bert-base", "bert."), 109482240);
  EXPECT_EQ(count("modernbert-base", "model.") + (50368 - 30522) * 768, 149014272);
  EXPECT_FALSE(encoder_preset("bert-huge", LabelConfig::default_labels(2)).has_value());
  for (const auto& name : encoder_preset_names()) {
    auto c = encoder_preset(name, LabelConfig::default_labels(3));
    ASSERT_TRUE(c.has_value()) << name;
    EXPECT_EQ(c->vocab_size, 30522) << name;
    EXPECT_EQ(c->labels.num_labels(), 3u) << name;
  }
}

}  // namespace
}  // namespace mom::models
