// Generates the tokenizer reference vectors with an independent implementation: the npm package
// @huggingface/tokenizers (pure JavaScript, no Rust or C++ inside). See README.md beside this file.
//
//   mkdir -p /tmp/tokref && cd /tmp/tokref && npm install @huggingface/tokenizers@0.2.0
//   cd /tmp/tokref && node /path/to/repo/tests/reference/tokenizers/make_vectors.mjs /path/to/repo
//
// It reads the tokenizers under tests/fixtures/tokenizers/ (the Qwen3 tokenizer.json.gz, and the
// small synthetic tokenizers it writes there itself) and data/vocab/bert-base-uncased/vocab.txt,
// and writes one JSONL file per tokenizer here: {"text", "ids", "ids_special", "decoded",
// "decoded_skip_special"} per line.
import fs from "fs";
import path from "path";
import zlib from "zlib";
import { createRequire } from "module";

const require = createRequire(path.join(process.cwd(), "/"));
const { Tokenizer } = require("@huggingface/tokenizers");
const version = JSON.parse(fs.readFileSync(path.join(process.cwd(), "node_modules/@huggingface/tokenizers/package.json"), "utf8")).version;

const repo = path.resolve(process.argv[2] ?? path.join(path.dirname(new URL(import.meta.url).pathname), "../../.."));
const fixtures = path.join(repo, "tests/fixtures/tokenizers");
const outDir = path.join(repo, "tests/reference/tokenizers");

// ---------------------------------------------------------------- test strings
const handWritten = [
  "Hello World", "hello world", "HELLO WORLD!!!", "Hello, world! How are you?", "I'm fine, you're late, it's ok, we've won, they'll go, he'd say",
  "The quick brown fox jumps over the lazy dog.", "a", " ", "  ", "   leading spaces", "trailing spaces   ",
  "multiple   spaces   inside", "tab\tseparated\tvalues", "line one\nline two\n\nline four", "windows\r\nline\r\nends",
  "\n\n\n", " \n \n ", "mixed \t \n whitespace", "  \t\t  ", "end with newline\n",
  "12345", "3.14159", "1,000,000", "-42", "+7e10", "0x1F", "2024-05-17T12:34:56Z", "$19.99", "100%", "phone: +1 (555) 123-4567",
  "你好，世界", "我爱自然语言处理。", "今天天气很好，我们去公园吧！", "中文和English混合text",
  "こんにちは世界", "日本語のテキストです。カタカナとひらがな。", "東京都渋谷区",
  "안녕하세요 세계", "한국어 문장입니다.",
  "مرحبا بالعالم", "اللغة العربية جميلة", "Привет, мир!", "Съешь же ещё этих мягких французских булок",
  "नमस्ते दुनिया", "हिन्दी भाषा", "Γειά σου Κόσμε", "שלום עולם", "สวัสดีชาวโลก", "Xin chào thế giới",
  "café", "naïve résumé", "Crème brûlée à la française", "Ångström", "Straße", "ÉCOLE ÉLÉMENTAIRE", "façade coöperate",
  "e\u0301", "cafe\u0301", "\u212B", "ﬁnance ﬂow", "①②③", "ＡＢＣ１２３", "Ⅻ", "x²+y³", "½ ¼", "İstanbul", "ǅ",
  "😀", "👍🏽", "👨‍👩‍👧‍👦 family", "🏳️‍🌈", "🇫🇷🇯🇵", "I ❤️ NY", "emoji😀in😀text", "🤖🤖🤖",
  "def foo(x):\n    return x * 2\n", "for (int i = 0; i < n; ++i) { sum += a[i]; }", "if x == 1 and y != 2:\n\tpass",
  "const f = (a, b) => a ?? b;", "SELECT * FROM users WHERE id = 42;", "<div class=\"x\">text</div>", "{\"key\": [1, 2, 3]}",
  "https://example.com/path?q=1&r=2#frag", "user@example.com", "C:\\Windows\\System32", "#include <stdio.h>",
  "a+b=c", "x_y_z", "snake_case_name", "CamelCaseName", "ALLCAPS", "don't", "can't won't shouldn't", "O'Reilly",
  "...", "!!!???", "—–-", "«quoted» “curly” ‘single’", "¿Qué tal? ¡Bien!", "a--b", "...and so on", "(parenthesized)",
  "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n", "<|endoftext|>", "text<|im_end|>more", "<|im_end|><|im_end|>",
  "[CLS] hello [SEP]", "[MASK] token", "[cls] lowercase", "<s> bos </s>", "<unk>", "<mask> and  <mask>",
  "word<|endoftext|>word", " <|im_start|> spaced ", "<|fim_prefix|>code<|fim_suffix|>",
  "supercalifragilisticexpialidocious", "pneumonoultramicroscopicsilicovolcanoconiosis", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "ab".repeat(60), "The year 1999 and 2000 and 20001", "version 3.2.1-beta+build.5",
  "\u00a0non-breaking\u00a0space", "zero\u200bwidth", "soft\u00adhyphen", "ideographic\u3000space", "em\u2003space", "nel\u0085char",
  "control\u0007bell", "vertical\u000btab", "form\u000cfeed", "\u2028line sep", "null\u0000byte", "replacement \ufffd char",
  "ℌ𝔢𝔩𝔩𝔬 𝕎𝕠𝕣𝕝𝕕", "𝟙𝟚𝟛", "Ⓐⓑⓒ", "ǲ ǳ", "ß ẞ", "ΣΑΣ σας", "σασ σας", "I\u0307", "K\u212a",
  "Mixed: café 你好 😀 123 <|im_end|> done.", "question? answer! statement. list: a, b; c",
  "IT'S THE CAT'S TOY", "You'Re WE'LL I'D", "'s's's", "' s", "ſ", " ".repeat(100) + "x", "\n".repeat(40), "\t \t \t  \n  x",
  "x".repeat(300), "unbelievably".repeat(30), "12345678901234567890", "١٢٣٤٥ ۱۲۳", "३४५", "-- ++ ** // \\", "a\u0300\u0301\u0302b",
  "\u{1F600}\u{1F600}\u{1F600} \u{10FFFF}", "\u0661 \u0662 \u0663 \u0664 \u0665 \u06f1 \u06f2 \u06f3", "\u0969 \u096a \u096b", "\u{E000} private use", "tab\tafter<|im_end|>\tbefore", "  <|im_end|>  ",
]; // (strings after "question?" added for whitespace runs, long words and contraction case)

