// Item-level def-use: reaching definitions with lexical scopes, over the statements of one
// language's segments (docs/structure.md, "Def-use"; independent truth: beniget).
#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/structure_internal.h"
#include "core/tree_walk.h"

namespace codeblock {
namespace structure {
namespace {

// The reaching definitions of one name: sorted, unique item indices. Most names reach from one or two
// statements, so up to kInline live in the object itself; a State copy (every branch and loop copies
// one) then allocates nothing per name.
class Defs {
 public:
  Defs() = default;
  explicit Defs(int32_t item) : n_(1) { inl_[0] = item; }
  const int32_t* begin() const { return n_ <= kInline ? inl_ : heap_.data(); }
  const int32_t* end() const { return begin() + n_; }

  void add(int32_t item) {
    const int32_t* b = begin();
    const int32_t* at = std::lower_bound(b, b + n_, item);
    if (at != b + n_ && *at == item) return;
    const size_t pos = static_cast<size_t>(at - b);
    if (n_ < kInline) {
      std::copy_backward(inl_ + pos, inl_ + n_, inl_ + n_ + 1);
      inl_[pos] = item;
    } else {
      if (n_ == kInline) heap_.assign(inl_, inl_ + kInline);
      heap_.insert(heap_.begin() + static_cast<std::ptrdiff_t>(pos), item);
    }
    n_++;
  }

 private:
  static constexpr uint32_t kInline = 3;
  uint32_t n_ = 0;
  int32_t inl_[kInline] = {};
  std::vector<int32_t> heap_;  // all of them once there are more than kInline
};

// Name id -> its reaching definitions, sorted by name id (a flat array: copying it is one allocation).
class State {
 public:
  using Entry = std::pair<int32_t, Defs>;
  void clear() { v_.clear(); }

  const Defs* find(int32_t name) const { return find_in(v_, name); }
  Defs* find(int32_t name) { return find_in(v_, name); }
  // The entry of `name`, created empty when missing.
  Defs& operator[](int32_t name) {
    auto it = lower(v_, name);
    if (it == v_.end() || it->first != name) it = v_.insert(it, Entry{name, Defs{}});
    return it->second;
  }

  // Every name of `src` into this state, its definitions added to this state's.
  void merge(const State& src) {
    if (src.v_.empty() || work_meter().charge(v_.size() + src.v_.size())) return;  // core/work.h
    if (v_.empty()) {
      v_ = src.v_;
      return;
    }
    std::vector<Entry> out;
    out.reserve(v_.size() + src.v_.size());
    size_t i = 0, j = 0;
    uint64_t defs = 0;  // definitions added: with the names, this merge's work units
    while (i < v_.size() || j < src.v_.size()) {
      if (j == src.v_.size() || (i < v_.size() && v_[i].first < src.v_[j].first)) {
        out.push_back(std::move(v_[i++]));
      } else if (i == v_.size() || src.v_[j].first < v_[i].first) {
        out.push_back(src.v_[j++]);
      } else {
        out.push_back(std::move(v_[i++]));
        for (int32_t x : src.v_[j].second) out.back().second.add(x);
        defs += static_cast<uint64_t>(src.v_[j].second.end() - src.v_[j].second.begin());
        j++;
      }
    }
    v_ = std::move(out);
    work_meter().charge(defs);
  }

