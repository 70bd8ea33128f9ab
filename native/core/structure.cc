// analyze_structure(): segments, coding items, flags, core ranges, def-use edges, prose, reach and
// bridge of one response (docs/structure.md). The parts live in parse.cc, items.cc and defuse.cc.
#include "core/structure.h"

#include <algorithm>
#include <cstring>

#include "core/graph.h"
#include "core/segment.h"
#include "core/structure_internal.h"
#include "core/tree_walk.h"
#include "core/utf.h"
#include "lang/detect.h"
#include "lang/language.h"

namespace codeblock {
namespace {

using namespace structure;

inline bool hspace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// A lead-in line of prose too short for a sentence line: a capital letter first, a `:` last, two or more
// words of letters only ("Here is the corrected code:", "Example usage:").
bool lead_in_line(std::string_view l) {
  // a label: `1:`, `2.`-style numbers or one capitalized word, with an optional number (`Output:`, `Step 2:`)
  if (!l.empty() && l.back() == ':' && l.size() <= 16) {
    size_t k = 0;
    if (l[0] >= 'A' && l[0] <= 'Z') {
      for (k = 1; k < l.size() && l[k] >= 'a' && l[k] <= 'z'; k++) {
      }
      if (k < l.size() && l[k] == ' ') k++;
    }
    size_t d = k;
    while (d < l.size() && l[d] >= '0' && l[d] <= '9') d++;
    if (d + 1 == l.size() && (d > k || k > 1)) return true;
  }
  if (l.size() < 4 || l[0] < 'A' || l[0] > 'Z' || l.back() != ':') return false;
  int words = 1;
  for (size_t k = 0; k + 1 < l.size(); k++) {
    char c = l[k];
    if (c == ' ') {
      if (k + 1 < l.size() && l[k + 1] != ' ') words++;
      continue;
    }
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\'' || c == '-' || c == ',';
    if (!letter) return false;
  }
  return words >= 2;
}

// A formula or label line of prose: a capitalized word (letters only), then `=` or `:` ("Sum = 10 * 11",
// "Area = π * r^2", "Input: a = 5"), valid Python as it may be.
bool formula_line(std::string_view l) {
  size_t k = 0;
  while (k < l.size() && (l[k] == ' ' || l[k] == '\t')) k++;
  if (k >= l.size() || l[k] < 'A' || l[k] > 'Z') return false;
  while (k < l.size() && ((l[k] >= 'a' && l[k] <= 'z') || (l[k] >= 'A' && l[k] <= 'Z'))) k++;
  while (k < l.size() && l[k] == ' ') k++;
  return k < l.size() && (l[k] == '=' || l[k] == ':') && (k + 1 >= l.size() || l[k + 1] != '=');
}

// The candidate code runs of a fence-less response that is not code as a whole (docs/languages.md,
// "Bare-code responses"): maximal runs of lines holding no prose line (a sentence line of
// detect::has_prose_line, which never matches an indented line, or a lead-in line), blank lines trimmed
// from both ends, except runs made only of formula lines. [b, e) bytes of `t`, in order.
std::vector<std::pair<uint32_t, uint32_t>> bare_code_runs(std::string_view t) {
  std::vector<std::pair<uint32_t, uint32_t>> runs;
  uint32_t n = static_cast<uint32_t>(t.size()), i = 0;
  uint32_t rb = 0, re = 0;  // current run: first and one-past-last non-blank line bytes
  bool open = false, formulas = true;
  auto close = [&] {
    if (open && re > rb && !formulas) runs.emplace_back(rb, re);
    open = false;
    formulas = true;
  };
  while (i < n) {
    uint32_t e = i;
    while (e < n && t[e] != '\n') e++;
    std::string_view l = t.substr(i, e - i);
    while (!l.empty() && hspace(l.back())) l.remove_suffix(1);
    uint32_t next = e < n ? e + 1 : n;
    bool blank = true;
    for (char c : l)
      if (!hspace(c)) blank = false;
    if (!blank) {
      if (detect::has_prose_line(l) || lead_in_line(l)) {
        close();
      } else {
        if (!open) rb = i;
        open = true;
        if (!formula_line(l)) formulas = false;
        re = e;  // through the line's last byte (its newline is not code)
      }
    }
    i = next;
  }
  close();
  return runs;
}

}  // namespace

namespace structure {

bool parse_segments(std::string_view text, const StructureOptions& opt, Budget& budget,
                    std::vector<ParsedSegment>& segs) {
  const std::vector<const LanguageTables*>& langs = registered_languages();
  std::vector<bool> allowed(langs.size(), opt.languages.empty());
  for (const std::string& name : opt.languages)
    for (size_t li = 0; li < langs.size(); li++)
      if (name == langs[li]->name) allowed[li] = true;
  auto find_allowed = [&](const std::string& tag) -> const LanguageTables* {
    const LanguageTables* L = find_language(tag);
    if (!L) return nullptr;
    for (size_t li = 0; li < langs.size(); li++)
      if (langs[li] == L) return allowed[li] ? L : nullptr;
    return nullptr;
  };
  for (RawSegment& rs : find_fenced_blocks(text)) {
    std::string_view body = text.substr(rs.start, rs.end - rs.start);
    if (!rs.tag.empty()) {
      if (rs.end <= rs.start) continue;
      const LanguageTables* L = find_allowed(rs.tag);
      segs.push_back(ParsedSegment{rs.start, rs.end, L ? std::string(L->name) : rs.tag, L, nullptr});
      continue;
    }
    // untagged fence, or the whole fence-less response: is it code in a registered language?
    bool blank = true;
    for (char c : body)
      if (!hspace(c) && c != '\n') {
        blank = false;
        break;
      }
    if (blank) continue;
    TreePtr tree;
    bool timed_out = false;
    const LanguageTables* found = detect_language(body, allowed, budget, tree, timed_out);
    if (timed_out) return false;
    if (found) segs.push_back(ParsedSegment{rs.start, rs.end, found->name, found, std::move(tree)});
    else if (rs.fenced) segs.push_back(ParsedSegment{rs.start, rs.end, "unknown", nullptr, nullptr});
    else {
      // A fence-less response that is not code as a whole: its runs of lines between prose lines
      // (bare_code_runs) are code where detection finds their language; the rest is prose.
      for (const auto& [b, e] : bare_code_runs(body)) {
        bool whole = true;  // the run is the whole response, detected above already
        for (uint32_t k = 0; k < body.size() && whole; k++)
          if ((k < b || k >= e) && !hspace(body[k]) && body[k] != '\n') whole = false;
        if (whole) break;
        found = detect_language(body.substr(b, e - b), allowed, budget, tree, timed_out);
        if (timed_out) return false;
        if (found) segs.push_back(ParsedSegment{rs.start + b, rs.start + e, found->name, found, std::move(tree)});
      }
    }
  }

  // PHP's inline HTML: pieces of their own (inject.cc).
  auto itemized = [&](const char* name) { return find_allowed(name); };
  split_hosted(text, itemized, segs);

  // Parse the tagged itemized segments (untagged ones were parsed by detection).
  for (ParsedSegment& s : segs) {
    if (!s.L || s.tree) continue;
    s.tree = parse(resolved(s.L), text.substr(s.b, s.e - s.b), budget);
    if (!s.tree) return false;
  }
  // Code embedded in markup (HTML <script> and <style>): segments of their own (inject.cc).
  return inject_segments(text, itemized, budget, segs);
}

RecordStatus parse_record(std::string_view text, const StructureOptions& opt, std::vector<ParsedSegment>& segs) {
  if (text.size() >= 0xFFFFFFF0u) return RecordStatus::NoCode;  // offsets are 32-bit
  WorkMeter& meter = work_meter();
  meter.start(opt.work_budget, opt.wall_timeout_ms);
  Budget budget;
  if (parse_segments(text, opt, budget, segs)) return RecordStatus::Ok;
  return stop_status(meter);
}

RecordStatus stop_status(const WorkMeter& meter) {
  return meter.wall ? RecordStatus::WallTimeout : RecordStatus::WorkBudget;
}

}  // namespace structure

namespace {

// The work units charged to this thread's meter; the meter then goes back to unlimited (graphMetrics
// and any later call outside a record must never see a stopped meter).
uint64_t end_record() {
  uint64_t used = work_meter().used;
  work_meter().reset();
  return used;
}

void analyze_record(std::string_view text, const StructureOptions& opt, StructureResult& res) {
  const WorkMeter& meter = work_meter();
  auto out_of_budget = [&] {
    if (!meter.stopped()) return false;
    res = StructureResult{};  // whatever was computed is partial: nothing of it goes out
    res.status = stop_status(meter);
    return true;
  };
  std::vector<ParsedSegment> segs;
  res.status = parse_record(text, opt, segs);
  if (res.status != RecordStatus::Ok) return;
  const CodePointMap cpm(text);

  // Every itemized tree flattened once: from here on, every walk over its nodes (items, prose,
  // errors, def-use, core ranges) steps through the array instead of a cursor (core/tree_walk.h).
  // The arrays are this thread's, reused from record to record (a large record's array would
  // otherwise be a fresh mmap, page faults included, every time).
  thread_local std::vector<FlatTree> flat;
  if (flat.size() < segs.size()) flat.resize(segs.size());
  for (size_t si = 0; si < flat.size(); si++) {
    flat[si].tree = nullptr;
    if (si < segs.size() && segs[si].L) flat[si].build(ts_tree_root_node(segs[si].tree.get()));
  }
  const FlatScope flat_scope(flat);

  // Items per itemized segment (sorted by position).
  std::vector<RawItem> items;
  ByteRanges errs;
  std::vector<uint32_t> missing;
  ByteRanges prose;
  for (size_t si = 0; si < segs.size(); si++) {
    const ParsedSegment& s = segs[si];
    if (!s.L) continue;
    const Resolved& R = resolved(s.L);
    TSNode root = ts_tree_root_node(s.tree.get());
    size_t first = items.size();
    extract_items(R, root, s.b, static_cast<int32_t>(si), text, cpm, opt, items);
    std::sort(items.begin() + first, items.end(), [](const RawItem& a, const RawItem& b) { return a.b < b.b; });
    collect_errors(root, s.b, errs, missing);
    collect_prose(R, root, s.b, prose);
  }

  // Injected segments lie inside their host's range: the items of both, in text order.
  bool injected = false;
  for (const ParsedSegment& s : segs)
    if (s.host >= 0) injected = true;
  if (injected)
    std::stable_sort(items.begin(), items.end(), [](const RawItem& a, const RawItem& b) { return a.b < b.b; });

  if (out_of_budget()) return;
  if (opt.max_items > 0 && items.size() > opt.max_items) {
    res.status = RecordStatus::TooLong;
    return;
  }

  // Flags: overlap with ERROR ranges / MISSING points.
  std::sort(errs.begin(), errs.end());
  ByteRanges merged;
  for (auto& e : errs) {
    if (!merged.empty() && e.first <= merged.back().second)
      merged.back().second = std::max(merged.back().second, e.second);
    else merged.push_back(e);
  }
  std::sort(missing.begin(), missing.end());
  for (RawItem& it : items) {
    if (!std::strcmp(it.type, "ERROR")) it.flags |= kFlagError;
    for (const char* bad : segs[it.segment].L->items.invalid_statements)  // the item's own language
      if (!std::strcmp(it.type, bad)) it.flags |= kFlagError;
    auto m = std::lower_bound(merged.begin(), merged.end(), std::make_pair(it.e, uint32_t{0}));
    if (m != merged.begin()) {
      --m;  // last error range starting before the item end; disjoint, so the only candidate
      if (m->second > it.b) it.flags |= kFlagError;
    }
    auto p = std::lower_bound(missing.begin(), missing.end(), it.b);
    if (p != missing.end() && *p <= it.e) it.flags |= kFlagMissing;
  }

  // Def-use per language, across that language's segments in order.
  std::vector<std::pair<int32_t, int32_t>> edges;
  for (const LanguageTables* L : registered_languages()) {
    std::vector<SegmentTree> trees;
    for (const ParsedSegment& s : segs)
      if (s.L == L) trees.push_back(SegmentTree{ts_tree_root_node(s.tree.get()), s.b});
    if (!trees.empty()) def_use_edges(resolved(L), text, items, trees, edges);
  }
  if (out_of_budget()) return;
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());

