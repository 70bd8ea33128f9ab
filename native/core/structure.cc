#include "core/structure.h"

#include <tree_sitter/api.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "core/graph.h"
#include "core/segment.h"
#include "core/utf.h"
#include "lang/language.h"

namespace codeblock {
namespace {

// ---------------------------------------------------------------------------------------------
// Resolved language tables: node-type names → symbol ids (immutable, built once, thread-safe init)

enum : uint16_t {
  kSimple = 1 << 0,
  kCompound = 1 << 1,
  kClause = 1 << 2,
  kBody = 1 << 3,
  kDefinition = 1 << 4,
  kString = 1 << 5,
  kComment = 1 << 6,
  kDelim = 1 << 7,
  kNonCore = 1 << 8,
  kTargetContainer = 1 << 9,
  kParamContainer = 1 << 10,
  kHeaderEnd = 1 << 11,
  kPatKeyword = 1 << 12,
  kPatClass = 1 << 13,
};

struct Resolved {
  const LanguageTables* t = nullptr;
  const TSLanguage* lang = nullptr;
  std::vector<uint16_t> cls;  // by symbol
  std::vector<DuRole> role;   // by symbol
  std::vector<uint8_t> is_decorated, is_expr_stmt, is_else, is_finally, is_dotted, is_aliased;
  TSFieldId f_decorated = 0, f_left = 0, f_right = 0, f_name = 0, f_value = 0, f_alias = 0, f_parameters = 0,
            f_body = 0, f_object = 0, f_type = 0, f_return_type = 0, f_superclasses = 0;

