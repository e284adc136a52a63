// GradBucketer: per-parameter hooks, in-order bucket launches, wait-and-scatter at finish().
#include "trainer/grad_bucketer.h"

#include <torch/torch.h>

#include "core/error.h"

namespace mom::trainer {

GradBucketer::GradBucketer(std::vector<torch::Tensor> parameters, Communicator& comm, size_t bucket_bytes)
    : params_(std::move(parameters)), comm_(comm) {
  for (const auto& p : params_)
    if (p.scalar_type() != torch::kFloat32 || !p.device().is_cpu())
      throw Error("GradBucketer: only float32 CPU parameters are supported");
  size_t capacity = std::max<size_t>(1, bucket_bytes / sizeof(float));
  bucket_of_.resize(params_.size());
  slot_of_.resize(params_.size());
  filled_.assign(params_.size(), false);
  Bucket current;
  int64_t used = 0;
  auto close = [&] {
    if (current.params.empty()) return;
    current.buffer = torch::zeros({used}, torch::kFloat32);
    buckets_.push_back(std::move(current));
    current = Bucket();
    used = 0;
  };
  for (size_t k = params_.size(); k-- > 0;) {
    int64_t n = params_[k].numel();
    if (!current.params.empty() && static_cast<size_t>(used + n) > capacity) close();
    bucket_of_[k] = buckets_.size();
    slot_of_[k] = current.params.size();
    current.params.push_back(k);
    current.offsets.push_back(used);
    used += n;
  }
  close();
  for (size_t k = 0; k < params_.size(); ++k) {
    if (!params_[k].requires_grad()) continue;
    hook_ids_.push_back(params_[k].register_hook([this, k](torch::Tensor grad) { on_gradient(k, grad); }));
  }
}

GradBucketer::~GradBucketer() {
  // Wait for collectives that still point into our buffers.
  for (auto& b : buckets_)
    if (b.done.valid()) b.done.wait();
  size_t h = 0;
  for (size_t k = 0; k < params_.size(); ++k)
    if (params_[k].requires_grad()) params_[k].remove_hook(hook_ids_[h++]);
}

void GradBucketer::broadcast_parameters() {
  torch::NoGradGuard no_grad;
  for (auto& p : params_) {
    if (!p.is_contiguous()) throw Error("GradBucketer: parameters must be contiguous");
    comm_.broadcast(p.data_ptr(), static_cast<size_t>(p.numel()) * sizeof(float), 0);
  }
}

void GradBucketer::arm() {
  std::lock_guard<std::mutex> lock(mutex_);
  armed_ = true;
  next_launch_ = 0;
  filled_.assign(params_.size(), false);
  for (auto& b : buckets_) {
    b.ready = 0;
    b.launched = false;
  }
}

void GradBucketer::on_gradient(size_t param, const torch::Tensor& grad) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!armed_ || filled_[param]) return;
  copy_into_bucket(param, &grad);
  launch_ready_buckets();
}

void GradBucketer::copy_into_bucket(size_t param, const torch::Tensor* grad) {
  torch::NoGradGuard no_grad;
  Bucket& b = buckets_[bucket_of_[param]];
  const torch::Tensor& p = params_[param];
  auto slot = b.buffer.narrow(0, b.offsets[slot_of_[param]], p.numel());
  // The bucket gets the gradient this parameter will hold after the backward: what earlier
  // micro-batches accumulated plus this one's.
  const torch::Tensor& accumulated = p.grad();
  if (grad != nullptr && grad->defined()) {
    slot.copy_(grad->reshape({-1}));
    if (accumulated.defined()) slot.add_(accumulated.reshape({-1}));
  } else if (accumulated.defined()) {
    slot.copy_(accumulated.reshape({-1}));
  } else {
    slot.zero_();
  }
  filled_[param] = true;
  ++b.ready;
}

void GradBucketer::launch_ready_buckets() {
  while (next_launch_ < buckets_.size() && buckets_[next_launch_].ready == buckets_[next_launch_].params.size()) {
    Bucket& b = buckets_[next_launch_];
    b.done = comm_.allreduce_async(b.buffer.data_ptr<float>(), static_cast<size_t>(b.buffer.numel()), ReduceOp::kSum);
    b.launched = true;
    ++next_launch_;
  }
}

void GradBucketer::finish() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!armed_) throw Error("GradBucketer::finish without arm");
    // Parameters whose hook did not fire (unused in this rank's forward) contribute what they hold.
    for (size_t k = 0; k < params_.size(); ++k)
      if (!filled_[k]) copy_into_bucket(k, nullptr);
    launch_ready_buckets();
    armed_ = false;
  }
  torch::NoGradGuard no_grad;
  for (auto& b : buckets_) {
    b.done.get();  // rethrows a communication error
    for (size_t s = 0; s < b.params.size(); ++s) {
      torch::Tensor& p = params_[b.params[s]];
      auto slot = b.buffer.narrow(0, b.offsets[s], p.numel()).view(p.sizes());
      if (p.grad().defined()) {
        p.mutable_grad().copy_(slot);
      } else {
        p.mutable_grad() = slot.clone();
      }
    }
  }
}

}  // namespace mom::trainer
