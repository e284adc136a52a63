#!/usr/bin/python3
"""Peer of bench/decode_bench.cc: the same Llama-shaped checkpoint run by a python3-torch eager
generation loop with a KV cache (one matrix-vector product per projection at batch 1; the
concurrent requests as one static, left-padded batch). Prints one JSON line of metrics.

Usage: decode_bench_peer.py MODEL_DIR THREADS PROMPT_LEN NEW_TOKENS CONCURRENT_SPEC
CONCURRENT_SPEC: "p1:n1,p2:n2,..." prompt length and new tokens of each concurrent request.
"""
import json
import math
import resource
import struct
import sys
import time

import torch


def load(model_dir):
    cfg = json.load(open(model_dir + "/config.json"))
    with open(model_dir + "/model.safetensors", "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    base = 8 + n
    W = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        assert meta["dtype"] == "F32"
        W[name] = torch.frombuffer(bytearray(data[base + a:base + b]), dtype=torch.float32).view(meta["shape"])
    return cfg, W


class Llama:
    def __init__(self, cfg, W):
        self.c = cfg
        self.h = cfg["hidden_size"]
        self.nh = cfg["num_attention_heads"]
        self.nkv = cfg["num_key_value_heads"]
        self.hd = self.h // self.nh
        self.L = cfg["num_hidden_layers"]
        self.eps = cfg["rms_norm_eps"]
        self.W = W
        self.embed = W["model.embed_tokens.weight"]
        self.head = W.get("lm_head.weight", self.embed)
        self.inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, self.hd, 2).float() / self.hd))
        self.layers = []
        for i in range(self.L):
            p = "model.layers.%d." % i
            g = lambda n: W[p + n]
            self.layers.append(dict(
                n1=g("input_layernorm.weight"), n2=g("post_attention_layernorm.weight"),
                qkv=torch.cat([g("self_attn.q_proj.weight"), g("self_attn.k_proj.weight"),
                               g("self_attn.v_proj.weight")]).contiguous(),
                o=g("self_attn.o_proj.weight"),
                gu=torch.cat([g("mlp.gate_proj.weight"), g("mlp.up_proj.weight")]).contiguous(),
                down=g("mlp.down_proj.weight")))
        self.norm = W["model.norm.weight"]

    def rms(self, x, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * w

    def rope(self, x, pos):  # x [B, H, T, D], pos [B, T]
        ang = pos[..., None].float() * self.inv
        cos = torch.cat([ang.cos(), ang.cos()], -1)[:, None]
        sin = torch.cat([ang.sin(), ang.sin()], -1)[:, None]
        d = self.hd // 2
        return x * cos + torch.cat([-x[..., d:], x[..., :d]], -1) * sin

    @staticmethod
    def proj(x, w):  # x [N, in]
        if x.shape[0] == 1:
            return torch.mv(w, x[0]).unsqueeze(0)
        return x @ w.t()

    def forward(self, ids, pos, cache, mask):
        """ids [B, T]; pos [B, T]; cache: per layer [k, v] [B, Hkv, S, D] (grown by cat);
        mask [B, T, S_total] additive. Returns logits of the last position [B, V]."""
        B, T = ids.shape
        x = self.embed[ids.reshape(-1)]
        G = self.nh // self.nkv
        for i, ly in enumerate(self.layers):
            hN = self.rms(x, ly["n1"])
            qkv = self.proj(hN, ly["qkv"])
            q, k, v = qkv.split([self.nh * self.hd, self.nkv * self.hd, self.nkv * self.hd], -1)
            q = q.view(B, T, self.nh, self.hd).transpose(1, 2)
            k = k.view(B, T, self.nkv, self.hd).transpose(1, 2)
            v = v.view(B, T, self.nkv, self.hd).transpose(1, 2)
            q, k = self.rope(q, pos), self.rope(k, pos)
            if cache[i] is None:
                cache[i] = [k, v]
            else:
                cache[i] = [torch.cat([cache[i][0], k], 2), torch.cat([cache[i][1], v], 2)]
            K, V = cache[i]
            S = K.shape[2]
            s = (q.reshape(B, self.nkv, G * T, self.hd) @ K.transpose(-1, -2)) / math.sqrt(self.hd)
            s = s.view(B, self.nkv, G, T, S) + mask[:, None, None]
            o = (torch.softmax(s, -1).view(B, self.nkv, G * T, S) @ V).view(B, self.nh, T, self.hd)
            o = o.transpose(1, 2).reshape(B * T, self.nh * self.hd)
            x = x + self.proj(o, ly["o"])
            gu = self.proj(self.rms(x, ly["n2"]), ly["gu"])
            I = gu.shape[1] // 2
            x = x + self.proj(torch.nn.functional.silu(gu[:, :I]) * gu[:, I:], ly["down"])
        x = x.view(B, T, -1)[:, -1]
        return self.proj(self.rms(x, self.norm), self.head)


def causal(T, pad):
    """Additive mask [B, T, T] for left-padded prompts (pad[b] leading pads)."""
    B = len(pad)
    m = torch.full((B, T, T), float("-inf"))
    for b in range(B):
        for i in range(pad[b], T):
            m[b, i, pad[b]:i + 1] = 0
        for i in range(pad[b]):
            m[b, i, i] = 0  # pads attend to themselves only (rows are never used)
    return m


def generate(model, prompts, new_tokens):
    """Static batch: left-pad, prefill once, decode max(new_tokens) steps for everyone."""
    B = len(prompts)
    T = max(len(p) for p in prompts)
    pad = [T - len(p) for p in prompts]
    ids = torch.tensor([[0] * pad[b] + prompts[b] for b in range(B)])
    pos = torch.tensor([[max(0, t - pad[b]) for t in range(T)] for b in range(B)])
    cache = [None] * model.L
    logits = model.forward(ids, pos, cache, causal(T, pad))
    key_ok = [[t >= pad[b] for t in range(T)] for b in range(B)]
    cur = pos[:, -1]
    for _ in range(max(new_tokens) - 1):
        nxt = logits.argmax(-1)
        cur = cur + 1
        for b in range(B):
            key_ok[b].append(True)
        mask = torch.tensor([[0.0 if ok else float("-inf") for ok in row] for row in key_ok])[:, None, :]
        logits = model.forward(nxt[:, None], cur[:, None], cache, mask)
    return logits


def main():
    model_dir, threads, prompt_len, new_tokens, spec = sys.argv[1:6]
    torch.set_num_threads(int(threads))
    prompt_len, new_tokens = int(prompt_len), int(new_tokens)
    cfg, W = load(model_dir)
    model = Llama(cfg, W)
    g = torch.Generator().manual_seed(0)
    V = cfg["vocab_size"]
    out = {}
    with torch.no_grad():
        prompt = torch.randint(0, V, (prompt_len,), generator=g).tolist()
        best = 1e9
        for _ in range(3):
            t0 = time.perf_counter()
            model.forward(torch.tensor([prompt]), torch.arange(prompt_len)[None], [None] * model.L,
                          causal(prompt_len, [0]))
            best = min(best, time.perf_counter() - t0)
        out["prefill_tok_s"] = prompt_len / best
        # Batch-1 decode: one token per step through the cache.
        cache = [None] * model.L
        logits = model.forward(torch.tensor([prompt]), torch.arange(prompt_len)[None], cache, causal(prompt_len, [0]))
        t0 = time.perf_counter()
        for i in range(new_tokens):
            nxt = int(logits[0].argmax())
            S = prompt_len + i + 1
            logits = model.forward(torch.tensor([[nxt]]), torch.tensor([[S - 1]]), cache, torch.zeros(1, 1, S))
        out["decode_b1_tok_s"] = new_tokens / (time.perf_counter() - t0)
        reqs = [tuple(map(int, r.split(":"))) for r in spec.split(",")]
        prompts = [torch.randint(0, V, (p,), generator=g).tolist() for p, _ in reqs]
        t0 = time.perf_counter()
        generate(model, prompts, [n for _, n in reqs])
        wall = time.perf_counter() - t0
        out["concurrent_tok_s"] = sum(n for _, n in reqs) / wall
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
