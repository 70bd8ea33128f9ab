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

CODEBLOCK_RULE(named_rule("bash-accept", bash_accept_untagged));
CODEBLOCK_RULE(named_rule("bash-score", bash_untagged_score));

LanguageTables bash_tables() {
  LanguageTables t{};
  t.name = "bash";
  t.language = tree_sitter_bash;
  t.fence_aliases = {"bash", "sh", "shell", "zsh", "ksh", "shell-script", "shellscript"};
  t.items.simple_statements = {
      "command", "variable_assignment",  "variable_assignments", "declaration_command", "unset_command", "pipeline",
      "list",    "redirected_statement", "negated_command",      "test_command",        "subshell"};
  t.items.compound_statements = {"if_statement",    "for_statement",  "c_style_for_statement",
                                 "while_statement", "case_statement", "function_definition"};
  t.items.clauses = {"elif_clause", "else_clause", "case_item"};
  t.items.bodies = {"program", "do_group", "compound_statement"};
  t.items.decorated_wrapper = "redirected_statement";  // `while ...; done < file`: the loop's items
  t.items.decorated_field = "body";
  t.items.header_terminator = "then";
  t.items.definition_items = {"function_definition"};
  t.items.expression_statement = nullptr;
  t.items.string_literals = {"string", "raw_string", "ansi_c_string", "translated_string", "heredoc_body"};
  t.items.comments = {"comment"};
  t.items.delimiters = {"(", ")", "{", "}", ";", ";;", "\"", "'", "`"};
  t.items.non_core_tokens = {};
  t.defuse.roles = {{"variable_name", DuRole::Identifier}, {"word", DuRole::Identifier}};
  t.defuse.target_containers = {};
  t.defuse.parameter_containers = {};
  t.detect.accept_rule = "bash-accept";
  t.display_name = "Bash";
  t.defuse.scoping = Scoping::Lexical;
  t.items.body_open = "do";
  t.items.body_open_more = {"{"};
  t.items.header_through_terminator = true;  // elif cmd; then
  t.items.block_lambdas = {};
  t.items.header_fields = {"condition", "variable", "value", "initializer", "update"};
  t.defuse.scopes = {{"function_definition", LexScope::Function}};
  t.defuse.declarations = {{"variable_assignment", "name", DeclTarget::Assign},
                           {"declaration_command", nullptr, DeclTarget::Local},
                           {"for_statement", "variable", DeclTarget::Assign},
                           {"function_definition", "name", DeclTarget::Enclosing}};
  t.defuse.members = {};
  t.defuse.declarator_wrappers = {"variable_assignment"};
  t.defuse.function_scoped = {};
  t.defuse.hoisted = {};
  t.defuse.local_names = {};
  t.detect.score_rule = "bash-score";
  return t;
}

}  // namespace

const LanguageTables kBashTables = bash_tables();

}  // namespace codeblock
