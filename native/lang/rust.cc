// Rust (tree-sitter-rust 0.24) node-type tables (docs/languages/rust.md). Items: statements (`let`, expression
// statements, items), struct fields and enum variants; headers of fn/impl/trait/struct/enum/mod items and of
// if/match/for/while/loop through `{`; `else` and match-arm clauses (`pattern =>`), a block's tail expression and
// a match arm's value expression as simple items. Scoping: lexical; items are visible in their whole block or
// module, each `let` is a new binding (shadowing) in scope after its value, patterns bind their names (a path
// in a pattern is a use, a bare name binds), `self` binds in methods; `a.b` fields and `E::A` path ends are not
// uses; labels, lifetimes, attributes and macro_rules bodies hold no names; identifiers in a macro call's token
// tree are treated as uses (not reliably: a macro may use them otherwise).
#include "lang/rust.h"

#include "lang/detect.h"

namespace codeblock {
namespace {

bool rust_accept_untagged(TSNode root) {
  if (ts_node_has_error(root)) return false;
  uint32_t n = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < n; i++) {
    const char* t = ts_node_type(ts_node_named_child(root, i));
    for (const char* d :
         {"function_item", "impl_item", "trait_item", "use_declaration", "mod_item", "enum_item", "let_declaration"})
      if (std::strcmp(t, d) == 0) return true;
  }
  return false;
}

CODEBLOCK_RULE(named_rule("rust-accept", rust_accept_untagged));

LanguageTables rust_tables() {
  LanguageTables t{};
  t.name = "rust";
  t.language = tree_sitter_rust;
  t.fence_aliases = {"rust", "rs"};
  t.items.simple_statements = {"let_declaration",   "expression_statement", "use_declaration",
                               "const_item",        "static_item",          "type_item",
                               "field_declaration", "enum_variant",         "function_signature_item",
                               "macro_definition",  "macro_invocation",     "extern_crate_declaration",
                               "attribute_item",    "inner_attribute_item", "associated_type"};
  t.items.compound_statements = {
      "function_item",   "impl_item",        "trait_item",    "struct_item",      "enum_item",      "union_item",
      "mod_item",        "foreign_mod_item", "if_expression", "match_expression", "for_expression", "while_expression",
      "loop_expression", "unsafe_block",     "async_block",   "const_block",      "try_block",      "gen_block"};
  t.items.clauses = {"else_clause", "match_arm"};
  t.items.bodies = {"block",       "declaration_list", "field_declaration_list", "enum_variant_list",
                    "match_block", "source_file"};
  // `if c { .. }` as a statement is an expression_statement: its header starts with the wrapper
  t.items.decorated_wrapper = "expression_statement";
  t.items.decorated_field = nullptr;
  t.items.header_terminator = "=>";
  t.items.definition_items = {"function_item", "impl_item",  "trait_item", "struct_item",
                              "enum_item",     "union_item", "mod_item"};
  t.items.expression_statement = nullptr;
  t.items.string_literals = {"string_literal", "raw_string_literal", "char_literal"};
  t.items.comments = {"line_comment", "block_comment"};
  t.items.delimiters = {"(", ")", "[", "]", "{", "}", ",", ";", ".", ":", "::", "\""};
  t.items.non_core_tokens = {"shebang"};
  t.defuse.roles = {{"identifier", DuRole::Identifier},
                    {"type_identifier", DuRole::Identifier},
                    {"self", DuRole::Identifier},
                    {"shorthand_field_identifier", DuRole::Identifier}};
  t.defuse.target_containers = {"tuple_pattern",        "mut_pattern",      "ref_pattern",     "reference_pattern",
                                "tuple_struct_pattern", "struct_pattern",   "field_pattern",   "slice_pattern",
                                "or_pattern",           "captured_pattern", "match_pattern",   "parameters",
                                "closure_parameters",   "self_parameter",   "type_parameters", "use_list",
                                "scoped_use_list",      "use_as_clause"};
  t.defuse.parameter_containers = {};
  t.detect.accept_rule = "rust-accept";
  t.display_name = "Rust";
  t.defuse.scoping = Scoping::Lexical;
  t.items.body_open = "{";
  t.items.block_lambdas = {"closure_expression", "match_expression"};
  t.items.header_fields = {};
  t.defuse.scopes = {{"function_item", LexScope::Function},
                     {"function_signature_item", LexScope::Function},
                     {"closure_expression", LexScope::Function},
                     {"struct_item", LexScope::Class},
                     {"enum_item", LexScope::Class},
                     {"union_item", LexScope::Class},
                     {"trait_item", LexScope::Class},
                     {"impl_item", LexScope::Class},
                     {"type_item", LexScope::Class},
                     {"block", LexScope::Block},
                     {"declaration_list", LexScope::Block},
                     {"match_arm", LexScope::Block},
                     {"for_expression", LexScope::Block},
                     {"if_expression", LexScope::Block},
                     {"while_expression", LexScope::Block}};
  t.defuse.declarations = {{"let_declaration", "pattern", DeclTarget::Block},
                           {"let_condition", "pattern", DeclTarget::Block},
                           {"for_expression", "pattern", DeclTarget::Block},
                           {"match_arm", "pattern", DeclTarget::Block},
                           {"closure_expression", "parameters", DeclTarget::Block},
                           {"function_item", "name", DeclTarget::Enclosing},
                           {"function_item", "parameters", DeclTarget::Block},
                           {"function_item", "type_parameters", DeclTarget::Block},
                           {"function_signature_item", "name", DeclTarget::Enclosing},
                           {"function_signature_item", "parameters", DeclTarget::Block},
                           {"function_signature_item", "type_parameters", DeclTarget::Block},
                           {"struct_item", "name", DeclTarget::Enclosing},
                           {"enum_item", "name", DeclTarget::Enclosing},
                           {"union_item", "name", DeclTarget::Enclosing},
                           {"trait_item", "name", DeclTarget::Enclosing},
                           {"type_item", "name", DeclTarget::Enclosing},
                           {"struct_item", "type_parameters", DeclTarget::Block},
                           {"enum_item", "type_parameters", DeclTarget::Block},
                           {"union_item", "type_parameters", DeclTarget::Block},
                           {"trait_item", "type_parameters", DeclTarget::Block},
                           {"impl_item", "type_parameters", DeclTarget::Block},
                           {"type_item", "type_parameters", DeclTarget::Block},
                           {"enum_variant", "name", DeclTarget::Block},  // binds in the enum's scope: E::A is a path
                           {"mod_item", "name", DeclTarget::Block},
                           {"const_item", "name", DeclTarget::Block},
                           {"static_item", "name", DeclTarget::Block},
                           {"macro_definition", "name", DeclTarget::Block},
                           {"extern_crate_declaration", "name", DeclTarget::Block},
                           {"extern_crate_declaration", "alias", DeclTarget::Block},
                           {"use_declaration", "argument", DeclTarget::Block}};
  t.defuse.members = {{"scoped_identifier", "name", false},
                      {"scoped_type_identifier", "name", false},
                      {"scoped_use_list", "path", false},
                      {"type_binding", "name", false}};
  t.defuse.declarator_wrappers = {"parameter", "variadic_parameter", "type_parameter", "const_parameter",
                                  "scoped_identifier"};
  t.defuse.function_scoped = {};
  t.defuse.hoisted = {"function_item",
                      "struct_item",
                      "enum_item",
                      "union_item",
                      "trait_item",
                      "type_item",
                      "mod_item",
                      "const_item",
                      "static_item",
                      "macro_definition",
                      "extern_crate_declaration"};
  // (use declarations are not hoisted: they bind through scoped_identifier wrappers, which hoisting would walk
  // whole; function bodies see them anyway, as they are resolved after the enclosing scope)
  t.detect.cues = {{Cue::Require, 0, {"{"}},
                   {Cue::Each,
                    1,
                    {"let mut ", "println!", "-> ", "&self", "::new(", "Vec<", "&str", ".unwrap()", "impl ",
                     "#[derive(", "Option<", "Result<"}},
                   {Cue::LineStart, 2, {"fn ", "pub fn ", "use std::", "impl "}}};
  t.defuse.declare_after = {"let_declaration", "let_condition", "for_expression"};
  t.defuse.blank_name = "_";
  t.defuse.no_uses = {"label", "lifetime", "macro_rule", "attribute_item", "inner_attribute_item"};
  t.items.expression_bodies = true;
  return t;
}

}  // namespace

extern const LanguageTables kRustTables = rust_tables();

}  // namespace codeblock
