// Normalizers of a tokenizer.json ("normalizer"): rewrite text before pre-tokenization.
#pragma once

#include <memory>
#include <string>

#include "core/json_util.h"

namespace mom::tok {

// Immutable after construction; safe to share between threads.
class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(std::string& text) const = 0;
};

// Builds the normalizer a tokenizer.json describes; null JSON gives nullptr. Throws mom::Error
// naming `where` and the offending field on an unknown type or a malformed field.
std::unique_ptr<Normalizer> make_normalizer(const Json& config, const std::string& where);

// The BERT normalizer (also used for a plain vocab.txt).
std::unique_ptr<Normalizer> make_bert_normalizer(bool clean_text, bool handle_chinese_chars,
                                                 bool strip_accents, bool lowercase);

}  // namespace mom::tok
