// Go (tree-sitter-go 0.25) node-type tables (docs/languages/go.md). Items: statements, declarations (a grouped
// `var (...)` / `import (...)` is one item), struct fields and interface elements; headers through `{` (a type
// declaration or statement holding a non-empty struct / interface type splits at its `{`); `case ...:` clauses.
// Scoping: lexical; package-level declarations are visible in the whole file; `:=` re-uses names already
// declared in the same scope; if/for/switch init statements are scoped to the statement; selectors (`x.f`) and
// composite-literal keys are not uses; labels are not names.
#include "lang/go.h"

#include "lang/detect.h"

namespace codeblock {
namespace {

bool go_accept_untagged(TSNode root) {
  if (ts_node_has_error(root)) return false;
  uint32_t n = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < n; i++) {
    const char* t = ts_node_type(ts_node_named_child(root, i));
    for (const char* d : {"package_clause", "function_declaration", "method_declaration", "import_declaration",
                          "type_declaration", "short_var_declaration"})
      if (std::strcmp(t, d) == 0) return true;
  }
  return false;
}

CODEBLOCK_RULE(named_rule("go-accept", go_accept_untagged));

LanguageTables go_tables() {
  LanguageTables t{};
  t.name = "go";
  t.language = tree_sitter_go;
  t.fence_aliases = {"go", "golang"};
  t.items.simple_statements = {
      "expression_statement", "short_var_declaration", "assignment_statement",  "inc_statement",
      "dec_statement",        "send_statement",        "return_statement",      "break_statement",
      "continue_statement",   "goto_statement",        "fallthrough_statement", "go_statement",
      "defer_statement",      "var_declaration",       "const_declaration",     "type_declaration",
      "import_declaration",   "field_declaration",     "method_elem",           "type_elem"};
  t.items.compound_statements = {"function_declaration", "method_declaration",          "if_statement",
                                 "for_statement",        "expression_switch_statement", "type_switch_statement",
                                 "select_statement"};
  t.items.clauses = {"expression_case", "default_case", "type_case", "communication_case"};
  // labeled_statement: a container, so `L: for ...` is the for statement's items (the label is in none)
  t.items.bodies = {"block", "statement_list", "field_declaration_list", "source_file", "labeled_statement"};
  t.items.decorated_wrapper = nullptr;
  t.items.decorated_field = nullptr;
  t.items.header_terminator = ":";
  t.items.definition_items = {"function_declaration", "method_declaration"};
  t.items.expression_statement = nullptr;
  t.items.string_literals = {"interpreted_string_literal", "raw_string_literal", "rune_literal"};
  t.items.comments = {"comment"};
  t.items.delimiters = {"(", ")", "[", "]", "{", "}", ",", ";", ".", ":", "\"", "`"};
  t.items.non_core_tokens = {};
  t.defuse.roles = {{"identifier", DuRole::Identifier},
                    {"type_identifier", DuRole::Identifier},
                    {"package_identifier", DuRole::Identifier}};
  t.defuse.target_containers = {"expression_list", "parameter_list", "type_parameter_list"};
  t.defuse.parameter_containers = {};
  t.detect.accept_rule = "go-accept";
  t.display_name = "Go";
  t.defuse.scoping = Scoping::Lexical;
  t.items.body_open = "{";
  t.items.clause_keywords = {"else"};
  t.items.block_lambdas = {"func_literal", "struct_type", "interface_type"};
  t.items.header_fields = {"initializer", "update", "communication", "result"};
  t.defuse.scopes = {{"function_declaration", LexScope::Function},
                     {"method_declaration", LexScope::Function},
                     {"func_literal", LexScope::Function},
                     {"function_type", LexScope::Block},  // parameter names of a func type bind nothing outside
                     {"method_elem", LexScope::Block},
                     {"block", LexScope::Block},
                     {"if_statement", LexScope::Block},
                     {"for_statement", LexScope::Block},
                     {"expression_switch_statement", LexScope::Block},
                     {"type_switch_statement", LexScope::Block},
                     {"expression_case", LexScope::Block},
                     {"default_case", LexScope::Block},
                     {"type_case", LexScope::Block},
                     {"communication_case", LexScope::Block}};
  t.defuse.declarations = {{"function_declaration", "name", DeclTarget::Enclosing},
                           {"type_spec", "name", DeclTarget::Block},
                           {"type_alias", "name", DeclTarget::Block},
                           {"var_spec", "name", DeclTarget::Block},
                           {"const_spec", "name", DeclTarget::Block},
                           {"short_var_declaration", "left", DeclTarget::Block},
                           {"range_clause", "left", DeclTarget::Block},
                           {"receive_statement", "left", DeclTarget::Block},
                           {"type_switch_statement", "alias", DeclTarget::Block},
                           {"import_spec", "name", DeclTarget::Block},
                           // every parameter list binds its names (receivers, parameters, named results, type params)
                           {"parameter_list", nullptr, DeclTarget::Block},
                           {"type_parameter_list", nullptr, DeclTarget::Block}};
  t.defuse.members = {{"keyed_element", "key", false}};  // T{Name: v}: the key is a field name
  t.defuse.declarator_wrappers = {"parameter_declaration", "variadic_parameter_declaration",
                                  "type_parameter_declaration"};
  t.defuse.function_scoped = {};
  // the top level's declarations are visible in the whole file (only source_file holds them as direct children)
  t.defuse.hoisted = {"function_declaration", "var_declaration", "const_declaration", "type_declaration",
                      "import_declaration",   "var_spec_list",   "import_spec_list"};
  t.detect.cues = {
      {Cue::Require, 0, {"{"}},
      {Cue::Each,
       1,
       {":= ", "fmt.", "func (", "err != nil", "[]string", "map[string]", "chan ", "go func", "defer ", "nil {"}},
      {Cue::LineStart, 2, {"package ", "func "}}};
  t.defuse.declare_after = {"short_var_declaration", "var_spec",          "const_spec",
                            "range_clause",          "receive_statement", "type_switch_statement"};
  t.defuse.redeclare_reuses = {"short_var_declaration"};
  t.defuse.import_paths = {"import_spec"};
  t.defuse.blank_name = "_";
  t.defuse.no_uses = {"package_clause"};
  return t;
}

}  // namespace

extern const LanguageTables kGoTables = go_tables();

}  // namespace codeblock
