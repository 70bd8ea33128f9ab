// Swift (tree-sitter-swift 0.7) capability parts (docs/languages/swift.md). Bodies (`statements`) sit
// between braces their statement owns, so a header runs through the token before its body (`{`, a
// closure's `in`, a case's `:`). Every expression can be a statement. `else` is a leaf of the grammar
// beside the else body: it is in no item (the body's items and an `else if`'s header are). Scoping:
// lexical; `let` / `var` bind from their declaration on, `if let` / `while let` in their statement,
// `guard let` in the enclosing scope; functions are visible in their whole scope; member names after `.` and
// argument labels are not uses; type names are not tracked (see roles below).
#include <cstring>

#include "lang/detect.h"
#include "lang/language.h"

extern "C" const TSLanguage* tree_sitter_swift(void);

namespace codeblock {
namespace {

// A clean parse with a declaration, an import, a control statement, an assignment or a call at the top
// (a lone name or literal is not Swift code).
bool swift_accept_untagged(TSNode root) {
  if (ts_node_has_error(root)) return false;
  static const char* const kReal[] = {"import_declaration",     "function_declaration",
                                      "class_declaration",      "protocol_declaration",
                                      "property_declaration",   "typealias_declaration",
                                      "if_statement",           "guard_statement",
                                      "for_statement",          "while_statement",
                                      "repeat_while_statement", "switch_statement",
                                      "do_statement",           "assignment",
                                      "call_expression"};
  uint32_t n = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < n; i++) {
    const char* t = ts_node_type(ts_node_named_child(root, i));
    for (const char* r : kReal)
      if (std::strcmp(t, r) == 0) return true;
  }
  return false;
}

CODEBLOCK_RULE(named_rule("swift-accept", swift_accept_untagged));

LanguageTables swift_tables() {
  LanguageTables t{};
  t.name = "swift";
  t.language = tree_sitter_swift;
  t.fence_aliases = {"swift"};
  t.display_name = "Swift";

  // --- detection: Swift-only cues (Kotlin and TypeScript share `func`-less `let`/`var`, not these) ---
  t.detect.accept_rule = "swift-accept";
  t.detect.cues = {
      {Cue::Each,
       1,
       {"func ",
        "guard let ",
        "if let ",
        "import UIKit",
        "import SwiftUI",
        "import Foundation",
        "-> Void",
        ": String",
        ": Int",
        "print(\"",
        "\\(",
        "var body: some View",
        "@State ",
        "struct ",
        "?? ",
        "extension ",
        "protocol ",
        "let ",
        "inout ",
        "[String]",
        "[Int]"},
       true},
      {Cue::LineStart, 2, {"func ", "import UIKit", "import SwiftUI", "import Foundation", "guard "}, true},
      {Cue::Veto, 0, {";\n", "fun ", "function ", "=== ", "=>", "#include", "val ", "const ", "console.", "def "}}};
  t.detect.bonus_from = 2;
  t.detect.cap_without_distinctive = 0;
  t.detect.min_score = 3;

  // --- items ---
  t.items.simple_statements = {
      "property_declaration", "typealias_declaration", "import_declaration", "control_transfer_statement", "enum_entry",
      "protocol_property_declaration", "protocol_function_declaration", "associatedtype_declaration",
      // expressions in statement position
      "assignment", "call_expression", "try_expression", "await_expression", "postfix_expression", "prefix_expression",
      "navigation_expression", "simple_identifier", "additive_expression", "multiplicative_expression",
      "comparison_expression", "equality_expression", "conjunction_expression", "disjunction_expression",
      "nil_coalescing_expression", "ternary_expression", "as_expression", "check_expression", "infix_expression",
      "bitwise_operation", "range_expression", "open_end_range_expression", "open_start_range_expression",
      "tuple_expression", "array_literal", "dictionary_literal", "constructor_expression", "line_string_literal",
      "multi_line_string_literal", "raw_string_literal", "integer_literal", "real_literal", "boolean_literal",
      "self_expression", "super_expression", "macro_invocation", "key_path_expression", "selector_expression",
      "lambda_literal"};
  t.items.compound_statements = {
      "function_declaration",   "init_declaration", "deinit_declaration", "class_declaration", "protocol_declaration",
      "subscript_declaration",  "if_statement",     "guard_statement",    "for_statement",     "while_statement",
      "repeat_while_statement", "switch_statement", "do_statement"};
  t.items.clauses = {"switch_entry", "catch_block"};
  t.items.bodies = {"source_file", "statements", "function_body", "class_body", "protocol_body", "enum_class_body"};
  t.items.header_terminator = ":";  // `case x:` / `default:`
  t.items.definition_items = {"function_declaration", "init_declaration",     "deinit_declaration",
                              "class_declaration",    "protocol_declaration", "subscript_declaration"};
  t.items.string_literals = {"line_string_literal", "multi_line_string_literal", "raw_string_literal", "regex_literal"};
  t.items.comments = {"comment", "multiline_comment"};
  t.items.delimiters = {"(", ")", "[", "]", "{", "}", ",", ";", ".", ":", "\"", "\"\"\""};
  t.items.non_core_tokens = {"shebang_line"};
  t.items.body_open = "{";
  // a body (`statements`) holds no brace of its own: it starts after the token before it (`{`, `in`)
  t.items.body_open_more = {"{", "in"};
  // closures split their statement (`list.forEach { n in`), and so does a getter-only computed property
  t.items.block_lambdas = {"lambda_literal", "computed_property"};
  t.items.header_fields = {"condition", "bound_identifier", "name",       "item", "collection", "expr",
                           "error",     "default_value",    "return_type"};

  // --- def-use ---
  t.defuse.scoping = Scoping::Lexical;
  // Type names (type_identifier) are not tracked: the grammar puts a function's return type and a parameter's
  // type under the same field (`name`) as the declared name, so only simple_identifier names bind and are used.
  t.defuse.roles = {{"simple_identifier", DuRole::Identifier}};
  t.defuse.target_containers = {"pattern"};  // `let (a, b) = ...`, `for (k, v) in ...`: the bound names
  t.defuse.scopes = {{"function_declaration", LexScope::Function},
                     {"init_declaration", LexScope::Function},
                     {"deinit_declaration", LexScope::Function},
                     {"subscript_declaration", LexScope::Function},
                     {"lambda_literal", LexScope::Function},
                     {"computed_property", LexScope::Function},
                     {"statements", LexScope::Block},
                     {"if_statement", LexScope::Block},
                     {"while_statement", LexScope::Block},
                     {"for_statement", LexScope::Block},
                     {"catch_block", LexScope::Block},
                     {"switch_entry", LexScope::Block},
                     {"class_body", LexScope::Class},
                     {"protocol_body", LexScope::Class},
                     {"enum_class_body", LexScope::Class}};
  t.defuse.declarations = {{"property_declaration", "name", DeclTarget::Block},
                           {"for_statement", "item", DeclTarget::Block},
                           {"if_statement", "bound_identifier", DeclTarget::Block},
                           {"while_statement", "bound_identifier", DeclTarget::Block},
                           {"guard_statement", "bound_identifier", DeclTarget::Block},
                           {"catch_block", "error", DeclTarget::Block},
                           {"parameter", "name", DeclTarget::Block},
                           {"lambda_parameter", "name", DeclTarget::Block},
                           {"enum_entry", "name", DeclTarget::Block},
                           {"typealias_declaration", "name", DeclTarget::Block},
                           {"function_declaration", "name", DeclTarget::Enclosing},
                           {"class_declaration", "name", DeclTarget::Enclosing},
                           {"protocol_declaration", "name", DeclTarget::Enclosing}};
  t.defuse.members = {{"navigation_suffix", "suffix", false},  // obj.name
                      {"value_argument", "name", false},       // f(label: x)
                      {"parameter", "external_name", false},   // func f(_ x: Int, times n: Int)
                      {"lambda_parameter", "external_name", false}};
  t.defuse.hoisted = {"function_declaration", "class_declaration", "protocol_declaration", "typealias_declaration"};
  t.defuse.declare_after = {"property_declaration"};  // `let x = x + 1` reads the outer x
  t.defuse.blank_name = "_";
  return t;
}

}  // namespace

extern const LanguageTables kSwiftTables = swift_tables();

}  // namespace codeblock
