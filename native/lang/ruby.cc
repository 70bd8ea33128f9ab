// Ruby (tree-sitter-ruby 0.23) node-type tables. Keyword-bodied: a header runs through `then` / `do` where
// present, else through its last token (`def f(x)`, `if x`, `each do |i|`). Scoping (docs/languages/ruby.md):
// locals are declared by their first assignment; methods, classes and modules do not see the locals around
// them (LexScope::Isolated); blocks (`do ... end`, `{ ... }`) and lambdas see them, and their parameters and
// first assignments are block-local. Constants and method names stay visible everywhere. A method name after
// a receiver (`obj.m`) is not a use; instance variables (@x) are not tracked.
#include "lang/ruby.h"

#include <cstring>

#include "lang/detect.h"

namespace codeblock {
namespace {

// A clean parse with a definition, control statement, assignment or block call at the top level (prose
// such as `hello world` parses as a method call).
bool ruby_accept_untagged(TSNode root) {
  if (ts_node_has_error(root)) return false;
  static const char* const kReal[] = {"method",     "singleton_method",
                                      "class",      "module",
                                      "assignment", "if",
                                      "unless",     "while",
                                      "until",      "for",
                                      "case",       "begin",
                                      "lambda",     "operator_assignment"};
  uint32_t n = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < n; i++) {
    TSNode c = ts_node_named_child(root, i);
    const char* t = ts_node_type(c);
    for (const char* r : kReal)
      if (std::strcmp(t, r) == 0) return true;
    if (std::strcmp(t, "call") == 0) {
      TSNode b = ts_node_child_by_field_name(c, "block", 5);
      if (!ts_node_is_null(b)) return true;
    }
  }
  return false;
}

// An `end` line with `def` / `class` / `module` / a `do` block decides; else three Ruby-only signals
// score 1 (after Python, which is first in the registry).
int ruby_untagged_score(std::string_view t) {
  int s = detect::signals(t, {"puts ", " do |", "attr_accessor", "attr_reader", "require '", "require_relative",
                              "elsif ", ".nil?", "#{", ".each do", "unless "});
  bool end_line = detect::line_starts(t, {"end\n", "end "}) || (t.size() >= 3 && t.substr(t.size() - 3) == "end");
  if (end_line && (detect::line_starts(t, {"def ", "class ", "module "}) || t.find(" do") != std::string_view::npos))
    return 3 + s;
  return s >= 3 ? 1 : 0;
}

CODEBLOCK_RULE(named_rule("ruby-accept", ruby_accept_untagged));
CODEBLOCK_RULE(named_rule("ruby-score", ruby_untagged_score));

LanguageTables ruby_tables() {
  LanguageTables t{};
  t.name = "ruby";
  t.language = tree_sitter_ruby;
  t.fence_aliases = {"ruby", "rb", "jruby", "rake", "gemspec", "podspec"};
  // Every expression can be a statement (the grammar's _statement), less the compound ones.
  t.items.simple_statements = {"alias",
                               "array",
                               "assignment",
                               "begin_block",
                               "binary",
                               "break",
                               "call",
                               "chained_string",
                               "character",
                               "class_variable",
                               "complex",
                               "conditional",
                               "constant",
                               "delimited_symbol",
                               "element_reference",
                               "end_block",
                               "false",
                               "float",
                               "global_variable",
                               "heredoc_beginning",
                               "identifier",
                               "if_modifier",
                               "instance_variable",
                               "integer",
                               "lambda",
                               "match_pattern",
                               "next",
                               "nil",
                               "operator_assignment",
                               "parenthesized_statements",
                               "range",
                               "rational",
                               "redo",
                               "regex",
                               "rescue_modifier",
                               "retry",
                               "return",
                               "scope_resolution",
                               "self",
                               "simple_symbol",
                               "string",
                               "string_array",
                               "subshell",
                               "super",
                               "symbol_array",
                               "test_pattern",
                               "true",
                               "unary",
                               "undef",
                               "unless_modifier",
                               "until_modifier",
                               "while_modifier",
                               "yield",
                               "hash"};
  t.items.compound_statements = {"if",    "unless",     "while",          "until",  "for",
                                 "case",  "case_match", "begin",          "method", "singleton_method",
                                 "class", "module",     "singleton_class"};
  t.items.clauses = {"elsif", "else", "when", "in_clause", "rescue", "ensure"};
  t.items.bodies = {"program", "body_statement", "then", "do", "block_body"};
  t.items.decorated_wrapper = nullptr;
  t.items.decorated_field = nullptr;
  t.items.header_terminator = nullptr;
  t.items.definition_items = {"method", "singleton_method", "class", "module", "singleton_class"};
  t.items.expression_statement = nullptr;
  t.items.string_literals = {"string",        "string_array",     "symbol_array", "regex",    "heredoc_body",
                             "simple_symbol", "delimited_symbol", "character",    "subshell", "heredoc_beginning"};
  t.items.comments = {"comment"};
  t.items.delimiters = {"(", ")", "[", "]", "{", "}", ",", ";", ".", "&.", "::"};
  t.items.non_core_tokens = {};
  t.defuse.roles = {{"identifier", DuRole::Identifier}, {"constant", DuRole::Identifier}};
  t.defuse.target_containers = {"method_parameters",
                                "block_parameters",
                                "lambda_parameters",
                                "left_assignment_list",
                                "destructured_left_assignment",
                                "rest_assignment",
                                "optional_parameter",
                                "keyword_parameter",
                                "splat_parameter",
                                "hash_splat_parameter",
                                "block_parameter",
                                "destructured_parameter",
                                "exception_variable",
                                "array_pattern",
                                "find_pattern",
                                "hash_pattern",
                                "keyword_pattern",
                                "alternative_pattern",
                                "as_pattern",
                                "splat_parameter"};
  t.defuse.parameter_containers = {};
  t.detect.accept_rule = "ruby-accept";
  t.display_name = "Ruby";
  t.defuse.scoping = Scoping::Lexical;
  t.items.body_open = "do";
  t.items.body_open_more = {"then"};
  t.items.block_lambdas = {"do_block", "block"};
  t.items.header_fields = {"name",     "condition",  "pattern",    "value",  "exceptions",
                           "variable", "superclass", "parameters", "object", "guard"};
  t.defuse.scopes = {{"method", LexScope::Isolated},
                     {"singleton_method", LexScope::Isolated},
                     {"class", LexScope::Isolated},
                     {"module", LexScope::Isolated},
                     {"singleton_class", LexScope::Isolated},
                     {"do_block", LexScope::Block},
                     {"block", LexScope::Block},
                     {"lambda", LexScope::Block}};
  t.defuse.declarations = {{"method", "name", DeclTarget::Enclosing},
                           {"singleton_method", "name", DeclTarget::Enclosing},
                           {"class", "name", DeclTarget::Enclosing},
                           {"module", "name", DeclTarget::Enclosing},
                           {"method", "parameters", DeclTarget::Local},
                           {"singleton_method", "parameters", DeclTarget::Local},
                           {"do_block", "parameters", DeclTarget::Local},
                           {"block", "parameters", DeclTarget::Local},
                           {"lambda", "parameters", DeclTarget::Local},
                           {"assignment", "left", DeclTarget::Assign},
                           {"operator_assignment", "left", DeclTarget::Assign},
                           {"for", "pattern", DeclTarget::Assign},
                           {"rescue", "variable", DeclTarget::Assign},
                           {"in_clause", "pattern", DeclTarget::Assign}};
  t.defuse.members = {{"call", "method", true}, {"scope_resolution", "name", false}};
  t.defuse.declarator_wrappers = {};
  t.defuse.function_scoped = {};
  t.defuse.hoisted = {};
  t.defuse.local_names = {"identifier"};
  t.detect.score_rule = "ruby-score";
  return t;
}

}  // namespace

extern const LanguageTables kRubyTables = ruby_tables();

}  // namespace codeblock
