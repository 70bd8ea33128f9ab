// Java (tree-sitter-java 0.23) node-type tables (docs/languages/java.md). Items: statements, field /
// constant / enum-constant declarations, headers of declarations and control statements through their
// `{`, clauses (`else` as a keyword: Java has no else node; catch, finally, switch groups and rules).
// Scoping: lexical; class members (fields, methods, nested types, enum constants) are visible in the whole
// class body; for-init, enhanced-for, catch, try-with-resources variables scope to their statement;
// lambdas and anonymous classes with block bodies; pattern variables (`instanceof T x`) bind in the
// enclosing block. Member names after `.` are not uses.
#include "lang/java.h"

#include "lang/detect.h"

namespace codeblock {
namespace {

// A clean parse with real code at the top: a declaration, a statement, a call or an assignment (statement
// snippets and bare methods are common: `int[] a = {1, 2};`, `public static double f(int c) {...}`).
bool java_accept_untagged(TSNode root) {
  return detect::clean_with_code(root, nullptr, "expression_statement",
                                 {"method_invocation", "assignment_expression", "update_expression"});
}

CODEBLOCK_RULE(named_rule("java-accept", java_accept_untagged));

LanguageTables java_tables() {
  LanguageTables t{};
  t.name = "java";
  t.language = tree_sitter_java;
  t.fence_aliases = {"java", "jav"};
  t.items.simple_statements = {"expression_statement",
                               "local_variable_declaration",
                               "return_statement",
                               "throw_statement",
                               "break_statement",
                               "continue_statement",
                               "yield_statement",
                               "assert_statement",
                               "explicit_constructor_invocation",
                               "field_declaration",
                               "constant_declaration",
                               "enum_constant",
                               "annotation_type_element_declaration",
                               "import_declaration",
                               "package_declaration",
                               "requires_module_directive",
                               "exports_module_directive",
                               "opens_module_directive",
                               "uses_module_directive",
                               "provides_module_directive"};
  t.items.compound_statements = {"if_statement",
                                 "for_statement",
                                 "enhanced_for_statement",
                                 "while_statement",
                                 "do_statement",
                                 "try_statement",
                                 "try_with_resources_statement",
                                 "switch_expression",
                                 "synchronized_statement",
                                 "labeled_statement",
                                 "class_declaration",
                                 "interface_declaration",
                                 "enum_declaration",
                                 "record_declaration",
                                 "annotation_type_declaration",
                                 "method_declaration",
                                 "constructor_declaration",
                                 "compact_constructor_declaration",
                                 "static_initializer",
                                 "module_declaration"};
  t.items.clauses = {"catch_clause", "finally_clause", "switch_block_statement_group", "switch_rule"};
  t.items.bodies = {"block",
                    "class_body",
                    "interface_body",
                    "enum_body",
                    "enum_body_declarations",
                    "annotation_type_body",
                    "constructor_body",
                    "switch_block",
                    "module_body",
                    "program"};
  t.items.decorated_wrapper = nullptr;
  t.items.decorated_field = nullptr;
  t.items.header_terminator = nullptr;  // `case x:` ends at its `:` anyway; `for (T x : xs)` must not end at `:`
  t.items.definition_items = {"class_declaration",       "interface_declaration",          "enum_declaration",
                              "record_declaration",      "annotation_type_declaration",    "method_declaration",
                              "constructor_declaration", "compact_constructor_declaration"};
  t.items.expression_statement = nullptr;
  t.items.string_literals = {"string_literal", "character_literal"};
  t.items.comments = {"line_comment", "block_comment"};
  t.items.delimiters = {"(", ")", "[", "]", "{", "}", ",", ";", ".", "@", "\"", "\"\"\"", "'"};
  t.items.non_core_tokens = {};
  t.defuse.roles = {{"identifier", DuRole::Identifier}, {"type_identifier", DuRole::Identifier}};
  t.defuse.target_containers = {"formal_parameters", "inferred_parameters"};
  t.defuse.parameter_containers = {};
  t.detect.accept_rule = "java-accept";
  t.display_name = "Java";
  t.defuse.scoping = Scoping::Lexical;
  t.items.body_open = "{";
  t.items.clause_keywords = {"else"};
  t.items.block_lambdas = {"lambda_expression", "object_creation_expression", "switch_expression", "enum_constant"};
  t.items.header_fields = {"init", "condition", "update"};
  t.defuse.scopes = {{"method_declaration", LexScope::Function},
                     {"constructor_declaration", LexScope::Function},
                     {"compact_constructor_declaration", LexScope::Function},
                     {"lambda_expression", LexScope::Function},
                     {"static_initializer", LexScope::Function},
                     {"block", LexScope::Block},
                     {"constructor_body", LexScope::Block},
                     {"for_statement", LexScope::Block},
                     {"enhanced_for_statement", LexScope::Block},
                     {"try_with_resources_statement", LexScope::Block},
                     {"catch_clause", LexScope::Block},
                     {"switch_block", LexScope::Block},
                     {"switch_rule", LexScope::Block},
                     {"class_declaration", LexScope::Class},
                     {"interface_declaration", LexScope::Class},
                     {"enum_declaration", LexScope::Class},
                     {"record_declaration", LexScope::Class},
                     {"annotation_type_declaration", LexScope::Class},
                     {"class_body", LexScope::Class},
                     {"interface_body", LexScope::Class},
                     {"enum_body", LexScope::Class},
                     {"enum_body_declarations", LexScope::Class},
                     {"annotation_type_body", LexScope::Class}};
  t.defuse.declarations = {{"variable_declarator", "name", DeclTarget::Block},
                           {"formal_parameter", "name", DeclTarget::Block},
                           {"catch_formal_parameter", "name", DeclTarget::Block},
                           {"resource", "name", DeclTarget::Block},
                           {"enhanced_for_statement", "name", DeclTarget::Block},
                           {"instanceof_expression", "name", DeclTarget::Block},
                           {"lambda_expression", "parameters", DeclTarget::Block},
                           {"type_parameter", nullptr, DeclTarget::Block},
                           {"method_declaration", "name", DeclTarget::Enclosing},
                           {"class_declaration", "name", DeclTarget::Enclosing},
                           {"interface_declaration", "name", DeclTarget::Enclosing},
                           {"enum_declaration", "name", DeclTarget::Enclosing},
                           {"record_declaration", "name", DeclTarget::Enclosing},
                           {"annotation_type_declaration", "name", DeclTarget::Enclosing},
                           {"annotation_type_element_declaration", "name", DeclTarget::Block},
                           {"enum_constant", "name", DeclTarget::Block},
                           {"import_declaration", nullptr, DeclTarget::Block}};
  t.defuse.members = {{"field_access", "field", false},
                      {"method_invocation", "name", true},
                      {"scoped_identifier", "name", false},
                      {"constructor_declaration", "name", false},
                      {"compact_constructor_declaration", "name", false}};
  t.defuse.declarator_wrappers = {"scoped_identifier"};  // import a.b.C: binds C
  t.defuse.function_scoped = {};
  t.defuse.hoisted = {"field_declaration",  "constant_declaration",        "method_declaration",
                      "class_declaration",  "interface_declaration",       "enum_declaration",
                      "record_declaration", "annotation_type_declaration", "annotation_type_element_declaration",
                      "enum_constant"};
  t.defuse.function_names = {{"method_declaration", "name", false}, {"method_invocation", "name", false}};
  t.defuse.qualified_names = {"scoped_type_identifier"};
  // Java and C# share `public class`, `static void`, `int[]`: their distinctive cues decide between them.
  t.detect.family = "java-csharp";
  t.detect.cues = {{Cue::Each,
                    1,
                    {"System.out.", "System.err.",  "String[]",   "boolean ", "@Override", " extends ", " implements ",
                     " throws ",    "import java.", "ArrayList<", "HashMap<", "HashSet<",  ".length()", "new Scanner(",
                     "System.in",   "String ",      ".equals(",   "Integer",  ".size()",   ".length;",  ".length)"},
                    true},
                   {Cue::LineStart, 1, {"import java", "import javax", "package "}, true},
                   {Cue::LineStart,
                    1,
                    {"public class ", "public interface ", "public static ", "private static ", "public ", "private ",
                     "protected "}}};
  t.detect.bonus_from = 2;
  return t;
}

}  // namespace

extern const LanguageTables kJavaTables = java_tables();

}  // namespace codeblock
