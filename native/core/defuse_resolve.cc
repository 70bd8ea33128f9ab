// The def-use part of a language (lang/parts/defuse.h) resolved to symbol ids, for defuse.cc
// (Scoping::Python) and defuse_lexical.cc (Scoping::Lexical).
#include "core/structure_internal.h"

namespace codeblock {
namespace structure {

void resolve_defuse(const PartResolver& P, const DefUsePart& d) {
  Resolved& R = P.R;
  const uint32_t count = P.count;
  R.role.assign(count, DuRole::None);
  for (auto* v :
       {&R.is_else, &R.is_finally, &R.is_dotted, &R.is_aliased, &R.is_wrapper, &R.is_fn_scoped, &R.is_hoisted,
        &R.scope_kind, &R.is_local_name, &R.is_param_list, &R.is_pattern_pair, &R.is_type_name, &R.is_declare_after,
        &R.is_redeclare_reuse, &R.is_import_path, &R.is_no_uses, &R.is_qualified, &R.is_first_name})
    v->assign(count, 0);
  P.mark(d.target_containers, kTargetContainer);
  P.mark(d.parameter_containers, kParamContainer);
  P.mark(d.pattern_keyword, kPatKeyword);
  P.mark(d.pattern_class, kPatClass);
  P.flag(d.else_clause, R.is_else);
  P.flag(d.finally_clause, R.is_finally);
  P.flag(d.dotted_name, R.is_dotted);
  P.flag(d.aliased_import, R.is_aliased);
  P.flags(d.local_names, R.is_local_name);
  P.flags(d.declarator_wrappers, R.is_wrapper);
  P.flags(d.function_scoped, R.is_fn_scoped);
  P.flags(d.hoisted, R.is_hoisted);
  P.flags(d.declare_after, R.is_declare_after);
  P.flags(d.redeclare_reuses, R.is_redeclare_reuse);
  P.flags(d.import_paths, R.is_import_path);
  P.flags(d.no_uses, R.is_no_uses);
  P.flags(d.parameter_lists, R.is_param_list);
  P.flags(d.pattern_pairs, R.is_pattern_pair);
  P.flag(d.type_namespace, R.is_type_name);
  P.flags(d.qualified_names, R.is_qualified);
  P.flags(d.first_name_binds, R.is_first_name);
  for (const RoleEntry& e : d.roles) P.each_symbol(e.type, [&](uint32_t s) { R.role[s] = e.role; });
  for (const ScopeEntry& e : d.scopes)
    P.each_symbol(e.type, [&](uint32_t s) { R.scope_kind[s] = static_cast<uint8_t>(1 + static_cast<int>(e.kind)); });
  R.decls.assign(count, {});
  for (const DeclEntry& e : d.declarations) {
    TSFieldId f = e.field ? P.field(e.field) : 0;
    TSFieldId w = e.when_field ? P.field(e.when_field) : 0;
    if ((e.field && !f) || (e.when_field && !w)) continue;  // a field this grammar does not have
    P.each_symbol(e.type, [&](uint32_t s) { R.decls[s].push_back(Resolved::Decl{f, e.target, w}); });
  }
  R.function_names.assign(count, {});
  for (const MemberEntry& e : d.function_names) {
    TSFieldId f = P.field(e.field);
    if (!f) continue;
    P.each_symbol(e.type, [&](uint32_t s) { R.function_names[s].push_back(f); });
  }
  R.members.assign(count, {});
  for (const MemberEntry& e : d.members) {
    TSFieldId f = P.field(e.field);
    if (!f) continue;
    P.each_symbol(e.type, [&](uint32_t s) { R.members[s].push_back(Resolved::Member{f, e.only_with_object}); });
  }
  R.binds = P.rule(d.binds_rule, &NamedRule::binds);
}

}  // namespace structure
}  // namespace codeblock
