#include "lang/python.h"

#include <cstring>

namespace codeblock {
namespace {

bool is(TSNode n, const char* t) { return std::strcmp(ts_node_type(n), t) == 0; }

// Untagged fence / bare response rule (docs/structure.md): the text parses with no ERROR or MISSING
// node, and it has at least one "Python signal": a statement other than a bare expression, or an
// expression statement that is an assignment or a call. Bare expressions alone (`ls -la`,
// `[5, 7, 9]`, a JSON object) parse as Python too, but are far more often output or other languages.
bool python_accept_untagged(TSNode root) {
  if (ts_node_has_error(root)) return false;
  uint32_t n = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < n; i++) {
    TSNode s = ts_node_named_child(root, i);
    if (is(s, "comment")) continue;
    if (!is(s, "expression_statement")) return true;
    uint32_t k = ts_node_named_child_count(s);
    for (uint32_t j = 0; j < k; j++) {
      TSNode e = ts_node_named_child(s, j);
      if (is(e, "assignment") || is(e, "augmented_assignment") || is(e, "call") || is(e, "await")) return true;
    }
  }
  return false;
}

inline bool ident_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

bool is_keyword(std::string_view w) {
  static const char* const kw[] = {"False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
                                   "continue", "def", "del", "elif", "else", "except", "finally", "for", "from",
                                   "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass",
                                   "raise", "return", "try", "while", "with", "yield",
                                   // soft keywords, and Python 2 statements tree-sitter-python accepts
                                   "match", "case", "type", "print", "exec"};
  for (const char* k : kw)
    if (w == k) return true;
  return false;
}

// Lexical pre-check for untagged blocks and bare responses: outside strings and comments, Python
// never puts two plain names (or a number and a name) side by side separated only by blanks —
// prose ("Here is an example"), SQL ("SELECT name FROM"), C/Java/JS declarations ("int x",
// "public class", "let x") all do. Keywords (incl. soft keywords) are exempt. Strings (single,
// triple-quoted across lines, with escapes) and comments are skipped. Linear, stops at the first hit.
bool python_maybe_untagged(std::string_view t) {
  enum Tok { None, Word, Num, Other } prev = None;
  bool blank_since_prev = false, any = false;
  size_t i = 0, n = t.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(t[i]);
    if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
      blank_since_prev = true;
      i++;
      continue;
    }
    if (c == '\n' || c == '\\') {
      prev = None;
      i++;
      continue;
    }
    if (c == '#') {
      while (i < n && t[i] != '\n') i++;
      continue;
    }
    any = true;
    if (c == '"' || c == '\'') {
      bool triple = i + 2 < n && t[i + 1] == static_cast<char>(c) && t[i + 2] == static_cast<char>(c);
      size_t j = i + (triple ? 3 : 1);
      for (;;) {
        if (j >= n) break;
        if (t[j] == '\\') {
          j += 2;
          continue;
        }
        if (!triple && t[j] == '\n') break;
        if (t[j] == static_cast<char>(c) &&
            (!triple || (j + 2 < n && t[j + 1] == static_cast<char>(c) && t[j + 2] == static_cast<char>(c)))) {
          j += triple ? 3 : 1;
          break;
        }
        j++;
      }
      i = j;
      prev = Other;
      blank_since_prev = false;
      continue;
    }
    if (ident_char(c)) {
      size_t j = i;
      while (j < n && ident_char(static_cast<unsigned char>(t[j]))) j++;
      bool num = c >= '0' && c <= '9';
      std::string_view w = t.substr(i, j - i);
      bool kw = !num && is_keyword(w);
      if (!num && !kw && blank_since_prev && (prev == Word || prev == Num)) return false;
      prev = num ? Num : (kw ? Other : Word);
      if (num) {  // 1.5e-3, 0x1F: the rest of the literal
        while (j < n && (ident_char(static_cast<unsigned char>(t[j])) || t[j] == '.')) j++;
      }
      i = j;
      blank_since_prev = false;
      continue;
    }
    prev = Other;
    blank_since_prev = false;
    i++;
  }
  return any;
}

CODEBLOCK_RULE(named_rule("python-accept", python_accept_untagged));
CODEBLOCK_RULE(named_rule("python-prefilter", python_maybe_untagged));

