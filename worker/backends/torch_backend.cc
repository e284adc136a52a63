// TorchBackend: model table, memory budget, loading (decoder + tokenizer + chat template +
// scheduler) and the text <-> ids edge around each model's BatchScheduler.
#include "worker/backends/torch_backend.h"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>

#include "core/error.h"
#include "core/json_util.h"
#include "core/logging.h"
#include "core/tokenizers/tokenizer.h"
#include "models/chat_template.h"
#include "models/decoder.h"
#include "worker/batch_scheduler.h"
#include "worker/loglikelihood.h"
#include "worker/sampler.h"

namespace mom::worker {

namespace fs = std::filesystem;

namespace {

// Everything one loaded model needs; immutable once published (the scheduler is thread-safe).
struct LoadedModel {
  std::unique_ptr<Tokenizer> tokenizer;  // null when the directory has no tokenizer.json
  std::optional<models::ChatTemplate> chat;
  std::string chat_error;                // why there is no chat template
  std::unique_ptr<BatchScheduler> scheduler;
  bool score_special_tokens = false;     // lm-eval encodes Gemma requests with <bos>
  int32_t prefix_id = 0;
  size_t weight_bytes = 0, kv_bytes = 0;
  std::string device, family;
};

struct HostedModel {
  TorchModelSpec spec;
  std::shared_ptr<LoadedModel> loaded;
  bool loading = false;
  size_t reserved_bytes = 0;  // counted against the budget while loading or loaded
};

std::string gib(size_t bytes) {
  char buf[32];
  double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.2f GiB", b / (1024.0 * 1024 * 1024));
  } else {
    std::snprintf(buf, sizeof buf, "%.2f MiB", b / (1024.0 * 1024));
  }
  return buf;
}

std::vector<int32_t> generation_eos(const std::string& dir) {
  std::vector<int32_t> out;
  std::string path = (fs::path(dir) / "generation_config.json").string();
  if (!fs::exists(path)) return out;
  Json g = read_json_file(path);
  if (!g.contains("eos_token_id")) return out;
  const Json& v = g["eos_token_id"];
  if (v.is_number_integer()) out.push_back(v.get<int32_t>());
  if (v.is_array()) {
    for (const auto& x : v) {
      if (x.is_number_integer()) out.push_back(x.get<int32_t>());
    }
  }
  return out;
}

size_t kv_bytes_for(const models::DecoderConfig& c, int64_t tokens, bool cpu) {
  size_t elem = cpu ? 4 : 2;
  return static_cast<size_t>(tokens) * c.num_layers * 2 * c.num_kv_heads * c.head_dim * elem;
}

template <typename T>
std::future<T> failed(const std::exception& e) {
  std::promise<T> p;
  p.set_exception(std::make_exception_ptr(Error(e.what())));
  return p.get_future();
}

}  // namespace

struct TorchBackend::Impl {
  TorchBackendConfig config;
  std::shared_ptr<spdlog::logger> log = logger("worker");
  std::mutex mutex;  // guards models' loaded/loading/reserved_bytes
  std::condition_variable loaded_cv;
  std::map<std::string, HostedModel> models;

  std::shared_ptr<LoadedModel> ensure(const std::string& name);
  std::shared_ptr<LoadedModel> load_files(const TorchModelSpec& spec);
  size_t estimate(const TorchModelSpec& spec) const;
};

TorchBackend::TorchBackend(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TorchBackend::~TorchBackend() = default;

std::unique_ptr<TorchBackend> TorchBackend::create(const TorchBackendConfig& config) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  if (config.models.empty()) throw Error("torch backend: no models configured");
  if (config.max_batch < 1) throw Error("torch backend: max_batch must be >= 1");
  for (const auto& spec : config.models) {
    if (spec.name.empty()) throw Error("torch backend: a model without a name (dir " + spec.dir + ")");
    if (impl->models.count(spec.name)) throw Error("torch backend: model '" + spec.name + "' listed twice");
    if (!fs::is_directory(spec.dir)) {
      throw Error("model '" + spec.name + "': directory " + spec.dir + " missing");
    }
    impl->models[spec.name].spec = spec;
  }
  std::unique_ptr<TorchBackend> backend(new TorchBackend(std::move(impl)));
  if (config.load_at_start) {
    for (const auto& spec : config.models) backend->load(spec.name);
  }
  return backend;
}

size_t TorchBackend::Impl::estimate(const TorchModelSpec& spec) const {
  models::DecoderOptions opts;
  opts.device = config.device;
  size_t weights = models::Decoder::estimate_bytes(spec.dir, opts);
  auto c = models::DecoderConfig::load(spec.dir);
  bool cpu = config.device == "cpu";
  return weights + kv_bytes_for(c, config.kv_cache_tokens, cpu);
}

