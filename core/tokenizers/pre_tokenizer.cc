// Pre-tokenizer implementations: Split, ByteLevel, Metaspace, BertPreTokenizer, Whitespace,
// WhitespaceSplit, Punctuation, Digits, CharDelimiterSplit, Sequence.
#include "core/tokenizers/pre_tokenizer.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "core/error.h"
#include "core/tokenizers/byte_level.h"
#include "core/tokenizers/json_fields.h"
#include "core/tokenizers/regex.h"
#include "core/tokenizers/unicode_util.h"

namespace mom::tok {
namespace {

// What happens to the matched parts when a piece is split (the Rust SplitDelimiterBehavior).
enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

struct Segment {
  size_t begin, end;
  bool match;
};

// Segments covering [0, size) from sorted non-overlapping match ranges.
std::vector<Segment> segments_from_matches(size_t size,
                                           const std::vector<std::pair<size_t, size_t>>& matches) {
  std::vector<Segment> segments;
  if (size == 0) return {{0, 0, false}};
  size_t prev = 0;
  for (auto [begin, end] : matches) {
    if (prev != begin) segments.push_back({prev, begin, false});
    segments.push_back({begin, end, true});
    prev = end;
  }
  if (prev != size) segments.push_back({prev, size, false});
  return segments;
}

// Every character for which `pred` holds is a match of its own.
std::vector<Segment> segments_from_chars(const std::string& text,
                                         const std::function<bool(char32_t)>& pred) {
  std::vector<std::pair<size_t, size_t>> matches;
  for (size_t pos = 0; pos < text.size();) {
    size_t start = pos;
    if (pred(next_code_point(text, pos))) matches.emplace_back(start, pos);
  }
  return segments_from_matches(text.size(), matches);
}

void emit_splits(const Piece& piece, std::vector<Segment> segments, SplitBehavior behavior,
                 bool invert, std::vector<Piece>& out) {
  if (invert) {
    for (auto& s : segments) s.match = !s.match;
  }
  std::vector<Segment> kept;
  switch (behavior) {
    case SplitBehavior::kRemoved:
      for (const auto& s : segments) {
        if (!s.match) kept.push_back(s);
      }
      break;
    case SplitBehavior::kIsolated:
      kept = std::move(segments);
      break;
    case SplitBehavior::kMergedWithPrevious: {
      bool previous_match = false;
      for (const auto& s : segments) {
        if (s.match && !previous_match && !kept.empty()) {
          kept.back().end = s.end;
        } else {
          kept.push_back(s);
        }
        previous_match = s.match;
      }
      break;
    }
    case SplitBehavior::kMergedWithNext: {
      bool next_match = false;
      for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
        if (it->match && !next_match && !kept.empty()) {
          kept.back().begin = it->begin;
        } else {
          kept.push_back(*it);
        }
        next_match = it->match;
      }
      std::reverse(kept.begin(), kept.end());
      break;
    }
    case SplitBehavior::kContiguous: {
      bool previous_match = false;
      for (const auto& s : segments) {
        if (s.match == previous_match && !kept.empty()) {
          kept.back().end = s.end;
        } else {
          kept.push_back(s);
        }
        previous_match = s.match;
      }
      break;
    }
  }
  for (const auto& s : kept) {
    if (s.end > s.begin)
      out.push_back({piece.text.substr(s.begin, s.end - s.begin), piece.at_start && s.begin == 0});
  }
}

// Applies `fn` to every piece, collecting what it emits.
void split_each(std::vector<Piece>& pieces,
                const std::function<void(const Piece&, std::vector<Piece>&)>& fn) {
  std::vector<Piece> out;
  out.reserve(pieces.size());
  for (const auto& piece : pieces) fn(piece, out);
  pieces = std::move(out);
}

SplitBehavior parse_behavior(const std::string& name, const std::string& where) {
  if (name == "Removed") return SplitBehavior::kRemoved;
  if (name == "Isolated") return SplitBehavior::kIsolated;
  if (name == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (name == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (name == "Contiguous") return SplitBehavior::kContiguous;
  throw Error(where + ": field 'behavior' has unknown value '" + name + "'");
}

class SplitPreTokenizer : public PreTokenizer {
 public:
  SplitPreTokenizer(const std::string& pattern, SplitBehavior behavior, bool invert,
                    const std::string& where)
      : regex_(pattern, where), behavior_(behavior), invert_(invert) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    split_each(pieces, [&](const Piece& piece, std::vector<Piece>& out) {
      emit_splits(piece, segments_from_matches(piece.text.size(), regex_.find_all(piece.text)),
                  behavior_, invert_, out);
    });
  }

 private:
  Regex regex_;
  SplitBehavior behavior_;
  bool invert_;
};

class CharSplitPreTokenizer : public PreTokenizer {
 public:
  CharSplitPreTokenizer(std::function<bool(char32_t)> pred, SplitBehavior behavior)
      : pred_(std::move(pred)), behavior_(behavior) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    split_each(pieces, [&](const Piece& piece, std::vector<Piece>& out) {
      emit_splits(piece, segments_from_chars(piece.text, pred_), behavior_, false, out);
    });
  }

 private:
  std::function<bool(char32_t)> pred_;
  SplitBehavior behavior_;
};

constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class ByteLevelPreTokenizer : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex)
      : add_prefix_space_(add_prefix_space),
        regex_(use_regex ? std::make_unique<Regex>(kGpt2Pattern, "ByteLevel") : nullptr) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    split_each(pieces, [&](const Piece& piece, std::vector<Piece>& out) {
      Piece p = piece;
      if (add_prefix_space_ && (p.text.empty() || p.text[0] != ' ')) p.text.insert(0, " ");
      size_t first = out.size();
      if (regex_) {
        emit_splits(p, segments_from_matches(p.text.size(), regex_->find_all(p.text)),
                    SplitBehavior::kIsolated, false, out);
      } else if (!p.text.empty()) {
        out.push_back(std::move(p));
      }
      for (size_t i = first; i < out.size(); ++i) out[i].text = bytes_to_byte_level(out[i].text);
    });
  }

 private:
  bool add_prefix_space_;
  std::unique_ptr<Regex> regex_;
};

