// Java (tree-sitter-java 0.23) node-type tables.
#pragma once
#include "lang/language.h"

extern "C" const TSLanguage* tree_sitter_java(void);
