// TypeScript and TSX (tree-sitter-typescript 0.23) node-type tables: the JavaScript tables extended.
#pragma once
#include "lang/language.h"

extern "C" const TSLanguage* tree_sitter_typescript(void);
extern "C" const TSLanguage* tree_sitter_tsx(void);
