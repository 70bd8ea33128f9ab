// php grammar symbol (native/grammars.json); the tables are in php.cc.
#pragma once
#include "lang/language.h"

extern "C" const TSLanguage* tree_sitter_php_only(void);
