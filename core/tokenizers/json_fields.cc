// Field readers shared by the tokenizer.json component factories.
#include "core/tokenizers/json_fields.h"

#include "core/error.h"
#include "core/tokenizers/regex.h"

namespace mom::tok {

bool bool_field(const Json& config, const char* key, bool fallback, const std::string& where) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) throw Error(where + ": field '" + key + "' is not a boolean");
  return it->get<bool>();
}

std::string string_field(const Json& config, const char* key, const std::string& fallback,
                         const std::string& where) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return fallback;
  if (!it->is_string()) throw Error(where + ": field '" + key + "' is not a string");
  return it->get<std::string>();
}

long long int_field(const Json& config, const char* key, long long fallback,
                    const std::string& where) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return fallback;
  if (!it->is_number_integer() || it->get<long long>() < 0) {
    throw Error(where + ": field '" + key + "' is not a non-negative integer");
  }
  return it->get<long long>();
}

std::string pattern_field(const Json& config, const std::string& where) {
  const Json& pattern = require_field(config, "pattern", where);
  if (pattern.is_object()) {
    auto s = pattern.find("String");
    if (s != pattern.end() && s->is_string()) return Regex::escape(s->get<std::string>());
    auto r = pattern.find("Regex");
    if (r != pattern.end() && r->is_string()) return r->get<std::string>();
  }
  if (pattern.is_string()) return Regex::escape(pattern.get<std::string>());
  throw Error(where + ": field 'pattern' must be {\"String\": ...} or {\"Regex\": ...}");
}

}  // namespace mom::tok
