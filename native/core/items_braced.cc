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

// End byte (segment-relative) of the body's opening token (a child before its first named child: `{`, or
// Go's `interface {`), or its start when it has none (keyword-bodied languages, LanguageTables::body_open_more:
// the end of the last token before it, so that a header does not end in the blanks before a body that opens
// with no token, Ruby `def f(x)` / `if x` + newline).
uint32_t body_open_end(const Resolved& R, TSNode body) {
  uint32_t k = ts_node_child_count(body);
  for (uint32_t i = 0; i < k; i++) {
    TSNode c = ts_node_child(body, i);
    if (ts_node_is_named(c)) {
      // a body that only wraps another (Kotlin's function_body around a block): that body's opening token
      if ((R.c(c) & kBody) && ts_node_named_child_count(body) == 1) return body_open_end(R, c);
      break;
    }
    if (R.flag(R.is_body_open, c) && !ts_node_is_missing(c)) {
      // a block lambda's parameters between two opening tokens (Kotlin `{ x: Int ->`): through the second
      if (i + 2 < k && R.flag(R.is_block_lambda, body)) {
        TSNode p = ts_node_child(body, i + 1), q = ts_node_child(body, i + 2);
        bool params = ts_node_is_named(p) && !(R.c(p) & (kSimple | kCompound | kBody | kClause | kComment));
        if (params && !ts_node_is_named(q) && R.flag(R.is_body_open, q) && !ts_node_is_missing(q))
          return ts_node_end_byte(q);
      }
      return ts_node_end_byte(c);
    }
  }
  if (!R.t->items.body_open_more.empty()) {
    for (TSNode p = ts_node_prev_sibling(body); !ts_node_is_null(p); p = ts_node_prev_sibling(p))
      if (!(R.c(p) & kComment) && ts_node_end_byte(p) > ts_node_start_byte(p)) return ts_node_end_byte(p);
  }
  return ts_node_start_byte(body);
}

// The wrapped node of a decorated wrapper: its decorated field, or (no field) its last named child that is
// not a comment (Rust's expression_statement around an `if`; C++'s template_declaration after its parameters).
TSNode decorated_child(const Resolved& R, TSNode s) {
  if (R.f_decorated) return ts_node_child_by_field_id(s, R.f_decorated);
  for (uint32_t i = ts_node_named_child_count(s); i-- > 0;) {
    TSNode c = ts_node_named_child(s, i);
    if (!(R.c(c) & kComment)) return c;
  }
  return TSNode{};
}

// The body of a block lambda (LanguageTables::block_lambdas), or a null node: field `body`; without that
// field, the first named child that is a body, else the node itself when it has the body-opening token, and
// then only when the body holds a named child (a type body: Go's struct and interface types).
TSNode lambda_body(const Resolved& R, TSNode x) {
  TSNode b = ts_node_child_by_field_id(x, R.f_body);
  if (!ts_node_is_null(b)) return (R.c(b) & kBody) ? b : TSNode{};
  uint32_t k = ts_node_named_child_count(x);
  for (uint32_t i = 0; i < k && ts_node_is_null(b); i++)
    if (R.c(ts_node_named_child(x, i)) & kBody) b = ts_node_named_child(x, i);
  if (ts_node_is_null(b)) {
    if (body_open_end(R, x) == ts_node_start_byte(x)) return TSNode{};
    b = x;
  }
  uint32_t n = ts_node_named_child_count(b);
  for (uint32_t i = 0; i < n; i++)
    if (!(R.c(ts_node_named_child(b, i)) & kComment)) return b;
  return TSNode{};
}

// Index of the header terminator token among n's children when every child before it is header
// (LanguageTables::header_through_terminator; the first `)` of an ItemsPart::paren_headers node), else -1.
int64_t terminator_index(const Resolved& R, TSNode n) {
  const bool paren = R.flag(R.is_paren_header, n);
  if (!R.t->items.header_through_terminator && !paren) return -1;
  uint32_t k = ts_node_child_count(n);
  for (uint32_t i = 0; i < k; i++) {
    TSNode c = ts_node_child(n, i);
    bool end = paren ? R.flag(R.is_close_paren, c) : (R.c(c) & kHeaderEnd) != 0;
    if (end && !ts_node_is_named(c) && !ts_node_is_missing(c)) return i;
    if (ts_node_is_named(c) && (R.c(c) & (kBody | kClause))) return -1;
  }
  return -1;
}

