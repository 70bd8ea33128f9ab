// Python (tree-sitter-python 0.25) node-type tables. All Python specifics of the structure engine
// live in python.cc; the engine itself (native/core/structure.cc) is language-neutral.
#pragma once
#include "lang/language.h"

extern "C" const TSLanguage* tree_sitter_python(void);