  uint16_t c(TSNode n) const {
    TSSymbol s = ts_node_symbol(n);
    return s < cls.size() ? cls[s] : 0;
  }
  DuRole r(TSNode n) const {
    TSSymbol s = ts_node_symbol(n);
    return s < role.size() ? role[s] : DuRole::None;
  }
  bool flag(const std::vector<uint8_t>& v, TSNode n) const {
    TSSymbol s = ts_node_symbol(n);
    return s < v.size() && v[s];
  }
};

Resolved resolve(const LanguageTables* t) {
  Resolved R;
  R.t = t;
  R.lang = t->language();
  uint32_t count = ts_language_symbol_count(R.lang);
  R.cls.assign(count, 0);
  R.role.assign(count, DuRole::None);
  R.is_decorated.assign(count, 0);
  R.is_expr_stmt.assign(count, 0);
  R.is_else.assign(count, 0);
  R.is_finally.assign(count, 0);
  R.is_dotted.assign(count, 0);
  R.is_aliased.assign(count, 0);
  auto mark = [&](const std::vector<const char*>& names, uint16_t bit) {
    for (uint32_t s = 0; s < count; s++) {
      const char* nm = ts_language_symbol_name(R.lang, static_cast<TSSymbol>(s));
      if (!nm) continue;
      for (const char* x : names)
        if (std::strcmp(nm, x) == 0) R.cls[s] |= bit;
    }
  };
  auto mark1 = [&](const char* name, std::vector<uint8_t>& v) {
    if (!name) return;
    for (uint32_t s = 0; s < count; s++) {
      const char* nm = ts_language_symbol_name(R.lang, static_cast<TSSymbol>(s));
      if (nm && std::strcmp(nm, name) == 0) v[s] = 1;
    }
  };
  mark(t->simple_statements, kSimple);
  mark(t->compound_statements, kCompound);
  mark(t->clauses, kClause);
  mark(t->bodies, kBody);
  mark(t->definition_items, kDefinition);
  mark(t->string_literals, kString);
  mark(t->comments, kComment);
  mark(t->delimiters, kDelim);
  mark(t->non_core_tokens, kNonCore);
  mark(t->target_containers, kTargetContainer);
  mark(t->parameter_containers, kParamContainer);
  mark({t->header_terminator}, kHeaderEnd);
  mark(t->pattern_keyword, kPatKeyword);
  mark(t->pattern_class, kPatClass);
  mark1(t->decorated_wrapper, R.is_decorated);
  mark1(t->expression_statement, R.is_expr_stmt);
  mark1(t->else_clause, R.is_else);
  mark1(t->finally_clause, R.is_finally);
  mark1(t->dotted_name, R.is_dotted);
  mark1(t->aliased_import, R.is_aliased);
  for (const RoleEntry& e : t->roles)
    for (uint32_t s = 0; s < count; s++) {
      const char* nm = ts_language_symbol_name(R.lang, static_cast<TSSymbol>(s));
      if (nm && std::strcmp(nm, e.type) == 0) R.role[s] = e.role;
    }
  auto fid = [&](const char* f) { return ts_language_field_id_for_name(R.lang, f, static_cast<uint32_t>(std::strlen(f))); };
  R.f_decorated = t->decorated_field ? fid(t->decorated_field) : 0;
  R.f_left = fid("left");
  R.f_right = fid("right");
  R.f_name = fid("name");
  R.f_value = fid("value");
  R.f_alias = fid("alias");
  R.f_parameters = fid("parameters");
  R.f_body = fid("body");
  R.f_object = fid("object");
  R.f_type = fid("type");
  R.f_return_type = fid("return_type");
  R.f_superclasses = fid("superclasses");
  return R;
}

const Resolved& resolved(const LanguageTables* t) {
  static const std::vector<Resolved> all = [] {
    std::vector<Resolved> v;
    for (const LanguageTables* l : registered_languages()) v.push_back(resolve(l));
    return v;
  }();
  for (const Resolved& r : all)
    if (r.t == t) return r;
  return all.front();
}

// ---------------------------------------------------------------------------------------------
// Per-thread parser and the per-record parse budget

struct ThreadParser {
  TSParser* p = ts_parser_new();
  ~ThreadParser() { ts_parser_delete(p); }
};

struct Budget {
  bool enabled = false;
  std::chrono::steady_clock::time_point deadline;
  bool hit = false;
  // Language detection of untagged blocks: give up as soon as every parse stack version is in
  // error recovery (the block cannot be accepted, and recovery is the slow part of parsing).
  bool abort_on_error = false;
  bool aborted_on_error = false;
};

bool progress_cb(TSParseState* st) {
  Budget* b = static_cast<Budget*>(st->payload);
  if (b->abort_on_error && st->has_error) {
    b->aborted_on_error = true;
    return true;
  }
  if (!b->enabled) return false;
  if (std::chrono::steady_clock::now() > b->deadline) {
    b->hit = true;
    return true;
  }
  return false;
}

struct StringInput {
  const char* data;
  uint32_t len;
};

const char* read_cb(void* payload, uint32_t byte, TSPoint, uint32_t* bytes_read) {
  StringInput* in = static_cast<StringInput*>(payload);
  if (byte >= in->len) {
    *bytes_read = 0;
    return "";
  }
  *bytes_read = in->len - byte;
  return in->data + byte;
}

struct TreeDeleter {
  void operator()(TSTree* t) const { ts_tree_delete(t); }
};
using TreePtr = std::unique_ptr<TSTree, TreeDeleter>;

// nullptr + budget.hit when the budget ran out.
TreePtr parse(const Resolved& R, std::string_view text, Budget& budget) {
  thread_local ThreadParser tp;
  ts_parser_set_language(tp.p, R.lang);
  StringInput in{text.data(), static_cast<uint32_t>(text.size())};
  TSInput input{&in, read_cb, TSInputEncodingUTF8, nullptr};
  TSParseOptions opts{&budget, progress_cb};
  TSTree* t = ts_parser_parse_with_options(tp.p, nullptr, input, opts);
  if (!t) ts_parser_reset(tp.p);
  return TreePtr(t);
}

// ---------------------------------------------------------------------------------------------
// Coding items

struct RawItem {
  uint32_t b, e;  // absolute raw bytes (node range; header: through the terminator)
  ItemKind kind;
  const char* type;
  TSNode node;     // the node whose leaves make the core ranges (limited to [b, e))
  int32_t segment;
  uint32_t flags;
};

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
  // number of lines and code points of [b, e)
  uint32_t lines(uint32_t b, uint32_t e) const {
    uint32_t n = 1;
    for (uint32_t i = b; i < e && i < text.size(); i++)
      if (text[i] == '\n') n++;
    return n;
  }
};

// Named children of n, in order, through a cursor (ts_node_named_child(i) is O(i): loops over it are quadratic).
template <class F>
void for_named_children(TSNode n, F&& fn) {
  TSTreeCursor cur = ts_tree_cursor_new(n);
  if (ts_tree_cursor_goto_first_child(&cur)) {
    do {
      TSNode c = ts_tree_cursor_current_node(&cur);
      if (ts_node_is_named(c)) fn(c);
    } while (ts_tree_cursor_goto_next_sibling(&cur));
  }
  ts_tree_cursor_delete(&cur);
}

void extract_items(const Resolved& R, TSNode root, uint32_t base, int32_t seg, std::string_view text,
                   const CodePointMap& cpm, const StructureOptions& opt, std::vector<RawItem>& out) {
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
    uint32_t m = ts_node_named_child_count(k);
    for (uint32_t j = 0; j < m; j++) {
      TSNode c = ts_node_named_child(k, j);
      if (R.c(c) & kBody) stack.push_back({c, inside_def});
    }
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

// Comments and docstrings of one tree (absolute bytes). Full cursor walk, no recursion.
void collect_prose(const Resolved& R, TSNode root, uint32_t base, std::vector<std::pair<uint32_t, uint32_t>>& out) {
  TSTreeCursor cur = ts_tree_cursor_new(root);
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&cur);
    uint16_t c = R.c(n);
    bool descend = true;
    if (c & kComment) {
      out.emplace_back(base + ts_node_start_byte(n), base + ts_node_end_byte(n));
      descend = false;
    } else if ((c & kSimple) && is_docstring(R, n)) {
      out.emplace_back(base + ts_node_start_byte(n), base + ts_node_end_byte(n));
      descend = false;
    } else if (c & kString) {
      descend = false;  // nothing prose-like inside a literal
    }
    if (descend && ts_tree_cursor_goto_first_child(&cur)) continue;
    bool up = false;
    while (!ts_tree_cursor_goto_next_sibling(&cur)) {
      if (!ts_tree_cursor_goto_parent(&cur)) {
        up = true;
        break;
      }
    }
    if (up) break;
  }
  ts_tree_cursor_delete(&cur);
}

// ERROR ranges (merged) and MISSING points of one tree, absolute bytes.
void collect_errors(TSNode root, uint32_t base, std::vector<std::pair<uint32_t, uint32_t>>& errs,
                    std::vector<uint32_t>& missing) {
  if (!ts_node_has_error(root)) return;
  TSTreeCursor cur = ts_tree_cursor_new(root);
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&cur);
    bool descend = false;
    if (ts_node_is_error(n)) {
      errs.emplace_back(base + ts_node_start_byte(n), base + ts_node_end_byte(n));
    } else if (ts_node_is_missing(n)) {
      missing.push_back(base + ts_node_start_byte(n));
    } else {
      descend = ts_node_has_error(n);
    }
    if (descend && ts_tree_cursor_goto_first_child(&cur)) continue;
    bool up = false;
    while (!ts_tree_cursor_goto_next_sibling(&cur)) {
      if (!ts_tree_cursor_goto_parent(&cur)) {
        up = true;
        break;
      }
    }
    if (up) break;
  }
  ts_tree_cursor_delete(&cur);
}

