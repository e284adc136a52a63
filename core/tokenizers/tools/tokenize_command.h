// mom-tokenize: typed configuration, flag parsing and the JSONL encode/decode loop.
#pragma once

#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace mom {

struct TokenizeConfig {
  std::string tokenizer_path;  // --tokenizer: tokenizer.json[.gz], vocab.txt or a directory
  std::string input_path;      // --input: JSONL file; empty = standard input
  bool add_special = false;    // --add_special: apply the post-processor template
  bool decode = false;         // --decode: {"ids": [...]} lines -> {"text": ...} lines
  bool skip_special = false;   // --skip_special: drop special tokens when decoding
};

// Registers the flags of mom-tokenize on `app`, writing into `config`.
void add_tokenize_flags(CLI::App& app, TokenizeConfig& config);

// Reads JSONL from `in` and writes one JSONL line per non-blank input line to `out`.
// Throws mom::Error "<input_name>:<line>: ..." on a malformed line; lines before it are written.
void run_tokenize(const TokenizeConfig& config, std::istream& in, std::ostream& out,
                  const std::string& input_name);

}  // namespace mom
