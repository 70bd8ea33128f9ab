// HTML grammar symbol (tree-sitter-html, native/grammars.json); the tables are in html.cc.
#pragma once
#include "lang/language.h"

extern "C" const TSLanguage* tree_sitter_html(void);