// Core logic leaves of `node` inside [b, e) (absolute bytes), merged when adjacent.
void core_ranges(const Resolved& R, TSNode node, uint32_t base, uint32_t b, uint32_t e,
                 std::vector<std::pair<uint32_t, uint32_t>>& out) {
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
  TSTreeCursor cur = ts_tree_cursor_new(node);
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&cur);
    uint32_t ns = base + ts_node_start_byte(n), ne = base + ts_node_end_byte(n);
    bool descend = false;
    if (ns >= e && ne > ns) {
      // past the item (header items stop at their terminator): skip this node and later siblings
      bool up = false;
      for (;;) {
        if (!ts_tree_cursor_goto_parent(&cur)) {
          up = true;
          break;
        }
        if (ts_tree_cursor_goto_next_sibling(&cur)) break;
      }
      if (up) break;
      continue;
    }
    uint16_t c = R.c(n);
    if (c & (kComment | kDelim | kNonCore)) {
    } else if ((c & kSimple) && is_docstring(R, n)) {
    } else if (c & kString) {
      emit(ts_node_start_byte(n), ts_node_end_byte(n));
    } else if (ts_node_child_count(n) == 0) {
      emit(ts_node_start_byte(n), ts_node_end_byte(n));
    } else {
      descend = ne > b;  // nothing before the item can hold core tokens
    }
    if (descend && ts_tree_cursor_goto_first_child(&cur)) continue;
    bool up = false;
    while (!ts_tree_cursor_goto_next_sibling(&cur)) {
      if (!ts_tree_cursor_goto_parent(&cur)) {
        up = true;
        break;
      }
    }
    if (up) break;
  }
  ts_tree_cursor_delete(&cur);
}

// Children of n with their field ids (cursor-based: the C API has no per-index field lookup).
template <class F>
void for_children(TSNode n, F&& fn) {
  TSTreeCursor cur = ts_tree_cursor_new(n);
  if (ts_tree_cursor_goto_first_child(&cur)) {
    do {
      fn(ts_tree_cursor_current_node(&cur), ts_tree_cursor_current_field_id(&cur));
    } while (ts_tree_cursor_goto_next_sibling(&cur));
  }
  ts_tree_cursor_delete(&cur);
}

// ---------------------------------------------------------------------------------------------
// Def-use (DESIGN §6). Item-level reaching definitions with lexical scopes.

using Defs = std::vector<int32_t>;  // sorted, unique item indices
using State = std::unordered_map<int32_t, Defs>;

void add_def(Defs& d, int32_t item) {
  auto it = std::lower_bound(d.begin(), d.end(), item);
  if (it == d.end() || *it != item) d.insert(it, item);
}

void merge_into(State& dst, const State& src) {
  for (const auto& kv : src) {
    Defs& d = dst[kv.first];
    for (int32_t x : kv.second) add_def(d, x);
  }
}

enum class ScopeKind { Module, Function, Class, Comprehension };

struct Scope {
  ScopeKind kind;
  int32_t parent;
  State cur;
  std::unordered_set<int32_t> globals, nonlocals;
};

constexpr int kMaxDepth = 200;  // nesting beyond this (compound statements / comprehensions) is scanned flat

class DefUse {
 public:
  DefUse(const Resolved& R, std::string_view text, const std::vector<RawItem>& items,
         std::vector<std::pair<int32_t, int32_t>>& edges)
      : R_(R), text_(text), items_(items), edges_(edges) {
    scopes_.push_back(Scope{ScopeKind::Module, -1, {}, {}, {}});
  }

  void run_segment(TSNode root, uint32_t base) {
    base_ = base;
    cs_ = 0;
    dead_ = false;
    visit_block(root, 0);
    dead_ = false;
  }

  // Deferred function / lambda bodies, in definition order (nested ones after their parent),
  // each seeing the final state of its enclosing scopes (as beniget does).
  void finish() {
    for (size_t i = 0; i < deferred_.size(); i++) {
      Deferred d = deferred_[i];
      base_ = d.base;
      scopes_.push_back(Scope{ScopeKind::Function, d.scope, {}, {}, {}});
      cs_ = static_cast<int32_t>(scopes_.size() - 1);
      dead_ = false;
      exits_.clear();
      conts_.clear();
      TSNode params = ts_node_child_by_field_id(d.node, R_.f_parameters);
      if (!ts_node_is_null(params)) define_params(params);
      TSNode body = ts_node_child_by_field_id(d.node, R_.f_body);
      if (!ts_node_is_null(body)) {
        if (R_.c(body) & kBody) visit_block(body, 0);
        else visit_expr(body, 0);
      }
    }
  }

 private:
  struct Deferred {
    TSNode node;
    int32_t scope;
    uint32_t base;
  };

  int32_t item_at(uint32_t seg_byte) const {
    uint32_t pos = base_ + seg_byte;
    auto it = std::upper_bound(items_.begin(), items_.end(), pos, [](uint32_t p, const RawItem& it) { return p < it.b; });
    if (it == items_.begin()) return -1;
    --it;
    if (pos >= it->e) return -1;
    return static_cast<int32_t>(it - items_.begin());
  }

  int32_t name_id(TSNode n) {
    uint32_t s = base_ + ts_node_start_byte(n), e = base_ + ts_node_end_byte(n);
    std::string_view v = text_.substr(s, e - s);
    auto it = names_.find(v);
    if (it != names_.end()) return it->second;
    int32_t id = static_cast<int32_t>(names_.size());
    names_.emplace(v, id);
    return id;
  }

