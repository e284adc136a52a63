// Unigram model of a tokenizer.json ("model": {"type": "Unigram", "unk_id", "vocab": [[piece,
// score], ...], "byte_fallback"}): the SentencePiece unigram language model of T5, ALBERT, XLNet,
// XLM-RoBERTa, mBART.
#pragma once

#include <memory>
#include <string>

#include "core/json_util.h"
#include "core/tokenizers/model.h"

namespace mom::tok {

// Builds a Unigram model from its tokenizer.json object. Throws mom::Error naming `where` and the
// field on a malformed vocab entry, an empty vocab or an unk_id out of range.
std::unique_ptr<Model> make_unigram_model(const Json& config, const std::string& where);

}  // namespace mom::tok
