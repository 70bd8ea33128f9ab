// TypeScript and TSX (tree-sitter-typescript 0.23) node-type tables: the JavaScript tables (javascript.cc)
// plus type annotations, interfaces, type aliases, enums, namespaces / modules, `declare`, abstract classes,
// method / property / index signatures, decorators, overloads. Types (`type_identifier`) and values have name
// spaces of their own, a use falling back to the other one (classes, enums, imports are both).
#include "lang/typescript.h"

#include "lang/detect.h"
#include "lang/javascript.h"

namespace codeblock {
namespace {

template <class T>
void append(std::vector<T>& v, std::initializer_list<T> more) {
  v.insert(v.end(), more.begin(), more.end());
}

LanguageTables typescript_like_tables(bool tsx) {
  LanguageTables t = javascript_like_tables();
  t.name = tsx ? "tsx" : "typescript";
  t.language = tsx ? tree_sitter_tsx : tree_sitter_typescript;
  t.display_name = tsx ? "TSX" : "TypeScript";
  if (tsx) t.fence_aliases = {"tsx", "typescriptreact"};
  else t.fence_aliases = {"typescript", "ts", "mts", "cts"};
  t.detect.score_rule = nullptr;  // the Mongo shell rule is JavaScript's only
  // --- items ---
  append(t.items.simple_statements,
         {"type_alias_declaration", "import_alias", "function_signature", "ambient_declaration",
          "public_field_definition", "abstract_method_signature", "method_signature", "index_signature",
          "property_signature", "call_signature", "construct_signature"});
  append(t.items.compound_statements,
         {"interface_declaration", "enum_declaration", "abstract_class_declaration", "internal_module", "module"});
  append(t.items.bodies, {"interface_body", "enum_body"});
  append(t.items.definition_items, {"abstract_class_declaration", "interface_declaration", "enum_declaration"});
  t.items.statement_wrappers = {"ambient_declaration"};  // declare const / function / class / module / global
  t.items.bodiless_compound_simple = true;               // declare module "m";
  t.items.member_terminators = {";", ","};               // class members, interface members
  // `namespace A {}` in statement position parses as an expression statement holding internal_module
  append(t.items.block_lambdas, {"internal_module"});
  // --- def-use ---
  append(t.defuse.roles, {{"type_identifier", DuRole::Identifier}});
  t.defuse.type_namespace = "type_identifier";  // `type X` and `const X` are two names; a class is found as both
  append(t.defuse.scopes, {{"function_signature", LexScope::Function},
                           {"method_signature", LexScope::Function},
                           {"abstract_method_signature", LexScope::Function},
                           {"call_signature", LexScope::Function},
                           {"construct_signature", LexScope::Function},
                           {"function_type", LexScope::Function},
                           {"constructor_type", LexScope::Function},
                           // type parameters and the names of index signatures / mapped types / infer stay inside
                           {"class_declaration", LexScope::Block},
                           {"abstract_class_declaration", LexScope::Block},
                           {"class", LexScope::Block},
                           {"interface_declaration", LexScope::Block},
                           {"type_alias_declaration", LexScope::Block},
                           {"index_signature", LexScope::Block},
                           {"conditional_type", LexScope::Block}});
  append(t.defuse.declarations, {{"interface_declaration", "name", DeclTarget::Enclosing},
                                 {"type_alias_declaration", "name", DeclTarget::Enclosing},
                                 {"abstract_class_declaration", "name", DeclTarget::Enclosing},
                                 {"enum_declaration", "name", DeclTarget::Enclosing},
                                 {"internal_module", "name", DeclTarget::Enclosing},
                                 {"module", "name", DeclTarget::Enclosing},
                                 {"function_signature", "name", DeclTarget::Enclosing},
                                 {"function_signature", "parameters", DeclTarget::Block},
                                 {"method_signature", "parameters", DeclTarget::Block},
                                 {"abstract_method_signature", "parameters", DeclTarget::Block},
                                 {"call_signature", "parameters", DeclTarget::Block},
                                 {"construct_signature", "parameters", DeclTarget::Block},
                                 {"function_type", "parameters", DeclTarget::Block},
                                 {"constructor_type", "parameters", DeclTarget::Block},
                                 {"type_parameter", "name", DeclTarget::Block},
                                 {"index_signature", "name", DeclTarget::Block},
                                 {"mapped_type_clause", "name", DeclTarget::Block},
                                 {"infer_type", nullptr, DeclTarget::Block},
                                 {"import_alias", nullptr, DeclTarget::Block},
                                 {"import_require_clause", nullptr, DeclTarget::Block}});
  // A.B in a type: B is a member of A
  t.defuse.members = {{"nested_type_identifier", "name", false}};
  // function parameters: `x: T = v`, `x?: T`, `public x: T` (the pattern binds; type, default, decorators are uses)
  t.defuse.declarator_wrappers = {"required_parameter", "optional_parameter"};
  append(t.defuse.hoisted,
         {"interface_declaration", "type_alias_declaration", "enum_declaration", "abstract_class_declaration",
          "internal_module", "module", "function_signature", "ambient_declaration"});
  // JavaScript's cues plus TypeScript's distinctive ones (type annotations and declarations JavaScript has not):
  // above JavaScript on code with them (JavaScript cannot parse it); below it otherwise (capped at 1), so that
  // plain JavaScript stays JavaScript (TypeScript parses it too). TSX: only with JSX elements and TypeScript
  // cues (it is registered after TypeScript, whose parse fails on JSX).
  t.detect.cues.push_back(
      {Cue::Each,
       1,
       {": string", ": number", ": boolean", ": void", ": any", ": unknown", ": never", "?: ", "readonly ", " as const",
        "implements ", ": Promise<", "<T>", "<T,", ": Record<", "): string", "): number", "): boolean", "): void"},
       true});
  t.detect.cues.push_back({Cue::LineStart,
                           2,
                           {"interface ", "export interface ", "type ", "export type ", "enum ", "export enum ",
                            "declare ", "namespace ", "abstract class ", "export abstract class "},
                           true});
  t.detect.bonus_from = 1;
  t.detect.cap_without_distinctive = tsx ? 0 : 1;
  if (tsx) t.detect.cues.push_back({Cue::Require, 0, {"/>", "</"}});
  return t;
}

}  // namespace

extern const LanguageTables kTypeScriptTables = typescript_like_tables(false);
extern const LanguageTables kTsxTables = typescript_like_tables(true);

}  // namespace codeblock
