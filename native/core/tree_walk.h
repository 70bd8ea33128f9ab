// The one tree walk of the structure code (docs/structure.md): every subtree scan and every loop
// over a node's children goes through walk() (iterative, no recursion). analyze_structure flattens
// each parsed tree once (FlatTree: one pass over tree-sitter's subtrees, native/ts/flat_tree.c) and
// walk() then steps through that array: cursor steps were most of the structure stage's cost beyond
// parsing (bench/structure_parse.ts). Outside a FlatScope a walk moves a cursor, which costs an
// allocation, so loops over the few children of one statement may use ts_node_named_child(i).
#pragma once
#include <tree_sitter/api.h>

#include <algorithm>
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
  bool by_start = true;  // start bytes never decrease in pre-order
  std::vector<FlatNode> storage;
  // index_of's table: node id -> index (open addressing, a power of two at least twice count; empty:
  // UINT32_MAX), and per node the units a lookup charges (below).
  std::vector<uint32_t> slots;
  std::vector<uint32_t> units;
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
        slots(std::move(o.slots)),
        units(std::move(o.units)),
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
    // A lookup is one hash probe, but charges what the scan it replaced did (core/work.h): 1 + the
    // nodes before it that start at the same byte (by_start), else 1 + its index. So the work counts,
    // and the outcomes at any budget, stay those of the scan, without its quadratic time when many
    // nodes start at one byte (a 95K-term `a+a+…` chain).
    if (units.size() < count) units.resize(count);
    for (uint32_t i = 0; i < count; i++)
      units[i] = !by_start ? i + 1 : i > 0 && nodes[i].start == nodes[i - 1].start ? units[i - 1] + 1 : 1;
    size_t cap = 16;
    while (cap < 2 * size_t{count}) cap *= 2;
    slots.assign(cap, UINT32_MAX);
    for (uint32_t i = 0; i < count; i++) {
      size_t h = slot_of(nodes[i].node.id, cap);
      while (slots[h] != UINT32_MAX) h = (h + 1) & (cap - 1);
      slots[h] = i;
    }
  }

  static size_t slot_of(const void* id, size_t cap) {
    uint64_t x = reinterpret_cast<uintptr_t>(id);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return static_cast<size_t>(x) & (cap - 1);
  }

  // Index of node n (a visible node of this tree), or UINT32_MAX (also when out of budget).
  uint32_t index_of(TSNode n) const {
    if (n.tree != tree || slots.empty()) return UINT32_MAX;
    uint32_t found = UINT32_MAX;
    for (size_t h = slot_of(n.id, slots.size()); slots[h] != UINT32_MAX; h = (h + 1) & (slots.size() - 1))
      if (ts_node_eq(nodes[slots[h]].node, n)) {
        found = slots[h];
        break;
      }
    uint64_t charge;
    if (found != UINT32_MAX) charge = units[found];
    else if (!by_start) charge = count;  // the scan's miss: every node
    else {                               // the scan's miss: every node that starts at n's byte
      const uint32_t start = ts_node_start_byte(n);
      auto lo =
          std::lower_bound(nodes, nodes + count, start, [](const FlatNode& a, uint32_t s) { return a.start < s; });
      auto hi = std::upper_bound(lo, nodes + count, start, [](uint32_t s, const FlatNode& a) { return s < a.start; });
      charge = static_cast<uint64_t>(hi - lo);
    }
    // out of budget: walk() then visits nothing
    if (work_meter().charge_each(charge) < charge) return UINT32_MAX;
    return found;
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
