// Bash / POSIX shell (tree-sitter-bash 0.25) node-type tables. Keyword-bodied: `if ...; then`, `elif ...;
// then`, `for ...; do`, `while ...; do`, `case ... in`, `pat)`, `f() {`. Scoping (docs/languages/bash.md):
// a variable is declared by its first assignment (`x=1`, `export X=1`, `for x in`), `local` / `declare`
// bind in the function; `$x` / `${x}` are uses; a function name is declared by its definition and used by
// a command naming it. Function bodies are resolved after the top level (they run when called). Not
// console transcripts: `console` / `terminal` fences (prompts and output) are not Bash.
#include "lang/bash.h"

#include <cstring>

#include "lang/detect.h"

namespace codeblock {
namespace {

// True when some line is exactly one of the words (after blanks, before blanks / `;` / a comment).
bool line_is(std::string_view text, std::initializer_list<const char*> words) {
  size_t i = 0, n = text.size();
  while (i < n) {
    size_t j = i;
    while (j < n && (text[j] == ' ' || text[j] == '\t')) j++;
    size_t e = j;
    while (e < n && text[e] != '\n') e++;
    size_t k = e;
    while (k > j && (text[k - 1] == ' ' || text[k - 1] == '\t' || text[k - 1] == '\r' || text[k - 1] == ';')) k--;
    std::string_view line = text.substr(j, k - j);
    for (const char* w : words)
      if (line == w) return true;
    i = e + 1;
  }
  return false;
}

bool bash_accept_untagged(TSNode root) { return detect::clean_with_statement(root); }

// Almost any text parses as shell, so only strong signals count: a shell shebang decides; else one point
// for each of: a line that is `fi` / `done` / `esac`, a `$(`, a line starting with a common command.
// A score of 1 ties with Python and comes after every other language (registry order).
int bash_untagged_score(std::string_view t) {
  if (t.compare(0, 2, "#!") == 0) {
    std::string_view first = t.substr(0, t.find('\n'));
    for (const char* sh : {"bash", "/sh", " sh", "zsh", "ksh", "dash"})
      if (first.find(sh) != std::string_view::npos) return 6;
  }
  int s = 0;
  if (line_is(t, {"fi", "done", "esac", "then", "do"})) s++;
  if (t.find("$(") != std::string_view::npos) s++;
  if (detect::line_starts(
          t, {"sudo ",   "apt ",   "apt-get ", "npm ",    "npx ",    "pip ",   "pip3 ",      "echo ",
              "export ", "yarn ",  "pnpm ",    "brew ",   "curl ",   "wget ",  "git clone ", "git checkout ",
              "cd ",     "mkdir ", "chmod ",   "docker ", "source ", "conda ", "cargo ",     "go install "}))
    s++;
  return s;
}

LanguageTables bash_tables() {
  LanguageTables t{};
  t.name = "bash";
  t.language = tree_sitter_bash;
  t.fence_aliases = {"bash", "sh", "shell", "zsh", "ksh", "shell-script", "shellscript"};
  t.simple_statements = {
      "command", "variable_assignment",  "variable_assignments", "declaration_command", "unset_command", "pipeline",
      "list",    "redirected_statement", "negated_command",      "test_command",        "subshell"};
  t.compound_statements = {"if_statement",    "for_statement",  "c_style_for_statement",
                           "while_statement", "case_statement", "function_definition"};
  t.clauses = {"elif_clause", "else_clause", "case_item"};
  t.bodies = {"program", "do_group", "compound_statement"};
  t.decorated_wrapper = "redirected_statement";  // `while ...; done < file`: the loop's items
  t.decorated_field = "body";
  t.header_terminator = "then";
  t.definition_items = {"function_definition"};
  t.expression_statement = nullptr;
  t.string_literals = {"string", "raw_string", "ansi_c_string", "translated_string", "heredoc_body"};
  t.comments = {"comment"};
  t.delimiters = {"(", ")", "{", "}", ";", ";;", "\"", "'", "`"};
  t.non_core_tokens = {};
  t.roles = {{"variable_name", DuRole::Identifier}, {"word", DuRole::Identifier}};
  t.target_containers = {};
  t.parameter_containers = {};
  t.accept_untagged = bash_accept_untagged;
  t.maybe_untagged = nullptr;
  t.display_name = "Bash";
  t.scoping = Scoping::Lexical;
  t.body_open = "do";
  t.body_open_more = {"{"};
  t.header_through_terminator = true;  // elif cmd; then
  t.block_lambdas = {};
  t.header_fields = {"condition", "variable", "value", "initializer", "update"};
  t.scopes = {{"function_definition", LexScope::Function}};
  t.declarations = {{"variable_assignment", "name", DeclTarget::Assign},
                    {"declaration_command", nullptr, DeclTarget::Local},
                    {"for_statement", "variable", DeclTarget::Assign},
                    {"function_definition", "name", DeclTarget::Enclosing}};
  t.members = {};
  t.declarator_wrappers = {"variable_assignment"};
  t.function_scoped = {};
  t.hoisted = {};
  t.local_names = {};
  t.untagged_score = bash_untagged_score;
  return t;
}

}  // namespace

const LanguageTables kBashTables = bash_tables();

}  // namespace codeblock
