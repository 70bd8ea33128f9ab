// Language registry: everything the language-neutral structure engine needs to know about one
// tree-sitter grammar, as node-type tables. Adding a language = one new native/lang/<lang>.cc that
// fills a LanguageTables, plus one line in registry.cc. See docs/languages.md.
#pragma once
#include <tree_sitter/api.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace codeblock {

// What a node type means to the def-use engine. Field names are looked up on the node.
enum class DuRole : uint8_t {
  None = 0,
  Identifier,        // a name (use or definition, depending on context)
  FunctionScope,     // def: name → enclosing scope; params + body → new scope (body deferred)
  LambdaScope,       // lambda: params + body → new scope (body deferred)
  ClassScope,        // class: bases in enclosing scope; body → new scope (run inline); name defined after
  Comprehension,     // list/set/dict comprehension, generator: first iterable outside, rest in new scope
  ComprehensionFor,  // for-in clause inside a comprehension: `left` targets, `right` iterable
  Assign,            // targets in field `left` (kills previous definitions), value in `right`
  AugAssign,         // `left` is used and then redefined
  NamedExpr,         // walrus: field `name` binds in the nearest non-comprehension scope
  ForLoop,           // for statement: `left` targets, `right` iterable, body loop, else clause
  WhileLoop,         // while: condition, body loop, else clause
  Branch,            // if / match: alternatives merge
  Try,               // try/except/else/finally
  AsPattern,         // `x as y`: field `alias` is a binding target
  ExceptClause,      // except clause: field `alias` (if present) binds
  Import,            // import a.b / import a as b
  ImportFrom,        // from m import a, b as c
  Global,            // global a, b
  Nonlocal,          // nonlocal a, b
  Attribute,         // obj.attr: only `object` is a use
  KeywordArgument,   // f(k=v): only `value` is a use
  CapturePattern,    // match capture (a pattern node holding a single name)
  Break,             // leaves the innermost loop (its state reaches the loop exit)
  Continue,          // back to the innermost loop head
  Exit,              // return / raise: the rest of the path is dead
};

// How a language's def-use edges are found (docs/structure.md, "Def-use").
enum class Scoping : uint8_t {
  Python,   // reaching definitions with Python's scopes (the DuRole table; defuse.cc)
  Lexical,  // block-scoped name binding: every use links to the declaration it resolves to (defuse_lexical.cc)
};

// Lexical scoping: what a scope node opens.
// Isolated: a function scope whose body does not see the local variables (names bound by the
// Local / Assign / Capture / Global targets) of the scopes around it; other names (functions,
// classes, constants) still resolve (PHP functions, Ruby methods).
enum class LexScope : uint8_t { Function, Block, Class, Isolated };
struct ScopeEntry {
  const char* type;
  LexScope kind;
};

// Lexical scoping: where a declaration binds its names.
enum class DeclTarget : uint8_t {
  Block,      // the innermost scope in effect at the declaring node (its own scope if it opens one)
  Function,   // the innermost function scope (JS `var`)
  Enclosing,  // the scope the declaring node sits in, even when it opens its own (a function's name)
  // Languages whose variables are declared by assignment (PHP, Ruby, Bash); the names bound are local
  // variables (see LexScope::Isolated and LanguageTables::local_names):
  Local,    // like Block, always a new binding (parameters, Ruby block parameters, Bash `local`)
  Assign,   // an assignment: a use of the local the name already resolves to, else a new Local binding
  Capture,  // PHP closure `use ($x)`: a use of $x as seen outside the innermost function, then bound there
  Global,   // PHP `global $x`: a use of the root scope's $x, then bound in the innermost function scope
};
// The names under field `field` of a `type` node (every named child when field is nullptr) are declared.
// Names are found through declarator wrappers (field `declarator` / `name` / `pattern`) and destructuring
// containers (target_containers); values and defaults inside them are uses.
// With when_field set, only a node that has a child in that field declares (C `struct s {...}` defines s,
// `struct s x;` uses it).
struct DeclEntry {
  const char* type;
  const char* field;
  DeclTarget target;
  const char* when_field = nullptr;
};
// The child in field `field` of a `type` node is a member name, not a use (obj.name). With
// only_with_object, only when the node has an `object` field child (Java `a.m()` vs `m()`).
struct MemberEntry {
  const char* type;
  const char* field;
  bool only_with_object;
};