// End byte of a compound statement's / clause's header: through its body's opening token; before
// a brace-less body statement, a clause, or a clause keyword (the end of the token before it);
// through the last header terminator (`case x:`) before the first statement; the whole node when
// it has no body part (broken code, or a declaration without body).
uint32_t braced_header_end(const Resolved& R, TSNode n, bool* bodiless = nullptr) {
  if (bodiless) *bodiless = false;
  uint32_t prev_end = ts_node_start_byte(n), last_term = 0, out = 0;
  bool have_term = false, done = false;
  // the terminator ends clause headers (`case x:`), not a loop's `for (T x : xs)`; Bash (whose
  // headers run through the terminator, `if cmd; then`) also compound ones
  const bool term_counts = (R.c(n) & kClause) != 0 || R.t->items.header_through_terminator;
  int64_t term = terminator_index(R, n), i = -1;
  walk(n, [&](const WalkAt& at) {  // one cursor over the children: linear in their number
    if (at.depth == 0) return Walk::Into;
    i++;
    TSNode c = at.node();
    uint16_t cc = R.c(c);
    bool named = ts_node_is_named(c);
    if (named && !R.is_header_field(at.field()) && i > term) {
      if (cc & kBody) {
        out = have_term ? last_term : body_open_end(R, c);
        done = true;
        return Walk::Out;
      }
      if ((cc & kClause) || is_statement(R, c)) {
        out = have_term ? last_term : prev_end;
        done = true;
        return Walk::Out;
      }
    }
    if (!named && R.flag(R.is_clause_kw, c)) {
      out = have_term ? last_term : prev_end;
      done = true;
      return Walk::Out;
    }
    if (term_counts && (cc & kHeaderEnd) && !ts_node_is_missing(c)) {
      last_term = ts_node_end_byte(c);
      have_term = true;
    }
    if (!(cc & kComment) && ts_node_end_byte(c) > ts_node_start_byte(c)) prev_end = ts_node_end_byte(c);
    return Walk::Over;
  });
  if (done) return out;
  if (bodiless && !have_term) *bodiless = true;
  return have_term ? last_term : ts_node_end_byte(n);
}

