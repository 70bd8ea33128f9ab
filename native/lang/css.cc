// CSS (tree-sitter-css 0.25) node-type tables (docs/languages/css.md). Items: a rule set's header is its
// selectors through `{`; each declaration (`color: red;`) is a simple item; @media / @supports / @keyframes /
// @font-face ... headers through `{`, keyframe selectors (`from {`, `50% {`) too; @import / @charset /
// @namespace are simple items. Def-use: custom properties (`--x: 1` declares, `var(--x)` uses) and @keyframes
// names (declared by `@keyframes spin`, used by a value naming them: `animation: spin 1s`), visible in the whole
// stylesheet (CSS has no order of definition); other property names bind nothing.
#include "lang/css.h"

#include <cstring>

#include "lang/detect.h"

namespace codeblock {
namespace {

// A clean parse with at least one rule set or at-rule (a stylesheet of bare declarations is not enough).
bool css_accept_untagged(TSNode root) {
  if (ts_node_has_error(root)) return false;
  uint32_t n = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < n; i++) {
    const char* t = ts_node_type(ts_node_named_child(root, i));
    if (std::strcmp(t, "declaration") != 0 && std::strcmp(t, "comment") != 0) return true;
  }
  return false;
}

// A line that is `property: value;` (lower-case letters and `-` before the colon).
bool has_declaration_line(std::string_view t) {
  size_t i = 0, n = t.size();
  while (i < n) {
    size_t j = i;
    while (j < n && (t[j] == ' ' || t[j] == '\t')) j++;
    size_t e = j;
    while (e < n && t[e] != '\n') e++;
    size_t k = j;
    while (k < e && ((t[k] >= 'a' && t[k] <= 'z') || t[k] == '-')) k++;
    if (k > j && k < e && t[k] == ':') {
      size_t z = e;
      while (z > k && (t[z - 1] == ' ' || t[z - 1] == '\t' || t[z - 1] == '\r')) z--;
      if (z > k + 1 && t[z - 1] == ';') return true;
    }
    i = e + 1;
  }
  return false;
}

// A line ending in `{` that opens a rule (selector or at-rule): no `(`-call syntax of code before it except
// in @-rules and pseudo-classes, no `=`.
bool has_rule_line(std::string_view t) {
  size_t i = 0, n = t.size();
  while (i < n) {
    size_t j = i;
    while (j < n && (t[j] == ' ' || t[j] == '\t')) j++;
    size_t e = j;
    while (e < n && t[e] != '\n') e++;
    size_t z = e;
    while (z > j && (t[z - 1] == ' ' || t[z - 1] == '\t' || t[z - 1] == '\r')) z--;
    if (z > j + 1 && t[z - 1] == '{') {
      std::string_view line = t.substr(j, z - j);
      char c0 = line[0];
      bool selector_start =
          c0 == '.' || c0 == '#' || c0 == '@' || c0 == ':' || c0 == '*' || c0 == '[' || (c0 >= 'a' && c0 <= 'z');
      if (selector_start && line.find('=') == std::string_view::npos && line.find(';') == std::string_view::npos)
        return true;
    }
    i = e + 1;
  }
  return false;
}

// Strong signals only: a rule line (`.a > p {`) and a declaration line (`color: red;`). Score 2: ahead of
// Python; JavaScript / Python code does not parse cleanly as CSS, so it falls through.
int css_untagged_score(std::string_view t) { return has_rule_line(t) && has_declaration_line(t) ? 2 : 0; }

// Only custom properties and @keyframes names bind.
bool css_binds_name(TSNode id, std::string_view name) {
  const char* type = ts_node_type(id);
  if (std::strcmp(type, "keyframes_name") == 0) return true;
  return std::strcmp(type, "property_name") == 0 && name.size() > 2 && name[0] == '-' && name[1] == '-';
}

CODEBLOCK_RULE(named_rule("css-accept", css_accept_untagged));
CODEBLOCK_RULE(named_rule("css-score", css_untagged_score));
CODEBLOCK_RULE(named_rule("css-binds", css_binds_name));

LanguageTables css_tables() {
  LanguageTables t{};
  t.name = "css";
  t.language = tree_sitter_css;
  t.fence_aliases = {"css"};
  t.items.simple_statements = {"declaration", "import_statement", "charset_statement", "namespace_statement",
                               "postcss_statement"};
  t.items.compound_statements = {"rule_set", "media_statement", "keyframes_statement", "supports_statement",
                                 "at_rule",  "scope_statement", "keyframe_block"};
  t.items.clauses = {};
  t.items.bodies = {"block", "keyframe_block_list"};
  t.items.decorated_wrapper = nullptr;
  t.items.decorated_field = nullptr;
  t.items.header_terminator = nullptr;
  t.items.definition_items = {};
  t.items.expression_statement = nullptr;
  t.items.string_literals = {"string_value"};
  t.items.comments = {"comment", "js_comment"};
  t.items.delimiters = {"{", "}", "(", ")", ";", ",", ":"};
  t.items.non_core_tokens = {};
  t.defuse.roles = {{"property_name", DuRole::Identifier},
                    {"plain_value", DuRole::Identifier},
                    {"keyframes_name", DuRole::Identifier}};
  t.defuse.target_containers = {};
  t.defuse.parameter_containers = {};
  t.detect.accept_rule = "css-accept";
  t.display_name = "CSS";
  t.defuse.scoping = Scoping::Lexical;
  t.items.body_open = "{";
  t.items.block_lambdas = {};
  t.items.header_fields = {};
  t.defuse.scopes = {};
  t.defuse.declarations = {{"declaration", nullptr, DeclTarget::Block},
                           {"keyframes_statement", nullptr, DeclTarget::Block}};
  t.defuse.members = {};
  t.defuse.declarator_wrappers = {};
  t.defuse.function_scoped = {};
  // the whole stylesheet sees every custom property and @keyframes name
  t.defuse.hoisted = {"rule_set",           "block",   "declaration",     "keyframes_statement", "media_statement",
                      "supports_statement", "at_rule", "scope_statement", "keyframe_block",      "keyframe_block_list"};
  t.detect.cues = {{Cue::Require, 0, {"{"}}, {Cue::Require, 0, {"}"}}};
  t.detect.score_rule = "css-score";
  t.defuse.binds_rule = "css-binds";
  return t;
}

}  // namespace

extern const LanguageTables kCssTables = css_tables();

}  // namespace codeblock