enum class PrependScheme { kAlways, kNever, kFirst };

class MetaspacePreTokenizer : public PreTokenizer {
 public:
  MetaspacePreTokenizer(std::string replacement, PrependScheme scheme, bool split)
      : replacement_(std::move(replacement)), scheme_(scheme), split_(split) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    split_each(pieces, [&](const Piece& piece, std::vector<Piece>& out) {
      Piece p{std::string(), piece.at_start};
      p.text.reserve(piece.text.size() + replacement_.size());
      for (char ch : piece.text) {
        if (ch == ' ') {
          p.text += replacement_;
        } else {
          p.text.push_back(ch);
        }
      }
      bool starts_with_replacement = p.text.compare(0, replacement_.size(), replacement_) == 0;
      if (!starts_with_replacement &&
          (scheme_ == PrependScheme::kAlways || (scheme_ == PrependScheme::kFirst && p.at_start))) {
        p.text.insert(0, replacement_);
      }
      if (!split_) {
        if (!p.text.empty()) out.push_back(std::move(p));
        return;
      }
      std::vector<std::pair<size_t, size_t>> matches;
      for (size_t pos = p.text.find(replacement_); pos != std::string::npos;
           pos = p.text.find(replacement_, pos + replacement_.size())) {
        matches.emplace_back(pos, pos + replacement_.size());
      }
      emit_splits(p, segments_from_matches(p.text.size(), matches), SplitBehavior::kMergedWithNext,
                  false, out);
    });
  }

 private:
  std::string replacement_;
  PrependScheme scheme_;
  bool split_;
};

class SequencePreTokenizer : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> steps)
      : steps_(std::move(steps)) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    for (const auto& step : steps_) step->pre_tokenize(pieces);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> steps_;
};

std::unique_ptr<PreTokenizer> make_sequence(std::vector<std::unique_ptr<PreTokenizer>> steps) {
  return std::make_unique<SequencePreTokenizer>(std::move(steps));
}

}  // namespace