std::shared_ptr<LoadedModel> TorchBackend::Impl::load_files(const TorchModelSpec& spec) {
  auto start = std::chrono::steady_clock::now();
  auto m = std::make_shared<LoadedModel>();
  models::DecoderOptions opts;
  opts.device = config.device;
  opts.intra_op_threads = config.threads;
  auto decoder = models::Decoder::load(spec.dir, opts);
  const auto& c = decoder->config();
  m->family = models::decoder_family_name(c.family);
  m->device = decoder->device();
  m->weight_bytes = decoder->weight_bytes();
  m->kv_bytes = kv_bytes_for(c, config.kv_cache_tokens, decoder->device() == "cpu");
  bool has_tokenizer = fs::exists(fs::path(spec.dir) / "tokenizer.json");
  if (has_tokenizer) m->tokenizer = Tokenizer::load(spec.dir);
  try {
    m->chat = models::ChatTemplate::load(spec.dir, m->family);
  } catch (const Error& e) {
    m->chat_error = e.what();
  }
  m->score_special_tokens = c.family == models::DecoderFamily::kGemma2 || c.family == models::DecoderFamily::kGemma3;
  m->prefix_id = c.bos_token_id ? *c.bos_token_id : (c.eos_token_ids.empty() ? 0 : c.eos_token_ids[0]);

  SchedulerOptions so;
  so.max_batch = config.max_batch;
  so.model_name = spec.name;
  so.eos_ids = c.eos_token_ids;
  for (int32_t id : generation_eos(spec.dir)) {
    if (std::find(so.eos_ids.begin(), so.eos_ids.end(), id) == so.eos_ids.end()) so.eos_ids.push_back(id);
  }
  if (m->tokenizer) {
    const Tokenizer* tok = m->tokenizer.get();
    so.detokenize = [tok](const std::vector<int32_t>& ids) { return tok->decode(ids, true); };
  }
  m->scheduler = std::make_unique<BatchScheduler>(std::move(decoder), std::move(so));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log->info("model {}: loaded {} ({}, {} weights) from {} in {:.1f} s{}", spec.name, m->family,
            m->device, gib(m->weight_bytes), spec.dir, secs, m->tokenizer ? "" : " (no tokenizer.json: ids only)");
  return m;
}

std::shared_ptr<LoadedModel> TorchBackend::Impl::ensure(const std::string& name) {
  std::unique_lock<std::mutex> lock(mutex);
  auto it = models.find(name);
  if (it == models.end()) {
    std::string known;
    for (const auto& [n, _] : models) known += (known.empty() ? "" : ", ") + n;
    throw Error("unknown model '" + name + "' (this worker serves: " + known + ")");
  }
  HostedModel& h = it->second;
  loaded_cv.wait(lock, [&] { return !h.loading; });
  if (h.loaded) return h.loaded;
  h.loading = true;
  TorchModelSpec spec = h.spec;
  lock.unlock();
  auto give_up = [&] {
    std::lock_guard<std::mutex> relock(mutex);
    h.loading = false;
    h.reserved_bytes = 0;
    loaded_cv.notify_all();
  };
  size_t need = 0;
  try {
    need = estimate(spec);
  } catch (...) {
    give_up();
    throw;
  }
  lock.lock();
  if (config.memory_budget_bytes > 0) {
    size_t used = 0;
    std::string holding;
    for (const auto& [n, other] : models) {
      if (other.reserved_bytes == 0) continue;
      used += other.reserved_bytes;
      holding += (holding.empty() ? "" : ", ") + n + " " + gib(other.reserved_bytes);
    }
    if (used + need > config.memory_budget_bytes) {
      h.loading = false;
      loaded_cv.notify_all();
      throw Error("model '" + name + "' does not fit: it needs " + gib(need) + " (weights + KV cache of " +
                  std::to_string(config.kv_cache_tokens) + " tokens) but only " +
                  gib(config.memory_budget_bytes - std::min(used, config.memory_budget_bytes)) + " of the " +
                  gib(config.memory_budget_bytes) + " budget is free (holding: " +
                  (holding.empty() ? "nothing" : holding) + "); raise --memory_budget_gb or serve it elsewhere");
    }
  }
  h.reserved_bytes = need;
  lock.unlock();
  std::shared_ptr<LoadedModel> m;
  try {
    m = load_files(spec);
  } catch (...) {
    give_up();
    throw;
  }
  lock.lock();
  h.loaded = m;
  h.loading = false;
  loaded_cv.notify_all();
  return m;
}

void TorchBackend::load(const std::string& model) { impl_->ensure(model); }

std::future<GenerateResult> TorchBackend::generate(GenerateRequest request) {
  try {
    validate(request.sampling);
    auto m = impl_->ensure(request.model);
    if (request.prompt_ids.empty()) {
      if (!m->tokenizer) throw Error("model '" + request.model + "' has no tokenizer.json: send prompt ids");
      if (request.chat) {
        if (!m->chat) throw Error("model '" + request.model + "': " + m->chat_error);
        std::string text = m->chat->format({{"user", request.prompt}}, true);
        request.prompt_ids = m->tokenizer->encode(text, false);
      } else {
        request.prompt_ids = m->tokenizer->encode(request.prompt, true);
      }
    }
    return m->scheduler->submit_generate(std::move(request));
  } catch (const std::exception& e) {
    return failed<GenerateResult>(e);
  }
}

std::future<ScoreResult> TorchBackend::score(ScoreRequest request) {
  try {
    auto m = impl_->ensure(request.model);
    if (request.continuation_ids.empty()) {
      if (!m->tokenizer) throw Error("model '" + request.model + "' has no tokenizer.json: send ids");
      EncodedPair pair = encode_pair(*m->tokenizer, request.context, request.continuation,
                                     m->score_special_tokens, m->prefix_id);
      request.context_ids = std::move(pair.context_ids);
      request.continuation_ids = std::move(pair.continuation_ids);
    }
    return m->scheduler->submit_score(std::move(request));
  } catch (const std::exception& e) {
    return failed<ScoreResult>(e);
  }
}

std::vector<ModelStatus> TorchBackend::models() {
  std::vector<ModelStatus> out;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  for (const auto& [name, h] : impl_->models) {
    ModelStatus s;
    s.name = name;
    s.location = h.spec.dir;
    if (h.loaded) {
      s.loaded = true;
      s.weight_bytes = h.loaded->weight_bytes;
      s.kv_bytes = h.loaded->kv_bytes;
      s.device = h.loaded->device;
      s.family = h.loaded->family;
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace mom::worker
