// SQL (@derekstride/tree-sitter-sql 0.3, many dialects) node-type tables (docs/languages/sql.md).
// Items: each statement through its `;`; a statement holding parenthesised queries (subqueries, CTEs) splits at
// them (paren_query_bodies): a header through the first `(`, each query inside as an item, clause items from `)`
// through the next `(` or the statement's end. The statements of a BEGIN ... COMMIT transaction are items of their
// own. Def-use: a created table / view / function is declared for the rest of the script (later statements naming
// it use it); a CTE name (`WITH t AS (...)`) and a table alias (`FROM employees e`) bind in their statement or
// subquery, visible in the whole of it (`SELECT e.salary FROM employees e`); names compare case-insensitively;
// column names are not tracked.
#include "lang/sql.h"

#include <cctype>
#include <cstring>

#include "lang/detect.h"

namespace codeblock {
namespace {

bool sql_accept_untagged(TSNode root) { return detect::clean_with_statement(root); }

// Case-insensitive: some line starts (after blanks) with one of the upper-case prefixes, followed by a blank,
// `(`, `*` or the end of the line.
bool line_starts_ci(std::string_view t, std::initializer_list<const char*> prefixes) {
  size_t i = 0, n = t.size();
  while (i < n) {
    size_t j = i;
    while (j < n && (t[j] == ' ' || t[j] == '\t')) j++;
    for (const char* p : prefixes) {
      size_t k = std::strlen(p), q = 0;
      while (q < k && j + q < n && std::toupper(static_cast<unsigned char>(t[j + q])) == p[q]) q++;
      if (q < k) continue;
      char after = j + k < n ? t[j + k] : '\n';
      if (after == ' ' || after == '\t' || after == '\n' || after == '\r' || after == '(' || after == '*') return true;
    }
    while (j < n && t[j] != '\n') j++;
    i = j + 1;
  }
  return false;
}

// Case-insensitive: one of the upper-case words occurs as a whole word.
bool has_word_ci(std::string_view t, std::initializer_list<const char*> words) {
  auto word_char = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
  for (const char* w : words) {
    size_t k = std::strlen(w);
    for (size_t i = 0; i + k <= t.size(); i++) {
      if (i > 0 && word_char(t[i - 1])) continue;
      size_t q = 0;
      while (q < k && std::toupper(static_cast<unsigned char>(t[i + q])) == w[q]) q++;
      if (q == k && (i + k == t.size() || !word_char(t[i + k]))) return true;
    }
  }
  return false;
}

// Strong signals only: a line that starts a statement (SELECT, INSERT INTO, UPDATE, DELETE FROM, CREATE
// TABLE, WITH, ...) and a clause word (FROM, WHERE, JOIN, VALUES, SET, TABLE, ...). Either alone scores 0.
// Score 3: ahead of Python (1); Python / JS text does not parse cleanly as SQL, so it falls through.
int sql_untagged_score(std::string_view t) {
  if (!line_starts_ci(t,
                      {"SELECT", "INSERT INTO", "UPDATE", "DELETE FROM", "CREATE TABLE", "CREATE VIEW", "CREATE INDEX",
                       "CREATE UNIQUE INDEX", "CREATE OR REPLACE", "WITH", "ALTER TABLE", "DROP TABLE"}))
    return 0;
  return has_word_ci(t, {"FROM", "WHERE", "JOIN", "VALUES", "SET", "TABLE", "VIEW", "INDEX"}) ? 3 : 0;
}

CODEBLOCK_RULE(named_rule("sql-accept", sql_accept_untagged));
CODEBLOCK_RULE(named_rule("sql-score", sql_untagged_score));

LanguageTables sql_tables() {
  LanguageTables t{};
  t.name = "sql";
  t.language = tree_sitter_sql;
  t.fence_aliases = {"sql",     "mysql",   "postgresql", "postgres", "psql",      "plsql",    "sqlite",
                     "sqlite3", "tsql",    "t-sql",      "mssql",    "sqlserver", "pgsql",    "plpgsql",
                     "hql",     "mariadb", "oracle",     "sparksql", "bigquery",  "snowflake"};
  // every statement is one item through its `;` (member_terminators); a transaction's statements are items of
  // their own, and so are its BEGIN and COMMIT / ROLLBACK keywords
  t.items.simple_statements = {"statement", "keyword_begin", "keyword_commit", "keyword_rollback", "block"};
  t.items.compound_statements = {};
  t.items.clauses = {};
  t.items.bodies = {"transaction"};
  t.items.decorated_wrapper = nullptr;
  t.items.decorated_field = nullptr;
  t.items.header_terminator = nullptr;
  t.items.definition_items = {};
  t.items.expression_statement = nullptr;
  t.items.string_literals = {};
  t.items.comments = {"comment", "marginalia"};
  t.items.delimiters = {"(", ")", ",", ";", "."};
  t.items.non_core_tokens = {};
  t.defuse.roles = {{"identifier", DuRole::Identifier}};
  t.defuse.target_containers = {};
  t.defuse.parameter_containers = {};
  t.detect.accept_rule = "sql-accept";
  t.display_name = "SQL";
  t.defuse.scoping = Scoping::Lexical;
  t.items.body_open = "(";
  t.items.block_lambdas = {"subquery", "cte"};
  t.items.header_fields = {};
  t.defuse.scopes = {{"statement", LexScope::Block}, {"subquery", LexScope::Block}};
  t.defuse.declarations = {{"create_table", nullptr, DeclTarget::Function},
                           {"create_view", nullptr, DeclTarget::Function},
                           {"create_materialized_view", nullptr, DeclTarget::Function},
                           {"create_function", nullptr, DeclTarget::Function},
                           {"cte", nullptr, DeclTarget::Block},
                           {"relation", "alias", DeclTarget::Block}};
  t.defuse.members = {{"field", "name", false},
                      {"column_definition", "name", false},
                      {"term", "alias", false},
                      {"column", "name", false},
                      {"constraint", "name", false}};
  t.defuse.declarator_wrappers = {"object_reference"};
  t.defuse.function_scoped = {};
  t.defuse.hoisted = {"from", "join", "relation", "update"};  // aliases are visible in the whole statement
  t.detect.score_rule = "sql-score";                          // case-insensitive keywords: cues match as written
  t.items.member_terminators = {";"};
  t.items.paren_query_bodies = true;
  t.defuse.fold_case_names = true;
  return t;
}

}  // namespace

extern const LanguageTables kSqlTables = sql_tables();

}  // namespace codeblock
