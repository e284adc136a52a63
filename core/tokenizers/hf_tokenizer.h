// HfTokenizer: the Tokenizer described by a Hugging Face tokenizer.json (or a BERT vocab.txt),
// a pipeline of added-token matching, normalizer, pre-tokenizer, model, post-processor, decoder.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/json_util.h"
#include "core/tokenizers/added_vocabulary.h"
#include "core/tokenizers/decoder.h"
#include "core/tokenizers/model.h"
#include "core/tokenizers/normalizer.h"
#include "core/tokenizers/post_processor.h"
#include "core/tokenizers/pre_tokenizer.h"
#include "core/tokenizers/tokenizer.h"

namespace mom::tok {

// Immutable after construction: every const method may be called from several threads at once.
class HfTokenizer final : public Tokenizer {
 public:
  // `root`: a parsed tokenizer.json; `where`: its path, for error messages. `tokenizer_config`
  // (the sibling tokenizer_config.json, or null) supplies the pad token when the file has none.
  static std::unique_ptr<HfTokenizer> from_json(const Json& root, const std::string& where,
                                                const Json& tokenizer_config);
  // A BERT vocab.txt set up as bert-base-uncased: lowercase + accent stripping, [CLS] $A [SEP].
  static std::unique_ptr<HfTokenizer> from_vocab_txt(const std::string& path);

  std::vector<int32_t> encode(std::string_view text, bool add_special_tokens) const override;
  std::vector<Encoding> encode_batch(const std::vector<std::string>& texts,
                                     size_t max_length) const override;
  std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const override;
  std::optional<int32_t> token_to_id(std::string_view token) const override;
  std::string id_to_token(int32_t id) const override;
  size_t vocab_size() const override;
  int32_t pad_id() const override { return pad_id_; }

 private:
  HfTokenizer() = default;
  // Ids of `text` without post-processing.
  std::vector<int32_t> encode_plain(std::string_view text) const;
  void encode_segment(std::string_view text, bool at_start, std::vector<int32_t>& ids) const;
  const std::string* find_token(int32_t id) const;
  void count_vocab();

  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<PostProcessor> post_processor_;
  std::unique_ptr<Decoder> decoder_;
  AddedVocabulary added_;
  int32_t pad_id_ = 0;
  size_t vocab_size_ = 0;
};

}  // namespace mom::tok
