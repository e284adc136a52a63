// Tokenizer::load: picks the tokenizer file (tokenizer.json[.gz] or vocab.txt) and builds it.
#include "core/tokenizers/tokenizer.h"

#include <filesystem>

#include "core/error.h"
#include "core/file_io.h"
#include "core/json_util.h"
#include "core/tokenizers/hf_tokenizer.h"

namespace mom {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::unique_ptr<Tokenizer> Tokenizer::load(const std::string& path) {
  namespace fs = std::filesystem;
  std::string file = path;
  if (fs::is_directory(path)) {
    file.clear();
    for (const char* name : {"tokenizer.json", "tokenizer.json.gz", "vocab.txt"}) {
      if (file_exists((fs::path(path) / name).string())) {
        file = (fs::path(path) / name).string();
        break;
      }
    }
    if (file.empty())
      throw Error(path + ": no tokenizer.json, tokenizer.json.gz or vocab.txt in this directory");
  }
  if (!file_exists(file)) throw Error(file + ": tokenizer file not found");
  if (ends_with(file, ".txt") || ends_with(file, ".txt.gz"))
    return tok::HfTokenizer::from_vocab_txt(file);

  Json root;
  try {
    root = Json::parse(read_file(file));
  } catch (const Json::exception& e) {
    throw Error(file + ": not valid JSON: " + e.what());
  }
  // tokenizer_config.json next to the file names the pad token when tokenizer.json does not.
  Json config;
  std::string config_path = (fs::path(file).parent_path() / "tokenizer_config.json").string();
  if (file_exists(config_path)) {
    try {
      config = Json::parse(read_file(config_path));
    } catch (const Json::exception& e) {
      throw Error(config_path + ": not valid JSON: " + e.what());
    }
  }
  return tok::HfTokenizer::from_json(root, file, config);
}

}  // namespace mom