  int32_t non_comprehension(int32_t s) const {
    while (s > 0 && scopes_[s].kind == ScopeKind::Comprehension) s = scopes_[s].parent;
    return s;
  }

  enum class Mode { Kill, Walrus, Param };

  void define(TSNode id_node, Mode mode) {
    int32_t item = item_at(ts_node_start_byte(id_node));
    if (item < 0) return;
    int32_t name = name_id(id_node);
    int32_t s = mode == Mode::Walrus ? non_comprehension(cs_) : cs_;
    if (scopes_[s].globals.count(name)) {
      add_def(scopes_[0].cur[name], item);
      return;
    }
    if (scopes_[s].nonlocals.count(name)) {
      for (int32_t p = scopes_[s].parent; p >= 0; p = scopes_[p].parent) {
        if (scopes_[p].kind != ScopeKind::Function) continue;
        auto it = scopes_[p].cur.find(name);
        if (it != scopes_[p].cur.end()) {
          add_def(it->second, item);
          return;
        }
      }
      return;
    }
    scopes_[s].cur[name] = Defs{item};
  }

  void use(TSNode id_node) {
    int32_t item = item_at(ts_node_start_byte(id_node));
    if (item < 0) return;
    int32_t name = name_id(id_node);
    const Defs* defs = lookup(name);
    if (!defs) return;
    for (int32_t d : *defs)
      if (d != item) edges_.emplace_back(d, item);
  }

  const Defs* lookup(int32_t name) const {
    int32_t s = cs_;
    if (scopes_[s].globals.count(name)) {
      auto it = scopes_[0].cur.find(name);
      return it == scopes_[0].cur.end() ? nullptr : &it->second;
    }
    bool first = true;
    while (s >= 0) {
      const Scope& sc = scopes_[s];
      bool skip = (!first && sc.kind == ScopeKind::Class) || sc.nonlocals.count(name);
      if (!skip) {
        auto it = sc.cur.find(name);
        if (it != sc.cur.end()) return &it->second;
      }
      first = false;
      s = sc.parent;
    }
    return nullptr;
  }

  // All identifiers below n as uses (the fallback past kMaxDepth; iterative).
  void flat_uses(TSNode n) {
    std::vector<TSNode> st{n};
    while (!st.empty()) {
      TSNode x = st.back();
      st.pop_back();
      if (ts_node_is_error(x)) continue;
      if (R_.r(x) == DuRole::Identifier) {
        use(x);
        continue;
      }
      size_t mark = st.size();
      for_named_children(x, [&](TSNode c) { st.push_back(c); });
      std::reverse(st.begin() + static_cast<std::ptrdiff_t>(mark), st.end());
    }
  }

  // ---- expressions: one explicit stack (no recursion on expression depth) ----
  enum class Op { Visit, Define, DefineWalrus, Pattern };
  struct Task {
    Op op;
    TSNode n;
  };

  void visit_expr(TSNode root, int depth, Op first_op = Op::Visit) {
    if (ts_node_is_null(root)) return;
    std::vector<Task> st{{first_op, root}};
    auto push_children = [&](TSNode x, Op op) {  // pushed in reverse so they run in order
      size_t mark = st.size();
      for_named_children(x, [&](TSNode c) { st.push_back({op, c}); });
      std::reverse(st.begin() + static_cast<std::ptrdiff_t>(mark), st.end());
    };
    auto push_field = [&](TSNode x, TSFieldId f, Op op) {
      TSNode c = ts_node_child_by_field_id(x, f);
      if (!ts_node_is_null(c)) st.push_back({op, c});
    };
    while (!st.empty()) {
      Task t = st.back();
      st.pop_back();
      TSNode x = t.n;
      if (ts_node_is_null(x) || ts_node_is_error(x) || (R_.c(x) & kComment)) continue;
      DuRole role = R_.r(x);
      if (t.op == Op::Define || t.op == Op::DefineWalrus) {
        if (role == DuRole::Identifier) define(x, t.op == Op::Define ? Mode::Kill : Mode::Walrus);
        else if (R_.c(x) & kTargetContainer) push_children(x, t.op);
        else st.push_back({Op::Visit, x});  // attribute / subscript targets: their parts are uses
        continue;
      }
      if (t.op == Op::Pattern) {  // match-case patterns
        if (role == DuRole::Identifier) {
          define(x, Mode::Kill);
        } else if (R_.flag(R_.is_dotted, x)) {
          if (ts_node_named_child_count(x) == 1) {
            TSNode id = ts_node_named_child(x, 0);
            if (R_.t->pattern_wildcard &&
                text_.substr(base_ + ts_node_start_byte(id), ts_node_end_byte(id) - ts_node_start_byte(id)) == R_.t->pattern_wildcard)
              continue;
            define(id, Mode::Kill);
          } else {
            use(ts_node_named_child(x, 0));  // value pattern a.b.C
          }
        } else if (R_.c(x) & kPatClass) {
          uint32_t k = ts_node_named_child_count(x);
          for (uint32_t i = k; i-- > 0;) {
            TSNode c = ts_node_named_child(x, i);
            if (R_.flag(R_.is_dotted, c) && i == 0) st.push_back({Op::Visit, c});
            else st.push_back({Op::Pattern, c});
          }
        } else if (R_.c(x) & kPatKeyword) {
          uint32_t k = ts_node_named_child_count(x);
          for (uint32_t i = k; i-- > 1;) st.push_back({Op::Pattern, ts_node_named_child(x, i)});
        } else if (role == DuRole::AsPattern) {
          TSNode alias = ts_node_child_by_field_id(x, R_.f_alias);
          uint32_t k = ts_node_named_child_count(x);
          for (uint32_t i = k; i-- > 0;) {
            TSNode c = ts_node_named_child(x, i);
            st.push_back({ts_node_eq(c, alias) ? Op::Define : Op::Pattern, c});
          }
        } else if (R_.c(x) & kString) {
          st.push_back({Op::Visit, x});
        } else {
          push_children(x, Op::Pattern);
        }
        continue;
      }
      switch (role) {
        case DuRole::Identifier:
          use(x);
          break;
        case DuRole::Attribute:
          push_field(x, R_.f_object, Op::Visit);
          break;
        case DuRole::KeywordArgument:
          push_field(x, R_.f_value, Op::Visit);
          break;
        case DuRole::Assign:
          push_field(x, R_.f_left, Op::Define);
          push_field(x, R_.f_right, Op::Visit);
          push_field(x, R_.f_type, Op::Visit);
          break;
        case DuRole::AugAssign:
          push_field(x, R_.f_left, Op::Define);
          push_field(x, R_.f_left, Op::Visit);
          push_field(x, R_.f_right, Op::Visit);
          break;
        case DuRole::NamedExpr:
          push_field(x, R_.f_name, Op::DefineWalrus);
          push_field(x, R_.f_value, Op::Visit);
          break;
        case DuRole::AsPattern: {
          TSNode alias = ts_node_child_by_field_id(x, R_.f_alias);
          if (!ts_node_is_null(alias)) st.push_back({Op::Define, alias});
          uint32_t k = ts_node_named_child_count(x);
          for (uint32_t i = k; i-- > 0;) {
            TSNode c = ts_node_named_child(x, i);
            if (!ts_node_eq(c, alias)) st.push_back({Op::Visit, c});
          }
          break;
        }
        case DuRole::LambdaScope:
          defer_function(x);
          break;
        case DuRole::Comprehension:
          if (depth >= kMaxDepth) flat_uses(x);
          else comprehension(x, depth + 1);
          break;
        default:
          if (R_.flag(R_.is_dotted, x)) {
            if (ts_node_named_child_count(x) > 0) use(ts_node_named_child(x, 0));
          } else {
            push_children(x, Op::Visit);
          }
      }
    }
  }

