// UTF-8 byte offset → Unicode code point offset, in one pass over the text.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace codeblock {

// Maps byte offsets of one UTF-8 text to code point offsets. ASCII texts use the identity map
// (no table). A byte inside a multi-byte sequence maps to the code point that contains it.
// Invalid UTF-8 never crashes: every byte that is not a continuation byte (10xxxxxx) starts a
// code point (strings coming from JavaScript are always valid UTF-8).
class CodePointMap {
 public:
  explicit CodePointMap(std::string_view text) : size_(static_cast<uint32_t>(text.size())) {
    bool ascii = true;
    for (unsigned char c : text)
      if (c >= 0x80) {
        ascii = false;
        break;
      }
    if (ascii) return;
    table_.resize(text.size() + 1);
    uint32_t cp = 0;
    for (size_t i = 0; i < text.size(); i++) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      if ((c & 0xC0) != 0x80) {
        table_[i] = cp;
        cp++;
      } else {
        table_[i] = cp ? cp - 1 : 0;  // inside a sequence: the code point that contains it
      }
    }
    table_[text.size()] = cp;
  }
  uint32_t operator()(uint32_t byte) const {
    if (byte > size_) byte = size_;
    return table_.empty() ? byte : table_[byte];
  }
  uint32_t length() const { return (*this)(size_); }

 private:
  uint32_t size_;
  std::vector<uint32_t> table_;
};

}  // namespace codeblock
