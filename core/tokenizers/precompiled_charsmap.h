// SentencePiece's compiled normalization rules (the "Precompiled" normalizer of a tokenizer.json,
// field 'precompiled_charsmap'; T5, ALBERT, XLM-RoBERTa, mT5, DeBERTa-v3).
//
// The blob is [uint32 little-endian trie_size][Darts-clone double-array trie: trie_size bytes of
// uint32 little-endian units][replacement strings, each ending with NUL]. The trie's keys are UTF-8
// byte strings; a key's value is the byte offset of its replacement in the string blob.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mom::tok {

// Immutable after construction; safe to share between threads.
class PrecompiledCharsmap {
 public:
  // Parses and checks the blob: throws mom::Error naming `where` and 'precompiled_charsmap' when
  // the trie size is not a positive multiple of 4 or runs past the blob, the strings are not
  // UTF-8, or a value of the trie points outside the strings or into the middle of a character.
  PrecompiledCharsmap(std::string_view blob, const std::string& where);

  struct Match {
    size_t length = 0;  // bytes of the key; 0: no key prefixes the text
    std::string_view replacement;
  };
  // The shortest / longest key that is a prefix of `text` (the walk stops at a NUL byte, as the
  // Rust crate's does).
  Match shortest_prefix(std::string_view text) const { return search(text, false); }
  Match longest_prefix(std::string_view text) const { return search(text, true); }

  // The Hugging Face tokenizers rules (what transformers uses): the text is cut into extended
  // grapheme clusters; a cluster shorter than 6 bytes that some key prefixes is replaced whole by
  // the shortest such key's replacement; otherwise each character is replaced by its own key's
  // replacement, or kept.
  std::string normalize(std::string_view text) const;
  // SentencePiece's own rule (Normalizer::NormalizePrefix): repeatedly replace the longest key
  // that prefixes the rest of the text, or copy one character. Valid UTF-8 input.
  std::string normalize_longest_match(std::string_view text) const;

 private:
  Match search(std::string_view text, bool longest) const;
  std::string_view replacement_at(uint32_t offset) const;
  void check_values(const std::string& where) const;

  std::vector<uint32_t> units_;
  std::string strings_;
};

// Standard base64 (RFC 4648, '=' padding optional); throws mom::Error naming `what` on a character
// outside the alphabet or a bad length.
std::string decode_base64(std::string_view text, const std::string& what);

}  // namespace mom::tok