  void comprehension(TSNode x, int depth) {
    std::vector<TSNode> clauses;
    uint32_t k = ts_node_named_child_count(x);
    TSNode body = ts_node_child_by_field_id(x, R_.f_body);
    for (uint32_t i = 0; i < k; i++) {
      TSNode c = ts_node_named_child(x, i);
      if (!ts_node_is_null(body) && ts_node_eq(c, body)) continue;
      clauses.push_back(c);
    }
    bool first = true;
    int32_t saved = cs_;
    for (TSNode c : clauses) {
      if (R_.r(c) == DuRole::ComprehensionFor) {
        TSNode right = ts_node_child_by_field_id(c, R_.f_right);
        if (first) {  // the first iterable is evaluated in the enclosing scope
          visit_expr(right, depth);
          scopes_.push_back(Scope{ScopeKind::Comprehension, cs_, {}, {}, {}});
          cs_ = static_cast<int32_t>(scopes_.size() - 1);
          first = false;
        } else {
          visit_expr(right, depth);
        }
        TSNode left = ts_node_child_by_field_id(c, R_.f_left);
        if (!ts_node_is_null(left)) define_targets(left, depth);
      } else {
        visit_expr(c, depth);
      }
    }
    if (first) {  // no for clause (broken code): keep it in a scope anyway
      scopes_.push_back(Scope{ScopeKind::Comprehension, cs_, {}, {}, {}});
      cs_ = static_cast<int32_t>(scopes_.size() - 1);
    }
    visit_expr(body, depth);
    cs_ = saved;
  }

  void define_targets(TSNode n, int depth) { visit_expr(n, depth, Op::Define); }
  void visit_define(TSNode n, int depth) { visit_expr(n, depth, Op::Define); }

  // Parameter defaults and annotations: evaluated where the def / lambda is.
  void param_uses(TSNode params, int depth) {
    std::vector<TSNode> st{params};
    while (!st.empty()) {
      TSNode x = st.back();
      st.pop_back();
      for_children(x, [&](TSNode c, TSFieldId f) {
        if (f == R_.f_value || f == R_.f_type) visit_expr(c, depth);
        else if (R_.c(c) & kParamContainer) st.push_back(c);
      });
    }
  }

  void define_params(TSNode params) {
    std::vector<TSNode> st{params};
    while (!st.empty()) {
      TSNode x = st.back();
      st.pop_back();
      for_children(x, [&](TSNode c, TSFieldId f) {
        if (f == R_.f_value || f == R_.f_type) return;
        if (R_.r(c) == DuRole::Identifier) define(c, Mode::Param);
        else if (R_.c(c) & kParamContainer) st.push_back(c);
      });
    }
  }

  void defer_function(TSNode fn) {
    TSNode params = ts_node_child_by_field_id(fn, R_.f_parameters);
    if (!ts_node_is_null(params)) param_uses(params, 0);
    deferred_.push_back(Deferred{fn, cs_, base_});
  }

  // ---- statements ----
  void visit_block(TSNode block, int depth) {
    for_named_children(block, [&](TSNode s) { visit_stmt(s, depth); });
  }

  // Body blocks and clauses of a compound statement, visited in order (no flow merging).
  void visit_parts(TSNode n, int depth) {
    uint32_t k = ts_node_named_child_count(n);
    for (uint32_t i = 0; i < k; i++) {
      TSNode c = ts_node_named_child(n, i);
      uint16_t cc = R_.c(c);
      if (cc & kBody) visit_block(c, depth + 1);
      else if (cc & kClause) visit_clause(c, depth + 1);
      else visit_expr(c, depth);
    }
  }

