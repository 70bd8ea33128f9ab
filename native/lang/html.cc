// HTML (tree-sitter-html 0.23) tables: a host-only language (docs/languages/html.md). The markup is never
// itemized; the bodies of `<script>` and `<style>` are JavaScript and CSS segments of their own (injections,
// core/inject.cc). Untagged blocks and bare responses are HTML when they read as a document or a fragment of
// elements (a line opening with a tag, a closing tag) and parse without error with no text at the top level.
#include "lang/html.h"

#include <cctype>
#include <cstring>
#include <string>
#include <vector>

#include "lang/detect.h"

namespace codeblock {
namespace {

// The value of the `type` attribute of a <script> start tag, lower-cased ("" when there is none).
std::string script_type(TSNode element, std::string_view text) {
  TSNode start = ts_node_named_child(element, 0);
  if (ts_node_is_null(start) || std::strcmp(ts_node_type(start), "start_tag") != 0) return "";
  uint32_t n = ts_node_named_child_count(start);
  for (uint32_t i = 0; i < n; i++) {
    TSNode a = ts_node_named_child(start, i);
    if (std::strcmp(ts_node_type(a), "attribute") != 0 || ts_node_named_child_count(a) < 2) continue;
    TSNode name = ts_node_named_child(a, 0);
    std::string_view nm = text.substr(ts_node_start_byte(name), ts_node_end_byte(name) - ts_node_start_byte(name));
    if (nm.size() != 4 || (std::tolower(static_cast<unsigned char>(nm[0])) != 't') ||
        (std::tolower(static_cast<unsigned char>(nm[1])) != 'y') ||
        (std::tolower(static_cast<unsigned char>(nm[2])) != 'p') ||
        (std::tolower(static_cast<unsigned char>(nm[3])) != 'e'))
      continue;
    TSNode v = ts_node_named_child(a, 1);
    if (std::strcmp(ts_node_type(v), "quoted_attribute_value") == 0 && ts_node_named_child_count(v) > 0)
      v = ts_node_named_child(v, 0);
    else if (std::strcmp(ts_node_type(v), "quoted_attribute_value") == 0) return "";
    std::string out;
    for (uint32_t b = ts_node_start_byte(v); b < ts_node_end_byte(v); b++)
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[b]))));
    return out;
  }
  return "";
}

// A <script> is JavaScript without a type, or with a JavaScript MIME type or `module` (`text/template`,
// `application/ld+json`, `text/x-handlebars` are not code to itemize).
const char* html_script_language(TSNode element, std::string_view text) {
  std::string t = script_type(element, text);
  bool js = t.empty() || t == "module" || t == "text/javascript" || t == "application/javascript" ||
            t == "text/ecmascript" || t == "application/ecmascript" || t == "text/babel" || t == "text/jsx";
  return js ? "javascript" : nullptr;
}

// A clean parse whose top level is elements (a document or a fragment), with no text outside them.
bool html_accept_untagged(TSNode root) {
  if (ts_node_has_error(root)) return false;
  uint32_t n = ts_node_named_child_count(root);
  bool element = false;
  for (uint32_t i = 0; i < n; i++) {
    const char* t = ts_node_type(ts_node_named_child(root, i));
    if (std::strcmp(t, "text") == 0 || std::strcmp(t, "erroneous_end_tag") == 0) return false;
    if (std::strcmp(t, "element") == 0 || std::strcmp(t, "script_element") == 0 || std::strcmp(t, "style_element") == 0)
      element = true;
  }
  return element;
}

// `<!DOCTYPE html>` / `<html` at the start decide; otherwise a line opening with a tag and a closing tag.
int html_untagged_score(std::string_view t) {
  size_t i = 0;
  while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) i++;
  std::string_view s = t.substr(i);
  auto starts_ci = [&](const char* p) {
    size_t k = std::strlen(p);
    if (s.size() < k) return false;
    for (size_t j = 0; j < k; j++)
      if (std::tolower(static_cast<unsigned char>(s[j])) != p[j]) return false;
    return true;
  };
  if (starts_ci("<!doctype html") || starts_ci("<html")) return 8;  // the cues' Require / Veto apply first
  if (s.empty() || s[0] != '<') return 0;
  return 3 + detect::signals(t, {"<script", "<style", "<div", "<body", "<head", "<p>", "<form", "<table", "<ul"});
}

