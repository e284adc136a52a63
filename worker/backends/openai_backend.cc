// OpenAIBackend: typed requests -> OpenAI JSON over cpp-httplib -> typed results.
#include "worker/backends/openai_backend.h"

#include <httplib.h>

#include <map>
#include <thread>

#include "core/error.h"
#include "core/json_util.h"
#include "core/tokenizers/tokenizer.h"
#include "worker/loglikelihood.h"
#include "worker/sampler.h"

namespace mom::worker {

struct OpenAIBackend::Impl {
  OpenAIBackendConfig config;
  std::map<std::string, std::shared_ptr<Tokenizer>> tokenizers;  // immutable after create

  Json post(const std::string& path, const Json& body) const;
  void check_model(const std::string& model) const;
  GenerateResult generate(const GenerateRequest& r) const;
  ScoreResult score(ScoreRequest r) const;
};

namespace {

// Runs fn on a new thread; its result or mom::Error arrives through the future.
template <typename T, typename Fn>
std::future<T> run_async(Fn fn) {
  std::promise<T> promise;
  std::future<T> future = promise.get_future();
  std::thread([p = std::move(promise), fn = std::move(fn)]() mutable {
    try {
      p.set_value(fn());
    } catch (const std::exception& e) {
      p.set_exception(std::make_exception_ptr(Error(e.what())));
    }
  }).detach();
  return future;
}

}  // namespace

OpenAIBackend::OpenAIBackend(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
OpenAIBackend::~OpenAIBackend() = default;

std::unique_ptr<OpenAIBackend> OpenAIBackend::create(const OpenAIBackendConfig& config) {
  if (config.base_url.rfind("http://", 0) != 0 && config.base_url.rfind("https://", 0) != 0) {
    throw Error("openai backend: base URL '" + config.base_url + "' must start with http:// or https://");
  }
  if (config.models.empty()) throw Error("openai backend: no models configured");
  auto impl = std::make_shared<Impl>();
  impl->config = config;
  for (const auto& m : config.models) {
    if (!m.tokenizer_dir.empty()) impl->tokenizers[m.name] = Tokenizer::load(m.tokenizer_dir);
  }
  return std::unique_ptr<OpenAIBackend>(new OpenAIBackend(std::move(impl)));
}

Json OpenAIBackend::Impl::post(const std::string& path, const Json& body) const {
  httplib::Client client(config.base_url);
  client.set_read_timeout(config.timeout_s, 0);
  client.set_write_timeout(config.timeout_s, 0);
  client.set_connection_timeout(10, 0);
  httplib::Headers headers;
  if (!config.api_key.empty()) headers.emplace("Authorization", "Bearer " + config.api_key);
  auto res = client.Post(path.c_str(), headers, body.dump(), "application/json");
  std::string where = config.base_url + path;
  if (!res) throw Error(where + ": request failed (" + httplib::to_string(res.error()) + "); is the server up?");
  if (res->status != 200) {
    throw Error(where + ": HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 500));
  }
  try {
    return Json::parse(res->body);
  } catch (const std::exception& e) {
    throw Error(where + ": response is not JSON: " + e.what());
  }
}

void OpenAIBackend::Impl::check_model(const std::string& model) const {
  for (const auto& m : config.models) {
    if (m.name == model) return;
  }
  throw Error("unknown model '" + model + "' (not configured for " + config.base_url + ")");
}

GenerateResult OpenAIBackend::Impl::generate(const GenerateRequest& r) const {
  check_model(r.model);
  validate(r.sampling);
  const SamplingParams& p = r.sampling;
  Json body = {{"model", r.model}, {"max_tokens", p.max_new_tokens}, {"temperature", p.temperature},
               {"top_p", p.top_p}};
  if (p.top_k > 0) body["top_k"] = p.top_k;                       // vLLM / llama.cpp extension
  if (p.repetition_penalty != 1.0) body["repetition_penalty"] = p.repetition_penalty;
  if (p.seed) body["seed"] = *p.seed;
  if (!p.stop.empty()) body["stop"] = p.stop;
  if (p.ignore_eos) body["ignore_eos"] = true;
  GenerateResult out;
  Json res;
  if (r.chat && r.prompt_ids.empty()) {
    body["messages"] = Json::array({{{"role", "user"}, {"content", r.prompt}}});
    res = post("/v1/chat/completions", body);
    out.text = require_field(require_field(res, "choices", "chat response")[0], "message", "choice")
                   .value("content", "");
  } else {
    if (!r.prompt_ids.empty()) {
      body["prompt"] = r.prompt_ids;
      out.prompt_ids = r.prompt_ids;
    } else {
      body["prompt"] = r.prompt;
    }
    res = post("/v1/completions", body);
    out.text = require_string(require_field(res, "choices", "completion response")[0], "text", "choice");
  }
  const Json& choice = res["choices"][0];
  std::string finish = choice.value("finish_reason", "length");
  // "stop" covers eos and stop strings; vLLM names the matched stop string in stop_reason.
  bool stop_string = choice.contains("stop_reason") && choice["stop_reason"].is_string();
  out.finish_reason = finish == "length" ? FinishReason::kLength
                                         : (stop_string ? FinishReason::kStopString : FinishReason::kEos);
  if (res.contains("usage")) {
    out.prompt_tokens = res["usage"].value("prompt_tokens", 0);
    out.completion_tokens = res["usage"].value("completion_tokens", 0);
  }
  return out;
}

ScoreResult OpenAIBackend::Impl::score(ScoreRequest r) const {
  check_model(r.model);
  if (r.continuation_ids.empty()) {
    auto it = tokenizers.find(r.model);
    if (it == tokenizers.end()) {
      throw Error("openai backend scores token ids: give ids or configure a tokenizer for '" + r.model + "'");
    }
    EncodedPair pair = encode_pair(*it->second, r.context, r.continuation, false, 0);
    r.context_ids = pair.context_ids;
    r.continuation_ids = pair.continuation_ids;
  }
  if (r.context_ids.empty()) throw Error("loglikelihood: empty context");
  std::vector<int32_t> ids = r.context_ids;
  ids.insert(ids.end(), r.continuation_ids.begin(), r.continuation_ids.end());
  // lm-eval's local-completions request: echo the prompt with its logprobs, one extra token.
  Json body = {{"model", r.model}, {"prompt", ids}, {"max_tokens", 1}, {"temperature", 0.0},
               {"echo", true}, {"logprobs", 1}, {"seed", 1234}};
  Json res = post("/v1/completions", body);
  const Json& lp = require_field(require_field(res, "choices", "completion response")[0], "logprobs", "choice");
  const Json& tokens = require_field(lp, "tokens", "logprobs");
  const Json& token_logprobs = require_field(lp, "token_logprobs", "logprobs");
  const Json& top = require_field(lp, "top_logprobs", "logprobs");
  size_t ctx = r.context_ids.size(), n = r.continuation_ids.size();
  if (token_logprobs.size() < ctx + n) {
    throw Error(config.base_url + ": echo returned " + std::to_string(token_logprobs.size()) +
                " token logprobs for a prompt of " + std::to_string(ctx + n) + " tokens");
  }
  ScoreResult out;
  out.context_ids = r.context_ids;
  out.continuation_ids = r.continuation_ids;
  out.is_greedy = true;
  for (size_t k = ctx; k < ctx + n; ++k) {
    double v = token_logprobs[k].get<double>();
    out.token_logprobs.push_back(v);
    out.logprob += v;
    // Greedy when the most likely token at this position is the one in the prompt.
    std::string best;
    double best_lp = -1e300;
    for (auto it = top[k].begin(); it != top[k].end(); ++it) {
      if (it.value().get<double>() > best_lp) {
        best_lp = it.value().get<double>();
        best = it.key();
      }
    }
    out.greedy_logprobs.push_back(best_lp);
    out.is_greedy = out.is_greedy && best == tokens[k].get<std::string>();
  }
  return out;
}

std::future<GenerateResult> OpenAIBackend::generate(GenerateRequest request) {
  std::shared_ptr<const Impl> impl = impl_;
  return run_async<GenerateResult>([impl, r = std::move(request)] { return impl->generate(r); });
}

std::future<ScoreResult> OpenAIBackend::score(ScoreRequest request) {
  std::shared_ptr<const Impl> impl = impl_;
  return run_async<ScoreResult>([impl, r = std::move(request)] { return impl->score(r); });
}

std::vector<ModelStatus> OpenAIBackend::models() {
  std::vector<ModelStatus> out;
  for (const auto& m : impl_->config.models) {
    ModelStatus s;
    s.name = m.name;
    s.location = impl_->config.base_url;
    s.loaded = true;  // the server holds it
    s.device = "remote";
    out.push_back(s);
  }
  return out;
}

void OpenAIBackend::load(const std::string& model) { impl_->check_model(model); }

}  // namespace mom::worker
