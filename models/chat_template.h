// Chat formatting for the decoder families, implemented in C++ (no Jinja): Llama 3, Llama 2
// [INST]/<<SYS>>, Mistral [INST], Qwen ChatML, Gemma turns and Phi-3. The formatter is chosen from
// markers in tokenizer_config.json's chat_template, else from the model family.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mom::models {

struct ChatMessage {
  std::string role;     // "system" | "user" | "assistant"
  std::string content;
};

enum class ChatFormat { kLlama3, kLlama2, kMistral, kChatML, kGemma, kPhi3 };

const char* chat_format_name(ChatFormat format);

class ChatTemplate {
 public:
  // `template_text`: the Jinja chat_template ("" when absent); `family`: decoder family name
  // ("llama", "qwen2", ...) used when there is no template. Throws mom::Error when neither
  // identifies a supported format (use raw prompts then).
  static ChatTemplate detect(const std::string& template_text, const std::string& family,
                             const std::string& bos_token, const std::string& eos_token);
  // Reads <dir>/tokenizer_config.json (chat_template, bos_token, eos_token) when present.
  static ChatTemplate load(const std::string& model_dir, const std::string& family);

  // The prompt text, special tokens written out (encode it without adding special tokens).
  // Throws mom::Error for an unknown role or an empty conversation.
  std::string format(const std::vector<ChatMessage>& messages, bool add_generation_prompt = true) const;

  ChatFormat kind() const { return kind_; }
  const std::string& bos_token() const { return bos_; }
  const std::string& eos_token() const { return eos_; }

 private:
  ChatFormat kind_ = ChatFormat::kChatML;
  std::string bos_, eos_;
  bool with_bos_ = false;              // the template writes bos_token itself
  std::string default_system_;         // ChatML (Qwen 2.5) default system message
  bool llama31_dates_ = false;         // Llama 3.1+: "Cutting Knowledge Date" system header
};

}  // namespace mom::models
