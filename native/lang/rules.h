// Named rules: the only code a language file may hand to the engine. A part names a rule ("css-binds");
// the language file that defines it registers it once (CODEBLOCK_RULE); the engine resolves every name
// when it resolves the language's parts (find_rule, once per language at first use) and refuses an unknown
// name or a rule of the wrong kind (an assertion: a registry bug, not a user error).
// Rule kinds, and the part field that names them:
//   AcceptRule    DetectionPart::accept_rule     a clean parse of an untagged block is real code of the language
//   PrefilterRule DetectionPart::prefilter_rule  yes/no lexical pre-check (gate languages: Python)
//   ScoreRule     DetectionPart::score_rule      a lexical score added to the shared features' score
//   BindsRule     DefUsePart::binds_rule         a declaration target binds (else it is a use)
//   InjectRule    InjectionEntry::rule           the language of an injected range (nullptr: none)
//   HostedRule    InjectionPart::hosted_rule     byte ranges of hosted text (PHP's inline HTML)
//   CostRule      LanguageTables::parse_cost_rule work units of a parse that its operations do not count
#pragma once
#include <tree_sitter/api.h>

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace codeblock {

using AcceptRule = bool (*)(TSNode root);
using PrefilterRule = bool (*)(std::string_view text);
using ScoreRule = int (*)(std::string_view text);
using BindsRule = bool (*)(TSNode id, std::string_view name);
// host: the injection's host node; text: the whole segment text the tree was parsed from (host offsets
// are relative to it). Returns a canonical language name or fence alias, nullptr for "not injected".
using InjectRule = const char* (*)(TSNode host, std::string_view text);
using CostRule = uint64_t (*)(std::string_view text);
// Appends the non-blank [begin, end) byte ranges of hosted text in `text` (a segment), in order, disjoint.
using HostedRule = void (*)(std::string_view text, std::vector<std::pair<uint32_t, uint32_t>>& out);

struct NamedRule {
  const char* name;
  AcceptRule accept = nullptr;
  PrefilterRule prefilter = nullptr;
  ScoreRule score = nullptr;
  BindsRule binds = nullptr;
  InjectRule inject = nullptr;
  HostedRule hosted = nullptr;
  CostRule cost = nullptr;
};

// A NamedRule of the kind of fn: CODEBLOCK_RULE(named_rule("css-binds", css_binds_name)).
inline NamedRule named_rule(const char* name, AcceptRule fn) {
  NamedRule r{name};
  r.accept = fn;
  return r;
}
inline NamedRule named_rule(const char* name, PrefilterRule fn) {
  NamedRule r{name};
  r.prefilter = fn;
  return r;
}
inline NamedRule named_rule(const char* name, ScoreRule fn) {
  NamedRule r{name};
  r.score = fn;
  return r;
}
inline NamedRule named_rule(const char* name, BindsRule fn) {
  NamedRule r{name};
  r.binds = fn;
  return r;
}
inline NamedRule named_rule(const char* name, InjectRule fn) {
  NamedRule r{name};
  r.inject = fn;
  return r;
}
inline NamedRule named_rule(const char* name, CostRule fn) {
  NamedRule r{name};
  r.cost = fn;
  return r;
}
inline NamedRule named_rule(const char* name, HostedRule fn) {
  NamedRule r{name};
  r.hosted = fn;
  return r;
}

// Registers a rule (static initialization of the defining language file); returns true.
bool register_rule(const NamedRule& rule);
// The rule of that name, nullptr when none is registered. Call only after static initialization.
const NamedRule* find_rule(std::string_view name);

}  // namespace codeblock

#define CODEBLOCK_RULE_CAT2(a, b) a##b
#define CODEBLOCK_RULE_CAT(a, b) CODEBLOCK_RULE_CAT2(a, b)
// In a language file, at namespace scope: CODEBLOCK_RULE(named_rule("css-binds", css_binds_name));
#define CODEBLOCK_RULE(...) \
  static const bool CODEBLOCK_RULE_CAT(codeblock_rule_registered_, __LINE__) = ::codeblock::register_rule(__VA_ARGS__)
