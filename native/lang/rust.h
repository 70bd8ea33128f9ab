// Rust (tree-sitter-rust 0.24) node-type tables.
#pragma once
#include "lang/language.h"

extern "C" const TSLanguage* tree_sitter_rust(void);
