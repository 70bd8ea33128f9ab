// Go (tree-sitter-go 0.25) node-type tables.
#pragma once
#include "lang/language.h"

extern "C" const TSLanguage* tree_sitter_go(void);
