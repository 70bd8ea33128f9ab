// CSS grammar symbol (tree-sitter-css, native/grammars.json); the tables are in css.cc.
#pragma once
#include "lang/language.h"

extern "C" const TSLanguage* tree_sitter_css(void);
