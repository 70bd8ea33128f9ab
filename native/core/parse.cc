// The language tables resolved to symbol ids, the per-thread parser and the per-record parse
// work of each parse, charged to the record's work meter (core/work.h; docs/structure.md, "Work budget").
#include <algorithm>
#include <cstring>

#include "core/structure_internal.h"

namespace codeblock {
namespace structure {
namespace {

Resolved resolve(const LanguageTables* t) {
  Resolved R;
  R.t = t;
  R.lang = t->language();
  uint32_t count = ts_language_symbol_count(R.lang);
  R.cls.assign(count, 0);
  R.role.assign(count, DuRole::None);
  R.is_decorated.assign(count, 0);
  R.is_expr_stmt.assign(count, 0);
  R.is_else.assign(count, 0);
  R.is_finally.assign(count, 0);
  R.is_dotted.assign(count, 0);
  R.is_aliased.assign(count, 0);
  auto mark = [&](const std::vector<const char*>& names, uint16_t bit) {
    for (uint32_t s = 0; s < count; s++) {
      const char* nm = ts_language_symbol_name(R.lang, static_cast<TSSymbol>(s));
      if (!nm) continue;
      for (const char* x : names)
        if (std::strcmp(nm, x) == 0) R.cls[s] |= bit;
    }
  };
  auto mark1 = [&](const char* name, std::vector<uint8_t>& v) {
    if (!name) return;
    for (uint32_t s = 0; s < count; s++) {
      const char* nm = ts_language_symbol_name(R.lang, static_cast<TSSymbol>(s));
      if (nm && std::strcmp(nm, name) == 0) v[s] = 1;
    }
  };
  mark(t->simple_statements, kSimple);
  mark(t->compound_statements, kCompound);
  mark(t->clauses, kClause);
  mark(t->bodies, kBody);
  mark(t->definition_items, kDefinition);
  mark(t->string_literals, kString);
  mark(t->comments, kComment);
  mark(t->delimiters, kDelim);
  mark(t->non_core_tokens, kNonCore);
  mark(t->target_containers, kTargetContainer);
  mark(t->parameter_containers, kParamContainer);
  if (t->header_terminator) mark({t->header_terminator}, kHeaderEnd);
  mark(t->pattern_keyword, kPatKeyword);
  mark(t->pattern_class, kPatClass);
  mark1(t->decorated_wrapper, R.is_decorated);
  mark1(t->expression_statement, R.is_expr_stmt);
  mark1(t->else_clause, R.is_else);
  mark1(t->finally_clause, R.is_finally);
  mark1(t->dotted_name, R.is_dotted);
  mark1(t->aliased_import, R.is_aliased);
  for (auto* v : {&R.is_body_open, &R.is_clause_kw, &R.is_block_lambda, &R.is_wrapper, &R.is_fn_scoped, &R.is_hoisted,
                  &R.scope_kind, &R.is_local_name, &R.is_param_list, &R.is_member_term, &R.is_leading,
                  &R.is_stmt_wrapper, &R.is_pattern_pair, &R.is_type_name})
    v->assign(count, 0);
  R.decls.assign(count, {});
  R.members.assign(count, {});
  auto mark_all = [&](const std::vector<const char*>& names, std::vector<uint8_t>& v) {
    for (const char* x : names) mark1(x, v);
  };
  mark1(t->body_open, R.is_body_open);
  mark_all(t->body_open_more, R.is_body_open);
  mark_all(t->local_names, R.is_local_name);
  mark_all(t->clause_keywords, R.is_clause_kw);
  mark_all(t->block_lambdas, R.is_block_lambda);
  mark_all(t->declarator_wrappers, R.is_wrapper);
  mark_all(t->function_scoped, R.is_fn_scoped);
  mark_all(t->hoisted, R.is_hoisted);
  for (auto* v : {&R.is_declare_after, &R.is_redeclare_reuse, &R.is_import_path, &R.is_no_uses}) v->assign(count, 0);
  mark_all(t->declare_after, R.is_declare_after);
  mark_all(t->redeclare_reuses, R.is_redeclare_reuse);
  mark_all(t->import_paths, R.is_import_path);
  mark_all(t->no_uses, R.is_no_uses);
  mark_all(t->parameter_lists, R.is_param_list);
  mark_all(t->member_terminators, R.is_member_term);
  mark_all(t->leading_siblings, R.is_leading);
  mark_all(t->statement_wrappers, R.is_stmt_wrapper);
  mark_all(t->pattern_pairs, R.is_pattern_pair);
  mark1(t->type_namespace, R.is_type_name);
  for (const RoleEntry& e : t->roles)
    for (uint32_t s = 0; s < count; s++) {
      const char* nm = ts_language_symbol_name(R.lang, static_cast<TSSymbol>(s));
      if (nm && std::strcmp(nm, e.type) == 0) R.role[s] = e.role;
    }
  auto fid = [&](const char* f) {
    return ts_language_field_id_for_name(R.lang, f, static_cast<uint32_t>(std::strlen(f)));
  };
  R.f_decorated = t->decorated_field ? fid(t->decorated_field) : 0;
  R.f_left = fid("left");
  R.f_right = fid("right");
  R.f_name = fid("name");
  R.f_value = fid("value");
  R.f_alias = fid("alias");
  R.f_parameters = fid("parameters");
  R.f_body = fid("body");
  R.f_object = fid("object");
  R.f_receiver = fid("receiver");
  R.f_type = fid("type");
  R.f_return_type = fid("return_type");
  R.f_superclasses = fid("superclasses");
  R.f_declarator = fid("declarator");
  R.f_pattern = fid("pattern");
  R.f_path = fid("path");
  for (const char* h : t->header_fields)
    if (TSFieldId f = fid(h)) R.header_fields.push_back(f);
  auto each_symbol = [&](const char* type, auto&& fn) {
    for (uint32_t s = 0; s < count; s++) {
      const char* nm = ts_language_symbol_name(R.lang, static_cast<TSSymbol>(s));
      if (nm && std::strcmp(nm, type) == 0) fn(s);
    }
  };
  for (const ScopeEntry& e : t->scopes)
    each_symbol(e.type, [&](uint32_t s) { R.scope_kind[s] = static_cast<uint8_t>(1 + static_cast<int>(e.kind)); });
  for (const DeclEntry& e : t->declarations) {
    TSFieldId f = e.field ? fid(e.field) : 0;
    TSFieldId w = e.when_field ? fid(e.when_field) : 0;
    if ((e.field && !f) || (e.when_field && !w)) continue;  // a field this grammar does not have
    each_symbol(e.type, [&](uint32_t s) { R.decls[s].push_back(Resolved::Decl{f, e.target, w}); });
  }
  R.function_names.assign(count, {});
  for (const MemberEntry& e : t->function_names) {
    TSFieldId f = fid(e.field);
    if (!f) continue;
    each_symbol(e.type, [&](uint32_t s) { R.function_names[s].push_back(f); });
  }
  R.is_qualified.assign(count, 0);
  mark_all(t->qualified_names, R.is_qualified);
  for (const MemberEntry& e : t->members) {
    TSFieldId f = fid(e.field);
    if (!f) continue;
    each_symbol(e.type, [&](uint32_t s) { R.members[s].push_back(Resolved::Member{f, e.only_with_object}); });
  }
  return R;
}

struct ThreadParser {
  TSParser* p = ts_parser_new();
  ~ThreadParser() { ts_parser_delete(p); }
};

bool progress_cb(TSParseState* st) {
  Budget* b = static_cast<Budget*>(st->payload);
  if (b->abort_on_error && st->has_error) {
    b->aborted_on_error = true;
    return true;
  }
  // tree-sitter calls this once per 100 parser operations, counted from 0 at each parse: the same
  // calls for the same text and grammar on any machine, so the charge is deterministic.
  return work_meter().charge(100 * kParseOpUnits);
}

struct StringInput {
  const char* data;
  uint32_t len;
};

const char* read_cb(void* payload, uint32_t byte, TSPoint, uint32_t* bytes_read) {
  StringInput* in = static_cast<StringInput*>(payload);
  if (byte >= in->len) {
    *bytes_read = 0;
    return "";
  }
  *bytes_read = in->len - byte;
  return in->data + byte;
}

}  // namespace

const Resolved& resolved(const LanguageTables* t) {
  static const std::vector<Resolved> all = [] {
    std::vector<Resolved> v;
    for (const LanguageTables* l : registered_languages()) v.push_back(resolve(l));
    return v;
  }();
  for (const Resolved& r : all)
    if (r.t == t) return r;
  return all.front();
}

// nullptr when the work meter stopped (see structure_internal.h).
TreePtr parse(const Resolved& R, std::string_view text, Budget& budget) {
  thread_local ThreadParser tp;
  ts_parser_set_language(tp.p, R.lang);
  StringInput in{text.data(), static_cast<uint32_t>(text.size())};
  TSInput input{&in, read_cb, TSInputEncodingUTF8, nullptr};
  // Each parse is charged its bytes (the lexer reads each at least once, and a long token is one
  // parser operation however many bytes it spans) before the parser's own operations.
  if (work_meter().charge(text.size() + kParseUnits)) return nullptr;
  TSParseOptions opts{&budget, progress_cb};
  TSTree* t = ts_parser_parse_with_options(tp.p, nullptr, input, opts);
  if (!t) ts_parser_reset(tp.p);
  return TreePtr(t);
}

}  // namespace structure
}  // namespace codeblock