  // Output in code points. Output segments are disjoint and in text order: a host with injections is cut
  // into the pieces around them (piece_of: each parsed segment's pieces, by first byte).
  std::vector<std::vector<std::pair<uint32_t, int32_t>>> piece_of(segs.size());
  for (size_t si = 0; si < segs.size(); si++) {
    const ParsedSegment& s = segs[si];
    if (s.host >= 0) continue;
    uint32_t at = s.b;
    auto piece = [&](size_t owner, uint32_t b, uint32_t e) {
      if (e <= b) return;
      piece_of[owner].emplace_back(b, static_cast<int32_t>(res.segments.size()));
      res.segments.push_back(SegmentOut{cpm(b), cpm(e), segs[owner].lang, segs[owner].L != nullptr});
    };
    size_t ci = si + 1;
    for (; ci < segs.size() && segs[ci].host == static_cast<int32_t>(si); ci++) {
      piece(si, at, segs[ci].b);
      piece(ci, segs[ci].b, segs[ci].e);
      at = segs[ci].e;
    }
    piece(si, at, s.e);
  }
  auto out_segment = [&](int32_t si, uint32_t b) {
    const auto& ps = piece_of[si];
    size_t k = 0;
    while (k + 1 < ps.size() && ps[k + 1].first <= b) k++;
    return ps.empty() ? -1 : ps[k].second;
  };
  bool any_code = false;
  res.items.reserve(items.size());
  uint32_t prev_end = 0;
  for (size_t k = 0; k < items.size(); k++) {
    const RawItem& it = items[k];
    const ParsedSegment& s = segs[it.segment];
    // whole-line rule: extend to the line start over indentation, and through the newline over
    // trailing whitespace, each side independently, never past the segment.
    uint32_t b = it.b, e = it.e;
    uint32_t i = b;
    while (i > s.b && (text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\f')) i--;
    if (i == s.b || text[i - 1] == '\n') b = i;
    uint32_t j = e;
    while (j < s.e && hspace(text[j])) j++;
    if (j < s.e && text[j] == '\n') e = j + 1;
    else if (j == s.e) e = j;
    // never into the neighbours (tree-sitter ERROR nodes may start on the previous line's newline)
    if (k + 1 < items.size() && items[k + 1].segment == it.segment && e > items[k + 1].b)
      e = std::max(it.e, items[k + 1].b);
    if (b < prev_end) b = std::min(it.b, prev_end);
    prev_end = e;
    ItemOut o;
    o.start = cpm(b);
    o.end = cpm(e);
    o.kind = it.kind;
    o.type = it.type;
    o.segment = out_segment(it.segment, it.b);
    o.flags = it.flags;
    o.core_begin = static_cast<uint32_t>(res.core.size());
    ByteRanges core;
    core_ranges(resolved(s.L), it.node, s.b, it.b, it.e, core);
    for (auto& c : core) res.core.emplace_back(cpm(c.first), cpm(c.second));
    o.core_end = static_cast<uint32_t>(res.core.size());
    res.items.push_back(o);
    if (!it.flags) any_code = true;
  }
  if (out_of_budget()) return;
  res.edges = std::move(edges);
  std::sort(prose.begin(), prose.end());
  for (auto& p : prose) {
    uint32_t a = cpm(p.first), b = cpm(p.second);
    if (!res.prose.empty() && a < res.prose.back().second) a = res.prose.back().second;  // nested: keep disjoint
    if (b > a) res.prose.emplace_back(a, b);
  }
  size_t n = res.items.size();
  res.reach.assign(n, 0.0);
  res.bridge.assign(n, 0.0);
  if (n > 0) {
    std::vector<int32_t> from, to;
    for (auto& e : res.edges) {
      from.push_back(e.first);
      to.push_back(e.second);
    }
    graph_metrics(static_cast<int32_t>(n), from.data(), to.data(), static_cast<int32_t>(from.size()), res.reach.data(),
                  res.bridge.data());
  }
  if (out_of_budget()) return;
  if (!any_code) res.status = RecordStatus::NoCode;
}

}  // namespace

StructureResult analyze_structure(std::string_view text, const StructureOptions& opt) {
  StructureResult res;
  analyze_record(text, opt, res);
  res.work = end_record();
  return res;
}

ParseOnlyResult parse_only(std::string_view text, const StructureOptions& opt) {
  ParseOnlyResult res;
  std::vector<ParsedSegment> segs;
  res.status = parse_record(text, opt, segs);
  res.work = end_record();
  if (res.status != RecordStatus::Ok) return res;
  for (const ParsedSegment& s : segs) {
    if (!s.L) continue;
    res.segments++;
    res.bytes += s.e - s.b;
    res.nodes += ts_node_descendant_count(ts_tree_root_node(s.tree.get()));
  }
  if (res.segments == 0) res.status = RecordStatus::NoCode;
  return res;
}

}  // namespace codeblock
