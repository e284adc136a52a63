// Decoder speed: MOM's engine vs a python3-torch eager loop (bench/decode_bench_peer.py) on the
// same small Llama-shaped fp32 checkpoint (default 4 layers, hidden 512, Qwen's 151,936-token
// vocabulary): prefill tokens/s, batch-1 decode tokens/s, throughput of concurrent requests of
// different lengths (MOM: step-level batching; peer: one static batch), peak memory, and the
// memory-bandwidth bound of a decode step. Prints one table.
#include <CLI/CLI.hpp>
#include <sys/resource.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <iostream>

#include "core/file_io.h"
#include "core/json_util.h"
#include "core/safetensors/safetensors.h"
#include "models/decoder.h"
#include "worker/batch_scheduler.h"
#include "bench/capture_output.h"

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Shape {
  int64_t layers = 4, hidden = 512, heads = 8, kv_heads = 2, intermediate = 1536, vocab = 151936;
};

// Writes a random Llama checkpoint (config.json + model.safetensors, tied embeddings); returns
// the bytes a decode step reads (all matrices once).
size_t write_model(const std::string& dir, const Shape& s) {
  std::filesystem::create_directories(dir);
  mom::Json cfg = {{"architectures", {"LlamaForCausalLM"}}, {"model_type", "llama"},
                   {"vocab_size", s.vocab}, {"hidden_size", s.hidden}, {"intermediate_size", s.intermediate},
                   {"num_hidden_layers", s.layers}, {"num_attention_heads", s.heads},
                   {"num_key_value_heads", s.kv_heads}, {"max_position_embeddings", 4096},
                   {"rms_norm_eps", 1e-6}, {"rope_theta", 1000000.0}, {"tie_word_embeddings", true},
                   {"eos_token_id", 0}};
  mom::write_file(dir + "/config.json", cfg.dump(1));
  torch::manual_seed(0);
  std::vector<std::pair<std::string, torch::Tensor>> w;
  int64_t d = s.hidden / s.heads;
  w.push_back({"model.embed_tokens.weight", torch::randn({s.vocab, s.hidden}) * 0.02});
  w.push_back({"model.norm.weight", torch::ones({s.hidden})});
  for (int64_t i = 0; i < s.layers; ++i) {
    std::string p = "model.layers." + std::to_string(i) + ".";
    w.push_back({p + "input_layernorm.weight", torch::ones({s.hidden})});
    w.push_back({p + "post_attention_layernorm.weight", torch::ones({s.hidden})});
    w.push_back({p + "self_attn.q_proj.weight", torch::randn({s.heads * d, s.hidden}) * 0.02});
    w.push_back({p + "self_attn.k_proj.weight", torch::randn({s.kv_heads * d, s.hidden}) * 0.02});
    w.push_back({p + "self_attn.v_proj.weight", torch::randn({s.kv_heads * d, s.hidden}) * 0.02});
    w.push_back({p + "self_attn.o_proj.weight", torch::randn({s.hidden, s.heads * d}) * 0.02});
    w.push_back({p + "mlp.gate_proj.weight", torch::randn({s.intermediate, s.hidden}) * 0.02});
    w.push_back({p + "mlp.up_proj.weight", torch::randn({s.intermediate, s.hidden}) * 0.02});
    w.push_back({p + "mlp.down_proj.weight", torch::randn({s.hidden, s.intermediate}) * 0.02});
  }
  std::vector<mom::safetensors::TensorToWrite> out;
  size_t bytes = 0;
  for (auto& [name, t] : w) {
    t = t.contiguous();
    out.push_back({name, mom::safetensors::DType::kF32, t.sizes().vec(), t.data_ptr()});
    if (t.dim() == 2) bytes += t.numel() * 4;
  }
  mom::safetensors::write(dir + "/model.safetensors", out, {{"format", "pt"}});
  return bytes;
}