  void visit_clause(TSNode c, int depth) {
    DuRole role = R_.r(c);
    for_children(c, [&](TSNode x, TSFieldId f) {
      if (!ts_node_is_named(x)) return;
      uint16_t cx = R_.c(x);
      if (cx & kBody) {
        visit_block(x, depth + 1);
      } else if (cx & kComment) {
      } else if (role == DuRole::ExceptClause && f == R_.f_alias) {
        visit_define(x, depth);
      } else if (R_.r(x) == DuRole::CapturePattern) {
        pattern(x, depth);
      } else {
        visit_expr(x, depth);
      }
    });
  }

  void pattern(TSNode x, int depth) { visit_expr(x, depth, Op::Pattern); }

  void visit_stmt(TSNode n, int depth) {
    if (ts_node_is_error(n) || (R_.c(n) & kComment)) return;
    if (depth >= kMaxDepth) {
      flat_uses(n);
      return;
    }
    if (R_.flag(R_.is_decorated, n)) {
      uint32_t k = ts_node_named_child_count(n);
      TSNode def = ts_node_child_by_field_id(n, R_.f_decorated);
      for (uint32_t i = 0; i < k; i++) {
        TSNode c = ts_node_named_child(n, i);
        if (!ts_node_eq(c, def)) visit_expr(c, depth);
      }
      if (!ts_node_is_null(def)) visit_stmt(def, depth);
      return;
    }
    switch (R_.r(n)) {
      case DuRole::FunctionScope: {
        TSNode rt = ts_node_child_by_field_id(n, R_.f_return_type);
        if (!ts_node_is_null(rt)) visit_expr(rt, depth);
        defer_function(n);
        TSNode name = ts_node_child_by_field_id(n, R_.f_name);
        if (!ts_node_is_null(name)) define(name, Mode::Kill);
        return;
      }
      case DuRole::ClassScope: {
        TSNode sup = ts_node_child_by_field_id(n, R_.f_superclasses);
        if (!ts_node_is_null(sup)) visit_expr(sup, depth);
        int32_t saved = cs_;
        scopes_.push_back(Scope{ScopeKind::Class, cs_, {}, {}, {}});
        cs_ = static_cast<int32_t>(scopes_.size() - 1);
        TSNode body = ts_node_child_by_field_id(n, R_.f_body);
        std::vector<State> exits, conts;  // a class body is not inside the enclosing loop
        std::swap(exits, exits_);
        std::swap(conts, conts_);
        if (!ts_node_is_null(body)) visit_block(body, depth + 1);
        std::swap(exits, exits_);
        std::swap(conts, conts_);
        dead_ = false;
        cs_ = saved;
        TSNode name = ts_node_child_by_field_id(n, R_.f_name);
        if (!ts_node_is_null(name)) define(name, Mode::Kill);
        return;
      }
      case DuRole::ForLoop:
      case DuRole::WhileLoop: {
        bool is_for = R_.r(n) == DuRole::ForLoop;
        TSNode left = ts_node_child_by_field_id(n, R_.f_left);
        TSNode body{}, els{};
        std::vector<TSNode> heads;
        uint32_t k = ts_node_named_child_count(n);
        for (uint32_t i = 0; i < k; i++) {
          TSNode c = ts_node_named_child(n, i);
          if (R_.c(c) & kBody) body = c;
          else if (R_.c(c) & kClause) els = c;
          else if (!(is_for && !ts_node_is_null(left) && ts_node_eq(c, left)) && !(R_.c(c) & kComment)) heads.push_back(c);
        }
        for (TSNode h : heads) visit_expr(h, depth);
        State pre = scopes_[cs_].cur;
        exits_.emplace_back();
        conts_.emplace_back();
        // One pass over the body; returns the state at the loop head afterwards (fall-through end
        // of the body + `continue` states), or nothing when every path left the loop.
        auto one_pass = [&]() -> State {
          if (is_for && !ts_node_is_null(left)) visit_define(left, depth);
          if (!ts_node_is_null(body)) visit_block(body, depth + 1);
          State end = dead_ ? State{} : std::move(scopes_[cs_].cur);
          dead_ = false;
          merge_into(end, conts_.back());
          return end;
        };
        State end = one_pass();
        if (!replay_) {  // loop-carried: run the body again from the merged head state
          State head = pre;
          merge_into(head, end);
          scopes_[cs_].cur = std::move(head);
          replay_ = true;
          if (!is_for)
            for (TSNode h : heads) visit_expr(h, depth);
          end = one_pass();
          replay_ = false;
        }
        State head = pre;
        merge_into(head, end);
        scopes_[cs_].cur = std::move(head);
        if (!ts_node_is_null(els)) {
          visit_clause(els, depth + 1);
          if (dead_) scopes_[cs_].cur.clear();
          dead_ = false;
        }
        merge_into(scopes_[cs_].cur, exits_.back());  // `break` skips the else clause
        exits_.pop_back();
        conts_.pop_back();
        return;
      }
      case DuRole::Branch: {
        std::vector<TSNode> alts;  // blocks / clauses, each an alternative
        bool exhaustive = false;
        uint32_t k = ts_node_named_child_count(n);
        for (uint32_t i = 0; i < k; i++) {
          TSNode c = ts_node_named_child(n, i);
          uint16_t cc = R_.c(c);
          if (cc & kBody) {
            bool has_clauses = false;
            uint32_t m = ts_node_named_child_count(c);
            for (uint32_t j = 0; j < m; j++)
              if (R_.c(ts_node_named_child(c, j)) & kClause) {
                alts.push_back(ts_node_named_child(c, j));
                has_clauses = true;
              }
            if (!has_clauses) alts.push_back(c);
          } else if (cc & kClause) {
            alts.push_back(c);
            if (R_.flag(R_.is_else, c)) exhaustive = true;
          } else if (!(cc & kComment)) {
            visit_expr(c, depth);  // condition / subject
          }
        }
        State pre = scopes_[cs_].cur;
        State out;
        bool live = false;  // some alternative falls through
        for (TSNode a : alts) {
          scopes_[cs_].cur = pre;
          dead_ = false;
          if (R_.c(a) & kBody) visit_block(a, depth + 1);
          else visit_clause(a, depth + 1);
          if (dead_) continue;  // ended in return / raise / break / continue
          merge_into(out, scopes_[cs_].cur);
          live = true;
        }
        dead_ = false;
        if (!exhaustive) {
          merge_into(out, pre);
          live = true;
        }
        scopes_[cs_].cur = std::move(out);
        dead_ = !live;
        return;
      }
      case DuRole::Try: {
        TSNode body{}, els{}, fin{};
        std::vector<TSNode> handlers;
        uint32_t k = ts_node_named_child_count(n);
        for (uint32_t i = 0; i < k; i++) {
          TSNode c = ts_node_named_child(n, i);
          if (R_.c(c) & kBody) body = c;
          else if (R_.flag(R_.is_else, c)) els = c;
          else if (R_.flag(R_.is_finally, c)) fin = c;
          else if (R_.c(c) & kClause) handlers.push_back(c);
        }
        State pre = scopes_[cs_].cur;
        dead_ = false;
        if (!ts_node_is_null(body)) visit_block(body, depth + 1);
        State any = scopes_[cs_].cur;  // an exception may come from anywhere in the body
        merge_into(any, pre);
        State out;
        bool live = false;
        if (!dead_) {
          if (!ts_node_is_null(els)) visit_clause(els, depth + 1);
          if (!dead_) {
            out = scopes_[cs_].cur;
            live = true;
          }
        }
        for (TSNode h : handlers) {
          scopes_[cs_].cur = any;
          dead_ = false;
          visit_clause(h, depth + 1);
          if (dead_) continue;
          merge_into(out, scopes_[cs_].cur);
          live = true;
        }
        dead_ = false;
        if (!ts_node_is_null(fin)) {
          // finally runs on every path, including the ones that left
          scopes_[cs_].cur = live ? std::move(out) : std::move(any);
          visit_clause(fin, depth + 1);
        } else {
          scopes_[cs_].cur = std::move(out);
        }
        dead_ = dead_ || !live;
        return;
      }
      case DuRole::Import: {
        for_each_field_child(n, R_.f_name, [&](TSNode c) {
          if (R_.flag(R_.is_aliased, c)) {
            TSNode a = ts_node_child_by_field_id(c, R_.f_alias);
            if (!ts_node_is_null(a)) define(a, Mode::Kill);
          } else if (R_.flag(R_.is_dotted, c) && ts_node_named_child_count(c) > 0) {
            define(ts_node_named_child(c, 0), Mode::Kill);  // import a.b binds a
          }
        });
        return;
      }
      case DuRole::ImportFrom: {
        for_each_field_child(n, R_.f_name, [&](TSNode c) {
          if (R_.flag(R_.is_aliased, c)) {
            TSNode a = ts_node_child_by_field_id(c, R_.f_alias);
            if (!ts_node_is_null(a)) define(a, Mode::Kill);
          } else if (R_.flag(R_.is_dotted, c) && ts_node_named_child_count(c) > 0) {
            define(ts_node_named_child(c, ts_node_named_child_count(c) - 1), Mode::Kill);
          }
        });
        return;
      }
      case DuRole::Break:
        if (!exits_.empty()) merge_into(exits_.back(), scopes_[cs_].cur);
        dead_ = true;
        return;
      case DuRole::Continue:
        if (!conts_.empty()) merge_into(conts_.back(), scopes_[cs_].cur);
        dead_ = true;
        return;
      case DuRole::Exit:
        visit_parts(n, depth);
        dead_ = true;
        return;
      case DuRole::Global:
      case DuRole::Nonlocal: {
        bool g = R_.r(n) == DuRole::Global;
        uint32_t k = ts_node_named_child_count(n);
        for (uint32_t i = 0; i < k; i++) {
          TSNode c = ts_node_named_child(n, i);
          if (R_.r(c) != DuRole::Identifier) continue;
          int32_t name = name_id(c);
          if (g) scopes_[cs_].globals.insert(name);
          else scopes_[cs_].nonlocals.insert(name);
        }
        return;
      }
      default:
        visit_parts(n, depth);
        return;
    }
  }

