// Capability part "def-use" of a language (docs/languages.md, "Def-use"): which identifiers bind and
// which use them. Resolved by native/core/defuse_resolve.cc (resolve_defuse) and run by
// native/core/defuse.cc (Scoping::Python: reaching definitions) or defuse_lexical.cc (Scoping::Lexical:
// block-scoped name binding). Every optional field defaults to off.
#pragma once
#include <cstdint>
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
  // variables (see LexScope::Isolated and DefUsePart::local_names):
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

struct DefUsePart {
  Scoping scoping = Scoping::Python;
  // Both engines: identifier node types (DuRole::Identifier) and, for Scoping::Python, every other role.
  std::vector<RoleEntry> roles;
  std::vector<const char*> target_containers;     // destructuring nodes whose children are targets
  std::vector<const char*> parameter_containers;  // parameter nodes/lists whose names the header defines

  // --- Scoping::Python (defuse.cc) ---
  const char* else_clause = nullptr;         // the exhaustive alternative of a branch / loop else / try else
  const char* finally_clause = nullptr;      // try's finally
  const char* dotted_name = nullptr;         // a.b.c name path (imports, match value patterns)
  const char* aliased_import = nullptr;      // `x as y` in imports (field `alias`)
  std::vector<const char*> pattern_keyword;  // match: `k=pattern` (the first name is a keyword, not a binding)
  std::vector<const char*> pattern_class;    // match: Class(...) (the class name is a use)
  const char* pattern_wildcard = nullptr;    // match: the name that binds nothing ("_")

  // --- Scoping::Lexical (defuse_lexical.cc) ---
  std::vector<ScopeEntry> scopes;
  std::vector<DeclEntry> declarations;
  std::vector<MemberEntry> members;
  std::vector<const char*> declarator_wrappers;  // pointer_declarator, init_declarator, ... (see DeclEntry)
  std::vector<const char*> function_scoped;      // declarations whose declarators bind in the function scope
  std::vector<const char*> hoisted;              // declarations visible in their whole scope (functions, members);
                                                 // a hoisted child without declarations of its own (Go's
                                                 // var_spec_list) hoists its children in turn
  // Identifier node types that the Local / Assign / Capture / Global targets make local variables (empty:
  // every type): PHP `variable_name`, Ruby `identifier` (Ruby constants stay visible inside methods).
  std::vector<const char*> local_names;
  // (node type, field) pairs whose name lives in a separate function namespace (Java: a method `size()` and a
  // field `size` do not shadow each other): method declarations and unqualified calls. only_with_object is
  // unused here. Empty: one namespace.
  std::vector<MemberEntry> function_names;
  // Qualified names without fields (Java's `Map.Entry` type): named children after the first are member names,
  // not uses.
  std::vector<const char*> qualified_names;
  // Parameter lists nested in a declarator (C/C++ `function_declarator`). When a scope node's name lies in a
  // declarator (a DeclTarget::Enclosing field holding wrappers), that declarator is walked in the node's own
  // scope: its names are not uses, and these lists' declarations bind in that scope (a function definition's
  // parameters). Met anywhere else (a prototype) they are ordinary nodes, a scope if `scopes` names them.
  std::vector<const char*> parameter_lists;
  // Function bodies are resolved where they stand (a name must be declared before its use), except those
  // directly in a Class scope, which wait until the enclosing scopes are complete (C++ member functions see
  // every member). false: every function body waits (JavaScript hoisting).
  bool in_place_bodies = false;
  // Declarations whose names come into scope after their value (the child in field `value` / `right`): Go
  // `x := x + 1` and Rust `let x = x + 1` read the outer x.
  std::vector<const char*> declare_after;
  // Declarations whose names already bound in the same scope are uses of that binding, not new ones (Go
  // `a, err := f()` after an earlier err). For this rule a function's body block and its parameters are one
  // scope.
  std::vector<const char*> redeclare_reuses;
  // Import nodes that, without a `name` field child, declare the last element of the string in field `path`
  // (Go `import "net/http"` binds http; a trailing major version element vN is skipped).
  std::vector<const char*> import_paths;
  // A name that never binds and is never a use ("_" where the grammar makes it an identifier).
  const char* blank_name = nullptr;
  // Nodes whose identifiers are neither uses nor declarations (labels and lifetimes).
  std::vector<const char*> no_uses;
  // Destructuring `key: target` nodes (JS pair_pattern): the `value` child is a target, the rest is not.
  std::vector<const char*> pattern_pairs;
  // A name declared again in the same scope keeps its first declaration (JS `var`, TS overloads and merged
  // declarations: the compiler's symbol is the first declaration's).
  bool keep_first_declaration = false;
  // Names of this node type (TypeScript's type_identifier) live in a name space of their own, declared and used
  // as types; a use found in neither scope chain of its own space falls back to the other (a class declares a
  // type name and is used as a value, an import declares a value name and is used as a type).
  const char* type_namespace = nullptr;
  // Named rule (native/lang/rules.h, kind BindsRule) deciding which declaration targets bind (nullptr: every
  // one); a refused target is a use instead. CSS "css-binds": only custom properties and @keyframes names.
  const char* binds_rule = nullptr;
  // Names are compared case-insensitively (ASCII; SQL's unquoted identifiers).
  bool fold_case_names = false;
  // Declaring nodes (a DeclEntry without a field, a declarator wrapper, a target container) of these types bind
  // only their first named child that can bind (an identifier, wrapper, target container or pattern pair); their
  // other named children are uses. For grammars that put a declared name, its type and its value side by side
  // without fields (Kotlin: `parameter (identifier) (user_type)`, `property_declaration (variable_declaration)
  // value`, `class_parameter (identifier) (user_type) default`).
  std::vector<const char*> first_name_binds;
};

}  // namespace codeblock
