// Normalizer implementations: BERT, NFC/NFD/NFKC/NFKD, Lowercase, Strip, StripAccents, Replace,
// Prepend, Sequence, Precompiled.
#include "core/tokenizers/normalizer.h"

#include <vector>

#include "core/error.h"
#include "core/tokenizers/json_fields.h"
#include "core/tokenizers/precompiled_charsmap.h"
#include "core/tokenizers/regex.h"
#include "core/tokenizers/unicode_util.h"

namespace mom::tok {
namespace {

std::string strip_accents(std::string_view text) {
  std::string decomposed = normalize_unicode(text, NormalForm::kNFD);
  std::string out;
  out.reserve(decomposed.size());
  for (size_t pos = 0; pos < decomposed.size();) {
    size_t start = pos;
    char32_t c = next_code_point(decomposed, pos);
    if (!is_nonspacing_mark(c)) out.append(decomposed, start, pos - start);
  }
  return out;
}

class BertNormalizer : public Normalizer {
 public:
  BertNormalizer(bool clean_text, bool handle_chinese_chars, bool strip_accents, bool lowercase)
      : clean_text_(clean_text),
        handle_chinese_chars_(handle_chinese_chars),
        strip_accents_(strip_accents),
        lowercase_(lowercase) {}

  void normalize(std::string& text) const override {
    if (clean_text_ || handle_chinese_chars_) {
      std::string out;
      out.reserve(text.size());
      for (size_t pos = 0; pos < text.size();) {
        size_t start = pos;
        char32_t c = next_code_point(text, pos);
        if (clean_text_) {
          bool control = c != '\t' && c != '\n' && c != '\r' && is_other(c);
          if (c == 0 || c == 0xFFFD || control) continue;
          if (c == '\t' || c == '\n' || c == '\r' || is_whitespace(c)) {
            out.push_back(' ');
            continue;
          }
        }
        if (handle_chinese_chars_ && is_cjk_ideograph(c)) {
          out.push_back(' ');
          out.append(text, start, pos - start);
          out.push_back(' ');
          continue;
        }
        out.append(text, start, pos - start);
      }
      text = std::move(out);
    }
    if (strip_accents_) text = strip_accents(text);
    if (lowercase_) text = lowercase(text);
  }

 private:
  bool clean_text_, handle_chinese_chars_, strip_accents_, lowercase_;
};

class UnicodeNormalizer : public Normalizer {
 public:
  explicit UnicodeNormalizer(NormalForm form) : form_(form) {}
  void normalize(std::string& text) const override { text = normalize_unicode(text, form_); }

 private:
  NormalForm form_;
};

class LowercaseNormalizer : public Normalizer {
 public:
  void normalize(std::string& text) const override { text = lowercase(text); }
};

class StripAccentsNormalizer : public Normalizer {
 public:
  // Removes every combining mark (Mn, Mc, Me), as the Rust crate does; unlike BertNormalizer it
  // does not decompose first: it is meant to follow an NFD/NFKD step.
  void normalize(std::string& text) const override {
    std::string out;
    for (size_t pos = 0; pos < text.size();) {
      size_t start = pos;
      char32_t c = next_code_point(text, pos);
      if (!is_mark(c)) out.append(text, start, pos - start);
    }
    text = std::move(out);
  }
};

class StripNormalizer : public Normalizer {
 public:
  StripNormalizer(bool left, bool right) : left_(left), right_(right) {}
  void normalize(std::string& text) const override {
    size_t begin = 0, end = text.size();
    if (left_) {
      while (begin < end) {
        size_t pos = begin;
        if (!is_whitespace(next_code_point(text, pos))) break;
        begin = pos;
      }
    }
    if (right_) {
      while (end > begin) {
        size_t start = end - 1;
        while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
        size_t pos = start;
        if (!is_whitespace(next_code_point(text, pos))) break;
        end = start;
      }
    }
    text = text.substr(begin, end - begin);
  }

 private:
  bool left_, right_;
};

class ReplaceNormalizer : public Normalizer {
 public:
  ReplaceNormalizer(const std::string& pattern, std::string content, const std::string& where)
      : regex_(pattern, where), content_(std::move(content)) {}
  void normalize(std::string& text) const override {
    auto matches = regex_.find_all(text);
    if (matches.empty()) return;
    std::string out;
    size_t last = 0;
    for (auto [begin, end] : matches) {
      out.append(text, last, begin - last);
      out += content_;
      last = end;
    }
    out.append(text, last, std::string::npos);
    text = std::move(out);
  }

