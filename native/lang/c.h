// C (tree-sitter-c 0.24) node-type tables; C++ builds on them (cpp.cc).
#pragma once
#include "lang/language.h"

extern "C" const TSLanguage* tree_sitter_c(void);

namespace codeblock {
// The C tables, for C++ to extend.
LanguageTables c_like_tables();
}  // namespace codeblock
