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
template <class Words = std::initializer_list<const char*>>
int signals(std::string_view text, const Words& words) {
  int n = 0;
  for (const char* w : words)
    if (text.find(w) != std::string_view::npos) n++;
  return n;
}
inline int signals(std::string_view text, std::initializer_list<const char*> words) {
  return signals<std::initializer_list<const char*>>(text, words);
}

// True when some line starts (after blanks) with one of the prefixes.
template <class Words = std::initializer_list<const char*>>
bool line_starts(std::string_view text, const Words& prefixes) {
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

inline bool line_starts(std::string_view text, std::initializer_list<const char*> prefixes) {
  return line_starts<std::initializer_list<const char*>>(text, prefixes);
}

// True when some line is exactly one of the words (after blanks, before blanks / `\r` / `;`).
template <class Words>
bool line_is(std::string_view text, const Words& words) {
  size_t i = 0, n = text.size();
  while (i < n) {
    size_t j = i;
    while (j < n && (text[j] == ' ' || text[j] == '\t')) j++;
    size_t e = j;
    while (e < n && text[e] != '\n') e++;
    size_t k = e;
    while (k > j && (text[k - 1] == ' ' || text[k - 1] == '\t' || text[k - 1] == '\r' || text[k - 1] == ';')) k--;
    std::string_view line = text.substr(j, k - j);
    for (const char* w : words)
      if (line == w) return true;
    i = e + 1;
  }
  return false;
}

// A clean parse (no ERROR or MISSING node) with at least one named statement under the root.
inline bool clean_with_statement(TSNode root) {
  return !ts_node_has_error(root) && ts_node_named_child_count(root) > 0;
}

// A clean parse holding real code at the top (after unwrapping one `wrapper` node, e.g. C#'s
// global_statement): a statement or declaration other than a comment or a bare expression
// statement, or an expression statement whose expression is one of `exprs` (a call, an
// assignment, ...) rather than a lone name or literal.
inline bool clean_with_code(TSNode root, const char* wrapper, const char* expr_stmt,
                            std::initializer_list<const char*> exprs) {
  if (ts_node_has_error(root)) return false;
  uint32_t n = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < n; i++) {
    TSNode s = ts_node_named_child(root, i);
    if (wrapper && std::strcmp(ts_node_type(s), wrapper) == 0 && ts_node_named_child_count(s) > 0)
      s = ts_node_named_child(s, 0);
    const char* t = ts_node_type(s);
    if (std::strcmp(t, "comment") == 0 || std::strcmp(t, "empty_statement") == 0) continue;
    if (std::strcmp(t, expr_stmt) != 0) return true;
    if (ts_node_named_child_count(s) == 0) continue;
    const char* e = ts_node_type(ts_node_named_child(s, 0));
    for (const char* x : exprs)
      if (std::strcmp(e, x) == 0) return true;
  }
  return false;
}

// Cheap prose check for an untagged block or a fence-less response (docs/languages.md, "Detection"): true
// when some line reads as a sentence: it starts with a letter, has at least six blank-separated words,
// ends with `.`, `:`, `!` or `?`, holds none of ;{}=<>$#"/(`* (code, comments, strings) and is mostly
// letters and blanks. No scored language's clean parse
// admits such a line outside a comment or string, so only the candidates that need no parse to reject
// it are worth trying.
inline bool has_prose_line(std::string_view text) {
  size_t i = 0, n = text.size();
  while (i < n) {
    size_t e = text.find('\n', i);
    if (e == std::string_view::npos) e = n;
    std::string_view l = text.substr(i, e - i);
    i = e + 1;
    while (!l.empty() && (l.back() == ' ' || l.back() == '\t' || l.back() == '\r')) l.remove_suffix(1);
    if (l.size() < 20 || !((l[0] >= 'A' && l[0] <= 'Z') || (l[0] >= 'a' && l[0] <= 'z'))) continue;
    char last = l.back();
    if (last != '.' && last != ':' && last != '!' && last != '?') continue;
    int words = 1, letters = 0;
    bool code = false;
    for (size_t k = 0; k < l.size() && !code; k++) {
      char c = l[k];
      if (c == ' ' && k + 1 < l.size() && l[k + 1] != ' ') words++;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == ' ') letters++;
      code = std::strchr(";{}=<>$#\"/(`*", c) != nullptr && c != 0;
    }
    if (!code && words >= 6 && letters * 10 >= static_cast<int>(l.size()) * 8) return true;
  }
  return false;
}

}  // namespace detect
}  // namespace codeblock
