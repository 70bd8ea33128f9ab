// Segmenter (docs/structure.md, "Segments"): prose vs code in a markdown-ish response.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace codeblock {

struct RawSegment {
  uint32_t start;   // byte offset of the first content byte
  uint32_t end;     // byte offset one past the last content byte (start of the closing fence line)
  std::string tag;  // lower-cased first word of the info string; "" when untagged
  bool fenced;      // false: the whole (fence-less) response
  bool closed;      // fence closed (false: ran to the end of the response)
};

// Fenced code blocks (``` or ~~~, at any indentation so fences nested in list items count; info
// string after the fence; closing fence = same character, at least as long, nothing but
// whitespace after it; an unclosed fence runs to the end of the response). When the response has
// no fence at all, one candidate segment covering the whole response is returned (fenced=false);
// the caller decides whether it is code.
std::vector<RawSegment> find_fenced_blocks(std::string_view text);

}  // namespace codeblock
