// SQL grammar symbol (@derekstride/tree-sitter-sql, native/grammars.json); the tables are in sql.cc.
#pragma once
#include "lang/language.h"

extern "C" const TSLanguage* tree_sitter_sql(void);
