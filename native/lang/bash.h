// bash grammar symbol (native/grammars.json); the tables are in bash.cc.
#pragma once
#include "lang/language.h"

extern "C" const TSLanguage* tree_sitter_bash(void);
