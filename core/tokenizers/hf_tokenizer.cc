// The encode / decode pipeline and the two ways of building it (tokenizer.json, vocab.txt).
#include "core/tokenizers/hf_tokenizer.h"

#include <algorithm>

#include "core/error.h"
#include "core/file_io.h"
#include "core/tokenizers/json_fields.h"
#include "core/tokenizers/unicode_util.h"

namespace mom::tok {
namespace {

std::vector<AddedToken> parse_added_tokens(const Json& root, const std::string& where) {
  std::vector<AddedToken> tokens;
  auto it = root.find("added_tokens");
  if (it == root.end() || it->is_null()) return tokens;
  if (!it->is_array()) throw Error(where + ": field 'added_tokens' is not an array");
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& entry = (*it)[i];
    std::string here = where + ": added_tokens[" + std::to_string(i) + "]";
    if (!entry.is_object()) throw Error(here + ": not an object");
    AddedToken t;
    long long id = require_int(entry, "id", here);
    if (id < 0 || id > INT32_MAX) throw Error(here + ": field 'id' is out of range");
    t.id = static_cast<int32_t>(id);
    t.content = require_string(entry, "content", here);
    t.single_word = bool_field(entry, "single_word", false, here);
    t.lstrip = bool_field(entry, "lstrip", false, here);
    t.rstrip = bool_field(entry, "rstrip", false, here);
    t.special = bool_field(entry, "special", false, here);
    t.normalized = bool_field(entry, "normalized", !t.special, here);
    tokens.push_back(std::move(t));
  }
  return tokens;
}

// The pad token named by tokenizer_config.json ("pad_token": "x" or {"content": "x"}).
std::string config_pad_token(const Json& config) {
  if (!config.is_object()) return "";
  auto it = config.find("pad_token");
  if (it == config.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("content") && (*it)["content"].is_string())
    return (*it)["content"].get<std::string>();
  return "";
}

}  // namespace

std::unique_ptr<HfTokenizer> HfTokenizer::from_json(const Json& root, const std::string& where,
                                                    const Json& tokenizer_config) {
  if (!root.is_object()) throw Error(where + ": not a tokenizer.json object");
  std::unique_ptr<HfTokenizer> t(new HfTokenizer());
  auto field = [&](const char* key) -> const Json& {
    static const Json null_json;
    auto it = root.find(key);
    return it == root.end() ? null_json : *it;
  };
  t->normalizer_ = make_normalizer(field("normalizer"), where + ": normalizer");
  t->pre_tokenizer_ = make_pre_tokenizer(field("pre_tokenizer"), where + ": pre_tokenizer");
  t->model_ = make_model(field("model"), where + ": model");
  t->post_processor_ = make_post_processor(field("post_processor"), where + ": post_processor");
  t->decoder_ = make_decoder(field("decoder"), where + ": decoder");
  t->added_ = AddedVocabulary(parse_added_tokens(root, where), t->normalizer_.get());

  // Padding: the file's own setting, else tokenizer_config.json's pad_token, else a usual name.
  std::optional<int32_t> pad;
  const Json& padding = field("padding");
  if (padding.is_object() && padding.contains("pad_id") && padding["pad_id"].is_number_integer()) {
    pad = padding["pad_id"].get<int32_t>();
  }
  if (!pad) {
    std::string name = config_pad_token(tokenizer_config);
    if (!name.empty()) pad = t->token_to_id(name);
  }
  for (const char* name : {"[PAD]", "<pad>", "<|endoftext|>", "</s>"}) {
    if (!pad) pad = t->token_to_id(name);
  }
  t->pad_id_ = pad.value_or(0);
  t->count_vocab();
  return t;
}

void HfTokenizer::count_vocab() {
  // Distinct ids across the model vocab and the added tokens.
  size_t extra = 0;
  for (const auto& token : added_.tokens()) {
    if (model_->vocab().token(token.id) == nullptr) ++extra;
  }
  vocab_size_ = model_->vocab().size() + extra;
}