// Read bandwidth (bytes/s) of summing a buffer much larger than the caches, best of 5.
double measure_bandwidth() {
  torch::Tensor buf = torch::ones({64 * 1024 * 1024});  // 256 MiB
  double best = 1e9;
  for (int i = 0; i < 5; ++i) {
    auto t0 = Clock::now();
    volatile float s = buf.sum().item<float>();
    (void)s;
    best = std::min(best, since(t0));
  }
  return static_cast<double>(buf.numel()) * 4 / best;
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"decode_bench: MOM decoder vs python3-torch eager"};
  Shape shape;
  int threads = 1, prompt_len = 128, new_tokens = 64;
  std::string python = "/usr/bin/python3", work = "/tmp/mom-decode-bench";
  app.add_option("--threads", threads, "intra-op threads, both sides");
  app.add_option("--prompt_len", prompt_len);
  app.add_option("--new_tokens", new_tokens);
  app.add_option("--layers", shape.layers);
  app.add_option("--hidden", shape.hidden);
  app.add_option("--vocab", shape.vocab);
  app.add_option("--python", python);
  app.add_option("--work_dir", work, "where the checkpoint is written");
  CLI11_PARSE(app, argc, argv);
  torch::NoGradGuard no_grad;
  at::set_num_threads(threads);

  size_t step_bytes = write_model(work, shape);
  double bandwidth = measure_bandwidth();
  // Concurrent requests: prompt length : new tokens, all different.
  std::vector<std::pair<int, int>> reqs = {{16, 64}, {48, 40}, {96, 56}, {24, 72},
                                           {64, 32}, {8, 80}, {112, 48}, {40, 60}};
  std::string spec;
  for (auto [p, n] : reqs) spec += (spec.empty() ? "" : ",") + std::to_string(p) + ":" + std::to_string(n);

  // Peer first, in its own process (its memory is its own).
  std::string cmd = python + " " + std::string(MOM_SOURCE_DIR) + "/bench/decode_bench_peer.py " + work + " " +
                    std::to_string(threads) + " " + std::to_string(prompt_len) + " " +
                    std::to_string(new_tokens) + " " + spec;
  std::string peer_out = mom::bench::capture_output(cmd);
  mom::Json peer;
  try {
    peer = mom::Json::parse(peer_out.substr(peer_out.rfind('{')));
  } catch (const std::exception&) {
    std::cerr << "peer failed: " << peer_out << "\n";
  }

  mom::models::DecoderOptions opts;
  opts.intra_op_threads = threads;
  auto decoder = mom::models::Decoder::load(work, opts);
  std::vector<int32_t> prompt(prompt_len);
  for (int i = 0; i < prompt_len; ++i) prompt[i] = (i * 7919) % static_cast<int>(shape.vocab);
  double best = 1e9;
  for (int r = 0; r < 3; ++r) {
    auto cache = decoder->make_cache(1, prompt_len + new_tokens + 1);
    auto t0 = Clock::now();
    decoder->extend(cache, 0, prompt, false);
    best = std::min(best, since(t0));
  }
  double prefill = prompt_len / best;
  auto cache = decoder->make_cache(1, prompt_len + new_tokens + 1);
  torch::Tensor logits = decoder->extend(cache, 0, prompt, false);
  auto t0 = Clock::now();
  for (int i = 0; i < new_tokens; ++i) {
    int32_t next = static_cast<int32_t>(logits[0].argmax().item<int64_t>());
    logits = decoder->step(cache, {next});
  }
  double decode1 = new_tokens / since(t0);

  mom::worker::SchedulerOptions so;
  so.max_batch = 8;
  so.model_name = "bench";
  mom::worker::BatchScheduler scheduler(std::move(decoder), so);
  std::vector<std::future<mom::worker::GenerateResult>> futures;
  int total = 0;
  t0 = Clock::now();
  for (auto [p, n] : reqs) {
    mom::worker::GenerateRequest r;
    for (int i = 0; i < p; ++i) r.prompt_ids.push_back((i * 104729 + p) % static_cast<int>(shape.vocab));
    r.sampling.max_new_tokens = n;
    r.sampling.ignore_eos = true;
    total += n;
    futures.push_back(scheduler.submit_generate(r));
  }
  for (auto& f : futures) f.get();
  double concurrent = total / since(t0);
  double bound = bandwidth / static_cast<double>(step_bytes);

  auto num = [&](const char* key) { return peer.contains(key) ? peer[key].get<double>() : 0.0; };
  std::printf("decode_bench: Llama-shaped fp32, %lld layers, hidden %lld, vocab %lld, %d thread(s)\n",
              static_cast<long long>(shape.layers), static_cast<long long>(shape.hidden),
              static_cast<long long>(shape.vocab), threads);
  std::printf("weights read per decode step: %.1f MiB; measured read bandwidth %.2f GB/s -> bound %.1f tok/s\n",
              step_bytes / 1048576.0, bandwidth / 1e9, bound);
  std::printf("%-34s %14s %14s\n", "metric", "MOM", "python eager");
  std::string prefill_label = "prefill tok/s (prompt " + std::to_string(prompt_len) + ")";
  std::printf("%-34s %14.1f %14.1f\n", prefill_label.c_str(), prefill, num("prefill_tok_s"));
  std::printf("%-34s %14.1f %14.1f\n", "decode tok/s, batch 1", decode1, num("decode_b1_tok_s"));
  std::printf("%-34s %13.0f%% %13.0f%%\n", "  of the bandwidth bound", 100 * decode1 / bound,
              100 * num("decode_b1_tok_s") / bound);
  std::printf("%-34s %14.1f %14.1f\n", "8 concurrent tok/s (step/static)", concurrent, num("concurrent_tok_s"));
  std::printf("%-34s %14.1f %14.1f\n", "peak RSS MiB", peak_rss_mib(), num("peak_rss_mib"));
  return 0;
}
