// ruby grammar symbol (native/grammars.json); the tables are in ruby.cc.
#pragma once
#include "lang/language.h"

extern "C" const TSLanguage* tree_sitter_ruby(void);
