// Coding items of brace languages (JavaScript, Java, C, Go, ...: LanguageTables::body_open set):
// the same item kinds as Python (docs/structure.md, "Coding items"), with headers that run through
// the token opening their body, clause keywords without a clause node (Java's `else`), brace-less
// bodies (`if (x) return;`), and simple statements split at lambdas with a block body.
#include <cctype>
#include <cstring>

#include "core/structure_internal.h"
#include "core/tree_walk.h"

namespace codeblock {
namespace structure {
namespace {

bool is_statement(const Resolved& R, TSNode n) { return (R.c(n) & (kSimple | kCompound)) != 0; }

// Field id of n's i-th child (all children counted); 0 when it has none.
TSFieldId field_at(const Resolved& R, TSNode n, uint32_t i) {
  const char* f = ts_node_field_name_for_child(n, i);
  return f ? ts_language_field_id_for_name(R.lang, f, static_cast<uint32_t>(std::strlen(f))) : 0;
}

// End byte (segment-relative) of the body's opening token, or its start when it has none.
uint32_t body_open_end(const Resolved& R, TSNode body) {
  if (ts_node_child_count(body) > 0) {
    TSNode first = ts_node_child(body, 0);
    if (R.flag(R.is_body_open, first) && !ts_node_is_missing(first)) return ts_node_end_byte(first);
  }
  return ts_node_start_byte(body);
}

// End byte of a compound statement's / clause's header: through its body's opening token; before
// a brace-less body statement, a clause, or a clause keyword (the end of the token before it);
// through the last header terminator (`case x:`) before the first statement; the whole node when
// it has no body part (broken code, or a declaration without body).
uint32_t braced_header_end(const Resolved& R, TSNode n, bool* bodiless = nullptr) {
  if (bodiless) *bodiless = false;
  uint32_t k = ts_node_child_count(n);
  uint32_t prev_end = ts_node_start_byte(n), last_term = 0;
  bool have_term = false;
  for (uint32_t i = 0; i < k; i++) {
    TSNode c = ts_node_child(n, i);
    TSFieldId f = field_at(R, n, i);
    uint16_t cc = R.c(c);
    if (ts_node_is_named(c) && !R.is_header_field(f)) {
      if (cc & kBody) return have_term ? last_term : body_open_end(R, c);
      if ((cc & kClause) || is_statement(R, c)) return have_term ? last_term : prev_end;
    }
    if (!ts_node_is_named(c) && R.flag(R.is_clause_kw, c)) return have_term ? last_term : prev_end;
    if ((cc & kHeaderEnd) && !ts_node_is_missing(c)) {
      last_term = ts_node_end_byte(c);
      have_term = true;
    }
    if (!(cc & kComment) && ts_node_end_byte(c) > ts_node_start_byte(c)) prev_end = ts_node_end_byte(c);
  }
  if (bodiless && !have_term) *bodiless = true;
  return have_term ? last_term : ts_node_end_byte(n);
}

// The statement a wrapper wraps (export_statement's declaration, TypeScript `declare`'s first named child),
// through nested wrappers; null when s wraps nothing.
TSNode wrapped_statement(const Resolved& R, TSNode s) {
  TSNode x = s;
  for (;;) {
    TSNode y{};
    bool have = false;
    if (R.flag(R.is_decorated, x)) {
      y = ts_node_child_by_field_id(x, R.f_decorated);
      have = !ts_node_is_null(y);
    } else if (R.flag(R.is_stmt_wrapper, x)) {
      uint32_t k = ts_node_named_child_count(x);
      for (uint32_t i = 0; i < k && !have; i++) {
        y = ts_node_named_child(x, i);
        have = !(R.c(y) & kComment);
      }
    }
    if (!have) break;
    x = y;
  }
  return ts_node_eq(x, s) ? TSNode{} : x;
}

}  // namespace

void extract_items_braced(const Resolved& R, TSNode root, uint32_t base, int32_t seg, std::string_view text,
                          const CodePointMap& cpm, const StructureOptions& opt, std::vector<RawItem>& out) {
  // node: a container whose named children are statements, or (single) one statement itself, or
  // (parts) a compound statement whose header was already emitted (else-if chains).
  enum class W : uint8_t { Container, Single, Parts };
  struct Work {
    TSNode node;
    bool inside_def;
    W what;
  };
  std::vector<Work> stack{{root, false, W::Container}};
  auto add = [&](uint32_t b, uint32_t e, ItemKind k, const char* type, TSNode node) {
    if (e > b) out.push_back(RawItem{base + b, base + e, k, type, node, seg, 0});
  };
  auto lines = [&](uint32_t b, uint32_t e) {
    uint32_t n = 1;
    for (uint32_t i = b; i < e && i < text.size(); i++)
      if (text[i] == '\n') n++;
    return n;
  };
  auto fits_block = [&](TSNode n) {
    uint32_t b = base + ts_node_start_byte(n), e = base + ts_node_end_byte(n);
    return cpm(e) - cpm(b) <= opt.block_max_code_points && lines(b, e) <= opt.block_max_lines;
  };
  // The bodies, clauses and body statements of a compound statement or clause, in order; a clause
  // keyword token opens a clause item through what follows it.
  auto parts = [&](TSNode n, bool inside_def) {
    uint32_t k = ts_node_child_count(n);
    bool kw = false;
    uint32_t kw_start = 0, kw_end = 0;
    for (uint32_t i = 0; i < k; i++) {
      TSNode c = ts_node_child(n, i);
      if (!ts_node_is_named(c)) {
        if (R.flag(R.is_clause_kw, c)) {
          kw = true;
          kw_start = ts_node_start_byte(c);
          kw_end = ts_node_end_byte(c);
        }
        continue;
      }
      uint16_t cc = R.c(c);
      if (cc & kComment) continue;
      if (R.is_header_field(field_at(R, n, i))) continue;
      if (cc & kBody) {
        if (kw) add(kw_start, body_open_end(R, c), ItemKind::Clause, ts_node_type(n), c);
        kw = false;
        stack.push_back({c, inside_def, W::Container});
      } else if (cc & kClause) {
        kw = false;
        stack.push_back({c, inside_def, W::Single});
      } else if (is_statement(R, c)) {
        if (kw && (cc & kCompound) && !(R.c(c) & kDefinition)) {  // else if: one clause header
          add(kw_start, braced_header_end(R, c), ItemKind::Clause, ts_node_type(c), c);
          stack.push_back({c, inside_def, W::Parts});
        } else {
          if (kw) add(kw_start, kw_end, ItemKind::Clause, ts_node_type(n), c);
          stack.push_back({c, inside_def, W::Single});
        }
        kw = false;
      }
    }
  };
  // Bodies of the block lambdas inside a simple statement, in order (not those nested in them).
  auto lambda_bodies = [&](TSNode s, std::vector<TSNode>& bodies) {
    if (R.t->block_lambdas.empty()) return;
    walk(s, [&](const WalkAt& at) {
      TSNode x = at.node();
      if (R.flag(R.is_block_lambda, x)) {  // also a compound type met in an expression (an object's method)
        TSNode b = ts_node_child_by_field_id(x, R.f_body);
        if (!ts_node_is_null(b) && (R.c(b) & kBody)) {
          bodies.push_back(b);
          return Walk::Over;
        }
      }
      if (at.depth > 0 && (R.c(x) & (kBody | kCompound))) return Walk::Over;
      return Walk::Into;
    });
  };
  std::vector<TSNode> bodies;
  auto stmt = [&](TSNode s, bool inside_def) {
    uint16_t cs = R.c(s);
    if (cs & kComment) return;
    if (ts_node_is_error(s)) {  // one flagged item over its non-blank extent
      uint32_t b = ts_node_start_byte(s), e = ts_node_end_byte(s);
      while (b < e && std::isspace(static_cast<unsigned char>(text[base + b]))) b++;
      while (e > b && std::isspace(static_cast<unsigned char>(text[base + e - 1]))) e--;
      add(b, e, ItemKind::Simple, "ERROR", s);
      return;
    }
    if (cs & kBody) {  // a bare block in statement position
      stack.push_back({s, inside_def, W::Container});
      return;
    }
    if (R.flag(R.is_decorated, s) || R.flag(R.is_stmt_wrapper, s)) {  // export function f() {...}: the wrapper
      TSNode d = wrapped_statement(R, s);                             // starts the header
      if (!ts_node_is_null(d) && (R.c(d) & kBody)) {                  // declare global { ... }
        if (opt.granularity == Granularity::Block && fits_block(s)) {
          add(ts_node_start_byte(s), ts_node_end_byte(s), ItemKind::Block, ts_node_type(s), s);
          return;
        }
        add(ts_node_start_byte(s), body_open_end(R, d), ItemKind::Header, ts_node_type(s), s);
        stack.push_back({d, inside_def, W::Container});
        return;
      }
      if (!ts_node_is_null(d) && (R.c(d) & kCompound)) {
        bool is_def = (R.c(d) & kDefinition) != 0;
        bool bodiless = false;
        uint32_t he = braced_header_end(R, d, &bodiless);
        if (bodiless && R.t->bodiless_compound_simple) {
          add(ts_node_start_byte(s), ts_node_end_byte(s), ItemKind::Simple, ts_node_type(d), s);
          return;
        }
        if ((opt.granularity == Granularity::Function && is_def && !inside_def) ||
            (opt.granularity == Granularity::Block && fits_block(s))) {
          add(ts_node_start_byte(s), ts_node_end_byte(s), ItemKind::Block, ts_node_type(d), s);
          return;
        }
        add(ts_node_start_byte(s), he, ItemKind::Header, ts_node_type(d), s);
        parts(d, inside_def || is_def);
        return;
      }
    }
    if (cs & kClause) {
      // else if: the clause header runs through the nested if's header (the clause's first named child,
      // before any header terminator: `case x: if (...)` is a case clause and an if statement)
      uint32_t k = ts_node_child_count(s);
      for (uint32_t i = 0; i < k; i++) {
        TSNode c = ts_node_child(s, i);
        uint16_t cc = R.c(c);
        if (!ts_node_is_named(c)) {
          if (cc & kHeaderEnd) break;
          continue;
        }
        if (cc & kComment) continue;
        if ((cc & kCompound) && !(cc & kDefinition)) {
          add(ts_node_start_byte(s), braced_header_end(R, c), ItemKind::Clause, ts_node_type(s), s);
          stack.push_back({c, inside_def, W::Parts});
          return;
        }
        break;
      }
      add(ts_node_start_byte(s), braced_header_end(R, s), ItemKind::Clause, ts_node_type(s), s);
      parts(s, inside_def);
      return;
    }
    if (cs & kCompound) {
      bool is_def = (cs & kDefinition) != 0;
      bool bodiless = false;
      uint32_t he = braced_header_end(R, s, &bodiless);
      if (bodiless && R.t->bodiless_compound_simple) {
        add(ts_node_start_byte(s), ts_node_end_byte(s), ItemKind::Simple, ts_node_type(s), s);
        return;
      }
      if ((opt.granularity == Granularity::Function && is_def && !inside_def) ||
          (opt.granularity == Granularity::Block && fits_block(s))) {
        add(ts_node_start_byte(s), ts_node_end_byte(s), ItemKind::Block, ts_node_type(s), s);
        return;
      }
      add(ts_node_start_byte(s), he, ItemKind::Header, ts_node_type(s), s);
      parts(s, inside_def || is_def);
      return;
    }
    if (ts_node_end_byte(s) <= ts_node_start_byte(s)) return;  // zero-width (MISSING)
    if (!(cs & kSimple)) return;                               // not a statement (a stray expression in a body)
    bodies.clear();
    if (opt.granularity == Granularity::Statement) lambda_bodies(s, bodies);
    if (bodies.empty()) {
      add(ts_node_start_byte(s), ts_node_end_byte(s), ItemKind::Simple, ts_node_type(s), s);
      return;
    }
    uint32_t from = ts_node_start_byte(s);
    for (size_t i = 0; i < bodies.size(); i++) {
      add(from, body_open_end(R, bodies[i]), i == 0 ? ItemKind::Header : ItemKind::Clause, ts_node_type(s), s);
      stack.push_back({bodies[i], inside_def, W::Container});
      from = ts_node_end_byte(bodies[i]);
    }
    // the rest after the last body (`}).catch(handle);`): a clause when it holds a core logic token
    ByteRanges tail;
    core_ranges(R, s, base, base + from, base + ts_node_end_byte(s), tail);
    if (!tail.empty()) add(from, ts_node_end_byte(s), ItemKind::Clause, ts_node_type(s), s);
  };
  while (!stack.empty()) {
    Work w = stack.back();
    stack.pop_back();
    switch (w.what) {
      case W::Container: {
        bool leading = false;  // leading_siblings seen since the last statement, from lead_start
        uint32_t lead_start = 0;
        for_named_children(w.node, [&](TSNode s) {
          if (R.flag(R.is_leading, s)) {
            if (!leading) lead_start = ts_node_start_byte(s);
            leading = true;
            return;
          }
          size_t before = out.size();
          stmt(s, w.inside_def);
          if (out.size() == before) return;
          if (leading) {  // the decorators start the statement's first item (their tokens are core there)
            out[before].b = base + lead_start;
            out[before].node = w.node;
            leading = false;
          }
          if (out.size() == before + 1 && out[before].kind == ItemKind::Simple && !R.t->member_terminators.empty()) {
            TSNode nx = ts_node_next_sibling(s);
            if (!ts_node_is_null(nx) && !ts_node_is_named(nx) && R.flag(R.is_member_term, nx) &&
                !ts_node_is_missing(nx) && ts_node_end_byte(nx) > ts_node_start_byte(nx))
              out[before].e = base + ts_node_end_byte(nx);
          }
        });
        break;
      }
      case W::Single:
        stmt(w.node, w.inside_def);
        break;
      case W::Parts:
        parts(w.node, w.inside_def);
        break;
    }
  }
}

}  // namespace structure
}  // namespace codeblock
