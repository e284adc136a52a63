// Decoder implementations: ByteLevel, WordPiece, Metaspace, ByteFallback, Fuse, Strip, Replace,
// BPEDecoder, Sequence.
#include "core/tokenizers/decoder.h"

#include "core/error.h"
#include "core/tokenizers/byte_level.h"
#include "core/tokenizers/json_fields.h"
#include "core/tokenizers/regex.h"
#include "core/tokenizers/unicode_util.h"

namespace mom::tok {
namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

class ByteLevelDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string bytes;
    for (const auto& token : tokens) {
      // A token with a character outside the byte table (an added token) keeps its own bytes.
      size_t mark = bytes.size();
      bool mapped = true;
      for (size_t pos = 0; pos < token.size();) {
        int b = byte_level_to_byte(next_code_point(token, pos));
        if (b < 0) {
          mapped = false;
          break;
        }
        bytes.push_back(static_cast<char>(b));
      }
      if (!mapped) {
        bytes.resize(mark);
        bytes += token;
      }
    }
    tokens.assign(1, utf8_lossy(bytes));
  }
};

class WordPieceDecoder : public Decoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup)
      : prefix_(std::move(prefix)), cleanup_(cleanup) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string& token = tokens[i];
      if (i != 0) {
        if (!prefix_.empty() && token.compare(0, prefix_.size(), prefix_) == 0) {
          token.erase(0, prefix_.size());
        } else {
          token.insert(0, " ");
        }
      }
      if (cleanup_) cleanup(token);
    }
  }
  static void cleanup(std::string& s) {
    replace_all(s, " .", ".");
    replace_all(s, " ?", "?");
    replace_all(s, " !", "!");
    replace_all(s, " ,", ",");
    replace_all(s, " ' ", "'");
    replace_all(s, " n't", "n't");
    replace_all(s, " 'm", "'m");
    replace_all(s, " do not", " don't");
    replace_all(s, " 's", "'s");
    replace_all(s, " 've", "'ve");
    replace_all(s, " 're", "'re");
  }

 private:
  std::string prefix_;
  bool cleanup_;
};

class MetaspaceDecoder : public Decoder {
 public:
  MetaspaceDecoder(std::string replacement, bool strip_first)
      : replacement_(std::move(replacement)), strip_first_(strip_first) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      // Like the Rust decoder: every replacement character of the first token is dropped.
      replace_all(tokens[i], replacement_, i == 0 && strip_first_ ? "" : " ");
    }
  }

 private:
  std::string replacement_;
  bool strip_first_;
};

class ByteFallbackDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    std::string pending;
    size_t pending_count = 0;
    auto flush = [&] {
      if (pending_count == 0) return;
      try {
        check_utf8(pending, "");
        out.push_back(pending);
      } catch (const Error&) {
        for (size_t i = 0; i < pending_count; ++i) out.push_back("\xEF\xBF\xBD");
      }
      pending.clear();
      pending_count = 0;
    };
    for (auto& token : tokens) {
      int byte = parse_byte_token(token);
      if (byte >= 0) {
        pending.push_back(static_cast<char>(byte));
        ++pending_count;
      } else {
        flush();
        out.push_back(std::move(token));
      }
    }
    flush();
    tokens = std::move(out);
  }

 private:
  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  }
  // "<0xAB>" -> 0xAB, anything else -> -1.
  static int parse_byte_token(const std::string& t) {
    if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return -1;
    int hi = hex(t[3]), lo = hex(t[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
  }
};

class FuseDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string joined;
    for (const auto& t : tokens) joined += t;
    tokens.assign(1, std::move(joined));
  }
};

