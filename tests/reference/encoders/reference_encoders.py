#!/usr/bin/python3
"""Reference forward passes for MOM's encoder classifiers, written independently of MOM's C++
code and of Hugging Face transformers (not installed), in plain torch, from the published
architectures:

  * BERT (Devlin et al. 2019) as BertForSequenceClassification: word + absolute position +
    token-type embeddings -> LayerNorm; post-norm layers (self-attention -> dense -> LN(x + .),
    dense -> gelu -> dense -> LN(x + .)); pooler tanh(dense(h[CLS])); linear classifier.
  * ModernBERT (Warner et al. 2024) as ModernBertForSequenceClassification: token embeddings ->
    LayerNorm (no positions); pre-norm layers, the first without attention norm; rotary attention
    where every global_attn_every_n_layers-th layer (0, N, 2N, ...) is global with
    global_rope_theta and the others see only keys within local_attention/2 positions with
    local_rope_theta; GeGLU MLP (Wi -> halves -> gelu(a) * b -> Wo); final LayerNorm; CLS or
    mean pooling over real tokens; head = LN(gelu(dense(.))); linear classifier.

It builds tiny random checkpoints in the Hugging Face layout (config.json + model.safetensors,
the safetensors bytes written by hand: u64 header length + JSON header + raw data), runs a padded
batch whose longest sequence exceeds the local window, and writes the expected logits.

Run from the repository root:  /usr/bin/python3 tests/reference/encoders/reference_encoders.py
It rewrites tests/reference/encoders/<case>/{config.json,model.safetensors,expected.json}.
"""
import json
import math
import os
import struct

import torch

OUT = os.path.dirname(os.path.abspath(__file__))
FMIN = torch.finfo(torch.float32).min


# ---------------------------------------------------------------- safetensors writing (by hand)
DTYPE_NAMES = {torch.float32: "F32", torch.bfloat16: "BF16", torch.float16: "F16"}