LanguageTables python_tables() {
  LanguageTables t{};
  t.name = "python";
  t.language = tree_sitter_python;
  t.fence_aliases = {"python", "py", "python3", "py3", "python2", "py2", "ipython", "ipython3", "gyp", "sage"};
  t.items.simple_statements = {
      "expression_statement",  "return_statement",        "delete_statement",   "raise_statement",
      "pass_statement",        "break_statement",         "continue_statement", "import_statement",
      "import_from_statement", "future_import_statement", "global_statement",   "nonlocal_statement",
      "exec_statement",        "print_statement",         "assert_statement",   "type_alias_statement"};
  t.items.compound_statements = {"if_statement",     "for_statement",        "while_statement",
                                 "try_statement",    "with_statement",       "function_definition",
                                 "class_definition", "decorated_definition", "match_statement"};
  t.items.clauses = {"elif_clause",         "else_clause",    "except_clause",
                     "except_group_clause", "finally_clause", "case_clause"};
  t.items.bodies = {"block"};
  t.items.decorated_wrapper = "decorated_definition";
  t.items.decorated_field = "definition";
  t.items.header_terminator = ":";
  t.items.definition_items = {"function_definition", "class_definition", "decorated_definition"};
  t.items.expression_statement = "expression_statement";
  t.items.string_literals = {"string", "concatenated_string"};
  t.items.comments = {"comment"};
  t.items.delimiters = {"(", ")", "[", "]", "{", "}", ",", ":", ";", "."};
  t.items.non_core_tokens = {"line_continuation", "\\"};
  t.defuse.roles = {
      {"identifier", DuRole::Identifier},
      {"function_definition", DuRole::FunctionScope},
      {"lambda", DuRole::LambdaScope},
      {"class_definition", DuRole::ClassScope},
      {"list_comprehension", DuRole::Comprehension},
      {"set_comprehension", DuRole::Comprehension},
      {"dictionary_comprehension", DuRole::Comprehension},
      {"generator_expression", DuRole::Comprehension},
      {"for_in_clause", DuRole::ComprehensionFor},
      {"assignment", DuRole::Assign},
      {"augmented_assignment", DuRole::AugAssign},
      {"named_expression", DuRole::NamedExpr},
      {"for_statement", DuRole::ForLoop},
      {"while_statement", DuRole::WhileLoop},
      {"if_statement", DuRole::Branch},
      {"match_statement", DuRole::Branch},
      {"try_statement", DuRole::Try},
      {"as_pattern", DuRole::AsPattern},
      {"except_clause", DuRole::ExceptClause},
      {"except_group_clause", DuRole::ExceptClause},
      {"import_statement", DuRole::Import},
      {"import_from_statement", DuRole::ImportFrom},
      {"future_import_statement", DuRole::None},
      {"global_statement", DuRole::Global},
      {"nonlocal_statement", DuRole::Nonlocal},
      {"attribute", DuRole::Attribute},
      {"keyword_argument", DuRole::KeywordArgument},
      {"case_pattern", DuRole::CapturePattern},
      {"splat_pattern", DuRole::CapturePattern},
      {"break_statement", DuRole::Break},
      {"continue_statement", DuRole::Continue},
      {"return_statement", DuRole::Exit},
      {"raise_statement", DuRole::Exit},
  };
  t.defuse.target_containers = {"pattern_list",
                                "tuple_pattern",
                                "list_pattern",
                                "tuple",
                                "list",
                                "parenthesized_expression",
                                "list_splat_pattern",
                                "list_splat",
                                "as_pattern_target",
                                "expression_list",
                                "pattern"};
  t.defuse.parameter_containers = {"parameters",
                                   "lambda_parameters",
                                   "default_parameter",
                                   "typed_parameter",
                                   "typed_default_parameter",
                                   "list_splat_pattern",
                                   "dictionary_splat_pattern",
                                   "tuple_pattern"};
  t.defuse.else_clause = "else_clause";
  t.defuse.finally_clause = "finally_clause";
  t.defuse.dotted_name = "dotted_name";
  t.defuse.aliased_import = "aliased_import";
  t.defuse.pattern_keyword = {"keyword_pattern"};
  t.defuse.pattern_class = {"class_pattern"};
  t.defuse.pattern_wildcard = "_";
  t.items.invalid_statements = {"print_statement", "exec_statement"};
  t.display_name = "Python";
  t.defuse.scoping = Scoping::Python;
  t.detect.accept_rule = "python-accept";
  t.detect.gate = true;  // tried before every scored language (docs/languages.md)
  t.detect.prefilter_rule = "python-prefilter";
  return t;
}

}  // namespace

extern const LanguageTables kPythonTables = python_tables();

}  // namespace codeblock