 private:
  template <class V>
  static auto lower(V& v, int32_t name) -> decltype(v.begin()) {
    return std::lower_bound(v.begin(), v.end(), name, [](const Entry& e, int32_t n) { return e.first < n; });
  }
  template <class V>
  static auto find_in(V& v, int32_t name) -> decltype(&v.begin()->second) {
    auto it = lower(v, name);
    return it != v.end() && it->first == name ? &it->second : nullptr;
  }
  std::vector<Entry> v_;
};

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
    auto it =
        std::upper_bound(items_.begin(), items_.end(), pos, [](uint32_t p, const RawItem& it) { return p < it.b; });
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
      scopes_[0].cur[name].add(item);
      return;
    }
    if (scopes_[s].nonlocals.count(name)) {
      for (int32_t p = scopes_[s].parent; p >= 0; p = scopes_[p].parent) {
        if (scopes_[p].kind != ScopeKind::Function) continue;
        if (Defs* d = scopes_[p].cur.find(name)) {
          d->add(item);
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
    if (!defs || work_meter().charge(static_cast<uint64_t>(defs->end() - defs->begin()))) return;  // core/work.h
    for (int32_t d : *defs)
      if (d != item) edges_.emplace_back(d, item);
  }

  const Defs* lookup(int32_t name) const {
    int32_t s = cs_;
    if (scopes_[s].globals.count(name)) {
      return scopes_[0].cur.find(name);
    }
    bool first = true;
    while (s >= 0) {
      const Scope& sc = scopes_[s];
      bool skip = (!first && sc.kind == ScopeKind::Class) || sc.nonlocals.count(name);
      if (!skip) {
        if (const Defs* d = sc.cur.find(name)) return d;
      }
      first = false;
      s = sc.parent;
    }
    return nullptr;
  }

  // All identifiers below n as uses (the fallback past kMaxDepth; iterative).
  void flat_uses(TSNode n) {
    walk(n, [&](const WalkAt& at) {
      TSNode x = at.node();
      if ((at.depth > 0 && !ts_node_is_named(x)) || ts_node_is_error(x)) return Walk::Over;
      if (R_.r(x) == DuRole::Identifier) {
        use(x);
        return Walk::Over;
      }
      return Walk::Into;
    });
  }

  // ---- expressions: one explicit stack (no recursion on expression depth) ----
  enum class Op { Visit, Define, DefineWalrus, Pattern };
  struct Task {
    Op op;
    TSNode n;
  };

  void visit_expr(TSNode root, int depth, Op first_op = Op::Visit) {
    if (ts_node_is_null(root)) return;
    // One stack for every visit_expr of the walk: a nested call (a comprehension) works above this call's
    // tasks and returns with the stack back at `base`, so no call allocates a stack of its own.
    std::vector<Task>& st = tasks_;
    const size_t base = st.size();
    st.push_back({first_op, root});
    auto push_children = [&](TSNode x, Op op) {  // pushed in reverse so they run in order
      size_t mark = st.size();
      for_named_children(x, [&](TSNode c) { st.push_back({op, c}); });
      std::reverse(st.begin() + static_cast<std::ptrdiff_t>(mark), st.end());
    };
    auto push_field = [&](TSNode x, TSFieldId f, Op op) {
      TSNode c = ts_node_child_by_field_id(x, f);
      if (!ts_node_is_null(c)) st.push_back({op, c});
    };
    while (st.size() > base) {
      Task t = st.back();
      st.pop_back();
      TSNode x = t.n;
      if (ts_node_is_null(x)) continue;
      const TSSymbol sym = ts_node_symbol(x);  // once per node: the table lookups below all use it
      if (sym == kErrorSymbol || (R_.c_of(sym) & kComment)) continue;
      DuRole role = R_.r_of(sym);
      if (t.op == Op::Define || t.op == Op::DefineWalrus) {
        if (role == DuRole::Identifier) define(x, t.op == Op::Define ? Mode::Kill : Mode::Walrus);
        else if (R_.c_of(sym) & kTargetContainer) push_children(x, t.op);
        else st.push_back({Op::Visit, x});  // attribute / subscript targets: their parts are uses
        continue;
      }
      if (t.op == Op::Pattern) {  // match-case patterns
        if (role == DuRole::Identifier) {
          define(x, Mode::Kill);
        } else if (R_.flag_of(R_.is_dotted, sym)) {
          if (ts_node_named_child_count(x) == 1) {
            TSNode id = ts_node_named_child(x, 0);
            if (R_.t->defuse.pattern_wildcard &&
                text_.substr(base_ + ts_node_start_byte(id), ts_node_end_byte(id) - ts_node_start_byte(id)) ==
                    R_.t->defuse.pattern_wildcard)
              continue;
            define(id, Mode::Kill);
          } else {
            use(ts_node_named_child(x, 0));  // value pattern a.b.C
          }
        } else if (R_.c_of(sym) & kPatClass) {
          uint32_t k = ts_node_named_child_count(x);
          for (uint32_t i = k; i-- > 0;) {
            TSNode c = ts_node_named_child(x, i);
            if (R_.flag(R_.is_dotted, c) && i == 0) st.push_back({Op::Visit, c});
            else st.push_back({Op::Pattern, c});
          }
        } else if (R_.c_of(sym) & kPatKeyword) {
          uint32_t k = ts_node_named_child_count(x);
          for (uint32_t i = k; i-- > 1;) st.push_back({Op::Pattern, ts_node_named_child(x, i)});
        } else if (role == DuRole::AsPattern) {
          TSNode alias = ts_node_child_by_field_id(x, R_.f_alias);
          uint32_t k = ts_node_named_child_count(x);
          for (uint32_t i = k; i-- > 0;) {
            TSNode c = ts_node_named_child(x, i);
            st.push_back({ts_node_eq(c, alias) ? Op::Define : Op::Pattern, c});
          }
        } else if (R_.c_of(sym) & kString) {
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
          if (R_.flag_of(R_.is_dotted, sym)) {
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
          else if (!(is_for && !ts_node_is_null(left) && ts_node_eq(c, left)) && !(R_.c(c) & kComment))
            heads.push_back(c);
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
          end.merge(conts_.back());
          return end;
        };
        State end = one_pass();
        if (!replay_) {  // loop-carried: run the body again from the merged head state
          State head = pre;
          head.merge(end);
          scopes_[cs_].cur = std::move(head);
          replay_ = true;
          if (!is_for)
            for (TSNode h : heads) visit_expr(h, depth);
          end = one_pass();
          replay_ = false;
        }
        State head = pre;
        head.merge(end);
        scopes_[cs_].cur = std::move(head);
        if (!ts_node_is_null(els)) {
          visit_clause(els, depth + 1);
          if (dead_) scopes_[cs_].cur.clear();
          dead_ = false;
        }
        scopes_[cs_].cur.merge(exits_.back());  // `break` skips the else clause
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
          out.merge(scopes_[cs_].cur);
          live = true;
        }
        dead_ = false;
        if (!exhaustive) {
          out.merge(pre);
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
        any.merge(pre);
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
          out.merge(scopes_[cs_].cur);
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
        if (!exits_.empty()) exits_.back().merge(scopes_[cs_].cur);
        dead_ = true;
        return;
      case DuRole::Continue:
        if (!conts_.empty()) conts_.back().merge(scopes_[cs_].cur);
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
  std::vector<Task> tasks_;  // visit_expr's stack (see there)
  std::unordered_map<std::string_view, int32_t> names_;
  int32_t cs_ = 0;
  uint32_t base_ = 0;
  bool replay_ = false;
  bool dead_ = false;         // the current path ended (return / raise / break / continue)
  std::vector<State> exits_;  // per enclosing loop: states at `break`
  std::vector<State> conts_;  // per enclosing loop: states at `continue`
};

}  // namespace

void def_use_edges(const Resolved& R, std::string_view text, const std::vector<RawItem>& items,
                   const std::vector<SegmentTree>& segments, std::vector<std::pair<int32_t, int32_t>>& edges) {
  if (R.t->defuse.scoping == Scoping::Lexical) {
    lexical_def_use_edges(R, text, items, segments, edges);
    return;
  }
  DefUse du(R, text, items, edges);
  for (const SegmentTree& s : segments) du.run_segment(s.root, s.base);
  du.finish();
}

}  // namespace structure
}  // namespace codeblock