def write_safetensors(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        raw = t.view(torch.uint8).numpy().tobytes() if t.dtype != torch.float32 else t.numpy().tobytes()
        header[name] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


# ---------------------------------------------------------------- shared pieces
def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    y = (x - mean) / torch.sqrt(var + eps) * w
    return y + b if b is not None else y


def gelu(x):  # exact (erf) GELU, Hugging Face's "gelu"
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def linear(x, w, b):
    y = x @ w.t()
    return y + b if b is not None else y


def attention(q, k, v, bias):
    """q, k, v: [B, H, S, D]; bias additive, broadcastable to [B, H, S, S]."""
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + bias
    return torch.softmax(scores, dim=-1) @ v


# ---------------------------------------------------------------- BERT
def bert_forward(cfg, W, ids, mask):
    B, S = ids.shape
    H, E = cfg["num_attention_heads"], cfg["hidden_size"]
    D, eps = E // H, cfg["layer_norm_eps"]
    p = "bert."
    x = (W[p + "embeddings.word_embeddings.weight"][ids]
         + W[p + "embeddings.position_embeddings.weight"][:S][None]
         + W[p + "embeddings.token_type_embeddings.weight"][0][None, None])
    x = layer_norm(x, W[p + "embeddings.LayerNorm.weight"], W[p + "embeddings.LayerNorm.bias"], eps)
    bias = (1.0 - mask[:, None, None, :].float()) * FMIN
    for i in range(cfg["num_hidden_layers"]):
        L = f"{p}encoder.layer.{i}."
        heads = lambda t: t.view(B, S, H, D).transpose(1, 2)
        q = heads(linear(x, W[L + "attention.self.query.weight"], W[L + "attention.self.query.bias"]))
        k = heads(linear(x, W[L + "attention.self.key.weight"], W[L + "attention.self.key.bias"]))
        v = heads(linear(x, W[L + "attention.self.value.weight"], W[L + "attention.self.value.bias"]))
        ctx = attention(q, k, v, bias).transpose(1, 2).reshape(B, S, E)
        a = linear(ctx, W[L + "attention.output.dense.weight"], W[L + "attention.output.dense.bias"])
        x = layer_norm(a + x, W[L + "attention.output.LayerNorm.weight"], W[L + "attention.output.LayerNorm.bias"], eps)
        h = gelu(linear(x, W[L + "intermediate.dense.weight"], W[L + "intermediate.dense.bias"]))
        h = linear(h, W[L + "output.dense.weight"], W[L + "output.dense.bias"])
        x = layer_norm(h + x, W[L + "output.LayerNorm.weight"], W[L + "output.LayerNorm.bias"], eps)
    pooled = torch.tanh(linear(x[:, 0], W[p + "pooler.dense.weight"], W[p + "pooler.dense.bias"]))
    return linear(pooled, W["classifier.weight"], W["classifier.bias"])


def bert_weights(cfg, g):
    E, I, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    n = lambda *s: torch.randn(*s, generator=g) * 0.2
    ln = lambda: (1.0 + torch.randn(E, generator=g) * 0.1, torch.randn(E, generator=g) * 0.1)
    W = {}
    W["bert.embeddings.word_embeddings.weight"] = n(V, E)
    W["bert.embeddings.position_embeddings.weight"] = n(cfg["max_position_embeddings"], E)
    W["bert.embeddings.token_type_embeddings.weight"] = n(cfg["type_vocab_size"], E)
    W["bert.embeddings.LayerNorm.weight"], W["bert.embeddings.LayerNorm.bias"] = ln()
    for i in range(cfg["num_hidden_layers"]):
        L = f"bert.encoder.layer.{i}."
        for m in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
            W[L + m + ".weight"], W[L + m + ".bias"] = n(E, E), n(E)
        W[L + "attention.output.LayerNorm.weight"], W[L + "attention.output.LayerNorm.bias"] = ln()
        W[L + "intermediate.dense.weight"], W[L + "intermediate.dense.bias"] = n(I, E), n(I)
        W[L + "output.dense.weight"], W[L + "output.dense.bias"] = n(E, I), n(E)
        W[L + "output.LayerNorm.weight"], W[L + "output.LayerNorm.bias"] = ln()
    W["bert.pooler.dense.weight"], W["bert.pooler.dense.bias"] = n(E, E), n(E)
    W["classifier.weight"], W["classifier.bias"] = n(len(cfg["id2label"]), E), n(len(cfg["id2label"]))
    return W


# ---------------------------------------------------------------- ModernBERT
def rope(x, theta):
    """Rotary embedding over the last dim of x [B, H, S, D], positions 0..S-1, half-split pairing
    (dimension j rotates with j + D/2), frequencies theta^(-2j/D)."""
    S, D = x.shape[-2], x.shape[-1]
    inv = 1.0 / (theta ** (torch.arange(0, D, 2, dtype=torch.float64) / D))
    ang = torch.arange(S, dtype=torch.float64)[:, None] * inv[None]
    cos, sin = torch.cos(ang).float(), torch.sin(ang).float()
    x1, x2 = x[..., : D // 2], x[..., D // 2:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


def modernbert_forward(cfg, W, ids, mask):
    B, S = ids.shape
    H, E = cfg["num_attention_heads"], cfg["hidden_size"]
    D, eps = E // H, cfg["norm_eps"]
    get = lambda name: W.get(name)  # absent biases are None
    norm = lambda x, name: layer_norm(x, W[name + ".weight"], get(name + ".bias"), eps)
    x = norm(W["model.embeddings.tok_embeddings.weight"][ids], "model.embeddings.norm")
    key_pad = (mask[:, None, None, :] == 0)                        # [B,1,1,S]
    pos = torch.arange(S)
    far = (pos[None, :] - pos[:, None]).abs() > cfg["local_attention"] // 2  # [S,S]
    global_bias = torch.zeros(B, 1, S, S).masked_fill(key_pad, FMIN)
    local_bias = global_bias.masked_fill(far[None, None], FMIN)
    for i in range(cfg["num_hidden_layers"]):
        L = f"model.layers.{i}."
        is_global = i % cfg["global_attn_every_n_layers"] == 0
        h = x if i == 0 else norm(x, L + "attn_norm")
        qkv = linear(h, W[L + "attn.Wqkv.weight"], get(L + "attn.Wqkv.bias")).view(B, S, 3, H, D)
        q, k, v = (qkv[:, :, j].transpose(1, 2) for j in range(3))
        theta = cfg["global_rope_theta"] if is_global else cfg["local_rope_theta"]
        q, k = rope(q, theta), rope(k, theta)
        ctx = attention(q, k, v, global_bias if is_global else local_bias).transpose(1, 2).reshape(B, S, E)
        x = x + linear(ctx, W[L + "attn.Wo.weight"], get(L + "attn.Wo.bias"))
        h = norm(x, L + "mlp_norm")
        u = linear(h, W[L + "mlp.Wi.weight"], get(L + "mlp.Wi.bias"))
        a, gate = u[..., : cfg["intermediate_size"]], u[..., cfg["intermediate_size"]:]
        x = x + linear(gelu(a) * gate, W[L + "mlp.Wo.weight"], get(L + "mlp.Wo.bias"))
    x = norm(x, "model.final_norm")
    if cfg["classifier_pooling"] == "mean":
        m = mask[:, :, None].float()
        pooled = (x * m).sum(1) / m.sum(1)
    else:
        pooled = x[:, 0]
    pooled = norm(gelu(linear(pooled, W["head.dense.weight"], get("head.dense.bias"))), "head.norm")
    return linear(pooled, W["classifier.weight"], W["classifier.bias"])


def modernbert_weights(cfg, g):
    E, I, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    n = lambda *s: torch.randn(*s, generator=g) * 0.2
    W = {}

    def norm(name, bias):
        W[name + ".weight"] = 1.0 + torch.randn(E, generator=g) * 0.1
        if bias:
            W[name + ".bias"] = torch.randn(E, generator=g) * 0.1

    def lin(name, out_dim, in_dim, bias):
        W[name + ".weight"] = n(out_dim, in_dim)
        if bias:
            W[name + ".bias"] = n(out_dim)

    W["model.embeddings.tok_embeddings.weight"] = n(V, E)
    norm("model.embeddings.norm", cfg["norm_bias"])
    for i in range(cfg["num_hidden_layers"]):
        L = f"model.layers.{i}."
        if i != 0:
            norm(L + "attn_norm", cfg["norm_bias"])
        lin(L + "attn.Wqkv", 3 * E, E, cfg["attention_bias"])
        lin(L + "attn.Wo", E, E, cfg["attention_bias"])
        norm(L + "mlp_norm", cfg["norm_bias"])
        lin(L + "mlp.Wi", 2 * I, E, cfg["mlp_bias"])
        lin(L + "mlp.Wo", E, I, cfg["mlp_bias"])
    norm("model.final_norm", cfg["norm_bias"])
    lin("head.dense", E, E, cfg["classifier_bias"])
    norm("head.norm", cfg["norm_bias"])
    lin("classifier", len(cfg["id2label"]), E, True)
    return W


# ---------------------------------------------------------------- cases
def labels(n):
    return {str(i): f"model_{i}" for i in range(n)}, {f"model_{i}": i for i in range(n)}


def inputs(g, vocab, lengths, cls_id=1, sep_id=2, pad_id=0):
    S = max(lengths)
    ids = torch.full((len(lengths), S), pad_id, dtype=torch.long)
    mask = torch.zeros(len(lengths), S, dtype=torch.long)
    for b, n in enumerate(lengths):
        body = torch.randint(3, vocab, (n - 2,), generator=g)
        ids[b, :n] = torch.cat([torch.tensor([cls_id]), body, torch.tensor([sep_id])])
        mask[b, :n] = 1
    return ids, mask


def run_case(name, cfg, make_weights, forward, store_dtype, lengths, seed):
    g = torch.Generator().manual_seed(seed)
    W = make_weights(cfg, g)
    # Store in `store_dtype`; compute with exactly the stored values upcast to fp32.
    stored = {k: v.to(store_dtype) for k, v in W.items()}
    W = {k: v.float() for k, v in stored.items()}
    ids, mask = inputs(g, cfg["vocab_size"], lengths)
    with torch.no_grad():
        logits = forward(cfg, W, ids, mask)
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    write_safetensors(os.path.join(d, "model.safetensors"), stored)
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump({"input_ids": ids.tolist(), "attention_mask": mask.tolist(),
                   "logits": [[float(v) for v in row] for row in logits]}, f)
    print(name, "logits", logits.tolist())


def main():
    torch.set_grad_enabled(False)
    id2label, label2id = labels(3)
    bert = {"architectures": ["BertForSequenceClassification"], "model_type": "bert",
            "vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
            "intermediate_size": 64, "hidden_act": "gelu", "max_position_embeddings": 64,
            "type_vocab_size": 2, "layer_norm_eps": 1e-12, "pad_token_id": 0,
            "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
            "id2label": id2label, "label2id": label2id}
    run_case("bert_tiny", bert, bert_weights, bert_forward, torch.float32, [20, 7, 13], seed=1)

    modern = {"architectures": ["ModernBertForSequenceClassification"], "model_type": "modernbert",
              "vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 4, "num_attention_heads": 2,
              "intermediate_size": 48, "hidden_activation": "gelu", "max_position_embeddings": 128,
              "norm_eps": 1e-5, "norm_bias": False, "attention_bias": False, "mlp_bias": False,
              "classifier_bias": False, "classifier_activation": "gelu", "classifier_pooling": "cls",
              "local_attention": 8, "global_attn_every_n_layers": 3, "global_rope_theta": 160000.0,
              "local_rope_theta": 10000.0, "pad_token_id": 0, "cls_token_id": 1, "sep_token_id": 2,
              "id2label": id2label, "label2id": label2id}
    # Longest sequence 21 > the local window (8), padded rows of lengths 6 and 14.
    run_case("modernbert_tiny_cls", modern, modernbert_weights, modernbert_forward, torch.float32,
             [21, 6, 14], seed=2)
    mean = dict(modern, classifier_pooling="mean", norm_bias=True, attention_bias=True, mlp_bias=True,
                classifier_bias=True, global_attn_every_n_layers=2, local_rope_theta=500.0)
    # bf16 storage exercises MOM's upcast on load.
    run_case("modernbert_tiny_mean_bf16", mean, modernbert_weights, modernbert_forward, torch.bfloat16,
             [19, 5, 11], seed=3)


if __name__ == "__main__":
    main()
