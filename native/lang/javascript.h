// JavaScript / JSX (tree-sitter-javascript 0.25) node-type tables; TypeScript builds on them.
#pragma once
#include "lang/language.h"

extern "C" const TSLanguage* tree_sitter_javascript(void);

namespace codeblock {
// The JavaScript tables, for languages that extend them (TypeScript, TSX).
LanguageTables javascript_like_tables();
// JavaScript's untagged-detection rules, for the languages that extend its tables.
bool js_accept_untagged(TSNode root);
}  // namespace codeblock
