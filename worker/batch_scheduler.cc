// The scheduler loop: admit queued requests (prefill into a free KV slot), run one batched decode
// step for all active sequences, sample per request, retire finished ones (compacting slots).
#include "worker/batch_scheduler.h"

#include <torch/torch.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "core/logging.h"
#include "models/decoder.h"
#include "worker/sampler.h"

namespace mom::worker {

namespace {

struct GenerateJob {
  GenerateRequest request;
  std::promise<GenerateResult> promise;
};

struct ScoreJob {
  ScoreRequest request;
  std::promise<ScoreResult> promise;
};

// A sequence in the running batch; its index in `active` is its KV slot.
struct Sequence {
  GenerateJob job;
  std::unique_ptr<Sampler> sampler;
  std::vector<int32_t> history;  // prompt + generated
  GenerateResult result;
  int32_t pending = -1;           // sampled, not yet in the cache
};

}  // namespace

struct BatchScheduler::Impl {
  std::unique_ptr<models::Decoder> decoder;
  SchedulerOptions options;
  std::shared_ptr<spdlog::logger> log = logger("worker");

  std::mutex mutex;                 // guards queue, scores, stopping, stats
  std::condition_variable wake;
  std::deque<GenerateJob> queue;
  std::deque<ScoreJob> scores;
  bool stopping = false;
  SchedulerStats stats;

  // Owned by the scheduler thread only.
  models::KvCache cache;
  std::vector<Sequence> active;
  std::thread thread;

  void loop();
  void admit(GenerateJob job);
  void score(ScoreJob& job);
  // Samples from `logits` for active[i]; true when the sequence finished (its promise is set).
  bool advance(size_t i, float* logits);
  void retire(size_t i);
  void fail_all(const std::string& why);
};

BatchScheduler::BatchScheduler(std::unique_ptr<models::Decoder> decoder, SchedulerOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->decoder = std::move(decoder);
  impl_->options = std::move(options);
  if (impl_->options.max_batch < 1) throw Error("max_batch must be >= 1");
  impl_->cache = impl_->decoder->make_cache(1, 64);
  impl_->thread = std::thread([this] { impl_->loop(); });
}

BatchScheduler::~BatchScheduler() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->thread.join();
}

const models::Decoder& BatchScheduler::decoder() const { return *impl_->decoder; }

SchedulerStats BatchScheduler::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->stats;
}

namespace {

// Hands `job` to the scheduler thread through `queue`, or fails it at once when the scheduler
// is stopping. `mutex` guards `queue` and `stopping`.
template <typename Job, typename Request>
auto enqueue(std::mutex& mutex, std::condition_variable& wake, const bool& stopping,
             std::deque<Job>& queue, Request request) {
  Job job;
  job.request = std::move(request);
  auto future = job.promise.get_future();
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (stopping) {
      job.promise.set_exception(std::make_exception_ptr(Error("worker shutting down")));
      return future;
    }
    queue.push_back(std::move(job));
  }
  wake.notify_one();
  return future;
}

}  // namespace

std::future<GenerateResult> BatchScheduler::submit_generate(GenerateRequest request) {
  return enqueue(impl_->mutex, impl_->wake, impl_->stopping, impl_->queue, std::move(request));
}

std::future<ScoreResult> BatchScheduler::submit_score(ScoreRequest request) {
  return enqueue(impl_->mutex, impl_->wake, impl_->stopping, impl_->scores, std::move(request));
}

