#!/usr/bin/python3
"""Independent reference for MOM's decoder: tiny random checkpoints of every supported family in the
real Hugging Face layout, plus the logits / greedy generations / scoring log-probabilities that a
plain-torch forward pass (float64, no KV cache, written from the published architectures) gives.

Run:  /usr/bin/python3 tests/reference/decoders/reference_decoders.py [OUT_DIR]
(default OUT_DIR: tests/reference/decoders/data). Deterministic: same torch => same bytes.

Per family OUT_DIR/<family>/ holds config.json, model.safetensors (llama2: two shards + index),
tokenizer.json (a tiny byte-level BPE shared by all families), tokenizer_config.json (chat template,
bos/eos), generation_config.json, and expected.safetensors + expected.json with the vectors.

Every family feature is checked to matter: the script recomputes the logits with the feature turned
off (window, soft-caps, rope scaling, q/k norm, biases, norm offset, ...) and asserts they change.
Nothing here uses transformers; the safetensors bytes are written by hand.
"""
import json
import math
import os
import struct
import sys

import torch

VOCAB = 288          # model vocab: 256 bytes + 12 merges + 18 specials + 2 unused rows
N_DECODE = 8         # greedy steps recorded

# ----------------------------------------------------------------------------------------------
# tiny byte-level BPE tokenizer (GPT-2 byte mapping) shared by all families
# ----------------------------------------------------------------------------------------------

def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


MERGES = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("i", "n"), ("Ġ", "a"), ("e", "r"), ("o", "n"),
          ("Ġ", "s"), ("r", "e"), ("a", "t"), ("Ġ", "w"), ("o", "u")]
SPECIALS = ["<s>", "</s>", "<|begin_of_text|>", "<|eot_id|>", "<|start_header_id|>",
            "<|end_header_id|>", "<|im_start|>", "<|im_end|>", "<bos>", "<eos>", "<start_of_turn>",
            "<end_of_turn>", "<|user|>", "<|assistant|>", "<|end|>", "<|system|>", "<|endoftext|>",
            "<pad>"]


def tokenizer_json():
    b2u = bytes_to_unicode()
    vocab = {b2u[b]: b for b in range(256)}
    for a, b in MERGES:
        vocab[a + b] = len(vocab)
    added = []
    for s in SPECIALS:
        added.append({"id": len(vocab), "content": s, "single_word": False, "lstrip": False,
                      "rstrip": False, "normalized": False, "special": True})
        vocab[s] = len(vocab)
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                          "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False,
                           "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                    "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": None, "end_of_word_suffix": None, "fuse_unk": False,
                  "byte_fallback": False, "ignore_merges": False, "vocab": vocab,
                  "merges": [a + " " + b for a, b in MERGES]},
    }


def special_id(token):
    return 256 + len(MERGES) + SPECIALS.index(token)


# Chat templates as the real models ship them (abridged to the parts MOM's formatters implement).
TEMPLATES = {
    "llama3": "{{- bos_token }}{%- for message in messages %}{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}{%- endfor %}{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}",
    "llama2": "{% if messages[0]['role'] == 'system' %}{% set system_message = '<<SYS>>\\n' + messages[0]['content'] | trim + '\\n<</SYS>>\\n\\n' %}{% endif %}{% for message in messages %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + message['content'] | trim + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] | trim + ' ' + eos_token }}{% endif %}{% endfor %}",
    "mistral": "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + '[/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] + eos_token}}{% endif %}{% endfor %}",
    "chatml": "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
    "gemma": "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}",
    "phi3": "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\\n' + message['content'] + '<|end|>\\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\\n' + message['content'] + '<|end|>\\n'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\\n' + message['content'] + '<|end|>\\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}",
}

# ----------------------------------------------------------------------------------------------
# tiny configurations, one per family; every family feature is switched on and made to matter
# ----------------------------------------------------------------------------------------------

def base(arch, model_type, **kw):
    cfg = {"architectures": [arch], "model_type": model_type, "vocab_size": VOCAB,
           "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
           "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 64,
           "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "hidden_act": "silu",
           "tie_word_embeddings": False, "torch_dtype": "float32"}
    cfg.update(kw)
    return cfg


