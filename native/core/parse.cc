// The language tables resolved to symbol ids, the per-thread parser and the per-record parse
// work of each parse, charged to the record's work meter (core/work.h; docs/structure.md, "Work budget").
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/structure_internal.h"

namespace codeblock {
namespace structure {
namespace {

// The language-wide part of the resolution (symbol classes, common field ids), then each capability part by
// its own engine file: resolve_items (items.cc), resolve_defuse (defuse_resolve.cc), resolve_detection
// (detect.cc), resolve_injections (inject.cc).
Resolved resolve(const LanguageTables* t) {
  Resolved R;
  R.t = t;
  R.lang = t->language();
  uint32_t count = ts_language_symbol_count(R.lang);
  R.cls.assign(count, 0);
  PartResolver P{R, count};
  R.f_left = P.field("left");
  R.f_right = P.field("right");
  R.f_name = P.field("name");
  R.f_value = P.field("value");
  R.f_alias = P.field("alias");
  R.f_parameters = P.field("parameters");
  R.f_body = P.field("body");
  R.f_object = P.field("object");
  R.f_receiver = P.field("receiver");
  R.f_type = P.field("type");
  R.f_return_type = P.field("return_type");
  R.f_superclasses = P.field("superclasses");
  R.f_declarator = P.field("declarator");
  R.f_pattern = P.field("pattern");
  R.f_path = P.field("path");
  resolve_items(P, t->items);
  resolve_defuse(P, t->defuse);
  resolve_detection(P, t->detect);
  R.cost = P.rule(t->parse_cost_rule, &NamedRule::cost);
  resolve_injections(P, t->inject);
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

void PartResolver::mark(const std::vector<const char*>& names, uint16_t bit) const {
  for (uint32_t s = 0; s < count; s++) {
    const char* nm = ts_language_symbol_name(R.lang, static_cast<TSSymbol>(s));
    if (!nm) continue;
    for (const char* x : names)
      if (std::strcmp(nm, x) == 0) R.cls[s] |= bit;
  }
}

void PartResolver::flag(const char* name, std::vector<uint8_t>& v) const {
  if (!name) return;
  for (uint32_t s = 0; s < count; s++) {
    const char* nm = ts_language_symbol_name(R.lang, static_cast<TSSymbol>(s));
    if (nm && std::strcmp(nm, name) == 0) v[s] = 1;
  }
}

void PartResolver::flags(const std::vector<const char*>& names, std::vector<uint8_t>& v) const {
  for (const char* x : names) flag(x, v);
}

TSFieldId PartResolver::field(const char* f) const {
  return ts_language_field_id_for_name(R.lang, f, static_cast<uint32_t>(std::strlen(f)));
}

void PartResolver::bad_rule(const char* name) const {
  std::fprintf(stderr, "codeblock: language %s names rule %s, which is not registered with that kind\n", R.t->name,
               name);
  std::abort();  // a registry bug (native/lang/rules.h), caught by any test that loads the language
}

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
  // and what its grammar's external scanner does beyond them (LanguageTables::parse_cost_rule)
  if (R.cost && work_meter().charge(R.cost(text))) return nullptr;
  TSParseOptions opts{&budget, progress_cb};
  TSTree* t = ts_parser_parse_with_options(tp.p, nullptr, input, opts);
  if (!t) ts_parser_reset(tp.p);
  return TreePtr(t);
}

}  // namespace structure
}  // namespace codeblock
