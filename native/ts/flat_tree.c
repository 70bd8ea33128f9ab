// cb_flatten (flat_tree.h): the visible nodes of a subtree in pre-order, in one pass over the runtime's
// subtrees. It follows TSTreeCursor step for step (tree_cursor.c of tree-sitter 0.25: the child
// iterator's positions, alias sequences, visibility and ts_tree_cursor_current_field_id's walk up
// through hidden ancestors), so every node, field and depth is the one a cursor walk reports; what it
// saves is the cursor re-deriving its state at every step (native/test/structure_test.cc compares the two).
#include "flat_tree.h"

#include "alloc.h"
#include "language.h"
#include "length.h"
#include "subtree.h"
#include "tree.h"

typedef struct Frame {
  Subtree parent;           // a subtree with children, visible or hidden
  const TSSymbol* aliases;  // its production's alias sequence (NULL: none)
  uint32_t production_id;
  uint32_t child_index;       // next child to visit
  uint32_t structural_index;  // next child's index among the non-extra children
  Length position;            // next child's position (as the cursor's child iterator keeps it)
  uint32_t visible_index;     // flat index of the nearest visible node at or above `parent`
  uint32_t child_depth;       // depth of its visible children
  uint32_t owner;             // flat index of `parent` when it is visible, else UINT32_MAX
  TSFieldId inherited;        // field of `parent` when hidden (a descendant without its own takes it), else 0
} Frame;

static TSFieldId field_of(const TSLanguage* lang, uint32_t production_id, uint32_t structural_index) {
  const TSFieldMapEntry *map, *end;
  ts_language_field_map(lang, production_id, &map, &end);
  for (; map < end; map++)
    if (!map->inherited && map->child_index == structural_index) return map->field_id;
  return 0;
}

static Frame* push(CbFlatStack* stack, uint32_t* size) {
  if (*size == stack->capacity) {
    uint32_t capacity = stack->capacity ? stack->capacity * 2 : 64;
    stack->frames = ts_realloc(stack->frames, capacity * sizeof(Frame));
    stack->capacity = capacity;
  }
  return (Frame*)stack->frames + (*size)++;
}

static void open_frame(Frame* f, const TSLanguage* lang, Subtree parent, Length position, uint32_t visible_index,
                       uint32_t child_depth, uint32_t owner, TSFieldId inherited) {
  f->parent = parent;
  f->production_id = parent.ptr->production_id;
  f->aliases = ts_language_alias_sequence(lang, f->production_id);
  f->child_index = 0;
  f->structural_index = 0;
  f->position = position;
  f->visible_index = visible_index;
  f->child_depth = child_depth;
  f->owner = owner;
  f->inherited = inherited;
}

uint32_t cb_flatten(TSNode root, CbFlatNode* out, uint32_t cap, CbFlatStack* stack) {
  const TSTree* tree = root.tree;
  const TSLanguage* lang = tree->language;
  const Subtree* root_subtree = (const Subtree*)root.id;
  uint32_t n = 1;
  if (cap > 0) {
    CbFlatNode r = {root, root.context[0], 1, 0, 0, 0};
    out[0] = r;
  }
  if (ts_subtree_child_count(*root_subtree) == 0) return n;
  uint32_t size = 0;
  Length root_position = {root.context[0], {root.context[1], root.context[2]}};
  open_frame(push(stack, &size), lang, *root_subtree, root_position, 0, 1, 0, 0);
  while (size > 0) {
    Frame* f = (Frame*)stack->frames + size - 1;
    const uint32_t count = f->parent.ptr->child_count;
    if (f->child_index == count) {
      if (f->owner != UINT32_MAX && f->owner < cap) out[f->owner].end = n;
      size--;
      continue;
    }
    // The cursor's child iterator (ts_tree_cursor_child_iterator_next).
    const Subtree* children = ts_subtree_children(f->parent);
    const Subtree* child = &children[f->child_index];
    const Length position = f->position;
    const bool extra = ts_subtree_extra(*child);
    bool visible = ts_subtree_visible(*child);
    TSSymbol alias = 0;
    TSFieldId field = 0;
    if (!extra) {
      if (f->aliases) {
        alias = f->aliases[f->structural_index];
        visible |= alias != 0;
      }
      // ts_tree_cursor_current_field_id: the child's own field in its parent, else (the parent being
      // hidden) the parent's, and so on up to the nearest visible ancestor; an extra stops the search.
      field = field_of(lang, f->production_id, f->structural_index);
      if (!field) field = f->inherited;
      f->structural_index++;
    }
    f->position = length_add(f->position, ts_subtree_size(*child));
    f->child_index++;
    if (f->child_index < count) f->position = length_add(f->position, ts_subtree_padding(children[f->child_index]));

    uint32_t index = UINT32_MAX;
    if (visible) {
      index = n++;
      if (index < cap) {
        CbFlatNode v = {ts_node_new(tree, child, position, alias),
                        position.bytes,
                        index + 1,
                        f->visible_index,
                        f->child_depth,
                        field};
        out[index] = v;
      }
    }
    // Into the child: a visible one, or a hidden one with visible children (the cursor skips the rest).
    if (ts_subtree_child_count(*child) > 0 && (visible || ts_subtree_visible_child_count(*child) > 0)) {
      const uint32_t visible_index = visible ? index : f->visible_index;
      const uint32_t child_depth = visible ? f->child_depth + 1 : f->child_depth;
      open_frame(push(stack, &size), lang, *child, position, visible_index, child_depth, index, visible ? 0 : field);
    }
  }
  return n;
}

void cb_flat_stack_free(CbFlatStack* stack) {
  ts_free(stack->frames);
  stack->frames = NULL;
  stack->capacity = 0;
}
