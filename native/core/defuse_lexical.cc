// Item-level def-use for block-scoped languages (LanguageTables::scoping == Scoping::Lexical):
// name binding. Every identifier use links the item declaring the name it resolves to (innermost
// enclosing scope first) to the item using it (docs/structure.md, "Def-use"; independent truth:
// each language's compiler, test/structure/lexical-truth.test.ts). Scopes, declarations, member
// names, hoisting and function-scoped `var` come from the language tables. Function bodies are
// resolved after their enclosing scope is complete, so a function sees names declared after it
// (hoisted functions, class members, later top-level declarations), as the compilers do.
// Iterative: one explicit stack, so nesting depth is bounded only by memory.
#include <algorithm>
#include <unordered_map>

#include "core/structure_internal.h"
#include "core/tree_walk.h"

namespace codeblock {
namespace structure {
namespace {

class LexicalDefUse {
 public:
  LexicalDefUse(const Resolved& R, std::string_view text, const std::vector<RawItem>& items,
                std::vector<std::pair<int32_t, int32_t>>& edges)
      : R_(R), text_(text), items_(items), edges_(edges) {
    scopes_.push_back(Scope{LexScope::Function, -1, {}});
  }

  void run_segment(TSNode root, uint32_t base) {
    base_ = base;
    cs_ = 0;
    hoist(root);
    push_children(root, false, -1);
    run();
  }

  void finish() {
    for (size_t i = 0; i < deferred_.size(); i++) {
      Deferred d = deferred_[i];
      base_ = d.base;
      cs_ = d.scope;
      open_scope(d.node);
      push_children(d.node, d.var_mode, d.scope);
      run();
    }
  }

 private:
  struct Scope {
    LexScope kind;
    int32_t parent;
    std::unordered_map<int32_t, int32_t> names;  // name → declaring item
  };
  enum class Op : uint8_t { Visit, VisitVar, Declare, Pop };
  struct Task {
    Op op;
    TSNode n;
    int32_t scope;  // Declare: the scope; Pop: the scope to return to
  };
  struct Deferred {
    TSNode node;
    int32_t scope;  // the enclosing scope
    uint32_t base;
    bool var_mode;
  };

  int32_t item_at(uint32_t seg_byte) const {
    uint32_t pos = base_ + seg_byte;
    auto it =
        std::upper_bound(items_.begin(), items_.end(), pos, [](uint32_t p, const RawItem& it) { return p < it.b; });
    if (it == items_.begin()) return -1;
    --it;
    if (pos >= it->e) return -1;
    return static_cast<int32_t>(it - items_.begin());
  }

  int32_t name_id(TSNode n) {
    uint32_t s = base_ + ts_node_start_byte(n), e = base_ + ts_node_end_byte(n);
    auto it = names_.find(text_.substr(s, e - s));
    if (it != names_.end()) return it->second;
    int32_t id = static_cast<int32_t>(names_.size());
    names_.emplace(text_.substr(s, e - s), id);
    return id;
  }

  // Name key: the name's id, and its name space (LanguageTables::type_namespace) in the low bit.
  int32_t name_key(TSNode id) { return name_id(id) * 2 + (R_.flag(R_.is_type_name, id) ? 1 : 0); }

  void define(TSNode id, int32_t scope) {
    int32_t item = item_at(ts_node_start_byte(id));
    if (item < 0) return;
    if (R_.t->keep_first_declaration) scopes_[scope].names.emplace(name_key(id), item);
    else scopes_[scope].names[name_key(id)] = item;
  }

  // The declaring item of key, innermost scope first; -1 when none.
  int32_t resolve(int32_t key) const {
    for (int32_t s = cs_; s >= 0; s = scopes_[s].parent) {
      auto it = scopes_[s].names.find(key);
      if (it != scopes_[s].names.end()) return it->second;
    }
    return -1;
  }

  void use(TSNode id) {
    int32_t item = item_at(ts_node_start_byte(id));
    if (item < 0) return;
    int32_t key = name_key(id);
    int32_t d = resolve(key);
    if (d < 0 && R_.t->type_namespace) d = resolve(key ^ 1);  // the other name space
    if (d >= 0 && d != item) edges_.emplace_back(d, item);
  }

