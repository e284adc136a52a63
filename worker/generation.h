// Typed requests and results of the worker engine: generation (sampling parameters, stop
// conditions) and loglikelihood scoring. Shared by every backend; torch-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mom::worker {

struct SamplingParams {
  double temperature = 0.0;         // 0 = greedy (argmax)
  int top_k = 0;                    // 0 = off
  double top_p = 1.0;               // nucleus mass in (0, 1]; 1 = off
  double repetition_penalty = 1.0;  // > 0; 1 = off (Hugging Face's rule: divide positive logits)
  std::optional<uint64_t> seed;     // unset: a random seed per request
  int max_new_tokens = 256;         // >= 1
  std::vector<std::string> stop;    // stop strings (not included in the text)
  bool ignore_eos = false;
};

// Throws mom::Error naming the bad field and its allowed range.
void validate(const SamplingParams& params);

enum class FinishReason { kEos, kStopString, kLength };
// "stop" for eos and stop strings, "length" otherwise (OpenAI's names).
const char* finish_reason_name(FinishReason reason);

struct GenerateRequest {
  std::string id;                   // for log lines; any string
  std::string model;                // name the backend knows the model by
  // The prompt: ids when non-empty, else `prompt` text (chat-formatted as one user message when
  // `chat`, else encoded as is with the tokenizer's special tokens).
  std::vector<int32_t> prompt_ids;
  std::string prompt;
  bool chat = false;
  SamplingParams sampling;
};

struct GenerateResult {
  std::vector<int32_t> prompt_ids;
  std::vector<int32_t> ids;         // generated tokens only (an eos that ended it included)
  std::string text;                 // decoded generated text, special tokens and stop string cut
  int prompt_tokens = 0;
  int completion_tokens = 0;
  FinishReason finish_reason = FinishReason::kLength;
};

// lm-evaluation-harness's loglikelihood request: log P(continuation | context).
struct ScoreRequest {
  std::string id;
  std::string model;
  // Ids when continuation_ids is non-empty, else the texts, encoded as the harness does.
  std::vector<int32_t> context_ids, continuation_ids;
  std::string context, continuation;
};

struct ScoreResult {
  std::vector<int32_t> context_ids, continuation_ids;
  double logprob = 0;               // summed over the continuation tokens
  bool is_greedy = false;           // every continuation token is the argmax at its position
  std::vector<double> token_logprobs;  // one per continuation token
  std::vector<int32_t> greedy_ids;     // the argmax at each continuation position
  std::vector<double> greedy_logprobs; // and its log-probability
};

// What a backend holds (or could hold) for one model.
struct ModelStatus {
  std::string name;
  std::string location;             // model directory or server URL
  bool loaded = false;
  size_t weight_bytes = 0;          // loaded, or estimated when not
  size_t kv_bytes = 0;              // KV-cache allowance counted against the budget
  std::string device;
  std::string family;
};

}  // namespace mom::worker
