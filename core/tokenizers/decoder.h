// Decoders of a tokenizer.json ("decoder"): turn the tokens of a list of ids back into text.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/json_util.h"

namespace mom::tok {

// Immutable after construction; safe to share between threads.
class Decoder {
 public:
  virtual ~Decoder() = default;
  // Rewrites the token strings in place; the decoded text is their concatenation.
  virtual void decode_chain(std::vector<std::string>& tokens) const = 0;
};

// Null JSON gives nullptr (tokens are then joined with spaces). Throws mom::Error naming `where`.
std::unique_ptr<Decoder> make_decoder(const Json& config, const std::string& where);

// The WordPiece decoder: "##" continuations glued to the previous token, optional cleanup of
// spaces before punctuation and contractions.
std::unique_ptr<Decoder> make_wordpiece_decoder(const std::string& prefix, bool cleanup);

}  // namespace mom::tok
