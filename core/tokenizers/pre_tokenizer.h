// Pre-tokenizers of a tokenizer.json ("pre_tokenizer"): split normalized text into the pieces
// the model tokenizes one by one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/json_util.h"

namespace mom::tok {

struct Piece {
  std::string text;
  bool at_start = false;  // the piece begins at offset 0 of the original input (Metaspace "first")
};

// Immutable after construction; safe to share between threads.
class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Replaces `pieces` by their splits; empty pieces are dropped.
  virtual void pre_tokenize(std::vector<Piece>& pieces) const = 0;
};

// Builds the pre-tokenizer a tokenizer.json describes; null JSON gives nullptr. Throws mom::Error
// naming `where` and the offending field.
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const Json& config, const std::string& where);

// BertPreTokenizer: split on whitespace (removed), then isolate punctuation.
std::unique_ptr<PreTokenizer> make_bert_pre_tokenizer();

}  // namespace mom::tok
