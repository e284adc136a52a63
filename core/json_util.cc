// JSON file helpers over nlohmann::json, with input errors that name file, line and field.
#include "core/json_util.h"

#include "core/error.h"
#include "core/file_io.h"

namespace mom {

Json read_json_file(const std::string& path) {
  std::string text = read_file(path);
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw Error(path + ": invalid JSON: " + e.what());
  }
}

void for_each_jsonl(const std::string& path, const std::function<void(const Json&, size_t)>& fn) {
  std::string text = read_file(path);
  size_t line_number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    ++line_number;
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Json value;
    try {
      value = Json::parse(line);
    } catch (const Json::parse_error& e) {
      throw Error(at_line(path, line_number, std::string("invalid JSON: ") + e.what()));
    }
    fn(value, line_number);
  }
}

const Json& require_field(const Json& object, const std::string& key, const std::string& where) {
  if (!object.is_object()) throw Error(where + ": expected a JSON object");
  auto it = object.find(key);
  if (it == object.end()) throw Error(where + ": field '" + key + "' is missing");
  return *it;
}

std::string require_string(const Json& object, const std::string& key, const std::string& where) {
  const Json& v = require_field(object, key, where);
  if (!v.is_string()) throw Error(where + ": field '" + key + "' must be a string");
  return v.get<std::string>();
}

double require_number(const Json& object, const std::string& key, const std::string& where) {
  const Json& v = require_field(object, key, where);
  if (!v.is_number()) throw Error(where + ": field '" + key + "' must be a number");
  return v.get<double>();
}

long long require_int(const Json& object, const std::string& key, const std::string& where) {
  const Json& v = require_field(object, key, where);
  if (!v.is_number_integer()) throw Error(where + ": field '" + key + "' must be an integer");
  return v.get<long long>();
}

}  // namespace mom
