// The one tree-cursor walk of the structure code (docs/structure.md): every subtree scan and every
// cursor loop over a node's children goes through walk() (iterative, no recursion). A cursor costs
// an allocation, so loops over the few children of one statement may use ts_node_named_child(i).
#pragma once
#include <tree_sitter/api.h>

#include <cstdint>

namespace codeblock {

// Where a walk goes after visiting a node.
enum class Walk : uint8_t {
  Into,  // into its children (for a leaf: the same as Over)
  Over,  // past its children, on to its next sibling
  Out,   // past its children and its later siblings, on to its parent's next sibling
};

// Where a walk is. depth: levels below the walk's root (0 = the root itself). node() and field()
// ask the cursor, so a visit pays only for what it reads.
struct WalkAt {
  const TSTreeCursor* cursor;
  uint32_t depth;
  TSNode node() const { return ts_tree_cursor_current_node(cursor); }
  // Field id of the node in its parent (0 = none).
  TSFieldId field() const { return ts_tree_cursor_current_field_id(cursor); }
};

// Pre-order walk of the subtree at `root` through one tree cursor; `visit(const WalkAt&) -> Walk`
// says where to go next. Never leaves the subtree (the root's siblings are not visited).
template <class Visit>
void walk(TSNode root, Visit&& visit) {
  TSTreeCursor cur = ts_tree_cursor_new(root);
  uint32_t depth = 0;
  for (;;) {
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
