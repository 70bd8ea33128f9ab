// The one tree walk of the structure code (docs/structure.md): every subtree scan and every loop
// over a node's children goes through walk() (iterative, no recursion). analyze_structure flattens
// each parsed tree once (FlatTree: one pass over tree-sitter's subtrees, native/ts/flat_tree.c) and
// walk() then steps through that array: cursor steps were most of the structure stage's cost beyond
// parsing (bench/structure_parse.ts). Outside a FlatScope a walk moves a cursor, which costs an
// allocation, so loops over the few children of one statement may use ts_node_named_child(i).
#pragma once
#include <tree_sitter/api.h>

#include <cstdint>
#include <vector>

#include "core/work.h"
#include "ts/flat_tree.h"

namespace codeblock {

// Where a walk goes after visiting a node.
enum class Walk : uint8_t {
  Into,  // into its children (for a leaf: the same as Over)
  Over,  // past its children, on to its next sibling
  Out,   // past its children and its later siblings, on to its parent's next sibling
};

// One visible node of a flattened tree (FlatTree below): node, start (ts_node_start_byte), end (index
// one past the node's subtree), parent (index of the parent; the root: itself), depth (below the
// tree's root), field (in its parent, as the cursor reports it).
using FlatNode = CbFlatNode;

// Where a walk is. depth: levels below the walk's root (0 = the root itself). node() and field()
// ask the cursor (or read the flattened tree), so a visit pays only for what it reads.
struct WalkAt {
  const TSTreeCursor* cursor;
  uint32_t depth;
  const FlatNode* flat = nullptr;
  TSNode node() const { return flat ? flat->node : ts_tree_cursor_current_node(cursor); }
  // Field id of the node in its parent (0 = none).
  TSFieldId field() const { return flat ? flat->field : ts_tree_cursor_current_field_id(cursor); }
};

// The cursor walk (see walk() below).
template <class Visit>
void cursor_walk(TSNode root, Visit&& visit) {
  TSTreeCursor cur = ts_tree_cursor_new(root);
  WorkMeter& meter = work_meter();
  uint32_t depth = 0;
  for (;;) {
    if (meter.charge(1)) break;  // out of budget: visit nothing more (core/work.h)
    Walk w = visit(WalkAt{&cur, depth});
    if (w == Walk::Into && ts_tree_cursor_goto_first_child(&cur)) {
      depth++;
      continue;
    }
    // Next node: a later sibling of this node (unless Out), else of the nearest ancestor with one.
    bool siblings = w != Walk::Out;
    bool more = false;
    while (depth > 0) {
      if (siblings && ts_tree_cursor_goto_next_sibling(&cur)) {
        more = true;
        break;
      }
      if (--depth == 0) break;  // the root: done (no need to move the cursor there)
      ts_tree_cursor_goto_parent(&cur);
      siblings = true;
    }
    if (!more) break;
  }
  ts_tree_cursor_delete(&cur);
}

// A tree's visible nodes in the pre-order of the cursor walk, built in one pass (cb_flatten). While a
// FlatScope holds it, walk() over any of its nodes steps through this array instead of moving a
// cursor (the same visits, fields and depths; a cursor step costs far more than an array step).
// The arrays are kept between builds (structure.cc reuses one per segment and thread).
struct FlatTree {
  const TSTree* tree = nullptr;
  const FlatNode* nodes = nullptr;  // count of them, in storage
  uint32_t count = 0;
  bool by_start = true;  // start bytes never decrease in pre-order (else index_of scans)
  std::vector<FlatNode> storage;
  CbFlatStack stack{nullptr, 0};

  FlatTree() = default;
  FlatTree(const FlatTree&) = delete;
  FlatTree& operator=(const FlatTree&) = delete;
  FlatTree(FlatTree&& o) noexcept
      : tree(o.tree),
        nodes(o.nodes),
        count(o.count),
        by_start(o.by_start),
        storage(std::move(o.storage)),
        stack(o.stack) {
    o.nodes = nullptr;
    o.count = 0;
    o.stack = CbFlatStack{nullptr, 0};
  }
  ~FlatTree() { cb_flat_stack_free(&stack); }

