// Kotlin (@tree-sitter-grammars/tree-sitter-kotlin 1.1.0) capability parts (docs/languages/kotlin.md). Bodies
// (`block`, `class_body`, `enum_class_body`) open with `{`; a lambda's statements sit right after its `->` (or
// its `{`). `if` / `when` / `try` are expressions: in statement position they are compound statements, and an
// `else` is an anonymous token (a clause keyword). Scoping: lexical; `val` / `var` bind from their declaration
// on, functions and classes in their whole scope, class parameters and members in the class. The grammar puts a
// declared name beside its type and value without fields (`parameter (identifier) (user_type)`), so those
// declarations bind only their first name (DefUsePart::first_name_binds). Type names are identifiers too: a
// type naming a class of the same text is a use of it.
#include <cstring>

#include "lang/detect.h"
#include "lang/language.h"

extern "C" const TSLanguage* tree_sitter_kotlin(void);

namespace codeblock {
namespace {

// A clean parse with a declaration, an import, a control statement, an assignment or a call at the top (a lone
// name or literal is not Kotlin code).
bool kotlin_accept_untagged(TSNode root) {
  if (ts_node_has_error(root)) return false;
  static const char* const kReal[] = {
      "package_header",       "import",          "function_declaration", "class_declaration", "object_declaration",
      "property_declaration", "type_alias",      "for_statement",        "while_statement",   "do_while_statement",
      "if_expression",        "when_expression", "try_expression",       "assignment",        "call_expression"};
  uint32_t n = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < n; i++) {
    const char* t = ts_node_type(ts_node_named_child(root, i));
    for (const char* r : kReal)
      if (std::strcmp(t, r) == 0) return true;
  }
  return false;
}

CODEBLOCK_RULE(named_rule("kotlin-accept", kotlin_accept_untagged));

LanguageTables kotlin_tables() {
  LanguageTables t{};
  t.name = "kotlin";
  t.language = tree_sitter_kotlin;
  t.fence_aliases = {"kotlin", "kt", "kts"};
  t.display_name = "Kotlin";

  // --- detection: Kotlin-only cues (`fun`, `val`, `println(` without `;`) ---
  t.detect.accept_rule = "kotlin-accept";
  t.detect.cues = {
      {Cue::Each,
       1,
       {"fun ", "val ", "println(", "data class ", "companion object", "override fun ", ": Int", ": String", "listOf(",
        "mutableListOf(", "mapOf(", "?.let", "it.", "when (", " -> ", "!!", "lateinit ", "import kotlin", "${"},
       true},
      {Cue::LineStart, 2, {"fun ", "import kotlin", "data class ", "package "}, true},
      {Cue::Veto, 0, {";\n", "func ", "function ", "def ", "#include", "console.", "=>", "let ", "public static "}}};
  t.detect.bonus_from = 2;
  t.detect.cap_without_distinctive = 0;
  t.detect.min_score = 3;

  // --- items ---
  t.items.simple_statements = {
      "property_declaration", "type_alias", "import", "package_header", "assignment", "enum_entry",
      // expressions in statement position
      "call_expression", "return_expression", "throw_expression", "navigation_expression", "identifier",
      "unary_expression", "binary_expression", "infix_expression", "as_expression", "is_expression", "in_expression",
      "range_expression", "index_expression", "parenthesized_expression", "callable_reference", "collection_literal",
      "string_literal", "multiline_string_literal", "character_literal", "number_literal", "float_literal",
      "this_expression", "super_expression", "labeled_expression", "annotated_expression", "spread_expression",
      "object_literal", "lambda_literal", "anonymous_function"};
  t.items.compound_statements = {"function_declaration",
                                 "class_declaration",
                                 "object_declaration",
                                 "companion_object",
                                 "secondary_constructor",
                                 "anonymous_initializer",
                                 "if_expression",
                                 "when_expression",
                                 "for_statement",
                                 "while_statement",
                                 "do_while_statement",
                                 "try_expression",
                                 "getter",
                                 "setter"};
  t.items.clauses = {"when_entry", "catch_block", "finally_block"};
  t.items.bodies = {"source_file", "block", "class_body", "enum_class_body", "function_body", "lambda_literal"};
  t.items.header_terminator = "->";  // `when` entries: `1 ->`
  t.items.definition_items = {"function_declaration", "class_declaration",     "object_declaration",
                              "companion_object",     "secondary_constructor", "anonymous_initializer"};
  t.items.string_literals = {"string_literal", "multiline_string_literal", "character_literal"};
  t.items.comments = {"line_comment", "block_comment"};
  t.items.delimiters = {"(", ")", "[", "]", "{", "}", ",", ";", ".", ":", "\"", "\"\"\"", "'", "@"};
  t.items.non_core_tokens = {"shebang"};
  t.items.body_open = "{";
  t.items.body_open_more = {"->", "="};  // a lambda's `x ->`, an expression body's `=`
  t.items.clause_keywords = {"else"};
  // lambdas and object expressions split their statement (`list.forEach { n ->`, `val r = object : Runnable {`)
  t.items.block_lambdas = {"lambda_literal", "object_literal", "anonymous_function"};
  t.items.header_fields = {"condition", "name"};
  // `for (x in xs)` and `catch (e: E)` have no fields: everything through their `)` is header
  t.items.paren_headers = {"for_statement", "catch_block"};

  // --- def-use ---
  t.defuse.scoping = Scoping::Lexical;
  t.defuse.roles = {{"identifier", DuRole::Identifier}};
  t.defuse.target_containers = {"multi_variable_declaration"};  // `val (a, b) = pair`
  t.defuse.declarator_wrappers = {"variable_declaration"};      // (identifier) (user_type)
  // the declared name is the first name; the type and the value beside it are uses
  t.defuse.first_name_binds = {"property_declaration", "parameter", "class_parameter", "catch_block", "for_statement"};
  t.defuse.scopes = {{"function_declaration", LexScope::Function},
                     {"secondary_constructor", LexScope::Function},
                     {"anonymous_function", LexScope::Function},
                     {"lambda_literal", LexScope::Function},
                     {"getter", LexScope::Function},
                     {"setter", LexScope::Function},
                     {"block", LexScope::Block},
                     {"for_statement", LexScope::Block},
                     {"catch_block", LexScope::Block},
                     {"when_entry", LexScope::Block},
                     {"class_declaration", LexScope::Class},
                     {"object_declaration", LexScope::Class},
                     {"companion_object", LexScope::Class},
                     {"object_literal", LexScope::Class}};
  t.defuse.declarations = {{"property_declaration", nullptr, DeclTarget::Block},
                           {"for_statement", nullptr, DeclTarget::Block},
                           {"catch_block", nullptr, DeclTarget::Block},
                           {"parameter", nullptr, DeclTarget::Block},
                           {"class_parameter", nullptr, DeclTarget::Block},
                           {"lambda_parameters", nullptr, DeclTarget::Block},
                           {"function_declaration", "name", DeclTarget::Enclosing},
                           {"class_declaration", "name", DeclTarget::Enclosing},
                           {"object_declaration", "name", DeclTarget::Enclosing}};
  // obj.name, a.b.C: only the first is a use
  t.defuse.qualified_names = {"navigation_expression", "qualified_identifier"};
  // `package a.b`, `import a.b.C` bind nothing here (docs/languages/kotlin.md); labels are no uses
  t.defuse.no_uses = {"package_header", "import", "label"};
  t.defuse.hoisted = {"function_declaration", "class_declaration", "object_declaration"};
  t.defuse.blank_name = "_";
  return t;
}

}  // namespace

extern const LanguageTables kKotlinTables = kotlin_tables();

}  // namespace codeblock
