// The chat formatters: each reproduces the text its family's Jinja template renders for
// system/user/assistant messages with add_generation_prompt.
#include "models/chat_template.h"

#include <filesystem>

#include "core/error.h"
#include "core/json_util.h"

namespace mom::models {

const char* chat_format_name(ChatFormat format) {
  switch (format) {
    case ChatFormat::kLlama3: return "llama3";
    case ChatFormat::kLlama2: return "llama2";
    case ChatFormat::kMistral: return "mistral";
    case ChatFormat::kChatML: return "chatml";
    case ChatFormat::kGemma: return "gemma";
    case ChatFormat::kPhi3: return "phi3";
  }
  return "?";
}

namespace {

bool contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// tokenizer_config.json writes special tokens as "<s>" or {"content": "<s>", ...}.
std::string token_field(const Json& cfg, const char* key) {
  if (!cfg.contains(key)) return "";
  const Json& v = cfg[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  return "";
}

}  // namespace

ChatTemplate ChatTemplate::detect(const std::string& t, const std::string& family,
                                  const std::string& bos_token, const std::string& eos_token) {
  ChatTemplate c;
  c.bos_ = bos_token;
  c.eos_ = eos_token;
  if (contains(t, "<|start_header_id|>")) {
    c.kind_ = ChatFormat::kLlama3;
  } else if (contains(t, "<|im_start|>")) {
    c.kind_ = ChatFormat::kChatML;
  } else if (contains(t, "<start_of_turn>")) {
    c.kind_ = ChatFormat::kGemma;
  } else if (contains(t, "<|user|>")) {
    c.kind_ = ChatFormat::kPhi3;
  } else if (contains(t, "<<SYS>>")) {
    c.kind_ = ChatFormat::kLlama2;
  } else if (contains(t, "[INST]")) {
    c.kind_ = ChatFormat::kMistral;
  } else if (!t.empty()) {
    throw Error("chat template not recognised (supported: Llama 3, Llama 2, Mistral, ChatML, Gemma, "
                "Phi-3); use a raw prompt");
  } else if (family == "qwen2" || family == "qwen3") {
    c.kind_ = ChatFormat::kChatML;
  } else if (family == "gemma2" || family == "gemma3") {
    c.kind_ = ChatFormat::kGemma;
  } else if (family == "phi3") {
    c.kind_ = ChatFormat::kPhi3;
  } else if (family == "mistral") {
    c.kind_ = ChatFormat::kMistral;
  } else {
    throw Error("model has no chat_template in tokenizer_config.json and family '" + family +
                "' has no single default; use a raw prompt");
  }
  // Templates write bos themselves; without a template the family's habit decides.
  c.with_bos_ = t.empty() ? c.kind_ != ChatFormat::kChatML && c.kind_ != ChatFormat::kPhi3
                          : contains(t, "bos_token");
  if (c.bos_.empty()) c.with_bos_ = false;
  if (contains(t, "Cutting Knowledge Date")) c.llama31_dates_ = true;
  if (contains(t, "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.")) {
    c.default_system_ = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";
  } else if (contains(t, "Please reason step by step, and put your final answer within \\\\boxed{}.")) {
    c.default_system_ = "Please reason step by step, and put your final answer within \\boxed{}.";
  }
  return c;
}

ChatTemplate ChatTemplate::load(const std::string& model_dir, const std::string& family) {
  std::string path = (std::filesystem::path(model_dir) / "tokenizer_config.json").string();
  std::string text, bos, eos;
  if (std::filesystem::exists(path)) {
    Json cfg = read_json_file(path);
    if (cfg.contains("chat_template")) {
      const Json& t = cfg["chat_template"];
      if (t.is_string()) {
        text = t.get<std::string>();
      } else if (t.is_array()) {  // [{"name": "default", "template": ...}, ...]
        for (const auto& e : t) {
          if (e.is_object() && e.value("name", "") == "default" && e.contains("template")) {
            text = e["template"].get<std::string>();
          }
        }
      }
    }
    bos = token_field(cfg, "bos_token");
    eos = token_field(cfg, "eos_token");
  }
  try {
    return detect(text, family, bos, eos);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

std::string ChatTemplate::format(const std::vector<ChatMessage>& messages, bool gen) const {
  if (messages.empty()) throw Error("chat: no messages");
  for (const auto& m : messages) {
    if (m.role != "system" && m.role != "user" && m.role != "assistant") {
      throw Error("chat: unknown role '" + m.role + "' (system, user or assistant)");
    }
  }
  std::string out = with_bos_ ? bos_ : "";
  // Formats without a system turn fold the system message into the first user message.
  std::string system;
  size_t first = 0;
  if (messages[0].role == "system") {
    system = messages[0].content;
    first = 1;
  }
  switch (kind_) {
    case ChatFormat::kLlama3: {
      std::string sys = system;
      if (llama31_dates_) {
        sys = "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n" + trim(system);
      }
      if (!sys.empty() || llama31_dates_) {
        out += "<|start_header_id|>system<|end_header_id|>\n\n" + (llama31_dates_ ? sys : trim(sys)) + "<|eot_id|>";
      }
      for (size_t i = first; i < messages.size(); ++i) {
        out += "<|start_header_id|>" + messages[i].role + "<|end_header_id|>\n\n" +
               trim(messages[i].content) + "<|eot_id|>";
      }
      if (gen) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
      break;
    }
    case ChatFormat::kLlama2: {
      out.clear();
      for (size_t i = first; i < messages.size(); ++i) {
        const auto& m = messages[i];
        if (m.role == "user") {
          std::string content = trim(m.content);
          if (i == first && !system.empty()) {
            content = "<<SYS>>\n" + trim(system) + "\n<</SYS>>\n\n" + content;
          }
          out += bos_ + "[INST] " + content + " [/INST]";
        } else {
          out += " " + trim(m.content) + " " + eos_;
        }
      }
      break;
    }
    case ChatFormat::kMistral: {
      for (size_t i = first; i < messages.size(); ++i) {
        const auto& m = messages[i];
        if (m.role == "user") {
          std::string content = m.content;
          if (i == first && !system.empty()) content = system + "\n\n" + content;
          out += "[INST] " + content + "[/INST]";
        } else {
          out += " " + m.content + eos_;
        }
      }
      break;
    }
    case ChatFormat::kChatML: {
      if (first == 0 && !default_system_.empty()) {
        out += "<|im_start|>system\n" + default_system_ + "<|im_end|>\n";
      }
      for (const auto& m : messages) out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
      if (gen) out += "<|im_start|>assistant\n";
      break;
    }
    case ChatFormat::kGemma: {
      for (size_t i = first; i < messages.size(); ++i) {
        const auto& m = messages[i];
        std::string content = trim(m.content);
        if (i == first && !system.empty()) content = trim(system) + "\n\n" + content;
        out += "<start_of_turn>" + std::string(m.role == "assistant" ? "model" : m.role) + "\n" +
               content + "<end_of_turn>\n";
      }
      if (gen) out += "<start_of_turn>model\n";
      break;
    }
    case ChatFormat::kPhi3: {
      for (const auto& m : messages) out += "<|" + m.role + "|>\n" + m.content + "<|end|>\n";
      if (gen) {
        out += "<|assistant|>\n";
      } else {
        out += eos_;
      }
      break;
    }
  }
  return out;
}

}  // namespace mom::models
