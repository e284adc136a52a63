// mom-tokenize: encode JSONL {"text": ...} lines to {"ids": [...]} (or --decode the reverse) with
// a Hugging Face tokenizer.json or a BERT vocab.txt.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "core/error.h"
#include "core/tokenizers/tools/tokenize_command.h"

int main(int argc, char** argv) {
  mom::TokenizeConfig config;
  CLI::App app{"Tokenize JSONL text with a Hugging Face tokenizer.json or a BERT vocab.txt"};
  mom::add_tokenize_flags(app, config);
  CLI11_PARSE(app, argc, argv);
  std::ios::sync_with_stdio(false);
  try {
    if (config.input_path.empty()) {
      mom::run_tokenize(config, std::cin, std::cout, "<stdin>");
    } else {
      std::ifstream in(config.input_path, std::ios::binary);
      if (!in) throw mom::Error(config.input_path + ": cannot open input file");
      mom::run_tokenize(config, in, std::cout, config.input_path);
    }
  } catch (const mom::Error& e) {
    std::cout.flush();
    std::cerr << "mom-tokenize: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