// The statement a wrapper wraps (export_statement's declaration, TypeScript `declare`'s first named child,
// C++'s template_declaration's declaration, Rust's expression_statement's expression), through nested
// wrappers; null when s wraps nothing.
TSNode wrapped_statement(const Resolved& R, TSNode s) {
  TSNode x = s;
  for (;;) {
    TSNode y{};
    bool have = false;
    if (R.flag(R.is_decorated, x)) {
      y = decorated_child(R, x);
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
    bool kw = false, after_term = false;
    bool clause_exprs = R.t->items.expression_bodies && (R.c(n) & kClause);
    uint32_t kw_start = 0, kw_end = 0;
    int64_t term = terminator_index(R, n), i = -1;
    for_children(n, [&](TSNode c, TSFieldId f) {
      if (++i <= term) return;  // header
      if (R.c(c) & kHeaderEnd) after_term = true;
      if (!ts_node_is_named(c)) {
        if (R.flag(R.is_clause_kw, c)) {
          kw = true;
          kw_start = ts_node_start_byte(c);
          kw_end = ts_node_end_byte(c);
        }
        return;
      }
      uint16_t cc = R.c(c);
      if ((cc & kComment) || R.is_header_field(f)) return;
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
      } else if (clause_exprs && after_term) {  // a match arm's value expression
        stack.push_back({c, inside_def, W::Single});
      }
    });
  };
  // Bodies of the block lambdas inside a simple statement, in order (not those nested in them).
  auto lambda_bodies = [&](TSNode s, std::vector<TSNode>& bodies) {
    if (R.t->items.block_lambdas.empty()) return;
    walk(s, [&](const WalkAt& at) {
      TSNode x = at.node();
      // a block lambda first: a type can be both (C's struct_specifier; Java/C# switch expressions; an
      // object's method)
      if (R.flag(R.is_block_lambda, x)) {
        TSNode b = lambda_body(R, x);
        if (!ts_node_is_null(b)) {
          bodies.push_back(b);
          return Walk::Over;
        }
      }
      if (at.depth > 0 && (R.c(x) & (kBody | kCompound))) return Walk::Over;
      return Walk::Into;
    });
  };
  // ItemsPart::paren_query_bodies: a simple statement holding parenthesised queries (block_lambdas) splits at
  // them; false when s holds none. Iterative (one frame per open query), pieces added in source order.
  struct Frame {
    TSNode node;               // the statement, or a query inside it
    std::vector<TSNode> kids;  // the outermost queries inside node, in order
    size_t next;
    uint32_t from, to;  // the next piece's start; the frame's end
    bool top;
  };
  std::vector<Frame> frames;
  auto inner_queries = [&](TSNode q, std::vector<TSNode>& kids) {
    walk(q, [&](const WalkAt& at) {
      if (at.depth > 0 && R.flag(R.is_block_lambda, at.node())) {
        kids.push_back(at.node());
        return Walk::Over;
      }
      return Walk::Into;
    });
  };
  auto has_core = [&](TSNode n, uint32_t b, uint32_t e) {  // from n: not the whole statement at every depth
    ByteRanges r;
    core_ranges(R, n, base, base + b, base + e, r);
    return !r.empty();
  };
  // The item type of a statement of a paren_query_bodies language: its first named child that is not a comment
  // (SQL's statement wraps select / insert / create_table ...).
  auto query_type = [&](TSNode s) {
    uint32_t k = ts_node_named_child_count(s);
    for (uint32_t i = 0; i < k; i++) {
      TSNode c = ts_node_named_child(s, i);
      if (!(R.c(c) & kComment)) return ts_node_type(c);
    }
    return ts_node_type(s);
  };
  auto split_queries = [&](TSNode s) -> bool {
    frames.clear();
    frames.push_back(Frame{s, {}, 0, ts_node_start_byte(s), ts_node_end_byte(s), true});
    inner_queries(s, frames.back().kids);
    if (frames.back().kids.empty()) return false;
    while (!frames.empty()) {
      Frame& f = frames.back();
      if (f.next == f.kids.size()) {  // the rest after the last query: a clause when it holds a core token
        if (f.from < f.to && has_core(f.node, f.from, f.to))
          add(f.from, f.to, ItemKind::Clause, f.top ? query_type(s) : ts_node_type(f.node), f.node);
        frames.pop_back();
        continue;
      }
      TSNode p = f.kids[f.next++];
      uint32_t open = 0, close = ts_node_end_byte(p), ib = 0, ie = 0;
      bool opened = false, inner = false;
      for_children(p, [&](TSNode c, TSFieldId) {
        if (!ts_node_is_named(c)) {
          if (!opened && R.flag(R.is_body_open, c) && !ts_node_is_missing(c)) {
            opened = true;
            open = ts_node_end_byte(c);
          } else if (opened && !ts_node_is_missing(c) && ts_node_end_byte(c) > ts_node_start_byte(c)) {
            close = ts_node_start_byte(c);  // the last token after the opening one: `)`
          }
          return;
        }
        if (!opened || (R.c(c) & kComment)) return;
        if (!inner) ib = ts_node_start_byte(c);
        inner = true;
        ie = ts_node_end_byte(c);
      });
      if (!opened) continue;  // no parenthesis: part of the piece around it
      bool first = f.top && f.from == ts_node_start_byte(s);
      add(f.from, open, first ? ItemKind::Header : ItemKind::Clause, first ? query_type(s) : ts_node_type(p), p);
      f.from = close;
      if (!inner) continue;
      Frame g{p, {}, 0, ib, ie, false};
      inner_queries(p, g.kids);
      if (g.kids.empty()) {
        add(ib, ie, ItemKind::Simple, ts_node_type(p), p);
        continue;
      }
      frames.push_back(std::move(g));  // f is not used after this
    }
    return true;
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
      if (!ts_node_is_null(d) && (R.c(d) & kBody)) {
        if (R.flag(R.is_decorated, s) && !R.f_decorated) {  // Rust: a bare block as a statement
          stack.push_back({d, inside_def, W::Container});
          return;
        }
        if (opt.granularity == Granularity::Block && fits_block(s)) {  // TypeScript: declare global { ... }
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
        if (bodiless && R.t->items.bodiless_compound_simple) {
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
      // else if: the clause header runs through the nested if's header (a compound statement right
      // after the clause's keyword, before any header terminator; not `case x: if (...)`, `default: if (...)`)
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
          TSNode before = ts_node_prev_sibling(c);
          if (ts_node_is_null(before) || ts_node_is_named(before) || !ts_node_is_null(ts_node_prev_sibling(before)))
            break;
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
      if (bodiless && R.t->items.bodiless_compound_simple) {
        add(ts_node_start_byte(s), ts_node_end_byte(s), ItemKind::Simple, ts_node_type(s), s);
        return;
      }
      if ((opt.granularity == Granularity::Function && is_def && !inside_def) ||
          (opt.granularity == Granularity::Block && fits_block(s))) {
        add(ts_node_start_byte(s), ts_node_end_byte(s), ItemKind::Block, ts_node_type(s), s);
        return;
      }
      // a declaration without a body (abstract / interface method, `=> e` member): one simple item
      add(ts_node_start_byte(s), he, he == ts_node_end_byte(s) ? ItemKind::Simple : ItemKind::Header, ts_node_type(s),
          s);
      parts(s, inside_def || is_def);
      return;
    }
    if (ts_node_end_byte(s) <= ts_node_start_byte(s)) return;  // zero-width (MISSING)
    // not a statement (a stray expression in a body), unless expressions are statements (Rust's tail value)
    if (!(cs & kSimple)) {
      if (!R.t->items.expression_bodies || !ts_node_is_named(s)) return;
      if (ts_node_child_count(s) == 1 && (R.c(ts_node_child(s, 0)) & kDelim)) return;  // a stray `;`
    }
    if (R.t->items.paren_query_bodies) {
      if (opt.granularity == Granularity::Statement && split_queries(s)) return;
      add(ts_node_start_byte(s), ts_node_end_byte(s), ItemKind::Simple, query_type(s), s);
      return;
    }
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
    // the rest after the last body (`}).catch(handle);`, C's `} Box;`): a clause when it holds a core
    // logic token (not `});`)
    if (R.t->items.block_lambda_tail) {
      ByteRanges tail;
      core_ranges(R, s, base, base + from, base + ts_node_end_byte(s), tail);
      if (!tail.empty()) add(from, ts_node_end_byte(s), ItemKind::Clause, ts_node_type(s), s);
    }
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
          if (out.size() == before + 1 && out[before].kind == ItemKind::Simple &&
              !R.t->items.member_terminators.empty()) {
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