 private:
  Regex regex_;
  std::string content_;
};

class PrependNormalizer : public Normalizer {
 public:
  explicit PrependNormalizer(std::string prefix) : prefix_(std::move(prefix)) {}
  void normalize(std::string& text) const override {
    if (!text.empty()) text.insert(0, prefix_);
  }

 private:
  std::string prefix_;
};

class SequenceNormalizer : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> steps)
      : steps_(std::move(steps)) {}
  void normalize(std::string& text) const override {
    for (const auto& step : steps_) step->normalize(text);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> steps_;
};

class PrecompiledNormalizer : public Normalizer {
 public:
  explicit PrecompiledNormalizer(PrecompiledCharsmap charsmap) : charsmap_(std::move(charsmap)) {}
  void normalize(std::string& text) const override { text = charsmap_.normalize(text); }

 private:
  PrecompiledCharsmap charsmap_;
};

}  // namespace

std::unique_ptr<Normalizer> make_bert_normalizer(bool clean_text, bool handle_chinese_chars,
                                                 bool strip_accents, bool lowercase) {
  return std::make_unique<BertNormalizer>(clean_text, handle_chinese_chars, strip_accents,
                                          lowercase);
}

std::unique_ptr<Normalizer> make_normalizer(const Json& config, const std::string& where) {
  if (config.is_null()) return nullptr;
  if (!config.is_object()) throw Error(where + ": not an object");
  std::string type = require_string(config, "type", where);
  std::string here = where + " (" + type + ")";
  if (type == "BertNormalizer") {
    bool lower = bool_field(config, "lowercase", true, here);
    return make_bert_normalizer(bool_field(config, "clean_text", true, here),
                                bool_field(config, "handle_chinese_chars", true, here),
                                bool_field(config, "strip_accents", lower, here), lower);
  }
  if (type == "NFC") return std::make_unique<UnicodeNormalizer>(NormalForm::kNFC);
  if (type == "NFD") return std::make_unique<UnicodeNormalizer>(NormalForm::kNFD);
  if (type == "NFKC") return std::make_unique<UnicodeNormalizer>(NormalForm::kNFKC);
  if (type == "NFKD") return std::make_unique<UnicodeNormalizer>(NormalForm::kNFKD);
  if (type == "Lowercase") return std::make_unique<LowercaseNormalizer>();
  if (type == "StripAccents") return std::make_unique<StripAccentsNormalizer>();
  if (type == "Strip") {
    return std::make_unique<StripNormalizer>(bool_field(config, "strip_left", true, here),
                                             bool_field(config, "strip_right", true, here));
  }
  if (type == "Replace") {
    return std::make_unique<ReplaceNormalizer>(pattern_field(config, here),
                                               require_string(config, "content", here), here);
  }
  if (type == "Prepend")
    return std::make_unique<PrependNormalizer>(require_string(config, "prepend", here));
  if (type == "Sequence") {
    const Json& list = require_field(config, "normalizers", here);
    if (!list.is_array()) throw Error(here + ": field 'normalizers' is not an array");
    std::vector<std::unique_ptr<Normalizer>> steps;
    for (size_t i = 0; i < list.size(); ++i) {
      auto step = make_normalizer(list[i], where + ".normalizers[" + std::to_string(i) + "]");
      if (step) steps.push_back(std::move(step));
    }
    return std::make_unique<SequenceNormalizer>(std::move(steps));
  }
  if (type == "Precompiled") {
    // SentencePiece's compiled normalization rules (T5, ALBERT, XLM-RoBERTa, mT5, DeBERTa-v3).
    std::string blob = decode_base64(require_string(config, "precompiled_charsmap", here),
                                     here + ": field 'precompiled_charsmap'");
    return std::make_unique<PrecompiledNormalizer>(PrecompiledCharsmap(blob, here));
  }
  throw Error(where + ": unsupported normalizer type '" + type +
              "' (supported: BertNormalizer, NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, Strip, "
              "Replace, Prepend, Sequence, Precompiled)");
}

}  // namespace mom::tok
