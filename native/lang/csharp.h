// C# (tree-sitter-c-sharp 0.23) node-type tables.
#pragma once
#include "lang/language.h"

extern "C" const TSLanguage* tree_sitter_c_sharp(void);
