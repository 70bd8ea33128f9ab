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
int php_untagged_score(std::string_view t) {
  if (t.find("<?php") != std::string_view::npos) return 6;
  bool dollar = false;
  for (size_t i = 0; i + 1 < t.size() && !dollar; i++)
    dollar = t[i] == '$' && (std::isalpha(static_cast<unsigned char>(t[i + 1])) || t[i + 1] == '_');
  if (!dollar) return 0;
  int s = detect::signals(t, {"$this->",
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
                              "count($"});
  if (detect::line_starts(t, {"$"})) s += 2;  // `$name = ...;`: a PHP statement, rare elsewhere
  return s >= 2 ? s + 1 : 0;
}

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

LanguageTables php_tables() {
  LanguageTables t{};
  t.name = "php";
  t.language = tree_sitter_php_only;
  t.fence_aliases = {"php", "php3", "php4", "php5", "php7", "php8", "phtml"};
  t.simple_statements = {"expression_statement",
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
  t.compound_statements = {"if_statement",       "for_statement",         "foreach_statement", "while_statement",
                           "do_statement",       "switch_statement",      "try_statement",     "function_definition",
                           "class_declaration",  "interface_declaration", "trait_declaration", "enum_declaration",
                           "method_declaration", "namespace_definition"};
  t.clauses = {"else_clause",    "else_if_clause", "catch_clause",
               "finally_clause", "case_statement", "default_statement"};
  t.bodies = {"compound_statement",    "declaration_list", "switch_block",
              "enum_declaration_list", "colon_block",      "program"};
  t.decorated_wrapper = nullptr;
  t.decorated_field = nullptr;
  t.header_terminator = nullptr;  // `case 1:` ends at its last token anyway; `function f(): int` has a `:`
  t.definition_items = {"function_definition",   "method_declaration", "class_declaration",
                        "interface_declaration", "trait_declaration",  "enum_declaration"};
  t.expression_statement = nullptr;
  t.string_literals = {"string", "encapsed_string", "heredoc", "nowdoc", "shell_command_expression"};
  t.comments = {"comment"};
  t.delimiters = {"(", ")", "[", "]", "{", "}", ",", ";", "->", "?->", "::", "\"", "'"};
  t.non_core_tokens = {"php_tag", "?>"};
  t.roles = {{"variable_name", DuRole::Identifier}, {"name", DuRole::Identifier}};
  t.target_containers = {"formal_parameters", "list_literal", "pair", "by_ref", "qualified_name"};
  t.parameter_containers = {};
  t.accept_untagged = php_accept_untagged;
  t.maybe_untagged = nullptr;
  t.display_name = "PHP";
  t.scoping = Scoping::Lexical;
  t.body_open = "{";
  t.body_open_more = {":"};  // if (...): ... endif;
  t.block_lambdas = {"anonymous_function"};
  t.header_fields = {"initialize", "condition", "update"};
  t.scopes = {{"function_definition", LexScope::Isolated}, {"method_declaration", LexScope::Isolated},
              {"anonymous_function", LexScope::Isolated},  {"arrow_function", LexScope::Function},
              {"declaration_list", LexScope::Class},       {"enum_declaration_list", LexScope::Class}};
  t.declarations = {{"function_definition", "name", DeclTarget::Enclosing},
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
  t.members = {{"member_access_expression", "name", false},
               {"nullsafe_member_access_expression", "name", false},
               {"member_call_expression", "name", false},
               {"nullsafe_member_call_expression", "name", false},
               {"scoped_call_expression", "name", false},
               {"scoped_property_access_expression", "name", false},
               {"argument", "name", false}};
  t.declarator_wrappers = {"simple_parameter", "variadic_parameter", "property_promotion_parameter",
                           "static_variable_declaration"};
  t.function_scoped = {};
  t.hoisted = {"function_definition", "class_declaration", "interface_declaration", "trait_declaration",
               "enum_declaration"};
  t.local_names = {"variable_name"};
  t.untagged_score = php_untagged_score;
  // inline HTML (text outside `<?php ... ?>`): its <script> and <style> bodies are JavaScript and CSS segments
  t.hosted_ranges = php_inline_html;
  t.hosted_language = "html";
  return t;
}

}  // namespace

const LanguageTables kPhpTables = php_tables();

}  // namespace codeblock