  int32_t function_scope(int32_t s) const {
    while (s > 0 && scopes_[s].kind != LexScope::Function) s = scopes_[s].parent;
    return s;
  }

  void open_scope(TSNode n) {
    uint8_t k = R_.scope_kind[ts_node_symbol(n) < R_.scope_kind.size() ? ts_node_symbol(n) : 0];
    scopes_.push_back(Scope{static_cast<LexScope>(k ? k - 1 : 0), cs_, {}});
    cs_ = static_cast<int32_t>(scopes_.size() - 1);
    hoist(n);
  }

  uint8_t scope_kind(TSNode n) const {
    TSSymbol s = ts_node_symbol(n);
    return s < R_.scope_kind.size() ? R_.scope_kind[s] : 0;
  }

  const std::vector<Resolved::Decl>& decls(TSNode n) const {
    static const std::vector<Resolved::Decl> none;
    TSSymbol s = ts_node_symbol(n);
    return s < R_.decls.size() ? R_.decls[s] : none;
  }

  // Declares now (no uses) the names a hoisted declaration binds in the current scope.
  void hoist(TSNode n) {
    if (R_.t->hoisted.empty()) return;
    for_named_children(n, [&](TSNode c) {
      if (R_.flag(R_.is_hoisted, c)) hoist_declaration(c, 0);
    });
  }

  // A hoisted declaration and the declarations it wraps (export function f, export declare class C).
  void hoist_declaration(TSNode c, int depth) {
    declare_now(c);
    for_named_children(c, [&](TSNode d) {
      if (depth < 3 && R_.flag(R_.is_hoisted, d)) hoist_declaration(d, depth + 1);
      else if (!decls(d).empty()) declare_now(d);
    });
  }

  void declare_now(TSNode c) {
    for (const Resolved::Decl& d : decls(c)) {
      if (d.target == DeclTarget::Block && scope_kind(c)) continue;  // binds inside its own scope
      for_children(c, [&](TSNode x, TSFieldId f) {
        if (!ts_node_is_named(x) || (d.field && f != d.field)) return;
        names_of(x, [&](TSNode id) { define(id, cs_); });
      });
    }
  }

  // The identifiers a declaration target binds (through wrappers and destructuring).
  template <class F>
  void names_of(TSNode root, F&& fn) {
    walk(root, [&](const WalkAt& at) {
      TSNode x = at.node();
      if (!ts_node_is_named(x) || ts_node_is_error(x)) return Walk::Over;
      if (R_.r(x) == DuRole::Identifier) {
        fn(x);
        return Walk::Over;
      }
      if (at.depth == 0) return Walk::Into;
      TSFieldId f = at.field();
      if (f && f == R_.f_value && R_.flag(R_.is_pattern_pair, ts_node_parent(x))) return Walk::Into;
      if (f && (f == R_.f_value || f == R_.f_type || f == R_.f_right)) return Walk::Over;
      if (R_.flag(R_.is_wrapper, x) || (R_.c(x) & kTargetContainer) || R_.flag(R_.is_pattern_pair, x))
        return Walk::Into;
      return Walk::Over;
    });
  }

  bool member_field(TSNode x, TSFieldId f) const {
    if (!f) return false;
    TSSymbol s = ts_node_symbol(x);
    if (s >= R_.members.size()) return false;
    for (const Resolved::Member& m : R_.members[s]) {
      if (m.field != f) continue;
      if (!m.only_with_object) return true;
      return !ts_node_is_null(ts_node_child_by_field_id(x, R_.f_object));
    }
    return false;
  }

  // Children of x as tasks, in order. outer: the scope x sits in (-1: x opens no scope here).
  void push_children(TSNode x, bool var_mode, int32_t outer) {
    size_t mark = st_.size();
    const std::vector<Resolved::Decl>& ds = decls(x);
    bool fn_scoped = R_.flag(R_.is_fn_scoped, x);
    for_children(x, [&](TSNode c, TSFieldId f) {
      if (!ts_node_is_named(c) || ts_node_is_error(c) || (R_.c(c) & kComment)) return;
      if (member_field(x, f)) return;
      for (const Resolved::Decl& d : ds) {
        if (d.field && d.field != f) continue;
        if (d.target == DeclTarget::Enclosing) {
          if (outer >= 0) return;  // declared where the scope node was met
          st_.push_back({Op::Declare, c, cs_});
          return;
        }
        int32_t s = d.target == DeclTarget::Function || var_mode ? function_scope(cs_) : cs_;
        st_.push_back({Op::Declare, c, s});
        return;
      }
      st_.push_back({fn_scoped ? Op::VisitVar : Op::Visit, c, 0});
    });
    std::reverse(st_.begin() + static_cast<std::ptrdiff_t>(mark), st_.end());
  }

