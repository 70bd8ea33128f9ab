#include "core/segment.h"

namespace codeblock {
namespace {

inline bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

struct Fence {
  char ch = 0;
  uint32_t len = 0;
  uint32_t info_begin = 0, info_end = 0;
};

// Parses a fence at [b, e) (one line without its '\n'); returns false when the line is not a fence.
bool parse_fence(std::string_view t, uint32_t b, uint32_t e, Fence& f) {
  uint32_t i = b;
  while (i < e && (t[i] == ' ' || t[i] == '\t')) i++;
  if (i >= e || (t[i] != '`' && t[i] != '~')) return false;
  char ch = t[i];
  uint32_t j = i;
  while (j < e && t[j] == ch) j++;
  if (j - i < 3) return false;
  f.ch = ch;
  f.len = j - i;
  uint32_t ib = j, ie = e;
  while (ib < ie && is_ws(t[ib])) ib++;
  while (ie > ib && is_ws(t[ie - 1])) ie--;
  if (ch == '`')
    for (uint32_t k = ib; k < ie; k++)
      if (t[k] == '`') return false;  // ```inline``` spans are not fences (CommonMark)
  f.info_begin = ib;
  f.info_end = ie;
  return true;
}

bool is_closing(std::string_view t, uint32_t b, uint32_t e, const Fence& open) {
  uint32_t i = b;
  while (i < e && (t[i] == ' ' || t[i] == '\t')) i++;
  uint32_t j = i;
  while (j < e && t[j] == open.ch) j++;
  if (j - i < open.len) return false;
  while (j < e && is_ws(t[j])) j++;
  return j == e;
}

std::string info_tag(std::string_view t, const Fence& f) {
  std::string tag;
  uint32_t i = f.info_begin;
  // Pandoc-style {.python} / {python}: skip leading '{' and '.'
  while (i < f.info_end && (t[i] == '{' || t[i] == '.')) i++;
  for (; i < f.info_end; i++) {
    char c = t[i];
    if (is_ws(c) || c == '{' || c == '}' || c == ',' || c == ';' || c == ':') break;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    tag.push_back(c);
  }
  return tag;
}

}  // namespace

std::vector<RawSegment> find_fenced_blocks(std::string_view t) {
  std::vector<RawSegment> out;
  const uint32_t n = static_cast<uint32_t>(t.size());
  bool in_fence = false, any_fence = false;
  Fence open;
  RawSegment cur{};
  uint32_t pos = 0;
  while (pos < n) {
    uint32_t eol = pos;
    while (eol < n && t[eol] != '\n') eol++;
    uint32_t next = eol < n ? eol + 1 : n;
    if (!in_fence) {
      Fence f;
      if (parse_fence(t, pos, eol, f)) {
        in_fence = any_fence = true;
        open = f;
        cur = RawSegment{next, next, info_tag(t, f), true, false};
      }
    } else if (is_closing(t, pos, eol, open)) {
      in_fence = false;
      cur.end = pos;
      cur.closed = true;
      out.push_back(cur);
    }
    pos = next;
  }
  if (in_fence) {
    cur.end = n;
    out.push_back(cur);
  }
  if (!any_fence && n > 0) out.push_back(RawSegment{0, n, "", false, true});
  return out;
}

}  // namespace codeblock