const fragments = [
  "hello", "world", "the", "Tokenizer", "BPE", "merges", "123", "4567", "3.5", "!", "?", "...", ",", "'s", "n't",
  "你好", "世界", "日本", "テスト", "안녕", "مرحبا", "नमस्ते", "Привет", "café", "naïve", "Ünïcödé", "😀", "👍🏽", "👨‍👩‍👧",
  "x=y+1", "foo()", "{}", "[]", "<tag>", "a_b", "CONST", "<|im_end|>", "[SEP]", "don't", "e\u0301", "ﬁ", "①",
];
const separators = [" ", "  ", "   ", "\t", "\n", "\n\n", " \n", "\r\n", "", "", " ", " ", "    "];
let seed = 12345;
const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const generated = [];
for (let i = 0; i < 300; ++i) {
  const count = 1 + rand(8);
  let s = rand(6) === 0 ? separators[rand(separators.length)] : "";
  for (let j = 0; j < count; ++j) {
    s += fragments[rand(fragments.length)];
    if (j + 1 < count || rand(5) === 0) s += separators[rand(separators.length)];
  }
  generated.push(s);
}
const texts = [...new Set([...handWritten, ...generated])];

// ---------------------------------------------------------------- synthetic tokenizers
// A tiny BPE trainer (most frequent pair first) over `words` given as arrays of symbols.
function trainMerges(words, count, join = (a, b) => a + b) {
  const merges = [];
  let seqs = words.map((w) => [...w]);
  for (let m = 0; m < count; ++m) {
    const counts = new Map();
    for (const s of seqs) for (let i = 0; i + 1 < s.length; ++i) {
      const key = s[i] + "\u0000" + s[i + 1];
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    let best = null, bestCount = 1;
    for (const [k, c] of counts) if (c > bestCount || (c === bestCount && best !== null && k < best)) { best = k; bestCount = c; }
    if (best === null) break;
    const [a, b] = best.split("\u0000");
    merges.push([a, b]);
    seqs = seqs.map((s) => {
      const out = [];
      for (let i = 0; i < s.length; ++i) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) { out.push(join(a, b)); ++i; } else out.push(s[i]);
      }
      return out;
    });
  }
  return merges;
}

