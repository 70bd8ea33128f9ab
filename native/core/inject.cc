// Injections (lang/parts/injections.h; docs/languages.md, "Injections"): the ranges of a host language's tree
// that hold code of another registered language (find_injections), and what becomes of them in a record's
// segments: a segment with hosted text (PHP's inline HTML) is cut into pieces before parsing (split_hosted);
// a host-only segment (HTML) is never itemized, and each of its injections becomes a segment of its own,
// parsed (inject_segments). A language with no injection entries resolves to no hosts and costs nothing.
// Every offset stays a byte offset into the response (code points on output, structure.cc).
#include <cstring>

#include "core/structure_internal.h"
#include "core/tree_walk.h"

namespace codeblock {
namespace structure {

static void resolve_hosted(const PartResolver& P, const InjectionPart& part);

void resolve_injections(const PartResolver& P, const InjectionPart& part) {
  resolve_hosted(P, part);
  Resolved& R = P.R;
  R.injection_host.clear();
  if (part.entries.empty()) return;
  R.injection_host.assign(P.count, 0);
  for (size_t i = 0; i < part.entries.size(); i++) {
    const InjectionEntry& e = part.entries[i];
    P.each_symbol(e.host, [&](uint32_t s) {
      if (!R.injection_host[s]) R.injection_host[s] = static_cast<uint16_t>(i + 1);
    });
    if (!e.language) P.rule(e.rule, &NamedRule::inject);  // checked now: a registry bug fails at load
  }
}

static void resolve_hosted(const PartResolver& P, const InjectionPart& part) {
  P.R.hosted = P.rule(part.hosted_rule, &NamedRule::hosted);
  P.R.hosted_L = nullptr;
  if (!P.R.hosted) return;
  // the hosted language must be a registered host-only language (a registry bug otherwise)
  for (const LanguageTables* L : registered_languages())
    if (part.hosted_language && std::strcmp(L->name, part.hosted_language) == 0 && !L->inject.itemize_host)
      P.R.hosted_L = L;
  if (!P.R.hosted_L) P.bad_rule(part.hosted_rule);
}

void find_injections(const Resolved& R, TSNode root, uint32_t base, std::string_view text,
                     std::vector<Injection>& out) {
  if (R.injection_host.empty()) return;
  const std::vector<InjectionEntry>& entries = R.t->inject.entries;
  walk(root, [&](const WalkAt& at) {
    TSNode n = at.node();
    TSSymbol s = ts_node_symbol(n);
    uint16_t h = s < R.injection_host.size() ? R.injection_host[s] : 0;
    if (!h) return Walk::Into;
    const InjectionEntry& e = entries[h - 1];
    const char* lang = e.language;
    if (!lang) lang = find_rule(e.rule)->inject(n, text);  // checked by resolve_injections
    const LanguageTables* L = lang ? find_language(lang) : nullptr;
    if (!L) return Walk::Over;
    TSNode c = n;
    if (e.content) {
      c = TSNode{};
      uint32_t k = ts_node_named_child_count(n);
      for (uint32_t i = 0; i < k; i++) {
        TSNode x = ts_node_named_child(n, i);
        if (std::strcmp(ts_node_type(x), e.content) == 0) {
          c = x;
          break;
        }
      }
      if (ts_node_is_null(c)) return Walk::Over;  // an empty <script></script>
      // Closed only: the host ends in a real end tag after its content (an unterminated <script>'s content
      // runs to the end of the text, markup and all).
      uint32_t k2 = ts_node_child_count(n);
      TSNode last = k2 ? ts_node_child(n, k2 - 1) : c;
      if (ts_node_eq(last, c) || ts_node_is_missing(last) || ts_node_has_error(n) ||
          std::strstr(ts_node_type(last), "end_tag") == nullptr)
        return Walk::Over;
    }
    uint32_t b = ts_node_start_byte(c), en = ts_node_end_byte(c);
    if (en > b) out.push_back(Injection{base + b, base + en, L});
    return Walk::Over;
  });
}

namespace {

bool blank(std::string_view t) {
  for (char c : t)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return false;
  return true;
}

}  // namespace

void split_hosted(std::string_view text, const std::function<const LanguageTables*(const char*)>& itemized,
                  std::vector<ParsedSegment>& segs) {
  bool any = false;
  for (const ParsedSegment& s : segs)
    if (s.L && resolved(s.L).hosted) any = true;
  if (!any) return;  // the common case: nothing moves
  std::vector<ParsedSegment> out;
  std::vector<std::pair<uint32_t, uint32_t>> hosted;
  for (ParsedSegment& s : segs) {
    hosted.clear();
    const LanguageTables* L = s.L;
    const Resolved* R = L ? &resolved(L) : nullptr;
    if (R && R->hosted) R->hosted(text.substr(s.b, s.e - s.b), hosted);
    if (hosted.empty()) {
      out.push_back(std::move(s));
      continue;
    }
    const LanguageTables* H = R->hosted_L;
    const LanguageTables* HL = itemized(H->name);  // nullptr: left out of --languages (unitemized code)
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
    if (s.L && !s.L->inject.itemize_host) any = true;
  if (!any) return true;  // the common case: nothing moves
  std::vector<ParsedSegment> out;
  out.reserve(segs.size());
  std::vector<Injection> found;
  for (ParsedSegment& s : segs) {
    found.clear();
    const LanguageTables* L = s.L;
    if (L && !L->inject.itemize_host) {
      find_injections(resolved(L), ts_tree_root_node(s.tree.get()), s.b, text.substr(s.b, s.e - s.b), found);
      s.L = nullptr;  // the markup itself is never itemized
      s.tree.reset();
    }
    if (work_meter().stopped()) return false;
    int32_t host = static_cast<int32_t>(out.size());
    out.push_back(std::move(s));
    for (const Injection& f : found) {  // in text order (the walk's)
      if (blank(text.substr(f.b, f.e - f.b))) continue;
      const LanguageTables* E = itemized(f.L->name);
      ParsedSegment c{f.b, f.e, f.L->name, E, nullptr, host};
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
