// lm-evaluation-harness's encoding of a loglikelihood request (context, continuation) into ids, so
// MOM's scores are comparable with the harness's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mom {
class Tokenizer;
}

namespace mom::worker {

struct EncodedPair {
  std::vector<int32_t> context_ids, continuation_ids;
};

// Trailing whitespace of `context` (Python rstrip) move to the continuation; the concatenation is encoded; its first
// len(encode(context)) ids are replaced by encode(context) and the rest are the continuation.
// An empty context becomes [prefix_id] (the harness's prefix token). `add_special_tokens` as the
// harness's tokenizer call (false for most models, true for Gemma).
EncodedPair encode_pair(const Tokenizer& tokenizer, const std::string& context,
                        const std::string& continuation, bool add_special_tokens, int32_t prefix_id);

}  // namespace mom::worker