const corpus = (handWritten.join(" ") + " " + fragments.join(" ")).toLowerCase();
const corpusWords = corpus.split(/\s+/).filter((w) => w);

function bytesToUnicode() {
  const bs = [];
  for (let b = 33; b <= 126; ++b) bs.push(b);
  for (let b = 161; b <= 172; ++b) bs.push(b);
  for (let b = 174; b <= 255; ++b) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; ++b) if (!bs.includes(b)) { bs.push(b); cs.push(256 + n++); }
  const map = {};
  bs.forEach((b, i) => { map[b] = String.fromCodePoint(cs[i]); });
  return map;
}

// SentencePiece-style BPE (Llama 2 / Mistral layout): Metaspace, byte fallback, <s> template.
function makeSentencePiece(legacy) {
  const vocab = { "<unk>": 0, "<s>": 1, "</s>": 2 };
  for (let b = 0; b < 256; ++b) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`] = 3 + b;
  const words = corpusWords.filter((w) => /^[a-z]+$/.test(w)).map((w) => "\u2581" + w);
  for (const ch of "\u2581abcdefghijklmnopqrstuvwxyz.,!?'") if (!(ch in vocab)) vocab[ch] = Object.keys(vocab).length;
  const merges = trainMerges(words, 150);
  for (const [a, b] of merges) if (!((a + b) in vocab)) vocab[a + b] = Object.keys(vocab).length;
  const special = (id, content) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: "1.0", truncation: null, padding: null,
    added_tokens: [special(0, "<unk>"), special(1, "<s>"), special(2, "</s>")],
    normalizer: legacy ? { type: "Sequence", normalizers: [{ type: "Prepend", prepend: "\u2581" }, { type: "Replace", pattern: { String: " " }, content: "\u2581" }] } : null,
    pre_tokenizer: legacy ? null : { type: "Metaspace", replacement: "\u2581", prepend_scheme: "first", split: false },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
      pair: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "<s>", type_id: 1 } }, { Sequence: { id: "B", type_id: 1 } }],
      special_tokens: { "<s>": { id: "<s>", ids: [1], tokens: ["<s>"] } },
    },
    decoder: { type: "Sequence", decoders: [
      { type: "Replace", pattern: { String: "\u2581" }, content: " " }, { type: "ByteFallback" }, { type: "Fuse" },
      { type: "Strip", content: " ", start: 1, stop: 0 }] },
    model: { type: "BPE", dropout: null, unk_token: "<unk>", continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab, merges: merges.map(([a, b]) => `${a} ${b}`) },
  };
}

// GPT-2 / RoBERTa-style byte-level BPE: ByteLevel pre-tokenizer with its own regex, prefix space,
// RobertaProcessing, an lstrip <mask>, merges as "a b" strings.
function makeByteLevel() {
  const map = bytesToUnicode();
  const vocab = { "<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3 };
  for (let b = 0; b < 256; ++b) vocab[map[b]] = Object.keys(vocab).length;
  const enc = new TextEncoder();
  const words = corpus.split(/(?=\s)/).map((w) => [...enc.encode(w)].map((b) => map[b]).join(""));
  const merges = trainMerges(words, 300);
  for (const [a, b] of merges) if (!((a + b) in vocab)) vocab[a + b] = Object.keys(vocab).length;
  const maskId = Object.keys(vocab).length;
  const tok = (id, content, extra) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true, ...extra });
  return {
    version: "1.0", truncation: null, padding: null,
    added_tokens: [tok(0, "<s>"), tok(1, "<pad>"), tok(2, "</s>"), tok(3, "<unk>"), tok(maskId, "<mask>", { lstrip: true })],
    normalizer: { type: "NFKC" },
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    post_processor: { type: "RobertaProcessing", sep: ["</s>", 2], cls: ["<s>", 0], trim_offsets: true, add_prefix_space: true },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "",
      fuse_unk: false, byte_fallback: false, vocab: { ...vocab, "<mask>": maskId }, merges: merges.map(([a, b]) => `${a} ${b}`) },
  };
}

// A cased WordPiece with its own small vocabulary, a BertNormalizer without lowercasing, a
// normalized added token and a TemplateProcessing post-processor.
function makeWordPiece() {
  const vocab = {};
  for (const t of ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]) vocab[t] = Object.keys(vocab).length;
  const chars = new Set();
  for (const w of (handWritten.join(" ") + fragments.join(" ")).split(/\s+/)) for (const c of w) if (/[\p{L}\p{N}\p{P}]/u.test(c)) chars.add(c);
  for (const c of [...chars].sort()) { vocab[c] = Object.keys(vocab).length; vocab["##" + c] = Object.keys(vocab).length; }
  const merges = trainMerges(corpusWords.filter((w) => /^[a-z]+$/.test(w)), 200);
  const pieces = new Set();
  for (const w of corpusWords.filter((w) => /^[a-z]+$/.test(w))) {
    let segs = [...w];
    for (const [a, b] of merges) {
      const out = [];
      for (let i = 0; i < segs.length; ++i) { if (i + 1 < segs.length && segs[i] === a && segs[i + 1] === b) { out.push(a + b); ++i; } else out.push(segs[i]); }
      segs = out;
    }
    segs.forEach((s, i) => pieces.add(i === 0 ? s : "##" + s));
  }
  for (const p of [...pieces].sort()) if (!(p in vocab)) vocab[p] = Object.keys(vocab).length;
  for (const w of ["Hello", "World", "The", "Tokenizer"]) if (!(w in vocab)) vocab[w] = Object.keys(vocab).length;
  const special = (content) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const addedId = Object.keys(vocab).length;
  return {
    version: "1.0", truncation: null, padding: { strategy: "BatchLongest", direction: "Right", pad_to_multiple_of: null, pad_id: 0, pad_type_id: 0, pad_token: "[PAD]" },
    added_tokens: [...["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].map(special),
      { id: addedId, content: "new york", single_word: false, lstrip: false, rstrip: false, normalized: true, special: false }],
    normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: false },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }],
      pair: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } }, { SpecialToken: { id: "[SEP]", type_id: 1 } }],
      special_tokens: { "[CLS]": { id: "[CLS]", ids: [vocab["[CLS]"]], tokens: ["[CLS]"] }, "[SEP]": { id: "[SEP]", ids: [vocab["[SEP]"]], tokens: ["[SEP]"] } },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab },
  };
}

// Llama 3 layout: regex Split (with \p{N}{1,3}) + ByteLevel without its own regex, BPE with
// ignore_merges and whole words in the vocabulary that the merges never build, [a, b] merges,
// a Sequence post-processor with a <|begin_of_text|> template.
function makeLlama3Style() {
  const map = bytesToUnicode();
  const vocab = {};
  for (let b = 0; b < 256; ++b) vocab[map[b]] = Object.keys(vocab).length;
  const enc = new TextEncoder();
  const toBytes = (w) => [...enc.encode(w)].map((b) => map[b]).join("");
  const words = corpus.split(/(?=\s)/).map(toBytes);
  const merges = trainMerges(words, 250);
  for (const [a, b] of merges) if (!((a + b) in vocab)) vocab[a + b] = Object.keys(vocab).length;
  for (const w of [" supercalifragilisticexpialidocious", "Tokenizer", " Hello", " World", "1999", " unbelievably"]) {
    if (!(toBytes(w) in vocab)) vocab[toBytes(w)] = Object.keys(vocab).length;
  }
  const n = Object.keys(vocab).length;
  const special = (id, content) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const pattern = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  return {
    version: "1.0", truncation: null, padding: null,
    added_tokens: [special(n, "<|begin_of_text|>"), special(n + 1, "<|end_of_text|>"), special(n + 2, "<|eot_id|>")],
    normalizer: null,
    pre_tokenizer: { type: "Sequence", pretokenizers: [
      { type: "Split", pattern: { Regex: pattern }, behavior: "Isolated", invert: false },
      { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false }] },
    post_processor: { type: "Sequence", processors: [
      { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
      { type: "TemplateProcessing", single: [{ SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
        pair: [{ SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "<|begin_of_text|>", type_id: 1 } }, { Sequence: { id: "B", type_id: 1 } }],
        special_tokens: { "<|begin_of_text|>": { id: "<|begin_of_text|>", ids: [n], tokens: ["<|begin_of_text|>"] } } }] },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: true, vocab, merges },
  };
}

// A WordPiece behind a long normalizer chain (NFKD, StripAccents, Lowercase, regex Replace,
// Strip) and a Sequence of WhitespaceSplit, Digits and a literal Split.
function makeWordPiecePipeline() {
  const vocab = {};
  for (const t of ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]) vocab[t] = Object.keys(vocab).length;
  const norm = (t) => t.normalize("NFKD").replace(/\p{Mn}/gu, "").toLowerCase();
  const chars = new Set();
  for (const c of norm(handWritten.join(" ") + fragments.join(" "))) if (/[\p{L}\p{N}\p{P}\p{S}]/u.test(c)) chars.add(c);
  for (const c of [...chars].sort()) { vocab[c] = Object.keys(vocab).length; vocab["##" + c] = Object.keys(vocab).length; }
  const words = norm(corpus).split(/[^\p{L}]+/u).filter((w) => w);
  const merges = trainMerges(words, 150);
  for (const w of words) {
    let segs = [...w];
    for (const [a, b] of merges) {
      const out = [];
      for (let i = 0; i < segs.length; ++i) { if (i + 1 < segs.length && segs[i] === a && segs[i + 1] === b) { out.push(a + b); ++i; } else out.push(segs[i]); }
      segs = out;
    }
    segs.forEach((s, i) => { const t = i === 0 ? s : "##" + s; if (!(t in vocab)) vocab[t] = Object.keys(vocab).length; });
  }
  const special = (content) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: "1.0", truncation: null, padding: null,
    added_tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]"].map(special),
    normalizer: { type: "Sequence", normalizers: [{ type: "NFKD" }, { type: "StripAccents" }, { type: "Lowercase" },
      { type: "Replace", pattern: { Regex: "\\s+" }, content: " " }, { type: "Strip", strip_left: true, strip_right: true }] },
    // Not Whitespace or Punctuation: Tokenizers.js 0.2.0 departs from Rust there (ASCII-only \w;
    // runs of punctuation kept together); tests/unit/tokenizers checks those against Rust by hand.
    pre_tokenizer: { type: "Sequence", pretokenizers: [{ type: "WhitespaceSplit" }, { type: "Digits", individual_digits: true },
      { type: "Split", pattern: { String: "-" }, behavior: "Isolated", invert: false }] },
    post_processor: { type: "BertProcessing", sep: ["[SEP]", vocab["[SEP]"]], cls: ["[CLS]", vocab["[CLS]"]] },
    decoder: { type: "WordPiece", prefix: "##", cleanup: false },
    model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 20, vocab },
  };
}

// bert-base-uncased as the Hugging Face tokenizer.json describes it, over the shipped vocab.txt.
function makeBertUncased(vocabTxt) {
  const vocab = {};
  vocabTxt.split("\n").forEach((line, i) => { const t = line.replace(/\r$/, ""); if (t !== "" && !(t in vocab)) vocab[t] = i; });
  const special = (content) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: "1.0", truncation: null, padding: null,
    added_tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].map(special),
    normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: { type: "BertProcessing", sep: ["[SEP]", vocab["[SEP]"]], cls: ["[CLS]", vocab["[CLS]"]] },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab },
  };
}

// SentencePiece Unigram (T5 / ALBERT / XLM-R layout): <pad> </s> <unk> first, pieces with log-prob
// scores "learned" by counting the substrings (up to 8 characters) of the ▁-prefixed words of the
// test strings, rounded to 3 decimals so that equal-score ties between segmentations occur.
// Characters seen only once get no piece and become <unk>. `spm` is the raw SentencePiece layout:
// one Metaspace piece for the whole text (prepend_scheme first, no split), so Viterbi runs across
// words; otherwise T5's WhitespaceSplit + Metaspace (always, split), NFKC, and a "$A </s>" template.
function makeUnigram(spm) {
  const counts = new Map();
  for (const w of texts.join(" ").split(/\s+/).filter((x) => x)) {
    const chars = [..."\u2581" + w];
    for (let i = 0; i < chars.length; ++i) {
      let piece = "";
      for (let j = i; j < chars.length && j < i + 8; ++j) {
        piece += chars[j];
        counts.set(piece, (counts.get(piece) ?? 0) + 1);
      }
    }
  }
  const kept = [...counts].filter(([p, c]) => c >= 2 || p === "\u2581");
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const pieces = kept.slice(0, 3000);
  const total = pieces.reduce((n, [, c]) => n + c, 0);
  const vocab = [["<pad>", 0], ["</s>", 0], ["<unk>", 0]];
  for (const [p, c] of pieces) {
    if (p === "<pad>" || p === "</s>" || p === "<unk>") continue;
    vocab.push([p, Math.round(Math.log(c / total) * 1000) / 1000]);
  }
  const special = (id, content) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const metaspace = (scheme, split) => ({ type: "Metaspace", replacement: "\u2581", prepend_scheme: scheme, split });
  return {
    version: "1.0", truncation: null, padding: null,
    added_tokens: [special(0, "<pad>"), special(1, "</s>"), special(2, "<unk>")],
    normalizer: spm ? null : { type: "NFKC" },
    pre_tokenizer: spm ? metaspace("first", false)
      : { type: "Sequence", pretokenizers: [{ type: "WhitespaceSplit" }, metaspace("always", true)] },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } }],
      pair: [{ Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } }, { Sequence: { id: "B", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } }],
      special_tokens: { "</s>": { id: "</s>", ids: [1], tokens: ["</s>"] } },
    },
    decoder: spm ? metaspace("first", false) : metaspace("always", true),
    model: { type: "Unigram", unk_id: 2, vocab, byte_fallback: false },
  };
}

// ---------------------------------------------------------------- vectors
function writeFixture(name, json) {
  const dir = path.join(fixtures, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "tokenizer.json"), JSON.stringify(json, null, 1) + "\n");
}

function vectors(name, tokenizerJson, tokenizerConfig, extraTexts = []) {
  const tokenizer = new Tokenizer(tokenizerJson, { clean_up_tokenization_spaces: false, ...tokenizerConfig });
  const lines = [];
  for (const text of [...texts, ...extraTexts]) {
    const ids = tokenizer.encode(text, { add_special_tokens: false }).ids;
    const idsSpecial = tokenizer.encode(text, { add_special_tokens: true }).ids;
    const opts = { clean_up_tokenization_spaces: false };
    const decoded = ids.length ? tokenizer.decode(ids, opts) : "";
    const decodedSkip = idsSpecial.length ? tokenizer.decode(idsSpecial, { ...opts, skip_special_tokens: true }) : "";
    lines.push(JSON.stringify({ text, ids, ids_special: idsSpecial, decoded, decoded_skip_special: decodedSkip }));
  }
  fs.writeFileSync(path.join(outDir, name + ".jsonl"), lines.join("\n") + "\n");
  console.log(`${name}: ${lines.length} vectors`);
}

const qwenJson = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(fixtures, "qwen3/tokenizer.json.gz"))).toString("utf8"));
const qwenConfig = JSON.parse(fs.readFileSync(path.join(fixtures, "qwen3/tokenizer_config.json"), "utf8"));
vectors("qwen3", qwenJson, { ...qwenConfig, clean_up_tokenization_spaces: false });

const bertTxt = fs.readFileSync(path.join(repo, "data/vocab/bert-base-uncased/vocab.txt"), "utf8");
vectors("bert_base_uncased", makeBertUncased(bertTxt), { do_lower_case: true });

const synthetic = {
  sp_bpe: makeSentencePiece(false), sp_bpe_legacy: makeSentencePiece(true), byte_level_bpe: makeByteLevel(),
  wordpiece_cased: makeWordPiece(), llama3_style: makeLlama3Style(), wordpiece_pipeline: makeWordPiecePipeline(),
  unigram: makeUnigram(false), unigram_spm: makeUnigram(true),
};
for (const [name, json] of Object.entries(synthetic)) {
  writeFixture(name, json);
  // "nel char": the equivalent of "nel\u0085char" for the Rust WhitespaceSplit (see README.md).
  vectors(name, json, {}, name === "unigram" ? ["nel char"] : []);
}
fs.writeFileSync(path.join(outDir, "GENERATED_WITH"), `@huggingface/tokenizers ${version}, node ${process.version}\n`);