// A node type a language maps to a role. Names are grammar node-type names.
struct RoleEntry {
  const char* type;
  DuRole role;
};

// Injections (docs/languages.md, "Injections"): code of another language embedded in a node of this one (HTML
// `<script>` bodies are JavaScript). The `content` child of an `element` node is a segment of `language` (a
// canonical name; code, unitemized, when that language is not itemized). admits: nullptr, or false to leave one
// element alone (`<script type="text/template">`). An element whose content is not closed (an unterminated
// `<script>`) injects nothing.
struct InjectionRule {
  const char* element;
  const char* content;
  const char* language;
  bool (*admits)(TSNode element, std::string_view text) = nullptr;
};

struct LanguageTables {
  const char* name;                        // canonical lang tag, e.g. "python"
  const TSLanguage* (*language)(void);     // tree_sitter_<lang>
  std::vector<const char*> fence_aliases;  // lower-case fence info words mapping to this language
  // --- coding items ---
  std::vector<const char*> simple_statements;    // each is one item
  std::vector<const char*> compound_statements;  // header item + clauses + bodies
  std::vector<const char*> clauses;              // clause header items (elif/else/except/finally/case)
  std::vector<const char*> bodies;               // statement-list containers (block)
  const char* decorated_wrapper;                 // decorated_definition (its header starts at the first decorator)
  const char* decorated_field;                   // the wrapped definition's field name (brace languages:
                                                 // nullptr = the wrapper's first named child, Rust's
                                                 // expression_statement around an `if`)
  const char* header_terminator;                 // token that ends a header (":")
  std::vector<const char*> definition_items;     // def/class: the unit of `function` granularity
  // prose-in-code: a statement that is only a string literal (docstring), and comment nodes
  const char* expression_statement;
  std::vector<const char*> string_literals;  // literal nodes treated as one core range, not descended
  std::vector<const char*> comments;
  std::vector<const char*> delimiters;       // pure delimiters: not core logic tokens
  std::vector<const char*> non_core_tokens;  // e.g. line continuation
  // --- def-use ---
  std::vector<RoleEntry> roles;
  std::vector<const char*> target_containers;     // destructuring nodes whose children are targets
  std::vector<const char*> parameter_containers;  // parameter nodes/lists whose names the header defines
  const char* else_clause;                        // the exhaustive alternative of a branch / loop else / try else
  const char* finally_clause;                     // try's finally
  const char* dotted_name;                        // a.b.c name path (imports, match value patterns)
  const char* aliased_import;                     // `x as y` in imports (field `alias`)
  std::vector<const char*> pattern_keyword;       // match: `k=pattern` (the first name is a keyword, not a binding)
  std::vector<const char*> pattern_class;         // match: Class(...) (the class name is a use)
  const char* pattern_wildcard;                   // match: the name that binds nothing ("_")
  // --- segmenter ---
  // Accept an untagged fenced block / a bare response as this language (tree already parsed).
  bool (*accept_untagged)(TSNode root);
  // Cheap lexical pre-check before parsing an untagged block / bare response (false: certainly
  // not this language, skip the parse; error recovery on prose is the slowest thing tree-sitter does).
  bool (*maybe_untagged)(std::string_view text);
  // Statements the grammar accepts for error recovery or legacy dialects but that are not valid in
  // the language as trained on (Python 2 `print x` / `exec x`): flagged like parse errors.
  std::vector<const char*> invalid_statements;
  // How messages name the language ("Python"); the canonical `name` is the segment tag.
  const char* display_name;
  // Registered only for tests (CODEBLOCK_TEST_LANGUAGES=1 at addon load; docs/languages.md).
  bool test_only = false;
  // --- brace languages (every field below is unused by Python) ---
  Scoping scoping = Scoping::Python;
  // The token that opens a body node ("{"): a header runs through it. nullptr: headers end at header_terminator.
  const char* body_open = nullptr;
  // Anonymous keyword tokens inside a compound statement that start a clause (Java's `else`, which has no
  // clause node): the clause header runs from the keyword through the next body's opening token.
  std::vector<const char*> clause_keywords;
  // Expressions with a block body (arrow functions, lambdas, closures): a simple statement holding one splits
  // into a header through the body's opening token, the body's items, and clause items between later bodies.
  // The body is the child in field `body`; for a node without one (Go's struct_type, interface_type) it is the
  // first named child that is a body, else the node itself when the body-opening token is its child, and such
  // a type body splits the statement only when it holds a named child (`interface{}` stays in its statement).
  std::vector<const char*> block_lambdas;
  // Fields of a compound statement whose child is header, never body (a for loop's initializer).
  std::vector<const char*> header_fields;
  // Lexical def-use tables (Scoping::Lexical).
  std::vector<ScopeEntry> scopes;
  std::vector<DeclEntry> declarations;
  std::vector<MemberEntry> members;
  std::vector<const char*> declarator_wrappers;  // pointer_declarator, init_declarator, ... (see DeclEntry)
  std::vector<const char*> function_scoped;      // declarations whose declarators bind in the function scope
  std::vector<const char*> hoisted;              // declarations visible in their whole scope (functions, members);
                                                 // a hoisted child without declarations of its own (Go's
                                                 // var_spec_list) hoists its children in turn
  // Lexical pre-check score for untagged blocks (0: certainly not this language). Detection parses the
  // candidates in descending score order (registry order breaks ties) and takes the first clean parse that
  // accept_untagged admits. nullptr: maybe_untagged decides, scoring 1.
  int (*untagged_score)(std::string_view text) = nullptr;
  // Keyword-bodied languages (Ruby, Bash): further tokens than body_open that open a body node (`do`, `then`);
  // a body without an opening token starts after the end of the token before it (the header's last token).
  std::vector<const char*> body_open_more;
  // Every child before a compound statement's or clause's header_terminator token is header, statements
  // included (Bash `elif cmd; then`, whose condition has no field).
  bool header_through_terminator = false;
  // Identifier node types that the Local / Assign / Capture / Global targets make local variables (empty:
  // every type): PHP `variable_name`, Ruby `identifier` (Ruby constants stay visible inside methods).
  std::vector<const char*> local_names;
  // Lexical def-use: (node type, field) pairs whose name lives in a separate function namespace (Java: a
  // method `size()` and a field `size` do not shadow each other): method declarations and unqualified calls.
  // only_with_object is unused here. Empty: one namespace.
  std::vector<MemberEntry> function_names;
  // Lexical def-use: qualified names without fields (Java's `Map.Entry` type): named children after the first
  // are member names, not uses.
  std::vector<const char*> qualified_names;
  // Parameter lists nested in a declarator (C/C++ `function_declarator`). When a scope node's name lies in a
  // declarator (a DeclTarget::Enclosing field holding wrappers), that declarator is walked in the node's own
  // scope: its names are not uses, and these lists' declarations bind in that scope (a function definition's
  // parameters). Met anywhere else (a prototype) they are ordinary nodes, a scope if `scopes` names them.
  std::vector<const char*> parameter_lists;
  // Function bodies are resolved where they stand (C, C++: a name must be declared before its use), except
  // those directly in a Class scope, which wait until the enclosing scopes are complete (C++ member functions
  // see every member). false: every function body waits (JavaScript hoisting).
  bool in_place_bodies = false;
  // A simple statement split at block lambdas ends with a clause item from the last body's end (C's
  // `typedef struct {...} Box;`: `} Box;` declares Box). false: the rest belongs to no item (JavaScript `});`).
  bool block_lambda_tail = false;
  // --- optional rules added for Go and Rust (every default is off; other languages are unaffected) ---
  // Declarations whose names come into scope after their value (the child in field `value` / `right`): Go
  // `x := x + 1` and Rust `let x = x + 1` read the outer x.
  std::vector<const char*> declare_after = {};
  // Declarations whose names already bound in the same scope are uses of that binding, not new ones (Go
  // `a, err := f()` after an earlier err). For this rule a function's body block and its parameters are one
  // scope, as in Go.
  std::vector<const char*> redeclare_reuses = {};
  // Import nodes that, without a `name` field child, declare the last element of the string in field `path`
  // (Go `import "net/http"` binds http; a trailing major version element vN is skipped).
  std::vector<const char*> import_paths = {};
  // A name that never binds and is never a use (Go's and Rust's "_" where the grammar makes it an identifier).
  const char* blank_name = nullptr;
  // Nodes whose identifiers are neither uses nor declarations (Rust labels and lifetimes).
  std::vector<const char*> no_uses = {};
  // Expression languages (Rust): a named child of a body that is not a statement is one simple item (a block's
  // tail expression), and so is the named child after a clause's header terminator (a match arm's value).
  bool expression_bodies = false;
  // --- optional brace-language rules (default off) ---
  // Anonymous tokens that end a simple statement when they directly follow it in a body (TypeScript's `;` / `,`
  // after class fields and interface members, which the grammars put in the body, not in the member).
  std::vector<const char*> member_terminators = {};
  // Named nodes of a body that belong to the statement after them (decorators before a class method): that
  // statement's first item starts at the first of them.
  std::vector<const char*> leading_siblings = {};
  // Wrapper statements with no field for what they wrap (TypeScript `declare ...`): their first named child is
  // the wrapped statement, as decorated_field's child is for decorated_wrapper.
  std::vector<const char*> statement_wrappers = {};
  // A compound statement with no body part (`declare module "m";`, a bodiless declaration) is one simple item.
  bool bodiless_compound_simple = false;
  // Destructuring `key: target` nodes (JS pair_pattern): the `value` child is a target, the rest is not.
  std::vector<const char*> pattern_pairs = {};
  // A name declared again in the same scope keeps its first declaration (JS `var`, TS overloads and merged
  // declarations: the compiler's symbol is the first declaration's).
  bool keep_first_declaration = false;
  // Names of this node type (TypeScript's type_identifier) live in a name space of their own, declared and used
  // as types; a use found in neither scope chain of its own space falls back to the other (a class declares a
  // type name and is used as a value, an import declares a value name and is used as a type).
  const char* type_namespace = nullptr;
  // --- optional rules added for CSS (every default is off; other languages are unaffected) ---
  // The declaration targets that bind (nullptr: every one); a refused target is a use instead. CSS: only
  // custom properties (`--x: 1`) and @keyframes names bind, `color: red` declares nothing.
  bool (*binds_name)(TSNode id, std::string_view name) = nullptr;
  // --- injections (every default is off; core/inject.cc) ---
  // A host-only language (HTML): its segments are never itemized; they are cut around their injections, which
  // are segments of their own (the markup pieces keep this language's tag, code that is never itemized).
  bool host_only = false;
  std::vector<InjectionRule> injections = {};
  // Text of a host-only language inside this one's segments (PHP's inline HTML, outside `<?php ... ?>`):
  // hosted_ranges appends its non-blank [begin, end) byte ranges, in order, disjoint. The segment is cut there
  // (core/inject.cc): each range is a segment of `hosted_language` (a host-only language's canonical name, so
  // its injections become segments of their own), each piece between them a segment of this language, parsed
  // on its own (def-use runs across a language's segments in order, so names still flow between the pieces).
  void (*hosted_ranges)(std::string_view text, std::vector<std::pair<uint32_t, uint32_t>>& out) = nullptr;
  const char* hosted_language = nullptr;
};

// Registered languages (immutable tables), in detection order. The test-only entries join them when
// the environment variable CODEBLOCK_TEST_LANGUAGES is "1" when the addon first uses the registry.
const std::vector<const LanguageTables*>& registered_languages();
// Find by canonical name or fence alias (lower-case); nullptr when not registered.
const LanguageTables* find_language(std::string_view tag);

extern const LanguageTables kPythonTables;
extern const LanguageTables kJavaScriptTables;
extern const LanguageTables kGoTables;
extern const LanguageTables kRustTables;
extern const LanguageTables kPhpTables;
extern const LanguageTables kRubyTables;
extern const LanguageTables kBashTables;
extern const LanguageTables kJavaTables;
extern const LanguageTables kCSharpTables;
extern const LanguageTables kCTables;
extern const LanguageTables kCppTables;
extern const LanguageTables kTypeScriptTables;
extern const LanguageTables kTsxTables;
extern const LanguageTables kCssTables;
extern const LanguageTables kHtmlTables;

}  // namespace codeblock
