// The GPT-2 byte <-> character table, built once.
#include "core/tokenizers/byte_level.h"

#include <array>

#include "core/tokenizers/unicode_util.h"

namespace mom::tok {
namespace {

struct ByteTable {
  std::array<std::string, 256> byte_to_utf8;
  std::array<int16_t, 512> char_to_byte;  // every table character is below U+0200
  ByteTable() {
    char_to_byte.fill(-1);
    int next = 256;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
      char32_t c = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(next++);
      append_utf8(byte_to_utf8[b], c);
      char_to_byte[c] = static_cast<int16_t>(b);
    }
  }
};

const ByteTable& table() {
  static const ByteTable t;
  return t;
}

}  // namespace

std::string bytes_to_byte_level(std::string_view bytes) {
  const ByteTable& t = table();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) out += t.byte_to_utf8[static_cast<unsigned char>(ch)];
  return out;
}

int byte_level_to_byte(char32_t c) { return c < 512 ? table().char_to_byte[c] : -1; }

}  // namespace mom::tok
