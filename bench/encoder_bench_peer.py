#!/usr/bin/python3
"""Python peer of bench/encoder_bench: the same checkpoint (config.json + model.safetensors that
encoder_bench saved) run by python3-torch eager, written the way Hugging Face's eager modeling
code runs it (F.linear / F.layer_norm / matmul + softmax attention), under torch.inference_mode().

  encoder_bench_peer.py --checkpoint DIR --shapes 1x128,32x256 --threads N --min_time S

Prints one JSON line per shape: {"batch", "seq", "best_ms", "median_ms", "iters", "logits"}
(per-forward latency; logits of the first row, so the C++ side can check both ran the same model). Input ids are the
deterministic pattern encoder_bench uses.
"""
import argparse
import json
import math
import os
import struct
import time

import torch
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        t = torch.frombuffer(bytearray(data[base + b: base + end]), dtype=DTYPES[e["dtype"]])
        out[name] = t.view(e["shape"]).float()
    return out


def bert(cfg, W, ids, mask):
    B, S = ids.shape
    H, E = cfg["num_attention_heads"], cfg["hidden_size"]
    D, eps = E // H, cfg["layer_norm_eps"]
    x = (F.embedding(ids, W["bert.embeddings.word_embeddings.weight"])
         + W["bert.embeddings.position_embeddings.weight"][:S]
         + W["bert.embeddings.token_type_embeddings.weight"][0])
    x = F.layer_norm(x, (E,), W["bert.embeddings.LayerNorm.weight"], W["bert.embeddings.LayerNorm.bias"], eps)
    bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    for i in range(cfg["num_hidden_layers"]):
        p = f"bert.encoder.layer.{i}."
        lin = lambda t, n: F.linear(t, W[p + n + ".weight"], W[p + n + ".bias"])
        split = lambda t: t.view(B, S, H, D).transpose(1, 2)
        q, k, v = (split(lin(x, "attention.self." + n)) for n in ("query", "key", "value"))
        probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D) + bias, -1)
        ctx = (probs @ v).transpose(1, 2).reshape(B, S, E)
        x = F.layer_norm(lin(ctx, "attention.output.dense") + x, (E,), W[p + "attention.output.LayerNorm.weight"],
                         W[p + "attention.output.LayerNorm.bias"], eps)
        h = lin(F.gelu(lin(x, "intermediate.dense")), "output.dense")
        x = F.layer_norm(h + x, (E,), W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"], eps)
    pooled = torch.tanh(F.linear(x[:, 0], W["bert.pooler.dense.weight"], W["bert.pooler.dense.bias"]))
    return F.linear(pooled, W["classifier.weight"], W["classifier.bias"])


def rotary(S, D, theta):
    inv = 1.0 / (theta ** (torch.arange(0, D, 2, dtype=torch.float32) / D))
    f = torch.outer(torch.arange(S, dtype=torch.float32), inv)
    emb = torch.cat([f, f], -1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    x1, x2 = x.chunk(2, -1)
    return torch.cat([-x2, x1], -1)


def modernbert(cfg, W, ids, mask):
    B, S = ids.shape
    H, E = cfg["num_attention_heads"], cfg["hidden_size"]
    D, eps = E // H, cfg["norm_eps"]
    ln = lambda t, n: F.layer_norm(t, (E,), W[n + ".weight"], W.get(n + ".bias"), eps)
    x = ln(F.embedding(ids, W["model.embeddings.tok_embeddings.weight"]), "model.embeddings.norm")
    fmin = torch.finfo(torch.float32).min
    gbias = torch.zeros(B, 1, S, S).masked_fill(mask[:, None, None, :] == 0, fmin)
    pos = torch.arange(S)
    lbias = gbias.masked_fill(((pos[None] - pos[:, None]).abs() > cfg["local_attention"] // 2)[None, None], fmin)
    gcs, lcs = rotary(S, D, cfg["global_rope_theta"]), rotary(S, D, cfg["local_rope_theta"])
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        glob = i % cfg["global_attn_every_n_layers"] == 0
        cos, sin = gcs if glob else lcs
        h = x if i == 0 else ln(x, p + "attn_norm")
        qkv = F.linear(h, W[p + "attn.Wqkv.weight"], W.get(p + "attn.Wqkv.bias")).view(B, S, 3, H, D)
        q, k, v = qkv.transpose(3, 1).unbind(dim=2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D) + (gbias if glob else lbias), -1)
        ctx = (probs @ v).transpose(1, 2).reshape(B, S, E)
        x = x + F.linear(ctx, W[p + "attn.Wo.weight"], W.get(p + "attn.Wo.bias"))
        a, g = F.linear(ln(x, p + "mlp_norm"), W[p + "mlp.Wi.weight"], W.get(p + "mlp.Wi.bias")).chunk(2, -1)
        x = x + F.linear(F.gelu(a) * g, W[p + "mlp.Wo.weight"], W.get(p + "mlp.Wo.bias"))
    x = ln(x, "model.final_norm")
    pooled = x[:, 0] if cfg.get("classifier_pooling", "cls") == "cls" else \
        (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
    pooled = ln(F.gelu(F.linear(pooled, W["head.dense.weight"], W.get("head.dense.bias"))), "head.norm")
    return F.linear(pooled, W["classifier.weight"], W["classifier.bias"])


def inputs(batch, seq):
    b = torch.arange(batch)[:, None]
    t = torch.arange(seq)[None, :]
    return 1000 + (b * 7919 + t * 104729) % 29000, torch.ones(batch, seq, dtype=torch.long)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--shapes", default="1x128")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--min_time", type=float, default=2.0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = json.load(open(os.path.join(args.checkpoint, "config.json")))
    W = load_safetensors(os.path.join(args.checkpoint, "model.safetensors"))
    forward = bert if cfg["model_type"] == "bert" else modernbert
    for shape in args.shapes.split(","):
        batch, seq = (int(v) for v in shape.split("x"))
        ids, mask = inputs(batch, seq)
        with torch.inference_mode():
            logits = forward(cfg, W, ids, mask)  # warm-up
            times, start = [], time.perf_counter()
            while True:
                t0 = time.perf_counter()
                forward(cfg, W, ids, mask)
                times.append(time.perf_counter() - t0)
                if (time.perf_counter() - start >= args.min_time and len(times) >= 3) or len(times) >= 50:
                    break
        times.sort()
        print(json.dumps({"batch": batch, "seq": seq, "best_ms": 1000.0 * times[0],
                          "median_ms": 1000.0 * times[len(times) // 2], "iters": len(times),
                          "logits": logits[0].tolist()}), flush=True)


if __name__ == "__main__":
    main()
