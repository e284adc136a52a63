// Post-processors of a tokenizer.json ("post_processor"): add the special tokens around the ids
// of one sequence (TemplateProcessing, BertProcessing, RobertaProcessing; ByteLevel adds none).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/json_util.h"

namespace mom::tok {

// Immutable after construction; safe to share between threads.
class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  // `ids` wrapped in the single-sequence template.
  virtual std::vector<int32_t> process(const std::vector<int32_t>& ids) const = 0;
  // How many ids process() adds (what truncation must leave room for).
  virtual size_t added_count() const = 0;
};

// Null JSON gives nullptr. Throws mom::Error naming `where` and the offending field.
std::unique_ptr<PostProcessor> make_post_processor(const Json& config, const std::string& where);

// `prefix` ids, the sequence, `suffix` ids (BertProcessing: [CLS] $A [SEP]).
std::unique_ptr<PostProcessor> make_wrap_post_processor(std::vector<int32_t> prefix,
                                                        std::vector<int32_t> suffix);

}  // namespace mom::tok
