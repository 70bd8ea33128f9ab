#include "lang/rules.h"

#include <cstdlib>
#include <cstring>
#include <vector>

namespace codeblock {
namespace {

std::vector<NamedRule>& rule_table() {
  static std::vector<NamedRule> rules;  // filled during static initialization, read-only afterwards
  return rules;
}

}  // namespace

bool register_rule(const NamedRule& rule) {
  for (const NamedRule& r : rule_table())
    if (std::strcmp(r.name, rule.name) == 0) std::abort();  // two rules of one name: a registry bug
  rule_table().push_back(rule);
  return true;
}

const NamedRule* find_rule(std::string_view name) {
  for (const NamedRule& r : rule_table())
    if (name == r.name) return &r;
  return nullptr;
}

}  // namespace codeblock
