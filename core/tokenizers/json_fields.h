// Typed reads of the optional fields of tokenizer.json components, with errors naming the field.
#pragma once

#include <string>

#include "core/json_util.h"

namespace mom::tok {

// `config[key]` as a bool; `fallback` when absent or null.
bool bool_field(const Json& config, const char* key, bool fallback, const std::string& where);
// `config[key]` as a string; `fallback` when absent or null.
std::string string_field(const Json& config, const char* key, const std::string& fallback,
                         const std::string& where);
// `config[key]` as a non-negative integer; `fallback` when absent or null.
long long int_field(const Json& config, const char* key, long long fallback,
                    const std::string& where);
// The "pattern" field, {"String": s} or {"Regex": r}, as a PCRE2 pattern (strings match literally).
std::string pattern_field(const Json& config, const std::string& where);

}  // namespace mom::tok