// What tree-sitter-html's external scanner costs beyond the parser's operations: it walks its stack of open
// tags on every token, so N nested unclosed tags cost ~N² (measured: 10,000 nested `<span><b>` take seconds
// while the parser counts ~5M units). Estimated lexically: every tag costs the depth of the open-tag stack at
// it (void and self-closed tags push nothing, an end tag pops, `<p>`/`<li>`/`<td>`... close a sibling of their
// kind as HTML does; <script>/<style> bodies are skipped), two units per open tag.
uint64_t html_parse_cost(std::string_view t) {
  static const char* const kVoid[] = {"area",  "base", "br",   "col",   "embed",  "hr",    "img",
                                      "input", "link", "meta", "param", "source", "track", "wbr"};
  static const char* const kSelfClosing[] = {"p", "li", "dt", "dd", "td", "th", "tr", "option"};
  std::vector<std::string> stack;
  uint64_t cost = 0;
  size_t i = 0, n = t.size();
  auto name_at = [&](size_t k) {
    std::string nm;
    while (k < n && (std::isalnum(static_cast<unsigned char>(t[k])) || t[k] == '-' || t[k] == ':'))
      nm.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(t[k++]))));
    return nm;
  };
  while ((i = t.find('<', i)) != std::string_view::npos) {
    i++;
    if (i >= n) break;
    if (t[i] == '/') {
      std::string nm = name_at(i + 1);
      cost += 2 * stack.size();
      for (size_t k = stack.size(); k > 0; k--)
        if (stack[k - 1] == nm) {
          stack.resize(k - 1);
          break;
        }
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(t[i]))) continue;
    std::string nm = name_at(i);
    cost += 2 * stack.size();
    size_t close = t.find('>', i);
    bool self_closed = close != std::string_view::npos && close > i && t[close - 1] == '/';
    bool is_void = false;
    for (const char* v : kVoid) is_void = is_void || nm == v;
    if (nm == "script" || nm == "style") {  // raw text: skip to its end tag
      size_t e = t.find(nm == "script" ? "</script" : "</style", i);
      i = e == std::string_view::npos ? n : e;
      continue;
    }
    if (is_void || self_closed) continue;
    for (const char* s : kSelfClosing)
      if (nm == s && !stack.empty() && stack.back() == nm) stack.pop_back();
    stack.push_back(std::move(nm));
  }
  return cost;
}

CODEBLOCK_RULE(named_rule("html-cost", html_parse_cost));
CODEBLOCK_RULE(named_rule("html-script", html_script_language));
CODEBLOCK_RULE(named_rule("html-accept", html_accept_untagged));
CODEBLOCK_RULE(named_rule("html-score", html_untagged_score));

LanguageTables html_tables() {
  LanguageTables t{};
  t.name = "html";
  t.language = tree_sitter_html;
  t.parse_cost_rule = "html-cost";
  t.fence_aliases = {"html", "htm", "xhtml", "html5"};
  t.display_name = "HTML";
  t.items.comments = {"comment"};
  t.detect.accept_rule = "html-accept";
  t.detect.score_rule = "html-score";
  t.detect.cues = {{Cue::Require, 0, {"</"}}, {Cue::Veto, 0, {"<?php", "<?="}}};
  // host-only: the markup is never itemized; <script> (JavaScript by its type) and <style> bodies are segments
  t.inject.entries = {{"script_element", "raw_text", nullptr, "html-script"}, {"style_element", "raw_text", "css"}};
  t.inject.itemize_host = false;
  return t;
}

}  // namespace

extern const LanguageTables kHtmlTables = html_tables();

}  // namespace codeblock