FAMILIES = {
    # Llama 3.x: llama3 rope scaling (original context 16 < tested positions), GQA, tied embeddings
    "llama3": dict(
        config=base("LlamaForCausalLM", "llama", tie_word_embeddings=True, rope_theta=500.0,
                    rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                  "high_freq_factor": 4.0,
                                  "original_max_position_embeddings": 16},
                    bos_token_id=special_id("<|begin_of_text|>"),
                    eos_token_id=[special_id("<|eot_id|>"), special_id("<|endoftext|>")]),
        template="llama3", bos="<|begin_of_text|>", eos="<|eot_id|>", add_bos=True),
    # Llama 2 style: MHA, untied head, two shards + index, fp16 storage
    "llama2": dict(
        config=base("LlamaForCausalLM", "llama", num_key_value_heads=4, torch_dtype="float16",
                    bos_token_id=special_id("<s>"), eos_token_id=special_id("</s>")),
        template="llama2", bos="<s>", eos="</s>", add_bos=True, shards=2, dtype=torch.float16),
    # Mistral: sliding window 5 < the 13-token prompt
    "mistral": dict(
        config=base("MistralForCausalLM", "mistral", sliding_window=5, head_dim=8,
                    bos_token_id=special_id("<s>"), eos_token_id=special_id("</s>")),
        template="mistral", bos="<s>", eos="</s>", add_bos=True),
    # Qwen2/2.5: q/k/v biases, tied embeddings, ChatML
    "qwen2": dict(
        config=base("Qwen2ForCausalLM", "qwen2", tie_word_embeddings=True, rope_theta=1000000.0,
                    use_sliding_window=False, sliding_window=4, max_window_layers=2,
                    rms_norm_eps=1e-6, bos_token_id=special_id("<|endoftext|>"),
                    eos_token_id=special_id("<|im_end|>")),
        template="chatml", bos=None, eos="<|im_end|>", add_bos=False),
    # Qwen3: q/k RMSNorm per head, head_dim 16 != hidden / heads, no bias
    "qwen3": dict(
        config=base("Qwen3ForCausalLM", "qwen3", head_dim=16, attention_bias=False,
                    rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=True,
                    bos_token_id=special_id("<|endoftext|>"),
                    eos_token_id=special_id("<|im_end|>")),
        template="chatml", bos=None, eos="<|im_end|>", add_bos=False),
    # Gemma 2: (1+w) norms, sqrt(hidden) embedding scale, attention + final soft-caps,
    # even layers sliding (window 4), pre/post feed-forward norms, query_pre_attn_scalar, gelu-tanh,
    # bf16 storage
    "gemma2": dict(
        config=base("Gemma2ForCausalLM", "gemma2", head_dim=16, num_hidden_layers=3,
                    hidden_act="gelu_pytorch_tanh", hidden_activation="gelu_pytorch_tanh",
                    query_pre_attn_scalar=24, sliding_window=4, attn_logit_softcapping=1.5,
                    final_logit_softcapping=2.0, tie_word_embeddings=True, rms_norm_eps=1e-6,
                    torch_dtype="bfloat16", bos_token_id=special_id("<bos>"),
                    eos_token_id=[special_id("<eos>"), special_id("<end_of_turn>")]),
        template="gemma", bos="<bos>", eos="<eos>", add_bos=True, dtype=torch.bfloat16),
    # Gemma 3 text: q/k norm (1+w), local (10000) / global (1e6, linear x4 scaling) rope,
    # sliding_window_pattern 3 -> layers 0,1 local, layer 2 global
    "gemma3": dict(
        config=base("Gemma3ForCausalLM", "gemma3_text", head_dim=16, num_hidden_layers=3,
                    hidden_activation="gelu_pytorch_tanh", query_pre_attn_scalar=12,
                    sliding_window=4, sliding_window_pattern=3, rope_theta=1000000.0,
                    rope_local_base_freq=10000.0, rope_scaling={"rope_type": "linear", "factor": 4.0},
                    attn_logit_softcapping=None, final_logit_softcapping=None,
                    tie_word_embeddings=True, rms_norm_eps=1e-6,
                    bos_token_id=special_id("<bos>"),
                    eos_token_id=[special_id("<eos>"), special_id("<end_of_turn>")]),
        template="gemma", bos="<bos>", eos="<eos>", add_bos=True),
    # Phi-3: fused qkv_proj and gate_up_proj, sliding window 6
    "phi3": dict(
        config=base("Phi3ForCausalLM", "phi3", num_key_value_heads=4, sliding_window=6,
                    bos_token_id=special_id("<s>"),
                    eos_token_id=[special_id("<|endoftext|>"), special_id("<|end|>")]),
        template="phi3", bos="<s>", eos="<|endoftext|>", add_bos=False),
}

