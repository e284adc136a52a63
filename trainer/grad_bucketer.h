// Data-parallel gradient averaging that overlaps with the backward pass: a hook per parameter
// copies its gradient into a bucket; a full bucket goes to the communicator at once, as
// distributed data-parallel trainers do.
#pragma once

#include <torch/types.h>

#include <cstddef>
#include <future>
#include <mutex>
#include <vector>

#include "trainer/comm/communicator.h"

namespace mom::trainer {

// Usage per optimizer step: arm() before the backward of the last micro-batch (earlier
// micro-batches accumulate locally, like DDP's no_sync), then finish() after it. After finish()
// every parameter's .grad holds the SUM over ranks of the local gradients (the trainer scales
// losses by 1 / global sample count, so the sum is the global mean).
//
// Buckets hold parameters in reverse registration order (about the order backward produces
// them) and are reduced strictly in bucket order, so every rank issues the same collectives in the
// same order even when hooks fire in a different order or some parameters get no gradient.
// Thread-safety: hooks may run on autograd threads; mutex_ guards the bucket state.
class GradBucketer {
 public:
  GradBucketer(std::vector<torch::Tensor> parameters, Communicator& comm, size_t bucket_bytes);
  ~GradBucketer();
  GradBucketer(const GradBucketer&) = delete;
  GradBucketer& operator=(const GradBucketer&) = delete;

  // Copies rank 0's parameter values to every rank.
  void broadcast_parameters();
  void arm();
  void finish();

  size_t num_buckets() const { return buckets_.size(); }

 private:
  struct Bucket {
    std::vector<size_t> params;
    std::vector<int64_t> offsets;  // element offset of each param in buffer
    torch::Tensor buffer;          // float32, contiguous
    size_t ready = 0;
    bool launched = false;
    std::future<void> done;
  };
  void on_gradient(size_t param, const torch::Tensor& grad);
  void copy_into_bucket(size_t param, const torch::Tensor* grad);  // caller holds mutex_
  void launch_ready_buckets();                                     // caller holds mutex_

  std::vector<torch::Tensor> params_;
  Communicator& comm_;
  std::vector<Bucket> buckets_;
  std::vector<size_t> bucket_of_;   // param -> bucket
  std::vector<size_t> slot_of_;     // param -> index within its bucket
  std::vector<unsigned> hook_ids_;
  std::mutex mutex_;                // guards armed_, filled_, buckets_[*].ready/launched/done, next_launch_
  bool armed_ = false;
  std::vector<bool> filled_;
  size_t next_launch_ = 0;
};

}  // namespace mom::trainer
