// JavaScript and JSX (tree-sitter-javascript 0.25) node-type tables. TypeScript and TSX extend
// them (typescript.cc). Scoping: lexical (let/const/class block-scoped, `var` function-scoped,
// function declarations hoisted to their block); member names after `.` are not uses.
#include "lang/javascript.h"

#include "lang/detect.h"

namespace codeblock {

// A clean parse with a declaration, import or control statement at the top, or an expression statement
// that is a call, an assignment or an `await` (`app.listen(3000, () => {...});`, `console.log(f(1));`).
bool js_accept_untagged(TSNode root) {
  return detect::clean_with_code(
      root, nullptr, "expression_statement",
      {"call_expression", "assignment_expression", "augmented_assignment_expression", "await_expression"});
}

CODEBLOCK_RULE(named_rule("javascript-accept", js_accept_untagged));

// Mongo shell calls (`db.users.find({...}).sort(...)`): JavaScript with no other JavaScript cue. Both signals
// are needed (a line opening with `db.` and a collection method), so it is a rule rather than two cues.
int js_mongo_score(std::string_view t) {
  if (!detect::line_starts(t, {"db."})) return 0;
  return detect::signals(t, {".find(", ".findOne(", ".aggregate(", ".insert", ".update", ".delete", ".remove(",
                             ".count", ".createIndex(", ".distinct(", ".drop("}) > 0
             ? 2
             : 0;
}
CODEBLOCK_RULE(named_rule("javascript-mongo", js_mongo_score));

LanguageTables javascript_like_tables() {
  LanguageTables t{};
  t.name = "javascript";
  t.language = tree_sitter_javascript;
  t.fence_aliases = {"javascript",      "js",  "jsx",        "node",    "nodejs", "mjs",    "cjs",
                     "javascriptreact", "es6", "ecmascript", "mongodb", "mongo",  "mongosh"};  // Mongo shell: JS
  t.items.simple_statements = {"expression_statement", "lexical_declaration", "variable_declaration",
                               "using_declaration",    "return_statement",    "throw_statement",
                               "break_statement",      "continue_statement",  "debugger_statement",
                               "import_statement",     "export_statement",    "field_definition"};
  t.items.compound_statements = {"if_statement",         "for_statement",
                                 "for_in_statement",     "while_statement",
                                 "do_statement",         "try_statement",
                                 "switch_statement",     "with_statement",
                                 "function_declaration", "generator_function_declaration",
                                 "class_declaration",    "method_definition",
                                 "class_static_block"};
  t.items.clauses = {"else_clause", "catch_clause", "finally_clause", "switch_case", "switch_default"};
  // a labeled statement holds its statement like a body (the label is no item, as in the compiler's tree)
  t.items.bodies = {"statement_block", "class_body", "switch_body", "program", "labeled_statement"};
  t.items.decorated_wrapper = "export_statement";
  t.items.decorated_field = "declaration";
  t.items.header_terminator = ":";
  t.items.definition_items = {"function_declaration", "generator_function_declaration", "class_declaration",
                              "method_definition"};
  t.items.expression_statement = nullptr;
  t.items.string_literals = {"string", "template_string", "regex"};
  t.items.comments = {"comment", "html_comment"};
  t.items.delimiters = {"(", ")", "[", "]", "{", "}", ",", ";", ".", ":", "${", "`", "\"", "'"};
  t.items.non_core_tokens = {"hash_bang_line"};
  t.defuse.roles = {{"identifier", DuRole::Identifier},
                    {"shorthand_property_identifier", DuRole::Identifier},
                    {"shorthand_property_identifier_pattern", DuRole::Identifier}};
  t.defuse.target_containers = {"formal_parameters", "object_pattern",     "array_pattern",
                                "rest_pattern",      "assignment_pattern", "object_assignment_pattern",
                                "namespace_import"};
  t.defuse.parameter_containers = {};
  t.detect.accept_rule = "javascript-accept";
  t.display_name = "JavaScript";
  t.defuse.scoping = Scoping::Lexical;
  t.items.body_open = "{";
  // an object literal's methods (method_definition) split their statement like function expressions
  t.items.block_lambda_tail = true;  // `}).catch(handle);` after the last lambda body is a clause item
  t.items.block_lambdas = {"arrow_function", "function_expression", "generator_function", "class", "method_definition"};
  t.items.header_fields = {"initializer", "condition", "increment"};
  t.defuse.scopes = {{"function_declaration", LexScope::Function},
                     {"generator_function_declaration", LexScope::Function},
                     {"function_expression", LexScope::Function},
                     {"generator_function", LexScope::Function},
                     {"arrow_function", LexScope::Function},
                     {"method_definition", LexScope::Function},
                     {"statement_block", LexScope::Block},
                     {"for_statement", LexScope::Block},
                     {"for_in_statement", LexScope::Block},
                     {"catch_clause", LexScope::Block},
                     {"switch_body", LexScope::Block},
                     {"class_body", LexScope::Class}};
  t.defuse.declarations = {{"variable_declarator", "name", DeclTarget::Block},
                           {"function_declaration", "name", DeclTarget::Enclosing},
                           {"generator_function_declaration", "name", DeclTarget::Enclosing},
                           {"class_declaration", "name", DeclTarget::Enclosing},
                           {"function_expression", "name", DeclTarget::Block},
                           {"generator_function", "name", DeclTarget::Block},
                           {"function_declaration", "parameters", DeclTarget::Block},
                           {"generator_function_declaration", "parameters", DeclTarget::Block},
                           {"function_expression", "parameters", DeclTarget::Block},
                           {"generator_function", "parameters", DeclTarget::Block},
                           {"arrow_function", "parameters", DeclTarget::Block},
                           {"arrow_function", "parameter", DeclTarget::Block},
                           {"method_definition", "parameters", DeclTarget::Block},
                           {"catch_clause", "parameter", DeclTarget::Block},
                           {"for_in_statement", "left", DeclTarget::Block},
                           {"import_specifier", nullptr, DeclTarget::Block},
                           {"import_clause", nullptr, DeclTarget::Block}};
  t.defuse.members = {};
  t.defuse.declarator_wrappers = {};
  t.defuse.function_scoped = {"variable_declaration"};
  t.defuse.hoisted = {"function_declaration", "generator_function_declaration", "class_declaration",
                      "export_statement"};
  // `console.log(` weighs two: Python (tried first on a tie) parses `console.log(x)` too.
  t.detect.cues = {
      {Cue::Each,
       1,
       {"console.", "=>", "===", "!==", "document.", "window.", "require(", "module.exports", "addEventListener",
        "function(", "function (", ".then(", "async ", "await ", "console.log(", "fetch(", "JSON."}},
      {Cue::LineStart, 2, {"const ", "let ", "var ", "function ", "import ", "export ", "class "}}};
  t.detect.score_rule = "javascript-mongo";
  t.items.member_terminators = {";"};         // `x = 1;` in a class body: the `;` is the body's
  t.items.leading_siblings = {"decorator"};   // TypeScript puts a method's decorators in the class body
  t.defuse.pattern_pairs = {"pair_pattern"};  // { key: target }
  t.defuse.keep_first_declaration = true;     // var redeclared: one variable, its first declaration
  return t;
}

extern const LanguageTables kJavaScriptTables = javascript_like_tables();

}  // namespace codeblock
