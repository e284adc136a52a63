// Post-processor implementations. Only the single-sequence template is applied: the Tokenizer
// interface encodes one text at a time.
#include "core/tokenizers/post_processor.h"

#include "core/error.h"
#include "core/tokenizers/json_fields.h"

namespace mom::tok {
namespace {

class WrapPostProcessor : public PostProcessor {
 public:
  WrapPostProcessor(std::vector<int32_t> prefix, std::vector<int32_t> suffix)
      : prefix_(std::move(prefix)), suffix_(std::move(suffix)) {}
  std::vector<int32_t> process(const std::vector<int32_t>& ids) const override {
    std::vector<int32_t> out;
    out.reserve(prefix_.size() + ids.size() + suffix_.size());
    out.insert(out.end(), prefix_.begin(), prefix_.end());
    out.insert(out.end(), ids.begin(), ids.end());
    out.insert(out.end(), suffix_.begin(), suffix_.end());
    return out;
  }
  size_t added_count() const override { return prefix_.size() + suffix_.size(); }

 private:
  std::vector<int32_t> prefix_, suffix_;
};

// A template may repeat $A; keep it general: a list of pieces, each either the sequence or ids.
class TemplatePostProcessor : public PostProcessor {
 public:
  struct Item {
    bool sequence;
    std::vector<int32_t> ids;
  };
  explicit TemplatePostProcessor(std::vector<Item> items) : items_(std::move(items)) {}
  std::vector<int32_t> process(const std::vector<int32_t>& ids) const override {
    std::vector<int32_t> out;
    for (const auto& item : items_) {
      const auto& src = item.sequence ? ids : item.ids;
      out.insert(out.end(), src.begin(), src.end());
    }
    return out;
  }
  size_t added_count() const override {
    size_t n = 0;
    for (const auto& item : items_) n += item.sequence ? 0 : item.ids.size();
    return n;
  }

 private:
  std::vector<Item> items_;
};

class SequencePostProcessor : public PostProcessor {
 public:
  explicit SequencePostProcessor(std::vector<std::unique_ptr<PostProcessor>> steps)
      : steps_(std::move(steps)) {}
  std::vector<int32_t> process(const std::vector<int32_t>& ids) const override {
    std::vector<int32_t> out = ids;
    for (const auto& step : steps_) out = step->process(out);
    return out;
  }
  size_t added_count() const override {
    size_t n = 0;
    for (const auto& step : steps_) n += step->added_count();
    return n;
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> steps_;
};

// ["[CLS]", 101] as used by BertProcessing and RobertaProcessing.
int32_t token_pair_id(const Json& config, const char* key, const std::string& where) {
  const Json& pair = require_field(config, key, where);
  if (!pair.is_array() || pair.size() != 2 || !pair[1].is_number_integer()) {
    throw Error(where + ": field '" + key + "' is not a [token, id] pair");
  }
  return pair[1].get<int32_t>();
}

std::vector<int32_t> special_token_ids(const Json& specials, const std::string& name,
                                       const std::string& where) {
  auto it = specials.find(name);
  if (it == specials.end()) {
    throw Error(where + ": template token '" + name + "' is missing from field 'special_tokens'");
  }
  const Json& ids = require_field(*it, "ids", where + ".special_tokens." + name);
  if (!ids.is_array())
    throw Error(where + ".special_tokens." + name + ": field 'ids' is not an array");
  std::vector<int32_t> out;
  for (const auto& id : ids) {
    if (!id.is_number_integer())
      throw Error(where + ".special_tokens." + name + ": field 'ids' holds a non-integer");
    out.push_back(id.get<int32_t>());
  }
  return out;
}

std::unique_ptr<PostProcessor> make_template(const Json& config, const std::string& where) {
  const Json& single = require_field(config, "single", where);
  Json specials = config.contains("special_tokens") ? config["special_tokens"] : Json::object();
  std::vector<TemplatePostProcessor::Item> items;
  auto add_name = [&](const std::string& raw) {
    std::string name =
        raw.substr(0, raw.rfind(':') == std::string::npos || raw.rfind(':') == 0 ? raw.size()
                                                                                 : raw.rfind(':'));
    if (name == "$A" || name == "$0" || name == "$") {
      items.push_back({true, {}});
    } else if (!name.empty() && name[0] == '$') {
      throw Error(where + ": field 'single' refers to '" + name +
                  "', but a single sequence only has $A");
    } else {
      items.push_back({false, special_token_ids(specials, name, where)});
    }
  };
  if (single.is_string()) {
    // "[CLS]:0 $A:0 [SEP]:0"
    const std::string& s = single.get_ref<const std::string&>();
    for (size_t pos = 0; pos < s.size();) {
      size_t end = s.find(' ', pos);
      if (end == std::string::npos) end = s.size();
      if (end > pos) add_name(s.substr(pos, end - pos));
      pos = end + 1;
    }
  } else if (single.is_array()) {
    for (const auto& piece : single) {
      if (piece.contains("Sequence")) {
        std::string id = string_field(piece["Sequence"], "id", "A", where + ".single");
        if (id != "A")
          throw Error(where + ": field 'single' uses sequence '" + id + "'; only A is allowed");
        items.push_back({true, {}});
      } else if (piece.contains("SpecialToken")) {
        items.push_back(
            {false,
             special_token_ids(
                 specials, require_string(piece["SpecialToken"], "id", where + ".single"), where)});
      } else {
        throw Error(where +
                    ": field 'single' holds an item that is neither Sequence nor SpecialToken");
      }
    }
  } else {
    throw Error(where + ": field 'single' is neither a string nor a list");
  }
  return std::make_unique<TemplatePostProcessor>(std::move(items));
}

}  // namespace

std::unique_ptr<PostProcessor> make_wrap_post_processor(std::vector<int32_t> prefix,
                                                        std::vector<int32_t> suffix) {
  return std::make_unique<WrapPostProcessor>(std::move(prefix), std::move(suffix));
}

std::unique_ptr<PostProcessor> make_post_processor(const Json& config, const std::string& where) {
  if (config.is_null()) return nullptr;
  if (!config.is_object()) throw Error(where + ": not an object");
  std::string type = require_string(config, "type", where);
  std::string here = where + " (" + type + ")";
  if (type == "TemplateProcessing") return make_template(config, here);
  if (type == "BertProcessing" || type == "RobertaProcessing") {
    // Both wrap a single sequence as CLS $A SEP; they differ only for pairs and offsets.
    return make_wrap_post_processor({token_pair_id(config, "cls", here)},
                                    {token_pair_id(config, "sep", here)});
  }
  if (type == "ByteLevel") return make_wrap_post_processor({}, {});  // adjusts offsets only
  if (type == "Sequence") {
    const Json& list = require_field(config, "processors", here);
    if (!list.is_array()) throw Error(here + ": field 'processors' is not an array");
    std::vector<std::unique_ptr<PostProcessor>> steps;
    for (size_t i = 0; i < list.size(); ++i) {
      auto step = make_post_processor(list[i], where + ".processors[" + std::to_string(i) + "]");
      if (step) steps.push_back(std::move(step));
    }
    return std::make_unique<SequencePostProcessor>(std::move(steps));
  }
  throw Error(
      where + ": unsupported post_processor type '" + type +
      "' (supported: TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence)");
}

}  // namespace mom::tok
