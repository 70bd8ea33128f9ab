// C++ (tree-sitter-cpp 0.23) node-type tables: C's (c.cc) plus namespaces, classes (access specifiers are
// items; member functions see every member: their bodies are resolved once the class is complete, and
// members used without `this->` resolve to the class scope), templates (the header starts at `template`),
// lambdas with a block body, range-for, try/catch, using declarations and aliases. Qualified names
// (`a::b`) are looked up by their last name only; `obj.m` / `p->m` member names are not uses.
#include "lang/cpp.h"

#include "lang/c.h"
#include "lang/detect.h"

namespace codeblock {
namespace {

LanguageTables make_cpp() {
  LanguageTables t = c_like_tables();
  t.name = "cpp";
  t.language = tree_sitter_cpp;
  t.fence_aliases = {"cpp", "c++", "cxx", "cc", "hpp", "h++", "arduino", "ino"};
  auto add = [](std::vector<const char*>& v, std::initializer_list<const char*> xs) { v.insert(v.end(), xs); };
  add(t.items.simple_statements,
      {"alias_declaration", "using_declaration", "static_assert_declaration", "throw_statement", "co_return_statement",
       "co_yield_statement", "namespace_alias_definition", "access_specifier", "friend_declaration",
       "template_instantiation", "concept_definition", "template_declaration"});
  add(t.items.compound_statements, {"namespace_definition", "class_specifier", "try_statement", "for_range_loop"});
  add(t.items.clauses, {"catch_clause"});
  add(t.items.definition_items, {"class_specifier", "namespace_definition"});
  add(t.items.block_lambdas, {"class_specifier", "lambda_expression"});
  t.items.decorated_wrapper = "template_declaration";
  t.items.decorated_field = nullptr;  // the wrapped declaration: the last named child
  t.items.delimiters.push_back("::");
  t.defuse.roles.push_back({"field_identifier", DuRole::Identifier});
  t.defuse.roles.push_back({"namespace_identifier", DuRole::Identifier});
  t.display_name = "C++";
  t.defuse.scopes.push_back({"lambda_expression", LexScope::Function});
  t.defuse.scopes.push_back({"for_range_loop", LexScope::Block});
  t.defuse.scopes.push_back({"catch_clause", LexScope::Block});
  t.defuse.scopes.push_back({"field_declaration_list", LexScope::Class});
  add(t.defuse.declarator_wrappers,
      {"reference_declarator", "abstract_function_declarator", "structured_binding_declarator", "variadic_declarator"});
  t.defuse.target_containers.push_back("parameter_list");  // catch (const E& e): e binds in the catch scope
  t.defuse.declarations.insert(
      t.defuse.declarations.end(),
      {{"field_declaration", "declarator", DeclTarget::Block},
       {"class_specifier", "name", DeclTarget::Block, "body"},
       {"namespace_definition", "name", DeclTarget::Block},  // not a scope: members stay visible (`ns::f`)
       {"alias_declaration", "name", DeclTarget::Block},
       {"optional_parameter_declaration", "declarator", DeclTarget::Block},
       {"variadic_parameter_declaration", "declarator", DeclTarget::Block},
       {"type_parameter_declaration", nullptr, DeclTarget::Block},
       {"variadic_type_parameter_declaration", nullptr, DeclTarget::Block},
       {"optional_type_parameter_declaration", "name", DeclTarget::Block},
       {"lambda_expression", "declarator", DeclTarget::Enclosing},
       {"for_range_loop", "declarator", DeclTarget::Block},
       {"catch_clause", "parameters", DeclTarget::Block}});
  // C++ only on C++ signals: C code stays C (C comes first in the registry).
  t.detect.cues = {{Cue::Each,
                    1,
                    {"std::", "cout", "cin >>", "template <", "template<", "nullptr", "::", "#include <iostream>",
                     "#include <vector>", "#include <string>", "public:", "private:", "auto "},
                    true},
                   {Cue::LineStart, 2, {"#include", "class ", "namespace ", "using namespace", "template"}}};
  t.detect.bonus_from = 1;
  t.detect.cap_without_distinctive = 0;
  return t;
}

}  // namespace

extern const LanguageTables kCppTables = make_cpp();

}  // namespace codeblock
