// C (tree-sitter-c 0.24) node-type tables. C++ extends them (cpp.cc). Scoping: lexical, in place (a name is
// visible from its declaration on: block scopes, for-init variables, parameters in the function's scope,
// prototype parameters in their own list); typedef, struct, union and enum names share the ordinary namespace
// (a documented simplification); member names after `.` / `->` and goto labels are not uses.
#include "lang/c.h"

#include "lang/detect.h"

namespace codeblock {
namespace {

// A clean parse with a declaration, definition or directive at the top (not only expression statements).
bool c_accept_untagged(TSNode root) {
  if (ts_node_has_error(root)) return false;
  uint32_t n = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < n; i++) {
    const char* t = ts_node_type(ts_node_named_child(root, i));
    if (std::strcmp(t, "comment") != 0 && std::strcmp(t, "expression_statement") != 0) return true;
  }
  return false;
}

}  // namespace

CODEBLOCK_RULE(named_rule("c-accept", c_accept_untagged));

LanguageTables c_like_tables() {
  LanguageTables t{};
  t.name = "c";
  t.language = tree_sitter_c;
  t.fence_aliases = {"c", "h"};
  t.items.simple_statements = {"expression_statement", "declaration",        "return_statement", "break_statement",
                               "continue_statement",   "goto_statement",     "type_definition",  "field_declaration",
                               "enumerator",           "preproc_include",    "preproc_def",      "preproc_function_def",
                               "preproc_call",         "seh_leave_statement"};
  t.items.compound_statements = {"function_definition",   "if_statement",      "for_statement",       "while_statement",
                                 "do_statement",          "switch_statement",  "struct_specifier",    "union_specifier",
                                 "enum_specifier",        "labeled_statement", "preproc_if",          "preproc_ifdef",
                                 "linkage_specification", "seh_try_statement", "attributed_statement"};
  t.items.clauses = {"else_clause",     "case_statement",    "preproc_else",      "preproc_elif",
                     "preproc_elifdef", "seh_except_clause", "seh_finally_clause"};
  t.items.bodies = {"compound_statement", "field_declaration_list", "enumerator_list", "declaration_list",
                    "translation_unit"};
  t.items.decorated_wrapper = nullptr;
  t.items.decorated_field = nullptr;
  t.items.header_terminator = ":";
  t.items.definition_items = {"function_definition", "struct_specifier", "union_specifier", "enum_specifier"};
  t.items.expression_statement = nullptr;
  t.items.string_literals = {"string_literal", "char_literal", "system_lib_string", "raw_string_literal"};
  t.items.comments = {"comment"};
  t.items.delimiters = {"(", ")", "[", "]", "{", "}", ",", ";", ".", ":", "\"", "'"};
  t.items.non_core_tokens = {};
  t.defuse.roles = {{"identifier", DuRole::Identifier}, {"type_identifier", DuRole::Identifier}};
  t.defuse.target_containers = {"preproc_params"};
  t.defuse.parameter_containers = {};
  t.detect.accept_rule = "c-accept";
  t.display_name = "C";
  t.defuse.scoping = Scoping::Lexical;
  t.items.body_open = "{";
  // a struct / union / enum with a body inside a declaration: `typedef struct {` opens a header
  t.items.block_lambdas = {"struct_specifier", "union_specifier", "enum_specifier"};
  t.items.header_fields = {"initializer", "condition", "update"};
  t.defuse.scopes = {{"function_definition", LexScope::Function},
                     {"compound_statement", LexScope::Block},
                     {"for_statement", LexScope::Block},
                     {"parameter_list", LexScope::Block},  // a prototype's parameters bind nowhere else
                     {"preproc_function_def", LexScope::Block}};
  t.defuse.declarations = {{"declaration", "declarator", DeclTarget::Block},
                           {"function_definition", "declarator", DeclTarget::Enclosing},
                           {"parameter_declaration", "declarator", DeclTarget::Block},
                           {"type_definition", "declarator", DeclTarget::Block},
                           {"struct_specifier", "name", DeclTarget::Block, "body"},
                           {"union_specifier", "name", DeclTarget::Block, "body"},
                           {"enum_specifier", "name", DeclTarget::Block, "body"},
                           {"enumerator", "name", DeclTarget::Block},
                           {"preproc_def", "name", DeclTarget::Block},
                           {"preproc_function_def", "name", DeclTarget::Enclosing},
                           {"preproc_function_def", "parameters", DeclTarget::Block}};
  t.defuse.members = {{"field_expression", "field", false}};
  t.defuse.declarator_wrappers = {"init_declarator",     "pointer_declarator",       "array_declarator",
                                  "function_declarator", "parenthesized_declarator", "attributed_declarator"};
  t.defuse.function_scoped = {};
  t.defuse.hoisted = {};
  t.detect.cues = {{Cue::Each, 1, {"printf(",  "malloc(",        "free(",   "sizeof(",   "->",
                                   "NULL",     "int main(",      "char *",  "return 0;", "scanf(",
                                   "fprintf(", "typedef struct", "struct ", "typedef ",  "perror(",
                                   "exit(",    "strlen(",        "strcpy(", "unsigned ", "size_t"}},
                   {Cue::LineStart, 2, {"#include", "#define", "#ifndef", "#ifdef", "#pragma"}},
                   // a function definition at the start of a line (`void f(...) {`, `int main() {`)
                   {Cue::LineStart, 1, {"void ", "int ", "char ", "float ", "double ", "static ", "struct "}}};
  t.defuse.parameter_lists = {"parameter_list"};
  t.defuse.in_place_bodies = true;
  t.items.block_lambda_tail = true;
  return t;
}

extern const LanguageTables kCTables = c_like_tables();

}  // namespace codeblock
