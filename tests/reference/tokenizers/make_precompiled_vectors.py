#!/usr/bin/python3
"""Reference vectors for the Precompiled normalizer (SentencePiece's precompiled_charsmap).

Independent implementation: Google's sentencepiece (Debian python3-sentencepiece 0.1.97), run with
/usr/bin/python3. For each normalization rule it trains a tiny Unigram model on the test strings
with add_dummy_prefix=False and remove_extra_whitespaces=False, so SentencePiece's normalization is
the charsmap alone (plus its escaping of ' ' as U+2581), and writes
  tests/fixtures/tokenizers/<name>/tokenizer.json  Precompiled normalizer (the model's charsmap,
      base64), Metaspace (prepend_scheme never, no split), Unigram over the model's pieces/scores
  tests/reference/tokenizers/<name>.jsonl  {"text", "normalized", "ids"}: "normalized" is the
      concatenation of sp.encode(text, out_type=str) (spaces appear as U+2581), "ids" sp.encode(text)

Usage: /usr/bin/python3 make_precompiled_vectors.py <repo root> [workdir]
"""
import base64
import json
import os
import random
import sys
import tempfile

import sentencepiece as spm

ROOT = sys.argv[1]
WORK = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp()

EXTRA = [
    "①②③ ⑩ ⑳", "ﬁ ﬂ ﬀ ﬃ ﬄ ﬅ ﬆ", "Ⅻ Ⅳ ⅷ ⅿ", "ｶﾀｶﾅ ﾊﾟﾝ ｶﾞｷﾞ ﾟﾞ", "ＡＢＣ ａｂｃ １２３ ！？",
    "e\u0301 a\u0300 o\u0308 n\u0303 A\u030a", "Ａ\u0301 ｅ\u0301 ①\u0301", "\u1100\u1161\u11a8 한국",
    "a\u00a0b\u2002c\u2003d\u3000e\u202ff\u205fg", "tab\there\nnew\rline\x0bvt\x0cff",
    "ctl\x01\x02\x1f\x7f\x80\x9fend", "zw\u200bsp\u200cnj\u200dj\ufeffbom", "soft\u00adhyphen",
    "㍻ ㍿ ㌔ ㎏ ㎞ ℃ ℉ № ™ ℡", "½ ¼ ¾ ⅓ ⅞ x² y³ H₂O", "…‥ ‼ ⁇ ⁈ ⁉", "µ Ω K Å ſ ẛ",
    "ǅ ǈ ǋ Ǳ ǲ ǳ", "ℌ ℍ ℕ 𝐀𝐁𝐂 𝔄𝔅 𝕒𝕓", "ﾞ゛゜ ゔ ヴ ガ ｶﾞ", "（括弧）「かぎ」【】〔〕", "﹏ ﹐﹑﹒ ︰︱",
    "ÅÄÖ åäö ÆØ æø ß ẞ", "İstanbul ıi", "Ǆemal", "ﷺ ﷻ ﷽", "ﻻ ﻷ ﺎ ﺐ", "ॐ क़ ख़ ग़",
    "ㄱㄴㄷ ㅏㅑ ㆍ ᄀ ᅡ", "⁰¹²³⁴⁵⁶⁷⁸⁹ ₀₁₂", "⑴ ⒈ ⒜ Ⓐ ⓐ", "㈠ ㈱ ㊀ ㊤", "〜～ ー ｰ",
    "“quotes” ‘single’ «guill» ‹x›", "—dash–en‐hyp‑nb", "ﾟ\u0301 e\u0301\u0327 a\u0323\u0302",
    "g̈ ȩ̌ ᾅ ǘ", "👨‍👩‍👧 🇯🇵 👍🏽 ❤️", "x\u0300\u0301\u0302\u0303\u0304 combining run",
    "Ǆ\u0301 ﬁ\u0301 ①\u0308 Ⅻ\u0301", "한\u0301 ｶ\u3099 ｶﾞ\u0301", "　全角スペース　", "  two  spaces  ",
]


