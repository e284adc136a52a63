// Chat formatters: each family's text for a system + user conversation, as the models' own Jinja
// templates render it, and template detection.
#include "models/chat_template.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "tests/support/test_support.h"

namespace mom::models {
namespace {

const std::vector<ChatMessage> kConversation = {{"system", "Be brief."}, {"user", "Hi!"}};

TEST(ChatTemplate, EachFamilyFormat) {
  auto llama3 = ChatTemplate::detect("{{ bos_token }}<|start_header_id|>", "llama", "<|begin_of_text|>", "<|eot_id|>");
  EXPECT_EQ(llama3.format(kConversation),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
  auto llama31 = ChatTemplate::detect("{{ bos_token }}<|start_header_id|> Cutting Knowledge Date", "llama",
                                      "<|begin_of_text|>", "<|eot_id|>");
  EXPECT_EQ(llama31.format({{"user", "Hi!"}}),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: "
            "December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|><|start_header_id|>user<|end_header_id|>"
            "\n\nHi!<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
  auto llama2 = ChatTemplate::detect("{{ bos_token }}[INST] <<SYS>>", "llama", "<s>", "</s>");
  EXPECT_EQ(llama2.format(kConversation), "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi! [/INST]");
  EXPECT_EQ(llama2.format({{"user", "a"}, {"assistant", "b"}, {"user", "c"}}),
            "<s>[INST] a [/INST] b </s><s>[INST] c [/INST]");
  auto mistral = ChatTemplate::detect("{{ bos_token }}[INST]", "mistral", "<s>", "</s>");
  EXPECT_EQ(mistral.format(kConversation), "<s>[INST] Be brief.\n\nHi![/INST]");
  EXPECT_EQ(mistral.format({{"user", "a"}, {"assistant", "b"}, {"user", "c"}}), "<s>[INST] a[/INST] b</s>[INST] c[/INST]");
  auto chatml = ChatTemplate::detect("<|im_start|>", "qwen3", "", "<|im_end|>");
  EXPECT_EQ(chatml.format(kConversation),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n");
  auto qwen25 = ChatTemplate::detect("<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.", "qwen2", "", "");
  EXPECT_EQ(qwen25.format({{"user", "Hi!"}}),
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
            "<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n");
  auto gemma = ChatTemplate::detect("{{ bos_token }}<start_of_turn>", "gemma2", "<bos>", "<eos>");
  EXPECT_EQ(gemma.format(kConversation), "<bos><start_of_turn>user\nBe brief.\n\nHi!<end_of_turn>\n<start_of_turn>model\n");
  EXPECT_EQ(gemma.format({{"user", "a"}, {"assistant", "b"}, {"user", "c"}}),
            "<bos><start_of_turn>user\na<end_of_turn>\n<start_of_turn>model\nb<end_of_turn>\n"
            "<start_of_turn>user\nc<end_of_turn>\n<start_of_turn>model\n");
  auto phi3 = ChatTemplate::detect("<|user|>", "phi3", "<s>", "<|endoftext|>");
  EXPECT_EQ(phi3.format(kConversation), "<|system|>\nBe brief.<|end|>\n<|user|>\nHi!<|end|>\n<|assistant|>\n");
}

TEST(ChatTemplate, DetectionFromModelDirectoriesAndErrors) {
  std::string base = testing::source_dir() + "/tests/reference/decoders/data/";
  EXPECT_EQ(ChatTemplate::load(base + "llama3", "llama").kind(), ChatFormat::kLlama3);
  EXPECT_EQ(ChatTemplate::load(base + "llama2", "llama").kind(), ChatFormat::kLlama2);
  EXPECT_EQ(ChatTemplate::load(base + "mistral", "mistral").kind(), ChatFormat::kMistral);
  EXPECT_EQ(ChatTemplate::load(base + "qwen2", "qwen2").kind(), ChatFormat::kChatML);
  EXPECT_EQ(ChatTemplate::load(base + "gemma2", "gemma2").kind(), ChatFormat::kGemma);
  EXPECT_EQ(ChatTemplate::load(base + "phi3", "phi3").kind(), ChatFormat::kPhi3);
  // No template: the family decides, except for Llama (base vs chat is ambiguous).
  EXPECT_EQ(ChatTemplate::detect("", "qwen2", "", "").kind(), ChatFormat::kChatML);
  EXPECT_THROW(ChatTemplate::detect("", "llama", "<s>", "</s>"), Error);
  EXPECT_THROW(ChatTemplate::detect("{{ unknown }}", "llama", "<s>", "</s>"), Error);
  auto chatml = ChatTemplate::detect("<|im_start|>", "qwen3", "", "");
  EXPECT_THROW(chatml.format({{"robot", "x"}}), Error);
  EXPECT_THROW(chatml.format({}), Error);
}

}  // namespace
}  // namespace mom::models
