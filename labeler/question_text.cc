// Prompt cleanup rules for labeled question text.
#include "labeler/question_text.h"

namespace mom::labeler {
namespace {

std::string trim(const std::string& s) {
  size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  size_t end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string question_text(const std::string& task, const std::string& prompt,
                          const std::string& doc_prompt) {
  if (starts_with(task, "humaneval") && !doc_prompt.empty()) return trim(doc_prompt);
  std::string text = prompt;
  if (starts_with(text, "The following are ")) {
    size_t paragraph = text.find("\n\n");
    if (paragraph != std::string::npos) text = text.substr(paragraph + 2);
  }
  text = trim(text);
  for (const char* cue : {"Answer:", "A:"}) {
    if (ends_with(text, cue)) {
      text = trim(text.substr(0, text.size() - std::string(cue).size()));
      break;
    }
  }
  for (const char* label : {"Question:", "Q:"}) {
    if (starts_with(text, label)) {
      text = trim(text.substr(std::string(label).size()));
      break;
    }
  }
  return text;
}

}  // namespace mom::labeler
