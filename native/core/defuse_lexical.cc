// Item-level def-use for block-scoped languages (DefUsePart::scoping == Scoping::Lexical):
// name binding. Every identifier use links the item declaring the name it resolves to (innermost
// enclosing scope first) to the item using it (docs/structure.md, "Def-use"; independent truth:
// each language's compiler, test/structure/lexical-truth.test.ts). Scopes, declarations, member
// names, hoisting and function-scoped `var` come from the language tables. Function bodies are
// resolved after their enclosing scope is complete, so a function sees names declared after it
// (hoisted functions, class members, later top-level declarations), as the compilers do.
// Iterative: one explicit stack, so nesting depth is bounded only by memory.
#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/structure_internal.h"
#include "core/tree_walk.h"

namespace codeblock {
namespace structure {
namespace {

constexpr int32_t kFnName = 1 << 30;    // name-id bit of the function namespace
constexpr int32_t kTypeName = 1 << 29;  // name-key bit of the type namespace (DefUsePart::type_namespace)

class LexicalDefUse {
 public:
  LexicalDefUse(const Resolved& R, std::string_view text, const std::vector<RawItem>& items,
                std::vector<std::pair<int32_t, int32_t>>& edges)
      : R_(R), text_(text), items_(items), edges_(edges) {
    scopes_.push_back(Scope{LexScope::Function, -1, {}, false});
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
  struct Binding {
    int32_t item;  // the declaring item
    bool local;    // a local variable (DeclTarget::Local ...): not visible inside nested Isolated scopes
  };
  struct Scope {
    LexScope kind;
    int32_t parent;
    std::unordered_map<int32_t, Binding> names;  // by name
    bool fn_body = false;                        // a function's body block (redeclare_reuses: one scope with it)
  };
  enum class Op : uint8_t { Visit, VisitVar, VisitSig, Declare, DeclareReuse, Pop };
  struct Task {
    Op op;
    TSNode n;
    int32_t scope;                        // Declare: the scope; Pop: the scope to return to
    DeclTarget mode = DeclTarget::Block;  // Declare: how it binds (Local, Assign, Capture, Global: local names)
    bool fn = false;  // Visit / Declare of a name in the function namespace (LanguageTables::function_names)
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

  // The id of a name; names in the function namespace get ids of their own.
  // The ASCII lower-case form of t (DefUsePart::fold_case_names), kept alive in folded_.
  std::string_view folded(std::string_view t) {
    if (std::none_of(t.begin(), t.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; })) return t;
    std::string low(t);
    for (char& ch : low)
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return *folded_.insert(std::move(low)).first;
  }
  int32_t name_id(std::string_view t, bool fn = false) {
    if (R_.t->defuse.fold_case_names) t = folded(t);
    auto it = names_.find(t);
    int32_t id;
    if (it != names_.end()) {
      id = it->second;
    } else {
      id = static_cast<int32_t>(names_.size());
      names_.emplace(t, id);
    }
    return fn ? id | kFnName : id;
  }
  // A declaration target the language binds (DefUsePart::binds_rule).
  bool binds(TSNode id) const { return !R_.binds || R_.binds(id, name_text(id)); }

  // DefUsePart::first_name_binds: a child of a declaring node of such a type binds only when it is the first
  // named child that can (an identifier, wrapper, target container or pattern pair); `bound` carries the state
  // across the node's children. Every child binds for other types.
  bool first_binder(TSNode parent, TSNode c, bool& bound) const {
    if (!R_.flag(R_.is_first_name, parent)) return true;
    if (bound) return false;
    bound = R_.r(c) == DuRole::Identifier || R_.flag(R_.is_wrapper, c) || (R_.c(c) & kTargetContainer) ||
            R_.flag(R_.is_pattern_pair, c);
    return bound;
  }
  std::string_view name_text(TSNode n) const {
    uint32_t s = base_ + ts_node_start_byte(n), e = base_ + ts_node_end_byte(n);
    return text_.substr(s, e - s);
  }
  bool blank(std::string_view t) const { return R_.t->defuse.blank_name && t == R_.t->defuse.blank_name; }

  // Is the child in field f of x a name in the function namespace?
  bool fn_name(TSNode x, TSFieldId f) const {
    if (!f) return false;
    TSSymbol s = ts_node_symbol(x);
    if (s >= R_.function_names.size()) return false;
    for (TSFieldId g : R_.function_names[s])
      if (g == f) return true;
    return false;
  }

  void define(TSNode id, int32_t scope, bool local = false, bool fn = false) {
    if (!binds(id)) return;
    define_text(name_text(id), ts_node_start_byte(id), scope, local && is_local_name(id), fn,
                R_.flag(R_.is_type_name, id));
  }

  void define_text(std::string_view t, uint32_t at, int32_t scope, bool local = false, bool fn = false,
                   bool type = false) {
    if (blank(t)) return;
    int32_t item = item_at(at);
    if (item < 0) return;
    int32_t key = name_id(t, fn) | (type ? kTypeName : 0);
    if (R_.t->defuse.keep_first_declaration) scopes_[scope].names.emplace(key, Binding{item, local});
    else scopes_[scope].names[key] = Binding{item, local};
  }

  // Go `:=`: a name already bound in the target scope (or, from a function's body block, in the function's
  // parameter scope) is a use of that binding; otherwise a new one.
  void define_or_reuse(TSNode id, int32_t scope) {
    std::string_view t = name_text(id);
    if (blank(t)) return;
    int32_t name = name_id(t);
    for (int32_t s = scope; s >= 0; s = scopes_[s].parent) {
      if (scopes_[s].names.count(name)) {
        use(id, s);
        return;
      }
      if (!scopes_[s].fn_body) break;
    }
    define(id, scope);
  }

  bool is_local_name(TSNode id) const { return R_.t->defuse.local_names.empty() || R_.flag(R_.is_local_name, id); }

  // The binding a name resolves to from scope `from` (nullptr: none). Past an Isolated scope, local
  // variables of the scopes around it are not seen.
  const Binding* lookup(int32_t name, int32_t from) const {
    bool isolated = false;
    for (int32_t s = from; s >= 0; s = scopes_[s].parent) {
      auto it = scopes_[s].names.find(name);
      if (it != scopes_[s].names.end() && !(isolated && it->second.local)) return &it->second;
      if (scopes_[s].kind == LexScope::Isolated) isolated = true;
    }
    return nullptr;
  }

  void use(TSNode id, int32_t from, bool fn = false) {
    int32_t item = item_at(ts_node_start_byte(id));
    if (item < 0) return;
    std::string_view t = name_text(id);
    if (blank(t)) return;
    int32_t key = name_id(t, fn) | (R_.flag(R_.is_type_name, id) ? kTypeName : 0);
    const Binding* b = lookup(key, from);
    if (!b && R_.t->defuse.type_namespace) b = lookup(key ^ kTypeName, from);  // the other name space
    if (b && b->item != item) edges_.emplace_back(b->item, item);
  }
  void use(TSNode id) { use(id, cs_); }

  static bool function_kind(LexScope k) { return k == LexScope::Function || k == LexScope::Isolated; }

  int32_t function_scope(int32_t s) const {
    while (s > 0 && !function_kind(scopes_[s].kind)) s = scopes_[s].parent;
    return s;
  }

  // A name bound by a local-variable target (DeclTarget::Local, Assign, Capture, Global) in `scope`.
  void bind_local(TSNode id, int32_t scope, DeclTarget mode) {
    switch (mode) {
      case DeclTarget::Assign: {
        const Binding* b = lookup(name_id(name_text(id)), cs_);
        if (b && (b->local || !is_local_name(id))) {  // already declared: this assignment uses it
          use(id);
          return;
        }
        break;
      }
      case DeclTarget::Capture: {
        int32_t f = function_scope(cs_);
        if (f > 0) use(id, scopes_[f].parent);
        scope = f;
        break;
      }
      case DeclTarget::Global: {
        use(id, 0);
        scope = function_scope(cs_);
        if (scope == 0) return;  // `global $x` at the top level: the same name
        break;
      }
      default:
        break;
    }
    define(id, scope, true);
  }

  void open_scope(TSNode n) {
    uint8_t k = R_.scope_kind[ts_node_symbol(n) < R_.scope_kind.size() ? ts_node_symbol(n) : 0];
    bool fn_body = false;
    if (!R_.t->defuse.redeclare_reuses.empty() && cs_ >= 0 && scopes_[cs_].kind == LexScope::Function) {
      TSNode p = ts_node_parent(n);
      fn_body = !ts_node_is_null(p) && ts_node_eq(ts_node_child_by_field_id(p, R_.f_body), n);
    }
    scopes_.push_back(Scope{static_cast<LexScope>(k ? k - 1 : 0), cs_, {}, fn_body});
    cs_ = static_cast<int32_t>(scopes_.size() - 1);
    hoist(n);
  }

  uint8_t scope_kind(TSNode n) const {
    TSSymbol s = ts_node_symbol(n);
    return s < R_.scope_kind.size() ? R_.scope_kind[s] : 0;
  }

  // A declaration with a when_field applies only to a node that has a child there.
  bool applies(const Resolved::Decl& d, TSNode n) const {
    return !d.when || !ts_node_is_null(ts_node_child_by_field_id(n, d.when));
  }

  const std::vector<Resolved::Decl>& decls(TSNode n) const {
    static const std::vector<Resolved::Decl> none;
    TSSymbol s = ts_node_symbol(n);
    return s < R_.decls.size() ? R_.decls[s] : none;
  }

  // Declares now (no uses) the names a hoisted declaration binds in the current scope.
  void hoist(TSNode n) {
    if (R_.t->defuse.hoisted.empty()) return;
    for_named_children(n, [&](TSNode c) {
      if (R_.flag(R_.is_hoisted, c)) hoist_declaration(c, 0);
    });
  }

  // A hoisted declaration and the declarations it wraps (export function f, export declare class C, Go's
  // grouped var specs); a hoisted scope node declares its own name, not its parameters.
  void hoist_declaration(TSNode c, int depth) {
    declare_now(c);
    if (scope_kind(c)) return;
    for_named_children(c, [&](TSNode d) {
      if (!decls(d).empty()) declare_now(d);  // a scope node binds its Enclosing names only
      else if (depth < 8 && R_.flag(R_.is_hoisted, d)) hoist_declaration(d, depth + 1);
    });
  }

  // Go: `import "net/http"` binds http (the last path element; a trailing major version vN is skipped).
  void declare_import_path(TSNode c) {
    if (!ts_node_is_null(ts_node_child_by_field_id(c, R_.f_name))) return;
    TSNode p = ts_node_child_by_field_id(c, R_.f_path);
    if (ts_node_is_null(p)) return;
    std::string_view t = name_text(p);
    while (!t.empty() && (t.back() == '"' || t.back() == '`')) t.remove_suffix(1);
    while (!t.empty() && (t.front() == '"' || t.front() == '`')) t.remove_prefix(1);
    auto last = [](std::string_view x) {
      size_t k = x.rfind('/');
      return k == std::string_view::npos ? x : x.substr(k + 1);
    };
    std::string_view e = last(t);
    bool major = e.size() >= 2 && e[0] == 'v' &&
                 std::all_of(e.begin() + 1, e.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (major && e.size() < t.size()) e = last(t.substr(0, t.size() - e.size() - 1));
    if (!e.empty()) define_text(e, ts_node_start_byte(c), cs_);
  }

  void declare_now(TSNode c) {
    if (R_.flag(R_.is_import_path, c)) declare_import_path(c);
    for (const Resolved::Decl& d : decls(c)) {
      if (!applies(d, c)) continue;
      if ((d.target == DeclTarget::Block || local_target(d.target)) && scope_kind(c)) continue;  // binds inside
      bool bound = false;
      for_children(c, [&](TSNode x, TSFieldId f) {
        if (!ts_node_is_named(x) || (d.field && f != d.field)) return;
        if (!d.field && !first_binder(c, x, bound)) return;
        bool fn = fn_name(c, f);
        names_of(x, [&](TSNode id) { define(id, cs_, false, fn); });
      });
    }
  }

  // The identifiers a declaration target binds (through wrappers and destructuring).
  template <class F>
  void names_of(TSNode root, F&& fn) {
    walk(root, [&](const WalkAt& at) {
      TSNode x = at.node();
      if (!ts_node_is_named(x) || ts_node_is_error(x) || R_.flag(R_.is_no_uses, x)) return Walk::Over;
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
      if (R_.f_receiver && !ts_node_is_null(ts_node_child_by_field_id(x, R_.f_receiver))) return true;  // Ruby
      return !ts_node_is_null(ts_node_child_by_field_id(x, R_.f_object));
    }
    return false;
  }

  // Children of x as tasks, in order. outer: the scope x sits in (-1: x opens no scope here).
  void push_children(TSNode x, bool var_mode, int32_t outer) {
    size_t mark = st_.size();
    const std::vector<Resolved::Decl>& ds = decls(x);
    bool fn_scoped = R_.flag(R_.is_fn_scoped, x), qualified = R_.flag(R_.is_qualified, x);
    uint32_t named = 0;
    Op declare_op = R_.flag(R_.is_redeclare_reuse, x) ? Op::DeclareReuse : Op::Declare;
    size_t value_task = SIZE_MAX;  // declare_after: the task of the `value` / `right` child
    bool bound = false;            // first_name_binds
    for_children(x, [&](TSNode c, TSFieldId f) {
      if (!ts_node_is_named(c)) return;
      if (qualified && named++ > 0) return;  // a.b.C without fields: only `a` is a use
      if (ts_node_is_error(c) || (R_.c(c) & kComment)) return;
      if (member_field(x, f)) return;
      bool fn = fn_name(x, f);
      for (const Resolved::Decl& d : ds) {
        if ((d.field && d.field != f) || !applies(d, x)) continue;
        if (!d.field && !first_binder(x, c, bound)) continue;
        if (d.target == DeclTarget::Enclosing) {
          if (outer >= 0) {  // declared where the scope node was met
            if (!R_.t->defuse.parameter_lists.empty()) st_.push_back({Op::VisitSig, c, 0});
            return;
          }
          st_.push_back({Op::Declare, c, cs_, DeclTarget::Enclosing, fn});
          return;
        }
        int32_t s = d.target == DeclTarget::Function || var_mode ? function_scope(cs_) : cs_;
        st_.push_back({declare_op, c, s, d.target, fn});
        return;
      }
      if (f && (f == R_.f_value || f == R_.f_right)) value_task = st_.size();
      st_.push_back({fn_scoped ? Op::VisitVar : Op::Visit, c, 0, DeclTarget::Block, fn});
    });
    if (value_task != SIZE_MAX && R_.flag(R_.is_declare_after, x))  // declarations after the value
      std::stable_partition(st_.begin() + static_cast<std::ptrdiff_t>(mark),
                            st_.begin() + static_cast<std::ptrdiff_t>(value_task + 1),
                            [](const Task& t) { return t.op != Op::Declare && t.op != Op::DeclareReuse; });
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
        case Op::DeclareReuse:
          declare(x, t.scope, t.op == Op::DeclareReuse, t.mode, t.fn);
          break;
        case Op::Visit:
        case Op::VisitVar:
          visit(x, t.op == Op::VisitVar, t.fn);
          break;
        case Op::VisitSig:
          visit_signature(x);
          break;
      }
    }
  }

  static bool local_target(DeclTarget m) {
    return m == DeclTarget::Local || m == DeclTarget::Assign || m == DeclTarget::Capture || m == DeclTarget::Global;
  }

  void declare(TSNode x, int32_t scope, bool reuse, DeclTarget mode, bool fn = false) {
    if (R_.r(x) == DuRole::Identifier) {
      if (!binds(x)) use(x);
      else if (local_target(mode)) bind_local(x, scope, mode);
      else if (reuse) define_or_reuse(x, scope);
      else define(x, scope, false, fn);
      return;
    }
    bool wrapper = R_.flag(R_.is_wrapper, x), container = (R_.c(x) & kTargetContainer) != 0;
    bool pair = R_.flag(R_.is_pattern_pair, x);
    if (!wrapper && !container && !pair) {
      visit(x, false);
      return;
    }
    size_t mark = st_.size();
    bool bound = false;  // first_name_binds
    for_children(x, [&](TSNode c, TSFieldId f) {
      if (!ts_node_is_named(c) || ts_node_is_error(c) || (R_.c(c) & kComment)) return;
      // a wrapper's child without a field is its inner declarator (C `(*fp)`, C++ `&r`)
      bool binds = pair      ? (f && f == R_.f_value)
                   : wrapper ? (!f || f == R_.f_declarator || f == R_.f_name || f == R_.f_pattern)
                             : !(f && (f == R_.f_value || f == R_.f_type || f == R_.f_right));
      if (container && member_field(x, f)) return;  // { key: target } pattern keys
      if (binds && !first_binder(x, c, bound)) binds = false;
      st_.push_back(binds ? Task{reuse ? Op::DeclareReuse : Op::Declare, c, scope, mode} : Task{Op::Visit, c, 0});
    });
    std::reverse(st_.begin() + static_cast<std::ptrdiff_t>(mark), st_.end());
  }

  // The declarator holding a scope node's own name (LanguageTables::parameter_lists), in that scope: the
  // name is no use; parameter lists declare here; sizes, defaults and the like are uses.
  void visit_signature(TSNode x) {
    if (ts_node_is_null(x) || ts_node_is_error(x) || (R_.c(x) & kComment)) return;
    if (R_.flag(R_.is_param_list, x)) {
      push_children(x, false, -1);
      return;
    }
    if (!R_.flag(R_.is_wrapper, x)) return;  // the name itself (identifier, qualified name, operator name)
    size_t mark = st_.size();
    for_children(x, [&](TSNode c, TSFieldId f) {
      if (!ts_node_is_named(c) || ts_node_is_error(c) || (R_.c(c) & kComment)) return;
      bool path = (f && (f == R_.f_declarator || f == R_.f_name)) || R_.flag(R_.is_param_list, c);
      st_.push_back({path ? Op::VisitSig : Op::Visit, c, 0});
    });
    std::reverse(st_.begin() + static_cast<std::ptrdiff_t>(mark), st_.end());
  }

  void visit(TSNode x, bool var_mode, bool fn = false) {
    if (ts_node_is_null(x) || ts_node_is_error(x) || (R_.c(x) & kComment) || R_.flag(R_.is_no_uses, x)) return;
    if (R_.r(x) == DuRole::Identifier) {
      use(x, cs_, fn);
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
      if (d.target != DeclTarget::Enclosing || !applies(d, x)) continue;
      bool bound = false;
      for_children(x, [&](TSNode c, TSFieldId f) {
        if (!ts_node_is_named(c) || (d.field && f != d.field)) return;
        if (!d.field && !first_binder(x, c, bound)) return;
        bool fn = fn_name(x, f);
        names_of(c, [&](TSNode id) { define(id, cs_, false, fn); });
      });
    }
    if (function_kind(static_cast<LexScope>(k - 1)) &&
        (!R_.t->defuse.in_place_bodies || scopes_[cs_].kind == LexScope::Class)) {
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
  std::unordered_set<std::string> folded_;  // lower-cased names (fold_case_names)
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
