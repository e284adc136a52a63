// config.json -> EncoderConfig: Hugging Face defaults, labels, validation errors, round trip.
#include "models/hf_config.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace mom::models {
namespace {

TEST(HfConfigTest, BertDefaultsAndLabels) {
  Json j = Json::parse(R"({"architectures":["BertForSequenceClassification"],"model_type":"bert",
    "hidden_size":64,"num_attention_heads":4,"num_hidden_layers":2,"intermediate_size":128,
    "id2label":{"1":"b","0":"a","2":"c"},"label2id":{"a":0,"b":1,"c":2}})");
  EncoderConfig c = EncoderConfig::from_json(j, "cfg.json");
  EXPECT_EQ(c.family, EncoderFamily::kBert);
  EXPECT_EQ(c.vocab_size, 30522);
  EXPECT_EQ(c.head_dim(), 16);
  EXPECT_DOUBLE_EQ(c.layer_norm_eps, 1e-12);
  EXPECT_EQ(c.labels.id2label, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(c.labels.label_id("c"), 2);
  EXPECT_FALSE(c.classifier_dropout.has_value());

  Json back = c.to_json();
  EXPECT_EQ(back["id2label"]["2"], "c");
  EXPECT_EQ(back["label2id"]["b"], 1);
  EXPECT_EQ(back["num_labels"], 3);
  EXPECT_EQ(back["architectures"][0], "BertForSequenceClassification");
  EncoderConfig again = EncoderConfig::from_json(back, "back");
  EXPECT_EQ(again.labels.id2label, c.labels.id2label);
  EXPECT_EQ(again.hidden_size, 64);
}

TEST(HfConfigTest, ModernBertFields) {
  Json j = Json::parse(R"({"model_type":"modernbert","hidden_size":32,"num_attention_heads":2,
    "num_hidden_layers":3,"intermediate_size":48,"vocab_size":100,"pad_token_id":0,
    "local_attention":8,"global_attn_every_n_layers":2,"global_rope_theta":1000.0,
    "local_rope_theta":50.0,"classifier_pooling":"mean","num_labels":4,"norm_eps":1e-6,"torch_dtype":"bfloat16"})");
  EncoderConfig c = EncoderConfig::from_json(j, "cfg.json");
  EXPECT_EQ(c.family, EncoderFamily::kModernBert);
  EXPECT_EQ(c.local_attention, 8);
  EXPECT_DOUBLE_EQ(c.local_rope_theta, 50.0);
  EXPECT_DOUBLE_EQ(c.global_rope_theta, 1000.0);
  EXPECT_EQ(c.classifier_pooling, "mean");
  EXPECT_FALSE(c.norm_bias);
  EXPECT_DOUBLE_EQ(c.layer_norm_eps, 1e-6);
  EXPECT_EQ(c.labels.id2label, (std::vector<std::string>{"LABEL_0", "LABEL_1", "LABEL_2", "LABEL_3"}));
  Json back = c.to_json();
  EXPECT_EQ(back["torch_dtype"], "bfloat16");  // unknown fields survive
  EXPECT_EQ(back["hidden_activation"], "gelu");
}

void expect_error(const std::string& text, const std::string& part) {
  try {
    EncoderConfig::from_json(Json::parse(text), "dir/config.json");
    FAIL() << "expected an error for " << text;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("dir/config.json"), std::string::npos) << e.what();
  }
}

TEST(HfConfigTest, Errors) {
  expect_error(R"({"model_type":"gpt2"})", "unknown model_type");
  expect_error(R"({"model_type":"bert","hidden_size":65})", "not a multiple");
  expect_error(R"({"model_type":"bert","hidden_size":"big"})", "hidden_size");
  expect_error(R"({"model_type":"bert","id2label":{"0":"a","5":"b"}})", "id2label");
  expect_error(R"({"model_type":"bert","id2label":{"0":"a"},"num_labels":3})", "num_labels");
  expect_error(R"({"model_type":"modernbert","classifier_pooling":"max","pad_token_id":0})", "classifier_pooling");
  EXPECT_EQ(EncoderConfig::from_json(Json::parse(R"({"architectures":["ModernBertForMaskedLM"]})"), "x").family,
            EncoderFamily::kModernBert);
}

}  // namespace
}  // namespace mom::models
