// Language registry: everything the language-neutral structure engine needs to know about one
// tree-sitter grammar, as capability parts of node-type tables. Adding a language = one new
// native/lang/<lang>.cc that fills a LanguageTables, plus one line in registry.cc. See docs/languages.md.
#pragma once
#include <tree_sitter/api.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lang/parts/defuse.h"
#include "lang/parts/detection.h"
#include "lang/parts/injections.h"
#include "lang/parts/items.h"
#include "lang/rules.h"

namespace codeblock {

// A language is its identity plus one value per capability part, each in its own header under
// native/lang/parts/ and resolved and run by its own engine file (docs/architecture.md, "Add a language"):
//   detection  parts/detection.h   native/core/detect.cc
//   items      parts/items.h       native/core/items.cc, items_braced.cc
//   def-use    parts/defuse.h      native/core/defuse_resolve.cc, defuse.cc, defuse_lexical.cc
//   injections parts/injections.h  native/core/inject.cc
// Code a part needs beyond node-type tables is a named rule (lang/rules.h), resolved in one place.
struct LanguageTables {
  const char* name = nullptr;                     // canonical lang tag, e.g. "python"
  const TSLanguage* (*language)(void) = nullptr;  // tree_sitter_<lang>
  // Named rule (rules.h, CostRule): work units a parse of a text costs beyond the parser's operations, for a
  // grammar whose external scanner does work the operations do not count (HTML: its tag stack, walked on every
  // token, makes deeply nested unclosed tags quadratic). Charged before the parse (core/parse.cc).
  const char* parse_cost_rule = nullptr;
  std::vector<const char*> fence_aliases;  // lower-case fence info words mapping to this language
  const char* display_name = nullptr;      // how messages name the language ("Python")
  // Registered only for tests (CODEBLOCK_TEST_LANGUAGES=1 at addon load; docs/languages.md).
  bool test_only = false;
  DetectionPart detect;
  ItemsPart items;
  DefUsePart defuse;
  InjectionPart inject;
};

// Registered languages (immutable tables), in detection order. The test-only entries join them when
// the environment variable CODEBLOCK_TEST_LANGUAGES is "1" when the addon first uses the registry.
const std::vector<const LanguageTables*>& registered_languages();
// Find by canonical name or fence alias (lower-case); nullptr when not registered.
const LanguageTables* find_language(std::string_view tag);

}  // namespace codeblock