  void build(TSNode root) {
    tree = root.tree;
    uint32_t n = ts_node_descendant_count(root);  // O(1): exactly the nodes of the walk
    if (storage.size() < n) storage.resize(n);
    n = cb_flatten(root, storage.data(), static_cast<uint32_t>(storage.size()), &stack);
    if (n > storage.size()) {  // never (the count is exact), but never written past either
      storage.resize(n);
      n = cb_flatten(root, storage.data(), n, &stack);
    }
    nodes = storage.data();
    // 1 unit per node flattened, as one cursor step each (core/work.h): out of budget, the rest unlisted
    count = static_cast<uint32_t>(work_meter().charge_each(n));
    by_start = true;
    for (uint32_t i = 1; i < count && by_start; i++)
      if (nodes[i].start < nodes[i - 1].start) by_start = false;
  }

  // Index of node n (a visible node of this tree), or UINT32_MAX.
  uint32_t index_of(TSNode n) const {
    const uint32_t start = ts_node_start_byte(n);
    size_t lo = 0, hi = count;
    if (by_start)
      while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (nodes[mid].start < start) lo = mid + 1;
        else hi = mid;
      }
    WorkMeter& meter = work_meter();
    for (size_t i = lo; i < count && (!by_start || nodes[i].start == start); i++) {
      if (meter.charge(1)) return UINT32_MAX;  // out of budget: walk() then visits nothing
      if (ts_node_eq(nodes[i].node, n)) return static_cast<uint32_t>(i);
    }
    return UINT32_MAX;
  }

  // The walk of the subtree at index `root` (see walk()).
  template <class Visit>
  void walk_from(uint32_t root, Visit&& visit) const {
    const uint32_t stop = nodes[root].end, base = nodes[root].depth;
    uint32_t i = root;
    WorkMeter& meter = work_meter();
    while (i < stop) {
      if (meter.charge(1)) break;  // out of budget: visit nothing more (core/work.h)
      const FlatNode& n = nodes[i];
      Walk w = visit(WalkAt{nullptr, n.depth - base, &n});
      if (w == Walk::Into) i++;  // a leaf's next node in pre-order is its next sibling's (or an ancestor's)
      else if (w == Walk::Over) i = n.end;
      else if (i == root) break;
      else i = nodes[n.parent].end;  // Out: past the parent's subtree (never past the root's)
    }
  }
};

// The flattened trees walk() uses in this thread (set by FlatScope for the length of one record's
// analysis; empty otherwise, so a tree freed later is never looked up).
inline std::vector<const FlatTree*>& active_flat_trees() {
  thread_local std::vector<const FlatTree*> active;
  return active;
}

struct FlatScope {
  explicit FlatScope(const std::vector<FlatTree>& trees) {
    for (const FlatTree& t : trees)
      if (t.tree) active_flat_trees().push_back(&t);
  }
  ~FlatScope() { active_flat_trees().clear(); }
  FlatScope(const FlatScope&) = delete;
  FlatScope& operator=(const FlatScope&) = delete;
};

// Pre-order walk of the subtree at `root`; `visit(const WalkAt&) -> Walk` says where to go next.
// Never leaves the subtree (the root's siblings are not visited). Through the flattened tree when a
// FlatScope holds root's tree, else through one tree cursor.
template <class Visit>
void walk(TSNode root, Visit&& visit) {
  for (const FlatTree* t : active_flat_trees())
    if (t->tree == root.tree) {
      const uint32_t i = t->index_of(root);
      if (i != UINT32_MAX) {
        t->walk_from(i, visit);
        return;
      }
      break;
    }
  cursor_walk(root, visit);
}

// Children of n in order: fn(TSNode child, TSFieldId field) (field 0 = none).
template <class F>
void for_children(TSNode n, F&& fn) {
  walk(n, [&](const WalkAt& at) {
    if (at.depth == 0) return Walk::Into;
    fn(at.node(), at.field());
    return Walk::Over;
  });
}

// Named children of n in order: fn(TSNode child).
template <class F>
void for_named_children(TSNode n, F&& fn) {
  walk(n, [&](const WalkAt& at) {
    if (at.depth == 0) return Walk::Into;
    TSNode c = at.node();
    if (ts_node_is_named(c)) fn(c);
    return Walk::Over;
  });
}

}  // namespace codeblock
