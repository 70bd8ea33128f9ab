// One pass over a tree-sitter tree's subtrees that lists its visible nodes in pre-order, with the nodes,
// fields and depths a TSTreeCursor walk reports (core/tree_walk.h, FlatTree). C, compiled with the
// tree-sitter runtime (scripts/native-deps.cjs lists it beside lib.c): it reads the runtime's internal
// subtree layout, which TSTreeCursor re-derives at every step.
#pragma once
#include <stdint.h>
#include <tree_sitter/api.h>

#ifdef __cplusplus
extern "C" {
#endif

// One visible node. end: index one past its subtree; parent: the nearest visible ancestor (the root:
// itself); depth: below the root; field: its field id as ts_tree_cursor_current_field_id reports it.
typedef struct CbFlatNode {
  TSNode node;
  uint32_t start;  // ts_node_start_byte
  uint32_t end;
  uint32_t parent;
  uint32_t depth;
  TSFieldId field;
} CbFlatNode;

// The walk's stack, kept by the caller between calls (cb_flat_stack_free releases it).
typedef struct CbFlatStack {
  void* frames;
  uint32_t capacity;
} CbFlatStack;

// Writes the visible nodes of root's subtree (root first) to out[0 .. cap) and returns how many
// there are (more than cap: call again with room for all; ts_node_descendant_count(root) is exact).
uint32_t cb_flatten(TSNode root, CbFlatNode* out, uint32_t cap, CbFlatStack* stack);
void cb_flat_stack_free(CbFlatStack* stack);

#ifdef __cplusplus
}
#endif
