// C# (tree-sitter-c-sharp 0.23) node-type tables (docs/languages/csharp.md). Items: statements, using
// directives, field / event / property / enum-member declarations (a property is one item unless an
// accessor has a block body: then it splits like a lambda), headers of namespaces, types, members and
// control statements through their `{`, clauses (`else` as a keyword, catch, finally, switch sections).
// Scoping: lexical; type members and local functions are visible in their whole body; for, foreach,
// using, catch variables scope to their statement; lambdas, anonymous methods, accessors and
// expression bodies (`=> e`) are resolved after the enclosing body; pattern variables (`is T x`,
// `out var x`) bind in the enclosing block. Member names after `.` / `?.` are not uses.
#include "lang/csharp.h"

#include "lang/detect.h"

namespace codeblock {
namespace {

// A clean parse with real code at the top (top-level statements sit in global_statement nodes): a
// declaration, a statement, a local function or method, a call or an assignment.
bool csharp_accept_untagged(TSNode root) {
  return detect::clean_with_code(
      root, "global_statement", "expression_statement",
      {"invocation_expression", "assignment_expression", "postfix_unary_expression", "await_expression"});
}

CODEBLOCK_RULE(named_rule("csharp-accept", csharp_accept_untagged));

LanguageTables csharp_tables() {
  LanguageTables t{};
  t.name = "csharp";
  t.language = tree_sitter_c_sharp;
  t.fence_aliases = {"csharp", "cs", "c#", "dotnet"};
  t.items.simple_statements = {"expression_statement",
                               "local_declaration_statement",
                               "return_statement",
                               "throw_statement",
                               "break_statement",
                               "continue_statement",
                               "goto_statement",
                               "yield_statement",
                               "using_directive",
                               "extern_alias_directive",
                               "file_scoped_namespace_declaration",
                               "field_declaration",
                               "event_field_declaration",
                               "event_declaration",
                               "property_declaration",
                               "indexer_declaration",
                               "enum_member_declaration",
                               "delegate_declaration"};
  t.items.compound_statements = {"namespace_declaration",
                                 "class_declaration",
                                 "struct_declaration",
                                 "interface_declaration",
                                 "enum_declaration",
                                 "record_declaration",
                                 "method_declaration",
                                 "constructor_declaration",
                                 "destructor_declaration",
                                 "operator_declaration",
                                 "conversion_operator_declaration",
                                 "local_function_statement",
                                 "if_statement",
                                 "for_statement",
                                 "foreach_statement",
                                 "while_statement",
                                 "do_statement",
                                 "try_statement",
                                 "switch_statement",
                                 "using_statement",
                                 "lock_statement",
                                 "fixed_statement",
                                 "checked_statement",
                                 "unsafe_statement",
                                 "labeled_statement"};
  t.items.clauses = {"catch_clause", "finally_clause", "switch_section"};
  t.items.bodies = {
      "block",           "declaration_list", "switch_body", "enum_member_declaration_list", "compilation_unit",
      "global_statement"};
  t.items.decorated_wrapper = nullptr;
  t.items.decorated_field = nullptr;
  t.items.header_terminator = nullptr;  // `case x:` ends at its `:` anyway; `class A : B {` must not end at `:`
  t.items.definition_items = {"class_declaration",       "struct_declaration",
                              "interface_declaration",   "enum_declaration",
                              "record_declaration",      "method_declaration",
                              "constructor_declaration", "destructor_declaration",
                              "operator_declaration",    "conversion_operator_declaration",
                              "local_function_statement"};
  t.items.expression_statement = nullptr;
  t.items.string_literals = {"string_literal", "verbatim_string_literal", "raw_string_literal", "character_literal",
                             "interpolated_string_expression"};
  t.items.comments = {"comment"};
  t.items.delimiters = {"(", ")", "[", "]", "{", "}", ",", ";", ".", "\"", "'", "$\"", "@\""};
  t.items.non_core_tokens = {"shebang_directive"};
  t.defuse.roles = {{"identifier", DuRole::Identifier}, {"implicit_parameter", DuRole::Identifier}};
  t.defuse.target_containers = {"parameter_list", "tuple_pattern", "parenthesized_variable_designation"};
  t.defuse.parameter_containers = {};
  t.detect.accept_rule = "csharp-accept";
  t.display_name = "C#";
  t.defuse.scoping = Scoping::Lexical;
  t.items.body_open = "{";
  t.items.clause_keywords = {"else"};
  t.items.block_lambdas = {"lambda_expression", "anonymous_method_expression", "accessor_declaration"};
  t.items.header_fields = {"initializer", "condition", "update"};
  t.defuse.scopes = {{"method_declaration", LexScope::Function},
                     {"constructor_declaration", LexScope::Function},
                     {"destructor_declaration", LexScope::Function},
                     {"operator_declaration", LexScope::Function},
                     {"conversion_operator_declaration", LexScope::Function},
                     {"indexer_declaration", LexScope::Function},
                     {"local_function_statement", LexScope::Function},
                     {"lambda_expression", LexScope::Function},
                     {"anonymous_method_expression", LexScope::Function},
                     {"accessor_declaration", LexScope::Function},
                     {"arrow_expression_clause", LexScope::Function},
                     {"block", LexScope::Block},
                     {"for_statement", LexScope::Block},
                     {"foreach_statement", LexScope::Block},
                     {"using_statement", LexScope::Block},
                     {"fixed_statement", LexScope::Block},
                     {"catch_clause", LexScope::Block},
                     {"switch_body", LexScope::Block},
                     {"switch_expression_arm", LexScope::Block},
                     {"class_declaration", LexScope::Class},
                     {"struct_declaration", LexScope::Class},
                     {"interface_declaration", LexScope::Class},
                     {"record_declaration", LexScope::Class},
                     {"enum_declaration", LexScope::Class},
                     {"declaration_list", LexScope::Class},
                     {"enum_member_declaration_list", LexScope::Class}};
  t.defuse.declarations = {{"variable_declarator", "name", DeclTarget::Block},
                           {"parameter", "name", DeclTarget::Block},
                           {"catch_declaration", "name", DeclTarget::Block},
                           {"foreach_statement", "left", DeclTarget::Block},
                           {"declaration_pattern", "name", DeclTarget::Block},
                           {"declaration_expression", "name", DeclTarget::Block},
                           {"var_pattern", "name", DeclTarget::Block},
                           {"recursive_pattern", "name", DeclTarget::Block},
                           {"tuple_pattern", "name", DeclTarget::Block},
                           {"parenthesized_variable_designation", "name", DeclTarget::Block},
                           {"lambda_expression", "parameters", DeclTarget::Block},
                           {"type_parameter", "name", DeclTarget::Block},
                           {"using_directive", "name", DeclTarget::Block},
                           {"property_declaration", "name", DeclTarget::Block},
                           {"event_declaration", "name", DeclTarget::Block},
                           {"enum_member_declaration", "name", DeclTarget::Block},
                           {"method_declaration", "name", DeclTarget::Enclosing},
                           {"local_function_statement", "name", DeclTarget::Enclosing},
                           {"delegate_declaration", "name", DeclTarget::Enclosing},
                           {"class_declaration", "name", DeclTarget::Enclosing},
                           {"struct_declaration", "name", DeclTarget::Enclosing},
                           {"interface_declaration", "name", DeclTarget::Enclosing},
                           {"record_declaration", "name", DeclTarget::Enclosing},
                           {"enum_declaration", "name", DeclTarget::Enclosing}};
  t.defuse.members = {{"member_access_expression", "name", false},
                      {"member_binding_expression", "name", false},
                      {"qualified_name", "name", false},
                      {"constructor_declaration", "name", false},
                      {"destructor_declaration", "name", false},
                      {"namespace_declaration", "name", false},
                      {"file_scoped_namespace_declaration", "name", false}};
  t.defuse.declarator_wrappers = {};
  t.defuse.function_scoped = {};
  t.defuse.hoisted = {"global_statement",      "method_declaration", "local_function_statement",
                      "delegate_declaration",  "class_declaration",  "struct_declaration",
                      "interface_declaration", "record_declaration", "enum_declaration",
                      "property_declaration",  "event_declaration",  "enum_member_declaration"};
  t.detect.family = "java-csharp";  // see java.cc
  t.detect.cues = {{Cue::Veto, 0, {"console.", "===", "function", "const ", "let ", "document.", "require("}},
                   {Cue::Each,
                    1,
                    {"Console.", "string ", "bool ", "using System", "namespace ", "{ get;", "get; set;", "foreach (",
                     ".Length", "static void Main(", "string[]", "decimal ", "async Task", "public override ", "Array.",
                     ".Count", "Dictionary<", "List<string>"},
                    true},
                   {Cue::LineStart, 1, {"using System", "namespace ", "[Serializable]", "[HttpGet", "[Test"}, true},
                   {Cue::Each, 1, {"var ", "=> ", "public static "}}};
  t.detect.bonus_from = 2;
  return t;
}

}  // namespace

extern const LanguageTables kCSharpTables = csharp_tables();

}  // namespace codeblock
