// One decoder-only transformer for every supported family (Llama 2/3, Mistral, Qwen2/3, Gemma 2/3,
// Phi-3), loaded from a Hugging Face directory, with a slot-based KV cache for step-level batching.
// Only a few translation units include this header (it pulls in ATen's Tensor).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/decoder_config.h"

namespace mom::models {

struct DecoderOptions {
  // "cpu", "cuda" or "auto" (CUDA when libtorch has it and a device is visible). On CPU weights are
  // upcast to fp32; on CUDA they keep their stored dtype (bf16/fp16).
  std::string device = "cpu";
  int intra_op_threads = 0;  // > 0: at::set_num_threads at load
  // Long prompts are prefilled this many tokens at a time, bounding the attention scores' memory
  // to chunk x sequence length per head.
  int64_t prefill_chunk = 512;
};

// Keys and values of up to slots() sequences, one row ("slot") per sequence, each up to
// capacity() positions. Not thread-safe: one owner (the model's scheduler thread) uses it.
class KvCache {
 public:
  int64_t slots() const { return static_cast<int64_t>(length_.size()); }
  int64_t capacity() const { return capacity_; }
  int64_t length(int64_t slot) const { return length_.at(slot); }
  // Forgets slot's sequence.
  void reset(int64_t slot) { length_.at(slot) = 0; }
  // Copies slot `from` into slot `to` (keeping the active slots contiguous) and resets `from`.
  void move(int64_t from, int64_t to);
  // Grows to at least `slots` slots of `capacity` positions, keeping contents. Never shrinks.
  void reserve(int64_t slots, int64_t capacity);
  size_t bytes() const;

 private:
  friend class Decoder;
  std::vector<at::Tensor> k_, v_;  // per layer [slots, kv_heads, capacity, head_dim]
  std::vector<int64_t> length_;    // per slot
  int64_t capacity_ = 0;
};

class Decoder {
 public:
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Reads <dir>/config.json and the safetensors weights (single or sharded). Throws mom::Error
  // naming the file / tensor for a missing file, an unsupported architecture, a missing,
  // unexpected or mis-shaped tensor.
  static std::unique_ptr<Decoder> load(const std::string& dir, const DecoderOptions& options = {});
  // Bytes the weights of `dir` will take once loaded with `options` (from config + tensor
  // headers, without reading the data). Throws like load().
  static size_t estimate_bytes(const std::string& dir, const DecoderOptions& options = {});

  const DecoderConfig& config() const;
  size_t weight_bytes() const;
  std::string device() const;  // "cpu" / "cuda:0"

  // An empty cache for `slots` sequences of `capacity` positions (grown on demand by extend/step).
  KvCache make_cache(int64_t slots, int64_t capacity) const;

  // Appends `ids` to the sequence in `slot` (prefill, or prefill of a continuation) and returns the
  // fp32 CPU logits [ids.size(), vocab] when all_logits, else [1, vocab] for the last position.
  // Throws mom::Error when the sequence would exceed max_position_embeddings or ids are out of
  // the vocabulary.
  at::Tensor extend(KvCache& cache, int64_t slot, const std::vector<int32_t>& ids, bool all_logits);
  // One decode step for slots 0..tokens.size()-1 (each appends one token): fp32 CPU logits
  // [tokens.size(), vocab]. Rows are independent: a row's result does not depend on the others.
  at::Tensor step(KvCache& cache, const std::vector<int32_t>& tokens);
  // Logits [ids.size(), vocab] of a whole sequence with a private cache (scoring, tests).
  at::Tensor forward(const std::vector<int32_t>& ids);

 private:
  struct Impl;
  explicit Decoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mom::models
