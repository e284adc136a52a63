// The GPT-2 byte-to-character table of the ByteLevel pre-tokenizer and decoder: every byte maps
// to a printable character (printable Latin-1 bytes to themselves, the rest to U+0100 onwards).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mom::tok {

// `bytes` with every byte replaced by its character (UTF-8).
std::string bytes_to_byte_level(std::string_view bytes);
// The byte a ByteLevel character stands for, or -1 when `c` is not in the table.
int byte_level_to_byte(char32_t c);

}  // namespace mom::tok