std::unique_ptr<PreTokenizer> make_bert_pre_tokenizer() {
  std::vector<std::unique_ptr<PreTokenizer>> steps;
  steps.push_back(std::make_unique<CharSplitPreTokenizer>(is_whitespace, SplitBehavior::kRemoved));
  steps.push_back(
      std::make_unique<CharSplitPreTokenizer>(is_punctuation, SplitBehavior::kIsolated));
  return make_sequence(std::move(steps));
}

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const Json& config, const std::string& where) {
  if (config.is_null()) return nullptr;
  if (!config.is_object()) throw Error(where + ": not an object");
  std::string type = require_string(config, "type", where);
  std::string here = where + " (" + type + ")";
  if (type == "Split") {
    return std::make_unique<SplitPreTokenizer>(
        pattern_field(config, here), parse_behavior(require_string(config, "behavior", here), here),
        bool_field(config, "invert", false, here), here);
  }
  if (type == "ByteLevel") {
    return std::make_unique<ByteLevelPreTokenizer>(
        bool_field(config, "add_prefix_space", true, here),
        bool_field(config, "use_regex", true, here));
  }
  if (type == "Metaspace") {
    std::string replacement = string_field(config, "replacement", "\xE2\x96\x81", here);
    if (replacement.empty() ||
        utf8_length(static_cast<unsigned char>(replacement[0])) != replacement.size()) {
      throw Error(here + ": field 'replacement' must be a single character");
    }
    PrependScheme scheme = bool_field(config, "add_prefix_space", true, here)
                               ? PrependScheme::kAlways
                               : PrependScheme::kNever;
    if (config.contains("prepend_scheme") && !config["prepend_scheme"].is_null()) {
      std::string name = string_field(config, "prepend_scheme", "always", here);
      if (name == "always") {
        scheme = PrependScheme::kAlways;
      } else if (name == "never") {
        scheme = PrependScheme::kNever;
      } else if (name == "first") {
        scheme = PrependScheme::kFirst;
      } else {
        throw Error(here + ": field 'prepend_scheme' has unknown value '" + name + "'");
      }
    }
    return std::make_unique<MetaspacePreTokenizer>(replacement, scheme,
                                                   bool_field(config, "split", true, here));
  }
  if (type == "BertPreTokenizer") return make_bert_pre_tokenizer();
  if (type == "Whitespace") {
    // Keeps the runs of word characters and the runs of other non-space characters: \w+|[^\w\s]+
    // with the Rust regex crate's \w (which, unlike Oniguruma's, includes the join controls).
    return std::make_unique<SplitPreTokenizer>(
        R"([\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D}]+|[^\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D}\s]+)",
        SplitBehavior::kRemoved, true, here);
  }
  if (type == "WhitespaceSplit") {
    return std::make_unique<CharSplitPreTokenizer>(is_whitespace, SplitBehavior::kRemoved);
  }
  if (type == "Punctuation") {
    return std::make_unique<CharSplitPreTokenizer>(
        is_punctuation, parse_behavior(string_field(config, "behavior", "Isolated", here), here));
  }
  if (type == "Digits") {
    bool individual = bool_field(config, "individual_digits", false, here);
    return std::make_unique<CharSplitPreTokenizer>(
        is_numeric, individual ? SplitBehavior::kIsolated : SplitBehavior::kContiguous);
  }
  if (type == "CharDelimiterSplit") {
    std::string delimiter = require_string(config, "delimiter", here);
    size_t pos = 0;
    if (delimiter.empty()) throw Error(here + ": field 'delimiter' is empty");
    char32_t c = next_code_point(delimiter, pos);
    return std::make_unique<CharSplitPreTokenizer>([c](char32_t x) { return x == c; },
                                                   SplitBehavior::kRemoved);
  }
  if (type == "Sequence") {
    const Json& list = require_field(config, "pretokenizers", here);
    if (!list.is_array()) throw Error(here + ": field 'pretokenizers' is not an array");
    std::vector<std::unique_ptr<PreTokenizer>> steps;
    for (size_t i = 0; i < list.size(); ++i) {
      auto step = make_pre_tokenizer(list[i], where + ".pretokenizers[" + std::to_string(i) + "]");
      if (step) steps.push_back(std::move(step));
    }
    return make_sequence(std::move(steps));
  }
  throw Error(
      where + ": unsupported pre_tokenizer type '" + type +
      "' (supported: Split, ByteLevel, Metaspace, BertPreTokenizer, Whitespace, WhitespaceSplit, "
      "Punctuation, Digits, CharDelimiterSplit, Sequence)");
}

}  // namespace mom::tok
