// The mom-tokenize loop: one JSON object per line in, one per line out.
#include "core/tokenizers/tools/tokenize_command.h"

#include <CLI/CLI.hpp>
#include <istream>
#include <ostream>

#include "core/error.h"
#include "core/json_util.h"
#include "core/tokenizers/tokenizer.h"

namespace mom {

void add_tokenize_flags(CLI::App& app, TokenizeConfig& config) {
  app.add_option("--tokenizer", config.tokenizer_path,
                 "tokenizer.json (optionally .gz), a BERT vocab.txt, or a directory holding one")
      ->required();
  app.add_option("--input", config.input_path, "JSONL input file (default: standard input)");
  app.add_flag("--add_special", config.add_special,
               "add the special tokens of the post-processor ([CLS] ... [SEP])");
  app.add_flag("--decode", config.decode,
               "read {\"ids\": [...]} lines and write {\"text\": ...} lines");
  app.add_flag("--skip_special", config.skip_special,
               "with --decode: leave special tokens out of the text");
}

void run_tokenize(const TokenizeConfig& config, std::istream& in, std::ostream& out,
                  const std::string& input_name) {
  std::unique_ptr<Tokenizer> tokenizer = Tokenizer::load(config.tokenizer_path);
  std::string line;
  for (size_t line_number = 1; std::getline(in, line); ++line_number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Json object;
    try {
      object = Json::parse(line);
    } catch (const Json::exception& e) {
      throw Error(at_line(input_name, line_number, std::string("not valid JSON: ") + e.what()));
    }
    if (!object.is_object())
      throw Error(at_line(input_name, line_number, "expected a JSON object"));
    Json result;
    try {
      if (config.decode) {
        auto ids_field = object.find("ids");
        if (ids_field == object.end() || !ids_field->is_array())
          throw Error("field 'ids' missing or not a list");
        std::vector<int32_t> ids;
        for (const auto& id : *ids_field) {
          if (!id.is_number_integer() || id.get<long long>() < 0 ||
              id.get<long long>() > INT32_MAX) {
            throw Error("field 'ids' holds " + id.dump() + ", not a token id");
          }
          ids.push_back(id.get<int32_t>());
        }
        result["text"] = tokenizer->decode(ids, config.skip_special);
      } else {
        auto text = object.find("text");
        if (text == object.end() || !text->is_string())
          throw Error("field 'text' missing or not a string");
        result["ids"] = tokenizer->encode(text->get_ref<const std::string&>(), config.add_special);
      }
    } catch (const Error& e) {
      throw Error(at_line(input_name, line_number, e.what()));
    }
    out << result.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
  }
  out.flush();
}

}  // namespace mom