def base_strings():
    texts = []
    with open(os.path.join(ROOT, "tests/reference/tokenizers/unigram.jsonl"), encoding="utf-8") as f:
        for line in f:
            texts.append(json.loads(line)["text"])
    texts += EXTRA
    rng = random.Random(20261204)
    frags = EXTRA + texts[:80]
    for _ in range(60):
        texts.append("".join(rng.choice(frags)[: rng.randint(1, 12)] for _ in range(rng.randint(2, 5))))
    out, seen = [], set()
    for t in texts:
        # Literal special-token spellings are added tokens on the tokenizer.json side and plain text
        # for SentencePiece; U+2581 is how SentencePiece shows a space. NUL ends the Rust trie walk.
        if any(s in t for s in ("<s>", "</s>", "<unk>", "\u2581", "\x00")) or t in seen:
            continue
        seen.add(t)
        out.append(t)
    return out


def varint(data, pos):
    value, shift = 0, 0
    while True:
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, pos


def fields(data):
    """(field number, wire type, value) of a protobuf message; enough for ModelProto."""
    pos = 0
    while pos < len(data):
        key, pos = varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 2:
            n, pos = varint(data, pos)
            value, pos = data[pos:pos + n], pos + n
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise ValueError("wire type %d" % wire)
        yield number, wire, value


def precompiled_charsmap(model_bytes):
    # ModelProto.normalizer_spec (3) -> NormalizerSpec.precompiled_charsmap (2).
    for number, wire, value in fields(model_bytes):
        if number == 3 and wire == 2:
            for n2, w2, v2 in fields(value):
                if n2 == 2 and w2 == 2:
                    return bytes(v2)
    raise ValueError("no precompiled_charsmap")


def tokenizer_json(sp, charsmap):
    pieces = [[sp.id_to_piece(i), sp.get_score(i)] for i in range(sp.get_piece_size())]
    added = []
    for i in range(sp.get_piece_size()):
        if sp.is_control(i) or sp.is_unknown(i):
            added.append({"id": i, "content": sp.id_to_piece(i), "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": False, "special": True})
    meta = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "never", "split": False}
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "Precompiled", "precompiled_charsmap": base64.b64encode(charsmap).decode()},
        "pre_tokenizer": meta, "post_processor": None, "decoder": meta,
        "model": {"type": "Unigram", "unk_id": sp.unk_id(), "vocab": pieces,
                  "byte_fallback": False},
    }


def main():
    texts = base_strings()
    corpus = os.path.join(WORK, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        for t in texts:
            # One sentence a line: the trainer splits its input at newlines.
            f.write(" ".join(t.split()) + "\n")
    for rule in ("nmt_nfkc", "nfkc_cf"):
        name = "precompiled_" + rule
        prefix = os.path.join(WORK, name)
        spm.SentencePieceTrainer.train(
            input=corpus, model_prefix=prefix, model_type="unigram", vocab_size=400,
            hard_vocab_limit=False, normalization_rule_name=rule, add_dummy_prefix=False,
            remove_extra_whitespaces=False, character_coverage=0.995, num_threads=1,
            minloglevel=2)
        with open(prefix + ".model", "rb") as f:
            charsmap = precompiled_charsmap(f.read())
        sp = spm.SentencePieceProcessor(model_file=prefix + ".model")
        fixture = os.path.join(ROOT, "tests/fixtures/tokenizers", name)
        os.makedirs(fixture, exist_ok=True)
        with open(os.path.join(fixture, "tokenizer.json"), "w", encoding="utf-8") as f:
            json.dump(tokenizer_json(sp, charsmap), f, ensure_ascii=False, indent=1)
            f.write("\n")
        with open(os.path.join(ROOT, "tests/reference/tokenizers", name + ".jsonl"), "w", encoding="utf-8") as f:
            for t in texts:
                line = {"text": t, "normalized": "".join(sp.encode(t, out_type=str)), "ids": sp.encode(t)}
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
        print(name, len(texts), "strings,", sp.get_piece_size(), "pieces, charsmap", len(charsmap), "bytes")


main()
