// Orchestrator: validated queries -> length-sorted batches -> TextClassifier -> probabilities.
#include "models/orchestrator.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <numeric>
#include <thread>

#include "core/env.h"
#include "core/error.h"
#include "core/logging.h"
#include "core/registry.h"
#include "models/text_classifier.h"

namespace mom {

std::optional<size_t> invalid_utf8_offset(const std::string& text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07;
    else return i;
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::nullopt;
}

struct Orchestrator::Impl {
  std::unique_ptr<models::TextClassifier> classifier;  // eval mode; only logits() is called
  std::vector<std::string> names;
  OrchestratorOptions options;
};

Orchestrator::Orchestrator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Orchestrator::~Orchestrator() = default;

namespace {

int resolve_threads(int requested) {
  if (requested > 0) return requested;
  if (auto v = env::get(env::kThreads)) {
    try {
      int n = std::stoi(*v);
      if (n > 0) return n;
    } catch (const std::exception&) {
    }
    throw Error(std::string(env::kThreads) + "=" + *v + ": not a positive number of threads");
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

bool is_number(const std::string& s) {
  return !s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::unique_ptr<Orchestrator> Orchestrator::create(const std::string& dir_or_preset, const OrchestratorOptions& options) {
  if (options.batch_size <= 0) throw Error("batch_size must be positive");
  at::set_num_threads(resolve_threads(options.num_threads));
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  models::TextClassifierOptions copts;
  copts.max_length = options.max_length;
  impl->classifier = models::load_text_classifier(dir_or_preset, copts);
  impl->classifier->set_training(false);
  // Labels are model names; a numeric label is a registry id.
  std::optional<Registry> registry;
  for (const std::string& label : impl->classifier->labels()) {
    if (is_number(label)) {
      if (!registry) registry = Registry::load_default(options.registry_path);
      const ModelInfo* info = registry->find(std::stoi(label));
      if (info == nullptr) {
        throw Error(dir_or_preset + "/config.json: id2label names model id " + label + ", which registry " +
                    registry->path() + " does not know");
      }
      impl->names.push_back(info->hf_repo);
    } else {
      impl->names.push_back(label);
    }
  }
  logger("models")->info("orchestrator {}: {} {} over {} candidate models, max {} tokens, {} threads", dir_or_preset,
                         impl->classifier->kind(), impl->classifier->multilabel() ? "multi-label" : "softmax",
                         impl->names.size(), impl->classifier->max_length(), at::get_num_threads());
  return std::unique_ptr<Orchestrator>(new Orchestrator(std::move(impl)));
}

const std::vector<std::string>& Orchestrator::model_names() const { return impl_->names; }
bool Orchestrator::multilabel() const { return impl_->classifier->multilabel(); }

std::vector<RouteDecision> Orchestrator::route(const std::vector<std::string>& queries) const {
  for (size_t i = 0; i < queries.size(); ++i) {
    const std::string& q = queries[i];
    if (q.find_first_not_of(" \t\r\n\v\f") == std::string::npos) {
      throw Error("query " + std::to_string(i + 1) + ": empty query; give the question text to route");
    }
    if (auto bad = invalid_utf8_offset(q)) {
      throw Error("query " + std::to_string(i + 1) + ": invalid UTF-8 at byte " + std::to_string(*bad) +
                  "; queries must be UTF-8 text");
    }
  }
  // Sort by length so each batch pads little, run batches, scatter back to input order.
  std::vector<size_t> order(queries.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return queries[a].size() < queries[b].size(); });
  std::vector<RouteDecision> out(queries.size());
  c10::InferenceMode inference;  // no autograd bookkeeping at all (thread-local guard)
  const size_t batch = static_cast<size_t>(impl_->options.batch_size);
  for (size_t start = 0; start < order.size(); start += batch) {
    size_t end = std::min(order.size(), start + batch);
    std::vector<std::string> texts;
    texts.reserve(end - start);
    for (size_t k = start; k < end; ++k) texts.push_back(queries[order[k]]);
    torch::Tensor logits = impl_->classifier->logits(texts).to(torch::kFloat64);
    torch::Tensor probs = multilabel() ? torch::sigmoid(logits) : torch::softmax(logits, -1);
    probs = probs.contiguous();
    const int64_t labels = probs.size(1);
    const double* p = probs.data_ptr<double>();
    for (size_t k = start; k < end; ++k) {
      RouteDecision& d = out[order[k]];
      const double* row = p + static_cast<int64_t>(k - start) * labels;
      d.probabilities.assign(row, row + labels);
      d.selected = static_cast<size_t>(std::max_element(row, row + labels) - row);
      d.selected_model = impl_->names[d.selected];
    }
  }
  return out;
}

}  // namespace mom
