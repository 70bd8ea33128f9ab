// Capability part "items" of a language (docs/languages.md, "Adding a language"): the node types
// that make coding items, core logic tokens and prose-in-code. Resolved by native/core/items.cc
// (resolve_items) and run by items.cc (indentation bodies) / items_braced.cc (bodies opened by a token).
// Every optional field defaults to off.
#pragma once
#include <vector>

namespace codeblock {

struct ItemsPart {
  std::vector<const char*> simple_statements;    // each is one item
  std::vector<const char*> compound_statements;  // header item + clauses + bodies
  std::vector<const char*> clauses;              // clause header items (elif/else/except/finally/case)
  std::vector<const char*> bodies;               // statement-list containers (block)
  const char* decorated_wrapper = nullptr;       // decorated_definition (its header starts at the first decorator)
  const char* decorated_field = nullptr;         // the wrapped definition's field name (brace languages:
                                                 // nullptr = the wrapper's first named child, Rust's
                                                 // expression_statement around an `if`)
  const char* header_terminator = nullptr;       // token that ends a header (":")
  std::vector<const char*> definition_items;     // def/class: the unit of `function` granularity
  // prose-in-code: a statement that is only a string literal (docstring), and comment nodes
  const char* expression_statement = nullptr;
  std::vector<const char*> string_literals;  // literal nodes treated as one core range, not descended
  std::vector<const char*> comments;
  std::vector<const char*> delimiters;       // pure delimiters: not core logic tokens
  std::vector<const char*> non_core_tokens;  // e.g. line continuation
  // Statements the grammar accepts for error recovery or legacy dialects but that are not valid in
  // the language as trained on (Python 2 `print x` / `exec x`): their items are flagged like parse errors.
  std::vector<const char*> invalid_statements;

  // --- bodies opened by a token (body_open set: items_braced.cc) ---
  // The token that opens a body node ("{"): a header runs through it. nullptr: indentation bodies (items.cc),
  // headers end at header_terminator.
  const char* body_open = nullptr;
  // Further tokens than body_open that open a body node (Ruby, Bash `do`, `then`; PHP `:`); a body without an
  // opening token starts after the end of the token before it (the header's last token).
  std::vector<const char*> body_open_more;
  // Every child before a compound statement's or clause's header_terminator token is header, statements
  // included (Bash `elif cmd; then`, whose condition has no field).
  bool header_through_terminator = false;
  // Anonymous keyword tokens inside a compound statement that start a clause (Java's `else`, which has no
  // clause node): the clause header runs from the keyword through the next body's opening token.
  std::vector<const char*> clause_keywords;
  // Expressions with a block body (arrow functions, lambdas, closures): a simple statement holding one splits
  // into a header through the body's opening token, the body's items, and clause items between later bodies.
  // The body is the child in field `body`; for a node without one (Go's struct_type, interface_type) it is the
  // first named child that is a body, else the node itself when the body-opening token is its child, and such
  // a type body splits the statement only when it holds a named child (`interface{}` stays in its statement).
  std::vector<const char*> block_lambdas;
  // A simple statement split at block lambdas ends with a clause item from the last body's end (C's
  // `typedef struct {...} Box;`: `} Box;` declares Box). false: the rest belongs to no item (JavaScript `});`).
  bool block_lambda_tail = false;
  // Fields of a compound statement whose child is header, never body (a for loop's initializer).
  std::vector<const char*> header_fields;
  // Expression languages: a named child of a body that is not a statement is one simple item (a block's tail
  // expression), and so is the named child after a clause's header terminator (a match arm's value).
  bool expression_bodies = false;
  // Anonymous tokens that end a simple statement when they directly follow it in a body (`;` / `,` after class
  // fields and interface members that a grammar puts in the body, not in the member).
  std::vector<const char*> member_terminators;
  // Named nodes of a body that belong to the statement after them (decorators before a class method): that
  // statement's first item starts at the first of them.
  std::vector<const char*> leading_siblings;
  // Wrapper statements with no field for what they wrap (`declare ...`): their first named child is the wrapped
  // statement, as decorated_field's child is for decorated_wrapper.
  std::vector<const char*> statement_wrappers;
  // A compound statement with no body part (`declare module "m";`, a bodiless declaration) is one simple item.
  bool bodiless_compound_simple = false;
  // block_lambdas are parenthesised queries (SQL's subquery and cte): a simple statement holding them splits into
  // a header through the first one's body_open token, the text inside each (its first to its last named child
  // after that token) as an item of its own, split again at the queries inside it, and clause items from each
  // closing token through the next body_open token, or through the statement's end when that holds a core token.
  // Item types: the statement's first named child (SQL's `statement` wraps select / insert / ...), the query's
  // type for the pieces inside.
  bool paren_query_bodies = false;
  // Compound statements and clauses whose direct children through their first `)` token are all header (Kotlin's
  // `for (x in xs)` and `catch (e: E)`, whose parts have no fields): the header then runs on through the body's
  // opening token as usual, or ends at that `)` before a body statement without braces.
  std::vector<const char*> paren_headers;
};

}  // namespace codeblock