# ----------------------------------------------------------------------------------------------
# the architecture, read from config.json the way the published models define it
# ----------------------------------------------------------------------------------------------

class Arch:
    def __init__(self, cfg):
        self.cfg = cfg
        t = cfg["model_type"]
        self.type = t
        self.gemma = t in ("gemma2", "gemma3_text")
        self.h = cfg["hidden_size"]
        self.nh = cfg["num_attention_heads"]
        self.nkv = cfg.get("num_key_value_heads") or self.nh
        self.hd = cfg.get("head_dim") or self.h // self.nh
        self.L = cfg["num_hidden_layers"]
        self.eps = cfg["rms_norm_eps"]
        self.act = cfg.get("hidden_activation") or cfg.get("hidden_act", "silu")
        self.qk_norm = t in ("qwen3", "gemma3_text")
        self.bias = t == "qwen2" or bool(cfg.get("attention_bias", False))
        self.fused = t == "phi3"
        self.tied = cfg.get("tie_word_embeddings", False)
        self.attn_cap = cfg.get("attn_logit_softcapping") if t == "gemma2" else None
        self.final_cap = cfg.get("final_logit_softcapping") if self.gemma else None
        if self.gemma:
            self.scale = cfg["query_pre_attn_scalar"] ** -0.5
        else:
            self.scale = self.hd ** -0.5

    def window(self, i):
        c, t = self.cfg, self.type
        if t == "gemma2":
            return c["sliding_window"] if i % 2 == 0 else None
        if t == "gemma3_text":
            return c["sliding_window"] if (i + 1) % c["sliding_window_pattern"] != 0 else None
        if t == "qwen2":
            return c["sliding_window"] if c.get("use_sliding_window") and i >= c["max_window_layers"] else None
        return c.get("sliding_window")

    def inv_freq(self, i):
        c = self.cfg
        theta, scaling = c["rope_theta"], c.get("rope_scaling")
        if self.type == "gemma3_text" and self.window(i) is not None:
            theta, scaling = c["rope_local_base_freq"], None
        d = self.hd
        inv = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
        if not scaling:
            return inv
        kind = scaling.get("rope_type", scaling.get("type"))
        if kind == "linear":
            return inv / scaling["factor"]
        assert kind == "llama3"
        f, lo, hi = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
        old = scaling["original_max_position_embeddings"]
        out = []
        for x in inv.tolist():
            wavelen = 2 * math.pi / x
            if wavelen < old / hi:
                out.append(x)
            elif wavelen > old / lo:
                out.append(x / f)
            else:
                s = (old / wavelen - lo) / (hi - lo)
                out.append((1 - s) * x / f + s * x)
        return torch.tensor(out, dtype=torch.float64)


def norm(x, w, eps, gemma):
    y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
    return y * ((1.0 + w) if gemma else w)