void BatchScheduler::Impl::loop() {
  torch::NoGradGuard no_grad;
  while (true) {
    std::vector<GenerateJob> admitted;
    std::vector<ScoreJob> scoring;
    {
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [&] { return stopping || !queue.empty() || !scores.empty() || !active.empty(); });
      if (stopping) break;
      while (!queue.empty() && active.size() + admitted.size() < static_cast<size_t>(options.max_batch)) {
        admitted.push_back(std::move(queue.front()));
        queue.pop_front();
      }
      while (!scores.empty()) {
        scoring.push_back(std::move(scores.front()));
        scores.pop_front();
      }
    }
    for (auto& job : scoring) score(job);
    for (auto& job : admitted) admit(std::move(job));
    if (active.empty()) continue;
    // One decode step for the whole batch.
    try {
      std::vector<int32_t> tokens;
      for (const auto& s : active) tokens.push_back(s.pending);
      torch::Tensor logits = decoder->step(cache, tokens);
      {
        std::lock_guard<std::mutex> lock(mutex);
        ++stats.steps;
        stats.max_batch = std::max<long>(stats.max_batch, static_cast<long>(tokens.size()));
      }
      int64_t vocab = logits.size(1);
      float* data = logits.data_ptr<float>();
      // Retire back to front so compaction moves only rows already handled.
      std::vector<bool> done(active.size());
      for (size_t i = 0; i < active.size(); ++i) done[i] = advance(i, data + i * vocab);
      for (size_t i = active.size(); i-- > 0;) {
        if (done[i]) retire(i);
      }
    } catch (const std::exception& e) {
      // A failed step poisons the whole batch (shared cache): fail its requests, keep serving.
      log->error("model {}: decode step failed: {}", options.model_name, e.what());
      for (auto& s : active) {
        try {
          s.job.promise.set_exception(std::make_exception_ptr(Error(std::string("decode step failed: ") + e.what())));
        } catch (const std::future_error&) {
          // finished in this step before the failure: its result stands
        }
      }
      for (size_t i = 0; i < active.size(); ++i) cache.reset(static_cast<int64_t>(i));
      active.clear();
    }
  }
  fail_all("worker shutting down");
}

void BatchScheduler::Impl::admit(GenerateJob job) {
  const auto& c = decoder->config();
  const GenerateRequest& r = job.request;
  try {
    if (r.prompt_ids.empty()) throw Error("request " + r.id + ": empty prompt");
    if (static_cast<int64_t>(r.prompt_ids.size()) >= c.max_position_embeddings) {
      throw Error("request " + r.id + ": prompt of " + std::to_string(r.prompt_ids.size()) +
                  " tokens leaves no room in the context window of " +
                  std::to_string(c.max_position_embeddings) + " tokens (prompts are not truncated)");
    }
    if (!r.sampling.stop.empty() && !options.detokenize) {
      throw Error("request " + r.id + ": stop strings need a tokenizer for model " + options.model_name);
    }
    Sequence s;
    s.sampler = std::make_unique<Sampler>(r.sampling);
    s.history = r.prompt_ids;
    s.result.prompt_ids = r.prompt_ids;
    s.result.prompt_tokens = static_cast<int>(r.prompt_ids.size());
    int64_t slot = static_cast<int64_t>(active.size());
    // Grow slots geometrically (each growth copies the cache), up to max_batch.
    if (slot + 1 > cache.slots()) {
      cache.reserve(std::max<int64_t>(slot + 1, std::min<int64_t>(options.max_batch, 2 * cache.slots())), 0);
    }
    cache.reset(slot);
    torch::Tensor logits = decoder->extend(cache, slot, r.prompt_ids, false);
    {
      std::lock_guard<std::mutex> lock(mutex);
      ++stats.prefills;
    }
    s.job = std::move(job);
    active.push_back(std::move(s));
    if (advance(active.size() - 1, logits.data_ptr<float>())) retire(active.size() - 1);
  } catch (const std::exception& e) {
    if (static_cast<int64_t>(active.size()) < cache.slots()) cache.reset(static_cast<int64_t>(active.size()));
    job.promise.set_exception(std::make_exception_ptr(Error(e.what())));
  }
}

