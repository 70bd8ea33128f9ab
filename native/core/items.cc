// Coding items of a parsed segment, their core logic ranges, and the prose (comments, docstrings)
// and ERROR / MISSING ranges of the tree (docs/structure.md, "Coding items").
#include <cctype>

#include "core/structure_internal.h"
#include "core/tree_walk.h"

namespace codeblock {
namespace structure {
namespace {

// A string-only expression statement (comments aside).
bool is_docstring(const Resolved& R, TSNode n) {
  if (!R.flag(R.is_expr_stmt, n)) return false;
  uint32_t k = ts_node_named_child_count(n);
  uint32_t strings = 0;
  for (uint32_t i = 0; i < k; i++) {
    TSNode c = ts_node_named_child(n, i);
    if (R.c(c) & kComment) continue;
    if (!(R.c(c) & kString)) return false;
    strings++;
  }
  return strings == 1;
}

// End byte (segment-relative) of a compound statement's / clause's header: the last terminator
// token before its first body; the whole node when it has no body (broken code).
uint32_t header_end(const Resolved& R, TSNode n) {
  uint32_t k = ts_node_child_count(n);
  uint32_t last_term = 0;
  bool have_term = false;
  for (uint32_t i = 0; i < k; i++) {
    TSNode c = ts_node_child(n, i);
    uint16_t cc = R.c(c);
    if (cc & kBody) {
      if (have_term) return last_term;
      return ts_node_start_byte(c);
    }
    if (cc & kClause) break;
    if ((cc & kHeaderEnd) && !ts_node_is_missing(c)) {
      last_term = ts_node_end_byte(c);
      have_term = true;
    }
  }
  return have_term ? last_term : ts_node_end_byte(n);
}

struct LineInfo {
  std::string_view text;
  // number of lines of [b, e)
  uint32_t lines(uint32_t b, uint32_t e) const {
    uint32_t n = 1;
    for (uint32_t i = b; i < e && i < text.size(); i++)
      if (text[i] == '\n') n++;
    return n;
  }
};

}  // namespace

void resolve_items(const PartResolver& P, const ItemsPart& it) {
  Resolved& R = P.R;
  const uint32_t count = P.count;
  for (auto* v : {&R.is_decorated, &R.is_expr_stmt, &R.is_body_open, &R.is_clause_kw, &R.is_block_lambda,
                  &R.is_member_term, &R.is_leading, &R.is_stmt_wrapper, &R.is_paren_header, &R.is_close_paren})
    v->assign(count, 0);
  P.mark(it.simple_statements, kSimple);
  P.mark(it.compound_statements, kCompound);
  P.mark(it.clauses, kClause);
  P.mark(it.bodies, kBody);
  P.mark(it.definition_items, kDefinition);
  P.mark(it.string_literals, kString);
  P.mark(it.comments, kComment);
  P.mark(it.delimiters, kDelim);
  P.mark(it.non_core_tokens, kNonCore);
  if (it.header_terminator) P.mark({it.header_terminator}, kHeaderEnd);
  P.flag(it.decorated_wrapper, R.is_decorated);
  P.flag(it.expression_statement, R.is_expr_stmt);
  P.flag(it.body_open, R.is_body_open);
  P.flags(it.body_open_more, R.is_body_open);
  P.flags(it.clause_keywords, R.is_clause_kw);
  P.flags(it.block_lambdas, R.is_block_lambda);
  P.flags(it.member_terminators, R.is_member_term);
  P.flags(it.leading_siblings, R.is_leading);
  P.flags(it.statement_wrappers, R.is_stmt_wrapper);
  P.flags(it.paren_headers, R.is_paren_header);
  if (!it.paren_headers.empty()) P.flag(")", R.is_close_paren);
  R.f_decorated = it.decorated_field ? P.field(it.decorated_field) : 0;
  for (const char* h : it.header_fields)
    if (TSFieldId f = P.field(h)) R.header_fields.push_back(f);
}

void extract_items(const Resolved& R, TSNode root, uint32_t base, int32_t seg, std::string_view text,
                   const CodePointMap& cpm, const StructureOptions& opt, std::vector<RawItem>& out) {
  if (R.braced()) {
    extract_items_braced(R, root, base, seg, text, cpm, opt, out);
    return;
  }
  struct Work {
    TSNode node;
    bool inside_def;
  };
  std::vector<Work> stack{{root, false}};
  auto add = [&](uint32_t b, uint32_t e, ItemKind k, const char* type, TSNode node) {
    out.push_back(RawItem{base + b, base + e, k, type, node, seg, 0});
  };
  LineInfo li{text};
  auto fits_block = [&](TSNode n) {
    uint32_t b = base + ts_node_start_byte(n), e = base + ts_node_end_byte(n);
    return cpm(e) - cpm(b) <= opt.block_max_code_points && li.lines(b, e) <= opt.block_max_lines;
  };
  // clause: header item + its bodies
  auto clause = [&](TSNode k, bool inside_def) {
    add(ts_node_start_byte(k), header_end(R, k), ItemKind::Clause, ts_node_type(k), k);
    for_named_children(k, [&](TSNode c) {
      if (R.c(c) & kBody) stack.push_back({c, inside_def});
    });
  };
  while (!stack.empty()) {
    Work w = stack.back();
    stack.pop_back();
    for_named_children(w.node, [&](TSNode s) {
      uint16_t cs = R.c(s);
      if (cs & kComment) return;
      if (ts_node_is_error(s)) {  // one flagged item over its non-blank extent
        uint32_t b = ts_node_start_byte(s), e = ts_node_end_byte(s);
        while (b < e && std::isspace(static_cast<unsigned char>(text[base + b]))) b++;
        while (e > b && std::isspace(static_cast<unsigned char>(text[base + e - 1]))) e--;
        if (e > b) add(b, e, ItemKind::Simple, "ERROR", s);
        return;
      }
      if (cs & kClause) {  // e.g. case clauses inside a match body
        clause(s, w.inside_def);
        return;
      }
      if (cs & kCompound) {
        TSNode def = s;
        if (R.flag(R.is_decorated, s)) {
          TSNode d = ts_node_child_by_field_id(s, R.f_decorated);
          if (!ts_node_is_null(d)) def = d;
        }
        bool is_def = (R.c(def) & kDefinition) != 0;
        if ((opt.granularity == Granularity::Function && is_def && !w.inside_def) ||
            (opt.granularity == Granularity::Block && fits_block(s))) {
          add(ts_node_start_byte(s), ts_node_end_byte(s), ItemKind::Block, ts_node_type(def), s);
          return;
        }
        add(ts_node_start_byte(s), header_end(R, def), ItemKind::Header, ts_node_type(def), s);
        bool inner = w.inside_def || is_def;
        for_named_children(def, [&](TSNode c) {
          uint16_t cc = R.c(c);
          if (cc & kBody) stack.push_back({c, inner});
          else if (cc & kClause) clause(c, inner);
        });
        return;
      }
      if ((cs & kSimple) && is_docstring(R, s)) return;
      if (ts_node_end_byte(s) <= ts_node_start_byte(s)) return;  // zero-width (MISSING)
      add(ts_node_start_byte(s), ts_node_end_byte(s), ItemKind::Simple, ts_node_type(s), s);
    });
  }
}

void collect_prose(const Resolved& R, TSNode root, uint32_t base, ByteRanges& out) {
  walk(root, [&](const WalkAt& at) {
    TSNode n = at.node();
    uint16_t c = R.c(n);
    if ((c & kComment) || ((c & kSimple) && is_docstring(R, n))) {
      out.emplace_back(base + ts_node_start_byte(n), base + ts_node_end_byte(n));
      return Walk::Over;
    }
    return (c & kString) ? Walk::Over : Walk::Into;  // nothing prose-like inside a literal
  });
}

void collect_errors(TSNode root, uint32_t base, ByteRanges& errs, std::vector<uint32_t>& missing) {
  if (!ts_node_has_error(root)) return;
  walk(root, [&](const WalkAt& at) {
    TSNode n = at.node();
    if (ts_node_is_error(n)) {
      errs.emplace_back(base + ts_node_start_byte(n), base + ts_node_end_byte(n));
      return Walk::Over;
    }
    if (ts_node_is_missing(n)) {
      missing.push_back(base + ts_node_start_byte(n));
      return Walk::Over;
    }
    return ts_node_has_error(n) ? Walk::Into : Walk::Over;
  });
}

void core_ranges(const Resolved& R, TSNode node, uint32_t base, uint32_t b, uint32_t e, ByteRanges& out) {
  size_t first = out.size();
  auto emit = [&](uint32_t s, uint32_t t) {
    s += base;
    t += base;
    if (s < b) s = b;
    if (t > e) t = e;
    if (t <= s) return;
    if (out.size() > first && out.back().second == s) out.back().second = t;
    else out.emplace_back(s, t);
  };
  walk(node, [&](const WalkAt& at) {
    TSNode n = at.node();
    uint32_t ns = base + ts_node_start_byte(n), ne = base + ts_node_end_byte(n);
    // past the item (header items stop at their terminator): skip this node and later siblings
    if (ns >= e && ne > ns) return Walk::Out;
    uint16_t c = R.c(n);
    if (c & (kComment | kDelim | kNonCore)) return Walk::Over;
    if ((c & kSimple) && is_docstring(R, n)) return Walk::Over;
    if ((c & kString) || ts_node_child_count(n) == 0) {
      emit(ts_node_start_byte(n), ts_node_end_byte(n));
      return Walk::Over;
    }
    return ne > b ? Walk::Into : Walk::Over;  // nothing before the item can hold core tokens
  });
}

}  // namespace structure
}  // namespace codeblock
