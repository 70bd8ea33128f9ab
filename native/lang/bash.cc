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

bool bash_accept_untagged(TSNode root) { return detect::clean_with_statement(root); }

CODEBLOCK_RULE(named_rule("bash-accept", bash_accept_untagged));

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
  // Almost any text parses as shell, so only strong signals count: a shell shebang decides; else one point for
  // each of: a line that is `fi` / `done` / `esac`, a `$(`, a line starting with a common command. A score of 1
  // ties with Python and comes after every other language (registry order).
  t.detect.cues = {{Cue::Shebang, 6, {"bash", "/sh", " sh", "zsh", "ksh", "dash"}},
                   {Cue::LineIs, 1, {"fi", "done", "esac", "then", "do"}},
                   {Cue::Any, 1, {"$("}},
                   {Cue::LineStart, 1, {"sudo ",  "apt ",    "apt-get ",   "npm ",          "npx ",   "pip ",
                                        "pip3 ",  "echo ",   "export ",    "yarn ",         "pnpm ",  "brew ",
                                        "curl ",  "wget ",   "git clone ", "git checkout ", "cd ",    "mkdir ",
                                        "chmod ", "docker ", "source ",    "conda ",        "cargo ", "go install "}}};
  return t;
}

}  // namespace

extern const LanguageTables kBashTables = bash_tables();

}  // namespace codeblock
