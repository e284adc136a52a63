// Hugging Face tokenizers in C++: loads tokenizer.json (WordPiece, byte-level BPE, SentencePiece
// BPE with byte fallback) or a BERT vocab.txt, encodes text to ids and decodes ids to text.
// INTERFACE CONTRACT shared by models/, trainer/, worker/ — extend, do not break.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mom {

struct Encoding {
  std::vector<int32_t> ids;
  std::vector<int32_t> attention_mask;  // 1 for real tokens, 0 for padding
};

// Immutable after load: every const method is safe to call from several threads at once.
class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // `path`: a tokenizer.json (optionally .gz), a vocab.txt, or a directory holding one of them.
  // Throws mom::Error naming the file and the offending field.
  static std::unique_ptr<Tokenizer> load(const std::string& path);

  // Ids of `text`. Throws mom::Error on invalid UTF-8. With add_special_tokens, the
  // post-processor template is applied (e.g. [CLS] $A [SEP]).
  virtual std::vector<int32_t> encode(std::string_view text, bool add_special_tokens) const = 0;

  // Encode with special tokens, truncate to max_length (keeping the template's special tokens),
  // and pad every sequence of the batch to the longest one (pad id from the tokenizer).
  // max_length 0 means no truncation. Padding goes on the right.
  virtual std::vector<Encoding> encode_batch(const std::vector<std::string>& texts,
                                             size_t max_length) const = 0;

  // Ids outside the vocabulary are skipped (as the Rust tokenizers do); the text is valid UTF-8
  // (byte-level pieces that do not form whole characters become U+FFFD).
  virtual std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const = 0;

  virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;
  virtual std::string id_to_token(int32_t id) const = 0;  // throws mom::Error for an unknown id
  virtual size_t vocab_size() const = 0;                  // including added tokens
  // tokenizer.json's padding.pad_id, else the pad_token of a tokenizer_config.json beside it, else
  // the first of [PAD], <pad>, <|endoftext|>, </s> in the vocabulary, else 0.
  virtual int32_t pad_id() const = 0;
};

}  // namespace mom
