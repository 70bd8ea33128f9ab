// Helpers for the untagged-block detection rules of the language tables (docs/languages.md,
// "Detection"): cheap lexical signals scored before any parse.
#pragma once
#include <tree_sitter/api.h>

#include <cstring>
#include <initializer_list>
#include <string_view>

namespace codeblock {
namespace detect {

// Number of the signal strings that occur in text (each counted once).
inline int signals(std::string_view text, std::initializer_list<const char*> words) {
  int n = 0;
  for (const char* w : words)
    if (text.find(w) != std::string_view::npos) n++;
  return n;
}

// True when some line starts (after blanks) with one of the prefixes.
inline bool line_starts(std::string_view text, std::initializer_list<const char*> prefixes) {
  size_t i = 0, n = text.size();
  while (i < n) {
    size_t j = i;
    while (j < n && (text[j] == ' ' || text[j] == '\t')) j++;
    for (const char* p : prefixes) {
      size_t k = std::strlen(p);
      if (text.compare(j, k, p) == 0) return true;
    }
    while (j < n && text[j] != '\n') j++;
    i = j + 1;
  }
  return false;
}

// A clean parse (no ERROR or MISSING node) with at least one named statement under the root.
inline bool clean_with_statement(TSNode root) {
  return !ts_node_has_error(root) && ts_node_named_child_count(root) > 0;
}

}  // namespace detect
}  // namespace codeblock
