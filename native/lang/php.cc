// PHP (tree-sitter-php 0.24, the php_only grammar: code with or without a leading `<?php` tag) node-type
// tables. A brace language. Scoping (docs/languages/php.md): `$variables` are declared by their first
// assignment and are function-scoped (no block scope); functions, methods and closures do not see the
// variables around them (LexScope::Isolated) except through `global $x` and a closure's `use ($x)`; arrow
// functions (`fn`) see them. Functions, classes, interfaces, traits and enums are hoisted names; member
// names after `->` / `::` are not uses.
#include "lang/php.h"

#include <cctype>
#include <cstring>

#include "core/tree_walk.h"
#include "lang/detect.h"

namespace codeblock {
namespace {

// A clean parse holding a `<?php` tag or a `$variable` and a statement that is not a bare expression
// (JavaScript such as `const x = 1; f(x);` parses as PHP too).
bool php_accept_untagged(TSNode root) {
  if (ts_node_has_error(root)) return false;
  bool tag = false, var = false, stmt = false;
  uint32_t n = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < n; i++) {
    const char* t = ts_node_type(ts_node_named_child(root, i));
    if (std::strcmp(t, "php_tag") == 0) tag = true;
    else if (std::strcmp(t, "comment") != 0 && std::strcmp(t, "text") != 0) stmt = true;
  }
  walk(root, [&](const WalkAt& at) {
    if (var) return Walk::Over;
    if (std::strcmp(ts_node_type(at.node()), "variable_name") == 0) var = true;
    return Walk::Into;
  });
  return stmt && (tag || var);
}

// `<?php` decides; without it, a `$name` and two PHP signals.
// A `$name` variable somewhere: PHP code has one (or `<?php`, which decides before this).
bool php_has_variable(std::string_view t) {
  for (size_t i = 0; i + 1 < t.size(); i++)
    if (t[i] == '$' && (std::isalpha(static_cast<unsigned char>(t[i + 1])) || t[i + 1] == '_')) return true;
  return false;
}

CODEBLOCK_RULE(named_rule("php-accept", php_accept_untagged));
CODEBLOCK_RULE(named_rule("php-variable", php_has_variable));

// Inline HTML of a PHP segment: with an open tag (`<?php`, `<?=`) anywhere, the text before the first one and
// after each `?>` up to the next open tag (or the end). Strings, `/* */` comments and heredocs... are skipped
// as PHP skips them: a `?>` in a quoted string does not close PHP mode, one in a `//` or `#` comment does.
// Without an open tag the segment is all PHP (php_only), whatever it holds.
void php_inline_html(std::string_view t, std::vector<std::pair<uint32_t, uint32_t>>& out) {
  auto open_tag = [&](size_t from, size_t& len) {
    for (size_t i = t.find("<?", from); i != std::string_view::npos; i = t.find("<?", i + 1)) {
      if (t.compare(i, 5, "<?php") == 0 || t.compare(i, 5, "<?PHP") == 0) {
        len = 5;
        return i;
      }
      if (t.compare(i, 3, "<?=") == 0) {
        len = 3;
        return i;
      }
    }
    return std::string_view::npos;
  };
  auto blank = [&](size_t b, size_t e) {
    for (size_t k = b; k < e; k++)
      if (!std::isspace(static_cast<unsigned char>(t[k]))) return false;
    return true;
  };
  size_t len = 0;
  size_t i = open_tag(0, len);
  if (i == std::string_view::npos) return;
  if (!blank(0, i)) out.emplace_back(0, static_cast<uint32_t>(i));
  i += len;
  const size_t n = t.size();
  while (i < n) {  // in PHP mode
    char c = t[i];
    if (c == '\'' || c == '"' || c == '`') {
      for (i++; i < n && t[i] != c; i++)
        if (t[i] == '\\') i++;
      i++;
    } else if (c == '/' && i + 1 < n && t[i + 1] == '*') {
      size_t e = t.find("*/", i + 2);
      i = e == std::string_view::npos ? n : e + 2;
    } else if (c == '#' || (c == '/' && i + 1 < n && t[i + 1] == '/')) {
      while (i < n && t[i] != '\n' && t.compare(i, 2, "?>") != 0) i++;
    } else if (c == '?' && i + 1 < n && t[i + 1] == '>') {
      size_t b = i + 2;
      size_t next = open_tag(b, len);
      size_t e = next == std::string_view::npos ? n : next;
      if (!blank(b, e)) out.emplace_back(static_cast<uint32_t>(b), static_cast<uint32_t>(e));
      if (next == std::string_view::npos) return;
      i = next + len;
    } else {
      i++;
    }
  }
}

CODEBLOCK_RULE(named_rule("php-inline-html", php_inline_html));

LanguageTables php_tables() {
  LanguageTables t{};
  t.name = "php";
  t.language = tree_sitter_php_only;
  t.fence_aliases = {"php", "php3", "php4", "php5", "php7", "php8", "phtml"};
  t.items.simple_statements = {"expression_statement",
                               "echo_statement",
                               "return_statement",
                               "break_statement",
                               "continue_statement",
                               "global_declaration",
                               "function_static_declaration",
                               "unset_statement",
                               "exit_statement",
                               "goto_statement",
                               "named_label_statement",
                               "const_declaration",
                               "namespace_use_declaration",
                               "declare_statement",
                               "property_declaration",
                               "use_declaration",
                               "enum_case"};
  t.items.compound_statements = {
      "if_statement",      "for_statement",    "foreach_statement",   "while_statement",     "do_statement",
      "switch_statement",  "try_statement",    "function_definition", "class_declaration",   "interface_declaration",
      "trait_declaration", "enum_declaration", "method_declaration",  "namespace_definition"};
  t.items.clauses = {"else_clause",    "else_if_clause", "catch_clause",
                     "finally_clause", "case_statement", "default_statement"};
  t.items.bodies = {"compound_statement",    "declaration_list", "switch_block",
                    "enum_declaration_list", "colon_block",      "program"};
  t.items.decorated_wrapper = nullptr;
  t.items.decorated_field = nullptr;
  t.items.header_terminator = nullptr;  // `case 1:` ends at its last token anyway; `function f(): int` has a `:`
  t.items.definition_items = {"function_definition",   "method_declaration", "class_declaration",
                              "interface_declaration", "trait_declaration",  "enum_declaration"};
  t.items.expression_statement = nullptr;
  t.items.string_literals = {"string", "encapsed_string", "heredoc", "nowdoc", "shell_command_expression"};
  t.items.comments = {"comment"};
  t.items.delimiters = {"(", ")", "[", "]", "{", "}", ",", ";", "->", "?->", "::", "\"", "'"};
  t.items.non_core_tokens = {"php_tag", "?>"};
  t.defuse.roles = {{"variable_name", DuRole::Identifier}, {"name", DuRole::Identifier}};
  t.defuse.target_containers = {"formal_parameters", "list_literal", "pair", "by_ref", "qualified_name"};
  t.defuse.parameter_containers = {};
  t.detect.accept_rule = "php-accept";
  t.display_name = "PHP";
  t.defuse.scoping = Scoping::Lexical;
  t.items.body_open = "{";
  t.items.body_open_more = {":"};  // if (...): ... endif;
  t.items.block_lambdas = {"anonymous_function"};
  t.items.header_fields = {"initialize", "condition", "update"};
  t.defuse.scopes = {{"function_definition", LexScope::Isolated}, {"method_declaration", LexScope::Isolated},
                     {"anonymous_function", LexScope::Isolated},  {"arrow_function", LexScope::Function},
                     {"declaration_list", LexScope::Class},       {"enum_declaration_list", LexScope::Class}};
  t.defuse.declarations = {{"function_definition", "name", DeclTarget::Enclosing},
                           {"method_declaration", "name", DeclTarget::Enclosing},
                           {"class_declaration", "name", DeclTarget::Enclosing},
                           {"interface_declaration", "name", DeclTarget::Enclosing},
                           {"trait_declaration", "name", DeclTarget::Enclosing},
                           {"enum_declaration", "name", DeclTarget::Enclosing},
                           {"function_definition", "parameters", DeclTarget::Local},
                           {"method_declaration", "parameters", DeclTarget::Local},
                           {"anonymous_function", "parameters", DeclTarget::Local},
                           {"arrow_function", "parameters", DeclTarget::Local},
                           {"anonymous_function_use_clause", nullptr, DeclTarget::Capture},
                           {"assignment_expression", "left", DeclTarget::Assign},
                           {"reference_assignment_expression", "left", DeclTarget::Assign},
                           {"augmented_assignment_expression", "left", DeclTarget::Assign},
                           {"foreach_statement", nullptr, DeclTarget::Assign},
                           {"catch_clause", "name", DeclTarget::Local},
                           {"global_declaration", nullptr, DeclTarget::Global},
                           {"function_static_declaration", nullptr, DeclTarget::Local},
                           {"namespace_use_clause", nullptr, DeclTarget::Block},
                           {"const_element", nullptr, DeclTarget::Block}};
  t.defuse.members = {{"member_access_expression", "name", false},
                      {"nullsafe_member_access_expression", "name", false},
                      {"member_call_expression", "name", false},
                      {"nullsafe_member_call_expression", "name", false},
                      {"scoped_call_expression", "name", false},
                      {"scoped_property_access_expression", "name", false},
                      {"argument", "name", false}};
  t.defuse.declarator_wrappers = {"simple_parameter", "variadic_parameter", "property_promotion_parameter",
                                  "static_variable_declaration"};
  t.defuse.function_scoped = {};
  t.defuse.hoisted = {"function_definition", "class_declaration", "interface_declaration", "trait_declaration",
                      "enum_declaration"};
  t.defuse.local_names = {"variable_name"};
  t.detect.prefilter_rule = "php-variable";
  t.detect.cues = {{Cue::Decide, 6, {"<?php"}},
                   {Cue::Each,
                    1,
                    {"$this->",
                     "->",
                     "echo ",
                     "public function",
                     "private function",
                     "protected function",
                     "array(",
                     "foreach (",
                     "=> $",
                     "$_POST",
                     "$_GET",
                     "$_SERVER",
                     "namespace ",
                     "::class",
                     "new ",
                     "?>",
                     "function ",
                     "print_r(",
                     "($",
                     "var_dump(",
                     "strlen($",
                     "count($"}},
                   {Cue::LineStart, 2, {"$"}}};  // `$name = ...;`: a PHP statement, rare elsewhere
  t.detect.bonus_from = 2;
  t.detect.min_score = 2;
  // inline HTML (text outside `<?php ... ?>`): HTML segments, whose <script> and <style> bodies are JavaScript
  // and CSS segments
  t.inject.hosted_rule = "php-inline-html";
  t.inject.hosted_language = "html";
  return t;
}

}  // namespace

extern const LanguageTables kPhpTables = php_tables();

}  // namespace codeblock
