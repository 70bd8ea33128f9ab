// C++ (tree-sitter-cpp 0.23) node-type tables, built on C's (c.cc).
#pragma once
#include "lang/language.h"

extern "C" const TSLanguage* tree_sitter_cpp(void);