  void run() {
    while (!st_.empty()) {
      Task t = st_.back();
      st_.pop_back();
      TSNode x = t.n;
      switch (t.op) {
        case Op::Pop:
          cs_ = t.scope;
          break;
        case Op::Declare:
          declare(x, t.scope);
          break;
        case Op::Visit:
        case Op::VisitVar:
          visit(x, t.op == Op::VisitVar);
          break;
      }
    }
  }

  void declare(TSNode x, int32_t scope) {
    if (R_.r(x) == DuRole::Identifier) {
      define(x, scope);
      return;
    }
    bool wrapper = R_.flag(R_.is_wrapper, x), container = (R_.c(x) & kTargetContainer) != 0;
    bool pair = R_.flag(R_.is_pattern_pair, x);
    if (!wrapper && !container && !pair) {
      visit(x, false);
      return;
    }
    size_t mark = st_.size();
    for_children(x, [&](TSNode c, TSFieldId f) {
      if (!ts_node_is_named(c) || ts_node_is_error(c) || (R_.c(c) & kComment)) return;
      bool binds = pair      ? (f && f == R_.f_value)
                   : wrapper ? (f && (f == R_.f_declarator || f == R_.f_name || f == R_.f_pattern))
                             : !(f && (f == R_.f_value || f == R_.f_type || f == R_.f_right));
      if (container && member_field(x, f)) return;  // { key: target } pattern keys
      st_.push_back(binds ? Task{Op::Declare, c, scope} : Task{Op::Visit, c, 0});
    });
    std::reverse(st_.begin() + static_cast<std::ptrdiff_t>(mark), st_.end());
  }

  void visit(TSNode x, bool var_mode) {
    if (ts_node_is_null(x) || ts_node_is_error(x) || (R_.c(x) & kComment)) return;
    if (R_.r(x) == DuRole::Identifier) {
      use(x);
      return;
    }
    if (R_.c(x) & kString) {
      if (ts_node_named_child_count(x) == 0) return;  // template strings: their substitutions are uses
    }
    uint8_t k = scope_kind(x);
    if (!k) {
      push_children(x, var_mode, -1);
      return;
    }
    // A scope node: names it binds outside first, then its own scope.
    for (const Resolved::Decl& d : decls(x)) {
      if (d.target != DeclTarget::Enclosing) continue;
      for_children(x, [&](TSNode c, TSFieldId f) {
        if (!ts_node_is_named(c) || (d.field && f != d.field)) return;
        names_of(c, [&](TSNode id) { define(id, cs_); });
      });
    }
    if (static_cast<LexScope>(k - 1) == LexScope::Function) {
      deferred_.push_back(Deferred{x, cs_, base_, var_mode});
      return;
    }
    int32_t outer = cs_;
    st_.push_back({Op::Pop, x, outer});
    open_scope(x);
    push_children(x, false, outer);
  }

  const Resolved& R_;
  std::string_view text_;
  const std::vector<RawItem>& items_;
  std::vector<std::pair<int32_t, int32_t>>& edges_;
  std::vector<Scope> scopes_;
  std::vector<Deferred> deferred_;
  std::vector<Task> st_;
  std::unordered_map<std::string_view, int32_t> names_;
  int32_t cs_ = 0;
  uint32_t base_ = 0;
};

}  // namespace

void lexical_def_use_edges(const Resolved& R, std::string_view text, const std::vector<RawItem>& items,
                           const std::vector<SegmentTree>& segments, std::vector<std::pair<int32_t, int32_t>>& edges) {
  LexicalDefUse du(R, text, items, edges);
  for (const SegmentTree& s : segments) du.run_segment(s.root, s.base);
  du.finish();
}

}  // namespace structure
}  // namespace codeblock
