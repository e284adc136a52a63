// nlohmann::json at the edges: parse files with errors that name the file (and line for JSONL).
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace mom {

using Json = nlohmann::json;

// Parses the whole of `path` (plain or .gz) as one JSON document. Throws mom::Error naming the file.
Json read_json_file(const std::string& path);

// Calls `fn(json, line_number)` for every non-blank line of a JSONL file (plain or .gz).
// A malformed line throws mom::Error "path:line: ...".
void for_each_jsonl(const std::string& path, const std::function<void(const Json&, size_t)>& fn);

// Typed field access: throws mom::Error "<where>: field '<key>' missing / not a <type>".
const Json& require_field(const Json& object, const std::string& key, const std::string& where);
std::string require_string(const Json& object, const std::string& key, const std::string& where);
double require_number(const Json& object, const std::string& key, const std::string& where);
long long require_int(const Json& object, const std::string& key, const std::string& where);

}  // namespace mom
