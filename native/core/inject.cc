// Injections (docs/languages.md, "Injections"): code of one language embedded in another's text.
//   - split_hosted: a segment of a language with hosted text (PHP's inline HTML) is cut into pieces of its
//     own language and pieces of the host-only language (HTML), before anything is parsed;
//   - inject_segments: each parsed host-only segment (HTML) is never itemized; each admitted injection in its
//     tree (a `<script>` body) becomes a segment of its own language, parsed.
// Every offset stays a byte offset into the response (code points on output, structure.cc).
#include <algorithm>
#include <cstring>

#include "core/structure_internal.h"
#include "core/tree_walk.h"

namespace codeblock {
namespace structure {
namespace {

struct Found {
  uint32_t b, e;  // absolute bytes
  const char* language;
};

bool type_is(TSNode n, const char* t) { return std::strcmp(ts_node_type(n), t) == 0; }

bool blank(std::string_view t) {
  for (char c : t)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return false;
  return true;
}

// The injections of a host language's tree (root of the text at absolute byte `base`).
void collect(const LanguageTables* H, TSNode root, uint32_t base, std::string_view host_text, std::vector<Found>& out) {
  walk(root, [&](const WalkAt& at) {
    TSNode n = at.node();
    for (const InjectionRule& r : H->injections) {
      if (!type_is(n, r.element)) continue;
      uint32_t k = ts_node_child_count(n);
      TSNode content{}, last{};
      bool have = false;
      for (uint32_t i = 0; i < k; i++) {
        TSNode c = ts_node_child(n, i);
        if (!have && type_is(c, r.content)) {
          content = c;
          have = true;
        }
        last = c;
      }
      // Closed only: the element ends in a real end tag after the content (an unterminated element's
      // content runs to the end of the text, markup and all).
      if (!have || ts_node_eq(last, content) || ts_node_is_missing(last) || ts_node_has_error(n) ||
          std::strstr(ts_node_type(last), "end_tag") == nullptr)
        return Walk::Over;
      if (r.admits && !r.admits(n, host_text)) return Walk::Over;
      uint32_t b = ts_node_start_byte(content), e = ts_node_end_byte(content);
      if (!blank(host_text.substr(b, e - b))) out.push_back(Found{base + b, base + e, r.language});
      return Walk::Over;
    }
    return Walk::Into;
  });
}

}  // namespace

void split_hosted(std::string_view text, const std::function<const LanguageTables*(const char*)>& itemized,
                  std::vector<ParsedSegment>& segs) {
  bool any = false;
  for (const ParsedSegment& s : segs)
    if (s.L && s.L->hosted_ranges) any = true;
  if (!any) return;  // the common case: nothing moves
  std::vector<ParsedSegment> out;
  std::vector<std::pair<uint32_t, uint32_t>> hosted;
  for (ParsedSegment& s : segs) {
    hosted.clear();
    const LanguageTables* L = s.L;
    const LanguageTables* H = L && L->hosted_ranges ? find_language(L->hosted_language) : nullptr;
    if (H && H->host_only) L->hosted_ranges(text.substr(s.b, s.e - s.b), hosted);
    if (hosted.empty()) {
      out.push_back(std::move(s));
      continue;
    }
    const LanguageTables* HL = itemized(H->name);  // nullptr: HTML left out of --languages (unitemized code)
    uint32_t at = s.b;
    for (const auto& [hb, he] : hosted) {
      if (!blank(text.substr(at, s.b + hb - at))) out.push_back(ParsedSegment{at, s.b + hb, s.lang, L, nullptr});
      out.push_back(ParsedSegment{s.b + hb, s.b + he, H->name, HL, nullptr});
      at = s.b + he;
    }
    if (!blank(text.substr(at, s.e - at))) out.push_back(ParsedSegment{at, s.e, s.lang, L, nullptr});
  }
  segs = std::move(out);
}

bool inject_segments(std::string_view text, const std::function<const LanguageTables*(const char*)>& itemized,
                     Budget& budget, std::vector<ParsedSegment>& segs) {
  bool any = false;
  for (const ParsedSegment& s : segs)
    if (s.L && s.L->host_only) any = true;
  if (!any) return true;  // the common case: nothing moves
  std::vector<ParsedSegment> out;
  out.reserve(segs.size());
  std::vector<Found> found;
  for (ParsedSegment& s : segs) {
    found.clear();
    const LanguageTables* L = s.L;
    if (L && L->host_only) {
      collect(L, ts_tree_root_node(s.tree.get()), s.b, text.substr(s.b, s.e - s.b), found);
      s.L = nullptr;  // the markup itself is never itemized
      s.tree.reset();
    }
    if (work_meter().stopped()) return false;
    int32_t host = static_cast<int32_t>(out.size());
    out.push_back(std::move(s));
    for (const Found& f : found) {  // in text order (the walk's)
      const LanguageTables* E = itemized(f.language);
      ParsedSegment c{f.b, f.e, E ? std::string(E->name) : std::string(f.language), E, nullptr, host};
      if (E) {
        c.tree = parse(resolved(E), text.substr(f.b, f.e - f.b), budget);
        if (!c.tree) return false;
      }
      out.push_back(std::move(c));
    }
  }
  segs = std::move(out);
  return true;
}

}  // namespace structure
}  // namespace codeblock