def act(x, name):
    if name == "silu":
        return x * torch.sigmoid(x)
    assert name in ("gelu_pytorch_tanh", "gelu_tanh")
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def rope(x, inv):  # x [H, T, D]; positions 0..T-1, HF's rotate-half layout
    T, D = x.shape[1], x.shape[2]
    ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]
    cos = torch.cat([ang.cos(), ang.cos()], -1)
    sin = torch.cat([ang.sin(), ang.sin()], -1)
    rot = torch.cat([-x[..., D // 2:], x[..., :D // 2]], -1)
    return x * cos + rot * sin


def forward(arch, W, ids):
    """Logits [T, V] (float64) of the whole sequence `ids`, no cache."""
    a = arch
    g = lambda n: W[n].double()
    T = len(ids)
    x = g("model.embed_tokens.weight")[torch.tensor(ids)]
    if a.gemma:
        x = x * math.sqrt(a.h)
    for i in range(a.L):
        p = "model.layers.%d." % i
        hN = norm(x, g(p + "input_layernorm.weight"), a.eps, a.gemma)
        if a.fused:
            qkv = hN @ g(p + "self_attn.qkv_proj.weight").T
            q, k, v = qkv.split([a.nh * a.hd, a.nkv * a.hd, a.nkv * a.hd], -1)
        else:
            q = hN @ g(p + "self_attn.q_proj.weight").T
            k = hN @ g(p + "self_attn.k_proj.weight").T
            v = hN @ g(p + "self_attn.v_proj.weight").T
            if a.bias:
                q = q + g(p + "self_attn.q_proj.bias")
                k = k + g(p + "self_attn.k_proj.bias")
                v = v + g(p + "self_attn.v_proj.bias")
        q = q.view(T, a.nh, a.hd).transpose(0, 1)
        k = k.view(T, a.nkv, a.hd).transpose(0, 1)
        v = v.view(T, a.nkv, a.hd).transpose(0, 1)
        if a.qk_norm:
            q = norm(q, g(p + "self_attn.q_norm.weight"), a.eps, a.gemma)
            k = norm(k, g(p + "self_attn.k_norm.weight"), a.eps, a.gemma)
        inv = a.inv_freq(i)
        q, k = rope(q, inv), rope(k, inv)
        rep = a.nh // a.nkv
        k = k.repeat_interleave(rep, 0)
        v = v.repeat_interleave(rep, 0)
        s = (q @ k.transpose(1, 2)) * a.scale
        if a.attn_cap:
            s = torch.tanh(s / a.attn_cap) * a.attn_cap
        qi = torch.arange(T)[:, None]
        kj = torch.arange(T)[None, :]
        ok = kj <= qi
        w = a.window(i)
        if w is not None:
            ok = ok & (qi - kj < w)
        s = s.masked_fill(~ok, float("-inf"))
        o = torch.softmax(s, -1) @ v
        o = o.transpose(0, 1).reshape(T, a.nh * a.hd) @ g(p + "self_attn.o_proj.weight").T
        if a.gemma:
            o = norm(o, g(p + "post_attention_layernorm.weight"), a.eps, True)
            x = x + o
            hN = norm(x, g(p + "pre_feedforward_layernorm.weight"), a.eps, True)
        else:
            x = x + o
            hN = norm(x, g(p + "post_attention_layernorm.weight"), a.eps, False)
        if a.fused:
            gu = hN @ g(p + "mlp.gate_up_proj.weight").T
            gate, up = gu.chunk(2, -1)
        else:
            gate = hN @ g(p + "mlp.gate_proj.weight").T
            up = hN @ g(p + "mlp.up_proj.weight").T
        m = (act(gate, a.act) * up) @ g(p + "mlp.down_proj.weight").T
        if a.gemma:
            m = norm(m, g(p + "post_feedforward_layernorm.weight"), a.eps, True)
        x = x + m
    x = norm(x, g("model.norm.weight"), a.eps, a.gemma)
    head = g("model.embed_tokens.weight") if a.tied else g("lm_head.weight")
    logits = x @ head.T
    if a.final_cap:
        logits = torch.tanh(logits / a.final_cap) * a.final_cap
    return logits

# ----------------------------------------------------------------------------------------------
# random weights and the HF files
# ----------------------------------------------------------------------------------------------

def make_weights(arch, gen, dtype):
    a = arch
    W = {}
    r = lambda *shape, s=0.2: (torch.randn(*shape, generator=gen, dtype=torch.float64) * s)
    nw = lambda n: r(n, s=0.1) if a.gemma else 1.0 + r(n, s=0.1)
    W["model.embed_tokens.weight"] = r(VOCAB, a.h, s=0.5 if not a.gemma else 0.2)
    for i in range(a.L):
        p = "model.layers.%d." % i
        W[p + "input_layernorm.weight"] = nw(a.h)
        W[p + "post_attention_layernorm.weight"] = nw(a.h)
        if a.gemma:
            W[p + "pre_feedforward_layernorm.weight"] = nw(a.h)
            W[p + "post_feedforward_layernorm.weight"] = nw(a.h)
        qd, kd = a.nh * a.hd, a.nkv * a.hd
        if a.fused:
            W[p + "self_attn.qkv_proj.weight"] = r(qd + 2 * kd, a.h)
            W[p + "mlp.gate_up_proj.weight"] = r(2 * a.cfg["intermediate_size"], a.h)
        else:
            W[p + "self_attn.q_proj.weight"] = r(qd, a.h)
            W[p + "self_attn.k_proj.weight"] = r(kd, a.h)
            W[p + "self_attn.v_proj.weight"] = r(kd, a.h)
            W[p + "mlp.gate_proj.weight"] = r(a.cfg["intermediate_size"], a.h)
            W[p + "mlp.up_proj.weight"] = r(a.cfg["intermediate_size"], a.h)
        if a.bias:
            W[p + "self_attn.q_proj.bias"] = r(qd, s=0.5)
            W[p + "self_attn.k_proj.bias"] = r(kd, s=0.5)
            W[p + "self_attn.v_proj.bias"] = r(kd, s=0.5)
        if a.qk_norm:
            W[p + "self_attn.q_norm.weight"] = nw(a.hd)
            W[p + "self_attn.k_norm.weight"] = nw(a.hd)
        W[p + "self_attn.o_proj.weight"] = r(a.h, qd)
        W[p + "mlp.down_proj.weight"] = r(a.h, a.cfg["intermediate_size"], s=0.15)
    W["model.norm.weight"] = nw(a.h)
    if not a.tied:
        W["lm_head.weight"] = r(VOCAB, a.h)
    # stored dtype; the reference computes with exactly the stored values
    return {n: t.to(dtype) for n, t in W.items()}


ST_DTYPE = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
            torch.int64: "I64", torch.float64: "F64"}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bf16: reinterpret as int16
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def write_safetensors(path, tensors, metadata=None):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name]
        b = tensor_bytes(t)
        header[name] = {"dtype": ST_DTYPE[t.dtype], "shape": list(t.shape),
                        "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, ensure_ascii=False)
        f.write("\n")


def write_model(dirname, fam, W):
    os.makedirs(dirname, exist_ok=True)
    cfg = fam["config"]
    write_json(os.path.join(dirname, "config.json"), cfg)
    shards = fam.get("shards", 1)
    names = sorted(W)
    if shards == 1:
        write_safetensors(os.path.join(dirname, "model.safetensors"), W, {"format": "pt"})
    else:
        weight_map = {}
        per = (len(names) + shards - 1) // shards
        for s in range(shards):
            fn = "model-%05d-of-%05d.safetensors" % (s + 1, shards)
            part = {n: W[n] for n in names[s * per:(s + 1) * per]}
            write_safetensors(os.path.join(dirname, fn), part, {"format": "pt"})
            weight_map.update({n: fn for n in part})
        total = sum(t.numel() * t.element_size() for t in W.values())
        write_json(os.path.join(dirname, "model.safetensors.index.json"),
                   {"metadata": {"total_size": total}, "weight_map": weight_map})
    write_json(os.path.join(dirname, "tokenizer.json"), tokenizer_json())
    tc = {"chat_template": TEMPLATES[fam["template"]], "add_bos_token": fam["add_bos"],
          "bos_token": fam["bos"], "eos_token": fam["eos"], "pad_token": "<pad>",
          "model_max_length": cfg["max_position_embeddings"]}
    write_json(os.path.join(dirname, "tokenizer_config.json"), tc)
    eos = cfg["eos_token_id"]
    write_json(os.path.join(dirname, "generation_config.json"),
               {"bos_token_id": cfg["bos_token_id"], "eos_token_id": eos})

# ----------------------------------------------------------------------------------------------
# vectors
# ----------------------------------------------------------------------------------------------

def greedy(arch, W, prompt, n):
    ids, steps = list(prompt), []
    for _ in range(n):
        logits = forward(arch, W, ids)[-1]
        top2 = torch.topk(logits, 2).values
        assert float(top2[0] - top2[1]) > 1e-3, "greedy near-tie: pick another seed"
        steps.append(logits)
        ids.append(int(torch.argmax(logits)))
    return ids[len(prompt):], torch.stack(steps)


def score(arch, W, context, continuation):
    ids = context + continuation
    lp = torch.log_softmax(forward(arch, W, ids), -1)
    total, is_greedy = 0.0, True
    for k, tok in enumerate(continuation):
        row = lp[len(context) + k - 1]
        total += float(row[tok])
        is_greedy &= int(torch.argmax(row)) == tok
    return total, is_greedy


def feature_checks(name, fam, W, prompt):
    """Each feature changes the logits: turning it off moves them by > 1e-2."""
    import copy
    ref = forward(Arch(fam["config"]), W, prompt)

    def changed(what, mutate_cfg=None, mutate_arch=None):
        cfg = copy.deepcopy(fam["config"])
        if mutate_cfg:
            mutate_cfg(cfg)
        a = Arch(cfg)
        if mutate_arch:
            mutate_arch(a)
        d = float((forward(a, W, prompt) - ref).abs().max())
        assert d > 1e-2, "%s: %s does not matter (%.2g)" % (name, what, d)

    c = fam["config"]
    if "rope_scaling" in c and c["rope_scaling"]:
        changed("rope scaling", lambda k: k.update(rope_scaling=None))
    if c.get("sliding_window") and name != "qwen2":
        changed("sliding window", lambda k: k.update(sliding_window=10 ** 6))
    if c.get("attn_logit_softcapping"):
        changed("attention soft-cap", lambda k: k.update(attn_logit_softcapping=None))
    if c.get("final_logit_softcapping"):
        changed("final soft-cap", lambda k: k.update(final_logit_softcapping=None))
    if name == "gemma3":
        changed("local rope theta", lambda k: k.update(rope_local_base_freq=c["rope_theta"]))
    if name in ("gemma2", "gemma3"):
        changed("query_pre_attn_scalar", mutate_arch=lambda a: setattr(a, "scale", a.hd ** -0.5))
    if name in ("qwen3", "gemma3"):
        changed("q/k norm", mutate_arch=lambda a: setattr(a, "qk_norm", False))
    if name == "qwen2":
        changed("biases", mutate_arch=lambda a: setattr(a, "bias", False))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "data")
    torch.set_num_threads(1)
    summary = {}
    for fi, (name, fam) in enumerate(sorted(FAMILIES.items())):
        arch = Arch(fam["config"])
        for attempt in range(20):
            gen = torch.Generator().manual_seed(1000 * fi + attempt)
            W = make_weights(arch, gen, fam.get("dtype", torch.float32))
            lens = [13, 5, 9]
            prompts = [torch.randint(0, 268, (n,), generator=gen).tolist() for n in lens]
            context = torch.randint(0, 268, (7,), generator=gen).tolist()
            random_cont = torch.randint(0, 268, (4,), generator=gen).tolist()
            try:
                results = [greedy(arch, W, p, N_DECODE) for p in prompts]
                greedy_cont, _ = greedy(arch, W, context, 3)
            except AssertionError:
                continue
            break
        else:
            raise SystemExit(name + ": no seed without greedy near-ties")
        feature_checks(name, fam, W, prompts[0] + results[0][0])
        d = os.path.join(out, name)
        write_model(d, fam, W)
        prefill = forward(arch, W, prompts[0]).float()
        tensors = {"prefill_logits": prefill, "decode_logits": results[0][1].float()}
        for k, (p, (g, _)) in enumerate(zip(prompts, results)):
            tensors["prompt_%d" % k] = torch.tensor(p, dtype=torch.int64)
            tensors["greedy_%d" % k] = torch.tensor(g, dtype=torch.int64)
        write_safetensors(os.path.join(d, "expected.safetensors"), tensors)
        scoring = []
        for cont in (random_cont, greedy_cont):
            lp, ig = score(arch, W, context, cont)
            scoring.append({"context_ids": context, "continuation_ids": cont, "logprob": lp,
                            "is_greedy": ig})
        write_json(os.path.join(d, "expected.json"),
                   {"note": "made by tests/reference/decoders/reference_decoders.py (float64 "
                            "plain-torch forward, no cache); decode_logits[i] are the logits after "
                            "prompt_0 + greedy_0[:i]", "torch": torch.__version__,
                    "n_prompts": len(prompts), "scoring": scoring})
        summary[name] = results[0][0]
        print(name, "prompt0 greedy", results[0][0], "scores",
              [round(s["logprob"], 4) for s in scoring], [s["is_greedy"] for s in scoring])


if __name__ == "__main__":
    main()
