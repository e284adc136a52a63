// Peer for tokenize_bench: the same texts encoded by @huggingface/tokenizers (Tokenizers.js) in node.
// Usage (from a directory whose node_modules holds @huggingface/tokenizers):
//   node tokenize_bench_peer.mjs TOKENIZER_JSON_OR_VOCAB_TXT TEXTS_JSONL REPEAT
// Prints {"seconds": best wall time of one pass, "tokens": ids produced by one pass}.
import fs from "fs";
import path from "path";
import zlib from "zlib";
import { createRequire } from "module";

const require = createRequire(path.join(process.cwd(), "/"));
const { Tokenizer } = require("@huggingface/tokenizers");
const [tokenizerPath, textsPath, repeatArg] = process.argv.slice(2);
// A BERT vocab.txt becomes the tokenizer.json Hugging Face publishes for bert-base-uncased.
function bertJson(vocabTxt) {
  const vocab = {};
  vocabTxt.split("\n").forEach((line, i) => { const t = line.replace(/\r$/, ""); if (t !== "" && !(t in vocab)) vocab[t] = i; });
  const special = (content) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    added_tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].map(special),
    normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: { type: "BertProcessing", sep: ["[SEP]", vocab["[SEP]"]], cls: ["[CLS]", vocab["[CLS]"]] },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab },
  };
}
let raw = fs.readFileSync(tokenizerPath);
if (tokenizerPath.endsWith(".gz")) raw = zlib.gunzipSync(raw);
const configPath = path.join(path.dirname(tokenizerPath), "tokenizer_config.json");
const config = fs.existsSync(configPath) ? JSON.parse(fs.readFileSync(configPath, "utf8")) : {};
const json = tokenizerPath.endsWith(".txt") ? bertJson(raw.toString("utf8")) : JSON.parse(raw.toString("utf8"));
const tokenizer = new Tokenizer(json, config);
const texts = fs.readFileSync(textsPath, "utf8").split("\n").filter((l) => l).map((l) => JSON.parse(l).text);
let best = Infinity, tokens = 0;
for (let r = 0; r < Number(repeatArg ?? 3); ++r) {
  const start = process.hrtime.bigint();
  tokens = 0;
  for (const t of texts) tokens += tokenizer.encode(t, { add_special_tokens: false }).ids.length;
  best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
}
console.log(JSON.stringify({ seconds: best, tokens }));