bool BatchScheduler::Impl::advance(size_t i, float* logits) {
  Sequence& s = active[i];
  const auto& c = decoder->config();
  const SamplingParams& p = s.job.request.sampling;
  int64_t vocab = c.vocab_size;
  int32_t token = s.sampler->sample(logits, vocab, s.history);
  s.history.push_back(token);
  s.result.ids.push_back(token);
  const std::vector<int32_t>& eos_ids = options.eos_ids.empty() ? c.eos_token_ids : options.eos_ids;
  bool eos = !p.ignore_eos && std::find(eos_ids.begin(), eos_ids.end(), token) != eos_ids.end();
  std::optional<FinishReason> finish;
  if (eos) finish = FinishReason::kEos;
  std::vector<int32_t> text_ids(s.result.ids.begin(), s.result.ids.end() - (eos ? 1 : 0));
  if (options.detokenize && (!p.stop.empty() || finish || static_cast<int>(s.result.ids.size()) >= p.max_new_tokens)) {
    s.result.text = options.detokenize(text_ids);
    for (const auto& stop : p.stop) {
      size_t at = s.result.text.find(stop);
      if (at != std::string::npos) {
        s.result.text.resize(at);
        finish = FinishReason::kStopString;
      }
    }
  }
  if (!finish && (static_cast<int>(s.result.ids.size()) >= p.max_new_tokens ||
                  static_cast<int64_t>(s.history.size()) >= c.max_position_embeddings)) {
    finish = FinishReason::kLength;
  }
  if (!finish) {
    s.pending = token;
    return false;
  }
  s.result.finish_reason = *finish;
  s.result.completion_tokens = static_cast<int>(s.result.ids.size());
  s.job.promise.set_value(std::move(s.result));
  return true;
}

void BatchScheduler::Impl::retire(size_t i) {
  size_t last = active.size() - 1;
  if (i != last) {
    cache.move(static_cast<int64_t>(last), static_cast<int64_t>(i));
    active[i] = std::move(active[last]);
  } else {
    cache.reset(static_cast<int64_t>(i));
  }
  active.pop_back();
}

void BatchScheduler::Impl::score(ScoreJob& job) {
  const ScoreRequest& r = job.request;
  try {
    if (r.continuation_ids.empty()) throw Error("request " + r.id + ": empty continuation");
    if (r.context_ids.empty()) throw Error("request " + r.id + ": empty context (give a bos token)");
    std::vector<int32_t> ids = r.context_ids;
    ids.insert(ids.end(), r.continuation_ids.begin(), r.continuation_ids.end());
    // The last token is never an input: logits for it are not needed.
    ids.pop_back();
    torch::Tensor lp = torch::log_softmax(decoder->forward(ids), -1);
    ScoreResult result;
    result.context_ids = r.context_ids;
    result.continuation_ids = r.continuation_ids;
    result.is_greedy = true;
    size_t base = r.context_ids.size() - 1;
    for (size_t k = 0; k < r.continuation_ids.size(); ++k) {
      torch::Tensor row = lp[base + k];
      double v = row[r.continuation_ids[k]].item<double>();
      int32_t g = static_cast<int32_t>(row.argmax().item<int64_t>());
      result.token_logprobs.push_back(v);
      result.greedy_ids.push_back(g);
      result.greedy_logprobs.push_back(row[g].item<double>());
      result.logprob += v;
      result.is_greedy = result.is_greedy && g == r.continuation_ids[k];
    }
    job.promise.set_value(std::move(result));
  } catch (const std::exception& e) {
    job.promise.set_exception(std::make_exception_ptr(Error(e.what())));
  }
}

void BatchScheduler::Impl::fail_all(const std::string& why) {
  for (auto& s : active) s.job.promise.set_exception(std::make_exception_ptr(Error(why)));
  active.clear();
  std::lock_guard<std::mutex> lock(mutex);
  for (auto& j : queue) j.promise.set_exception(std::make_exception_ptr(Error(why + ": request " + j.request.id + " cancelled")));
  for (auto& j : scores) j.promise.set_exception(std::make_exception_ptr(Error(why + ": request " + j.request.id + " cancelled")));
  queue.clear();
  scores.clear();
}

}  // namespace mom::worker