std::unique_ptr<HfTokenizer> HfTokenizer::from_vocab_txt(const std::string& path) {
  std::string text = read_file(path);
  check_utf8(text, path);
  std::vector<std::string> tokens;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    tokens.push_back(std::move(line));
    pos = end + 1;
  }
  while (!tokens.empty() && tokens.back().empty()) tokens.pop_back();
  if (tokens.empty()) throw Error(path + ": empty vocabulary");
  std::unique_ptr<HfTokenizer> t(new HfTokenizer());
  Vocab vocab = Vocab::from_tokens(std::move(tokens));
  auto require = [&](const char* name) {
    auto id = vocab.find(name);
    if (!id)
      throw Error(path + ": the vocabulary has no " + std::string(name) +
                  " token (a BERT vocab.txt needs it)");
    return *id;
  };
  int32_t cls = require("[CLS]"), sep = require("[SEP]");
  require("[UNK]");
  std::vector<AddedToken> specials;
  for (const char* name : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) {
    if (auto id = vocab.find(name))
      specials.push_back({*id, name, false, false, false, false, true});
  }
  t->normalizer_ = make_bert_normalizer(true, true, true, true);
  t->pre_tokenizer_ = make_bert_pre_tokenizer();
  t->model_ = make_wordpiece_model(std::move(vocab), "[UNK]", "##", 100);
  t->post_processor_ = make_wrap_post_processor({cls}, {sep});
  t->decoder_ = make_wordpiece_decoder("##", true);
  t->added_ = AddedVocabulary(std::move(specials), t->normalizer_.get());
  t->pad_id_ = t->token_to_id("[PAD]").value_or(0);
  t->count_vocab();
  return t;
}

void HfTokenizer::encode_segment(std::string_view text, bool at_start,
                                 std::vector<int32_t>& ids) const {
  std::vector<Piece> pieces{{std::string(text), at_start}};
  if (pre_tokenizer_) pre_tokenizer_->pre_tokenize(pieces);
  for (const auto& piece : pieces) {
    if (!piece.text.empty()) model_->tokenize(piece.text, ids);
  }
}

std::vector<int32_t> HfTokenizer::encode_plain(std::string_view text) const {
  check_utf8(text, "tokenizer input");
  std::vector<int32_t> ids;
  for (const auto& raw : added_.split(text, /*normalized=*/false)) {
    if (raw.token) {
      ids.push_back(*raw.token);
      continue;
    }
    std::string normalized(text.substr(raw.begin, raw.end - raw.begin));
    if (normalizer_) normalizer_->normalize(normalized);
    for (const auto& part : added_.split(normalized, /*normalized=*/true)) {
      if (part.token) {
        ids.push_back(*part.token);
      } else if (part.end > part.begin) {
        encode_segment(std::string_view(normalized).substr(part.begin, part.end - part.begin),
                       raw.begin == 0 && part.begin == 0, ids);
      }
    }
  }
  return ids;
}

std::vector<int32_t> HfTokenizer::encode(std::string_view text, bool add_special_tokens) const {
  std::vector<int32_t> ids = encode_plain(text);
  if (add_special_tokens && post_processor_) return post_processor_->process(ids);
  return ids;
}

std::vector<Encoding> HfTokenizer::encode_batch(const std::vector<std::string>& texts,
                                                size_t max_length) const {
  std::vector<Encoding> out(texts.size());
  size_t added = post_processor_ ? post_processor_->added_count() : 0;
  size_t longest = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    std::vector<int32_t> ids = encode_plain(texts[i]);
    if (max_length > 0)
      ids.resize(std::min(ids.size(), max_length > added ? max_length - added : 0));
    if (post_processor_) ids = post_processor_->process(ids);
    if (max_length > 0 && ids.size() > max_length)
      ids.resize(max_length);  // template longer than max_length
    out[i].attention_mask.assign(ids.size(), 1);
    out[i].ids = std::move(ids);
    longest = std::max(longest, out[i].ids.size());
  }
  for (auto& e : out) {
    e.attention_mask.resize(longest, 0);
    e.ids.resize(longest, pad_id_);
  }
  return out;
}

const std::string* HfTokenizer::find_token(int32_t id) const {
  if (const std::string* t = added_.id_to_token(id)) return t;
  return model_->vocab().token(id);
}

std::string HfTokenizer::decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int32_t id : ids) {
    const std::string* t = find_token(id);
    if (t == nullptr) continue;  // ids outside the vocabulary are skipped, as in the Rust decode
    if (skip_special_tokens && added_.is_special(id)) continue;
    tokens.push_back(*t);
  }
  if (!decoder_) {
    std::string joined;
    for (size_t i = 0; i < tokens.size(); ++i) joined += (i ? " " : "") + tokens[i];
    return joined;
  }
  decoder_->decode_chain(tokens);
  std::string text;
  for (const auto& t : tokens) text += t;
  return text;
}

std::optional<int32_t> HfTokenizer::token_to_id(std::string_view token) const {
  if (auto id = added_.token_to_id(token)) return id;
  return model_->vocab().find(token);
}

std::string HfTokenizer::id_to_token(int32_t id) const {
  const std::string* t = find_token(id);
  if (t == nullptr)
    throw Error("token id " + std::to_string(id) + " is not in the vocabulary (size " +
                std::to_string(vocab_size_) + ")");
  return *t;
}

size_t HfTokenizer::vocab_size() const { return vocab_size_; }

}  // namespace mom::tok