  template <class F>
  void for_each_field_child(TSNode n, TSFieldId f, F&& fn) {
    for_children(n, [&](TSNode c, TSFieldId cf) {
      if (cf == f) fn(c);
    });
  }

  const Resolved& R_;
  std::string_view text_;
  const std::vector<RawItem>& items_;
  std::vector<std::pair<int32_t, int32_t>>& edges_;
  std::vector<Scope> scopes_;
  std::vector<Deferred> deferred_;
  std::unordered_map<std::string_view, int32_t> names_;
  int32_t cs_ = 0;
  uint32_t base_ = 0;
  bool replay_ = false;
  bool dead_ = false;              // the current path ended (return / raise / break / continue)
  std::vector<State> exits_;       // per enclosing loop: states at `break`
  std::vector<State> conts_;       // per enclosing loop: states at `continue`
};


inline bool hspace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

StructureResult analyze_structure(std::string_view text, const StructureOptions& opt) {
  StructureResult res;
  if (text.size() >= 0xFFFFFFF0u) {  // offsets are 32-bit
    res.status = RecordStatus::NoCode;
    return res;
  }
  Budget budget;
  if (opt.parse_timeout_ms > 0) {
    budget.enabled = true;
    budget.deadline = std::chrono::steady_clock::now() +
                      std::chrono::microseconds(static_cast<int64_t>(opt.parse_timeout_ms * 1000.0));
  }
  const CodePointMap cpm(text);

  struct Seg {
    uint32_t b, e;
    std::string lang;
    const LanguageTables* L;
    TreePtr tree;
  };
  std::vector<Seg> segs;
  for (RawSegment& rs : find_fenced_blocks(text)) {
    std::string_view body = text.substr(rs.start, rs.end - rs.start);
    if (!rs.tag.empty()) {
      if (rs.end <= rs.start) continue;
      const LanguageTables* L = find_language(rs.tag);
      segs.push_back(Seg{rs.start, rs.end, L ? std::string(L->name) : rs.tag, L, nullptr});
      continue;
    }
    // untagged fence, or the whole fence-less response: is it code in a registered language?
    bool blank = true;
    for (char c : body)
      if (!hspace(c) && c != '\n') { blank = false; break; }
    if (blank) continue;
    const LanguageTables* found = nullptr;
    TreePtr tree;
    for (const LanguageTables* L : registered_languages()) {
      if (L->maybe_untagged && !L->maybe_untagged(body)) continue;
      budget.abort_on_error = true;
      budget.aborted_on_error = false;
      TreePtr t = parse(resolved(L), body, budget);
      budget.abort_on_error = false;
      if (!t) {
        if (budget.aborted_on_error && !budget.hit) continue;  // not clean code of this language
        res.status = RecordStatus::ParseTimeout;
        return res;
      }
      if (L->accept_untagged(ts_tree_root_node(t.get()))) {
        found = L;
        tree = std::move(t);
        break;
      }
    }
    if (found) segs.push_back(Seg{rs.start, rs.end, found->name, found, std::move(tree)});
    else if (rs.fenced) segs.push_back(Seg{rs.start, rs.end, "unknown", nullptr, nullptr});
  }

  // Parse itemized segments; extract items per segment (sorted by position).
  std::vector<RawItem> items;
  std::vector<std::pair<uint32_t, uint32_t>> errs;
  std::vector<uint32_t> missing;
  std::vector<std::pair<uint32_t, uint32_t>> prose;
  for (size_t si = 0; si < segs.size(); si++) {
    Seg& s = segs[si];
    if (!s.L) continue;
    const Resolved& R = resolved(s.L);
    std::string_view body = text.substr(s.b, s.e - s.b);
    if (!s.tree) {
      s.tree = parse(R, body, budget);
      if (!s.tree) {
        res.status = RecordStatus::ParseTimeout;
        return res;
      }
    }
    TSNode root = ts_tree_root_node(s.tree.get());
    size_t first = items.size();
    extract_items(R, root, s.b, static_cast<int32_t>(si), text, cpm, opt, items);
    std::sort(items.begin() + first, items.end(), [](const RawItem& a, const RawItem& b) { return a.b < b.b; });
    collect_errors(root, s.b, errs, missing);
    collect_prose(R, root, s.b, prose);
  }

  if (opt.max_items > 0 && items.size() > opt.max_items) {
    res.status = RecordStatus::TooLong;
    return res;
  }

  // Flags: overlap with ERROR ranges / MISSING points.
  std::sort(errs.begin(), errs.end());
  std::vector<std::pair<uint32_t, uint32_t>> merged;
  for (auto& e : errs) {
    if (!merged.empty() && e.first <= merged.back().second) merged.back().second = std::max(merged.back().second, e.second);
    else merged.push_back(e);
  }
  std::sort(missing.begin(), missing.end());
  for (RawItem& it : items) {
    if (!std::strcmp(it.type, "ERROR")) it.flags |= kFlagError;
    for (const LanguageTables* L : registered_languages())
      for (const char* bad : L->invalid_statements)
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
    const Resolved& R = resolved(L);
    bool any = false;
    for (const Seg& s : segs) any = any || s.L == L;
    if (!any) continue;
    DefUse du(R, text, items, edges);
    for (const Seg& s : segs)
      if (s.L == L) du.run_segment(ts_tree_root_node(s.tree.get()), s.b);
    du.finish();
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());

  // Output in code points.
  for (const Seg& s : segs) res.segments.push_back(SegmentOut{cpm(s.b), cpm(s.e), s.lang, s.L != nullptr});
  bool any_code = false;
  res.items.reserve(items.size());
  uint32_t prev_end = 0;
  for (size_t k = 0; k < items.size(); k++) {
    const RawItem& it = items[k];
    const Seg& s = segs[it.segment];
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
    if (k + 1 < items.size() && items[k + 1].segment == it.segment && e > items[k + 1].b) e = std::max(it.e, items[k + 1].b);
    if (b < prev_end) b = std::min(it.b, prev_end);
    prev_end = e;
    ItemOut o;
    o.start = cpm(b);
    o.end = cpm(e);
    o.kind = it.kind;
    o.type = it.type;
    o.segment = it.segment;
    o.flags = it.flags;
    o.core_begin = static_cast<uint32_t>(res.core.size());
    std::vector<std::pair<uint32_t, uint32_t>> core;
    core_ranges(resolved(s.L), it.node, s.b, it.b, it.e, core);
    for (auto& c : core) res.core.emplace_back(cpm(c.first), cpm(c.second));
    o.core_end = static_cast<uint32_t>(res.core.size());
    res.items.push_back(o);
    if (!it.flags) any_code = true;
  }
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
  if (!any_code) res.status = RecordStatus::NoCode;
  return res;
}

}  // namespace codeblock
