// lm-eval's HFLM._encode_pair, reproduced.
#include "worker/loglikelihood.h"

#include "core/error.h"
#include "core/tokenizers/tokenizer.h"

namespace mom::worker {

EncodedPair encode_pair(const Tokenizer& tokenizer, const std::string& context,
                        const std::string& continuation, bool add_special_tokens, int32_t prefix_id) {
  if (continuation.empty()) throw Error("loglikelihood: empty continuation");
  EncodedPair out;
  if (context.empty()) {
    out.context_ids = {prefix_id};
    out.continuation_ids = tokenizer.encode(continuation, add_special_tokens);
    return out;
  }
  size_t end = context.size();
  while (end > 0 && std::string(" \t\n\r\f\v").find(context[end - 1]) != std::string::npos) --end;
  std::string ctx = context.substr(0, end);
  std::string cont = context.substr(end) + continuation;
  std::vector<int32_t> whole = tokenizer.encode(ctx + cont, add_special_tokens);
  out.context_ids = tokenizer.encode(ctx, add_special_tokens);
  size_t n = std::min(out.context_ids.size(), whole.size());
  out.continuation_ids.assign(whole.begin() + n, whole.end());
  if (out.continuation_ids.empty()) {
    throw Error("loglikelihood: continuation '" + continuation + "' encodes to no tokens after the context");
  }
  if (out.context_ids.empty()) out.context_ids = {prefix_id};
  return out;
}

}  // namespace mom::worker
