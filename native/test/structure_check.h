// Invariants of one analyze_structure() result (docs/structure.md, "Result"), shared by the
// sanitizer driver (structure_test.cc) and the fuzz target (fuzz/fuzz_structure.cc).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/structure.h"

namespace codeblock {
namespace test {

// Code points of UTF-8 text (bytes that are not continuation bytes), as the structure offsets count them.
inline uint32_t code_points(std::string_view s) {
  uint32_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) n++;
  return n;
}

// Length of the valid UTF-8 sequence at s[i] (no overlongs, surrogates or code points past
// U+10FFFF), 0 when invalid.
inline size_t utf8_sequence(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; k++)
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  if (c == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
  if (c == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogate
  if (c == 0xF0 && b(i + 1) < 0x90) return 0;   // overlong
  if (c == 0xF4 && b(i + 1) >= 0x90) return 0;  // past U+10FFFF
  return n;
}

inline bool valid_utf8(std::string_view s) {
  for (size_t i = 0, n; i < s.size(); i += n)
    if (!(n = utf8_sequence(s, i))) return false;
  return true;
}

// Invalid bytes replaced by U+FFFD, as a JavaScript string would arrive in the addon.
inline std::string to_valid_utf8(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_sequence(s, i);
    if (n) out.append(s.substr(i, n));
    else out.append("\xEF\xBF\xBD");
    i += n ? n : 1;
  }
  return out;
}

// "" when every invariant holds, else the first one broken. Invalid UTF-8 (which JavaScript never
// passes in) is only checked for bounds and order: a tree-sitter token may then start inside a
// byte sequence, so distinct byte ranges can map to touching or empty code-point ranges.
inline std::string check_structure(std::string_view text, const StructureResult& r) {
  const uint32_t len = code_points(text);
  const bool strict = valid_utf8(text);
  auto in_range = [&](uint32_t a, uint32_t b) { return a <= b && b <= len; };
  int st = static_cast<int>(r.status);
  if (st < 0 || st > 4) return "status out of range";
  if (r.status == RecordStatus::WorkBudget || r.status == RecordStatus::WallTimeout ||
      r.status == RecordStatus::TooLong) {
    if (!r.items.empty() || !r.segments.empty()) return "rejected record with a result";
    return "";
  }
  for (size_t i = 0; i < r.segments.size(); i++) {
    const SegmentOut& s = r.segments[i];
    if (!in_range(s.start, s.end)) return "segment out of range";
    if (i > 0 && s.start < r.segments[i - 1].end) return "segments overlap or out of order";
    if (s.lang.empty()) return "segment without language";
  }
  size_t n = r.items.size();
  bool any_clean = false;
  for (size_t k = 0; k < n; k++) {
    const ItemOut& it = r.items[k];
    if (!in_range(it.start, it.end) || (strict && it.start == it.end)) return "item empty or out of range";
    if (it.segment < 0 || static_cast<size_t>(it.segment) >= r.segments.size()) return "item segment index";
    const SegmentOut& s = r.segments[static_cast<size_t>(it.segment)];
    if (!s.itemized) return "item in a segment that is not itemized";
    if (it.start < s.start || it.end > s.end) return "item outside its segment";
    if (k > 0 && it.start < r.items[k - 1].end) return "items overlap or out of order";
    if (!it.type || !*it.type) return "item without type";
    if (it.flags & ~uint32_t{kFlagError | kFlagMissing}) return "unknown item flag";
    if (!it.flags) any_clean = true;
    if (it.core_begin > it.core_end || it.core_end > r.core.size()) return "core index out of range";
    if (k > 0 && it.core_begin != r.items[k - 1].core_end) return "core index not contiguous";
    if (k == 0 && it.core_begin != 0) return "core index does not start at 0";
    for (uint32_t c = it.core_begin; c < it.core_end; c++) {
      const auto& cr = r.core[c];
      if (cr.first > cr.second || (strict && cr.first == cr.second)) return "empty core range";
      if (cr.first < it.start || cr.second > it.end) return "core range outside its item";
      if (c > it.core_begin && (cr.first < r.core[c - 1].second || (strict && cr.first == r.core[c - 1].second)))
        return "core ranges not disjoint and merged";
    }
  }
  if (n > 0 && r.items.back().core_end != r.core.size()) return "core ranges past the last item";
  if (n == 0 && !r.core.empty()) return "core ranges without items";
  if ((r.status == RecordStatus::NoCode) == any_clean) return "status no_code disagrees with the items";
  for (size_t i = 0; i < r.edges.size(); i++) {
    const auto& e = r.edges[i];
    if (e.first < 0 || e.second < 0 || static_cast<size_t>(e.first) >= n || static_cast<size_t>(e.second) >= n)
      return "edge index out of range";
    if (e.first == e.second) return "self edge";
    if (i > 0 && !(r.edges[i - 1] < e)) return "edges not sorted and unique";
  }
  for (size_t i = 0; i < r.prose.size(); i++) {
    const auto& p = r.prose[i];
    if (!in_range(p.first, p.second) || (strict && p.first == p.second)) return "prose range empty or out of range";
    if (i > 0 && p.first < r.prose[i - 1].second) return "prose ranges overlap or out of order";
  }
  if (r.reach.size() != n || r.bridge.size() != n) return "reach / bridge size";
  for (size_t i = 0; i < n; i++)
    if (!(r.reach[i] >= 0 && r.reach[i] <= 1) || !(r.bridge[i] >= 0 && r.bridge[i] <= 1)) return "reach / bridge range";
  return "";
}

inline bool same_structure(const StructureResult& a, const StructureResult& b) {
  if (a.status != b.status || a.segments.size() != b.segments.size() || a.items.size() != b.items.size()) return false;
  for (size_t i = 0; i < a.segments.size(); i++) {
    const SegmentOut &x = a.segments[i], &y = b.segments[i];
    if (x.start != y.start || x.end != y.end || x.lang != y.lang || x.itemized != y.itemized) return false;
  }
  for (size_t i = 0; i < a.items.size(); i++) {
    const ItemOut &x = a.items[i], &y = b.items[i];
    if (x.start != y.start || x.end != y.end || x.kind != y.kind || std::string(x.type) != y.type ||
        x.segment != y.segment || x.flags != y.flags || x.core_begin != y.core_begin || x.core_end != y.core_end)
      return false;
  }
  return a.core == b.core && a.edges == b.edges && a.prose == b.prose && a.reach == b.reach && a.bridge == b.bridge;
}

}  // namespace test
}  // namespace codeblock