class StripDecoder : public Decoder {
 public:
  StripDecoder(std::string content, size_t start, size_t stop)
      : content_(std::move(content)), start_(start), stop_(stop) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (auto& token : tokens) {
      for (size_t i = 0; i < start_ && token.compare(0, content_.size(), content_) == 0; ++i) {
        token.erase(0, content_.size());
      }
      for (size_t i = 0;
           i < stop_ && token.size() >= content_.size() &&
           token.compare(token.size() - content_.size(), content_.size(), content_) == 0;
           ++i) {
        token.erase(token.size() - content_.size());
      }
    }
  }

 private:
  std::string content_;
  size_t start_, stop_;
};

class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(const std::string& pattern, std::string content, const std::string& where)
      : regex_(pattern, where), content_(std::move(content)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (auto& token : tokens) {
      auto matches = regex_.find_all(token);
      if (matches.empty()) continue;
      std::string out;
      size_t last = 0;
      for (auto [begin, end] : matches) {
        out.append(token, last, begin - last);
        out += content_;
        last = end;
      }
      out.append(token, last, std::string::npos);
      token = std::move(out);
    }
  }

 private:
  Regex regex_;
  std::string content_;
};

class BpeDecoder : public Decoder {
 public:
  explicit BpeDecoder(std::string suffix) : suffix_(std::move(suffix)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i)
      replace_all(tokens[i], suffix_, i + 1 == tokens.size() ? "" : " ");
  }

 private:
  std::string suffix_;
};

class SequenceDecoder : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> steps)
      : steps_(std::move(steps)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (const auto& step : steps_) step->decode_chain(tokens);
  }

 private:
  std::vector<std::unique_ptr<Decoder>> steps_;
};

}  // namespace

std::unique_ptr<Decoder> make_wordpiece_decoder(const std::string& prefix, bool cleanup) {
  return std::make_unique<WordPieceDecoder>(prefix, cleanup);
}

std::unique_ptr<Decoder> make_decoder(const Json& config, const std::string& where) {
  if (config.is_null()) return nullptr;
  if (!config.is_object()) throw Error(where + ": not an object");
  std::string type = require_string(config, "type", where);
  std::string here = where + " (" + type + ")";
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "WordPiece") {
    return make_wordpiece_decoder(string_field(config, "prefix", "##", here),
                                  bool_field(config, "cleanup", true, here));
  }
  if (type == "Metaspace") {
    bool strip_first = bool_field(config, "add_prefix_space", true, here);
    if (config.contains("prepend_scheme") && !config["prepend_scheme"].is_null()) {
      strip_first = string_field(config, "prepend_scheme", "always", here) != "never";
    }
    return std::make_unique<MetaspaceDecoder>(
        string_field(config, "replacement", "\xE2\x96\x81", here), strip_first);
  }
  if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
  if (type == "Fuse") return std::make_unique<FuseDecoder>();
  if (type == "Strip") {
    return std::make_unique<StripDecoder>(require_string(config, "content", here),
                                          static_cast<size_t>(int_field(config, "start", 0, here)),
                                          static_cast<size_t>(int_field(config, "stop", 0, here)));
  }
  if (type == "Replace") {
    return std::make_unique<ReplaceDecoder>(pattern_field(config, here),
                                            require_string(config, "content", here), here);
  }
  if (type == "BPEDecoder")
    return std::make_unique<BpeDecoder>(string_field(config, "suffix", "</w>", here));
  if (type == "Sequence") {
    const Json& list = require_field(config, "decoders", here);
    if (!list.is_array()) throw Error(here + ": field 'decoders' is not an array");
    std::vector<std::unique_ptr<Decoder>> steps;
    for (size_t i = 0; i < list.size(); ++i) {
      auto step = make_decoder(list[i], where + ".decoders[" + std::to_string(i) + "]");
      if (step) steps.push_back(std::move(step));
    }
    return std::make_unique<SequenceDecoder>(std::move(steps));
  }
  throw Error(where + ": unsupported decoder type '" + type +
              "' (supported: ByteLevel, WordPiece, Metaspace, ByteFallback, Fuse, Strip, Replace, "
              "BPEDecoder, "
              "Sequence)");
}

}  // namespace mom::tok
