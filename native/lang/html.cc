// HTML (tree-sitter-html 0.23) tables: a host-only language (docs/languages/html.md). The markup is never
// itemized; the bodies of `<script>` and `<style>` are JavaScript and CSS segments of their own (injections,
// core/inject.cc). Untagged blocks and bare responses are HTML when they read as a document or a fragment of
// elements (a line opening with a tag, a closing tag) and parse without error with no text at the top level.
#include "lang/html.h"

#include <cctype>
#include <cstring>

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
// `application/ld+json`, `text/x-handlebars` are not).
bool script_is_javascript(TSNode element, std::string_view text) {
  std::string t = script_type(element, text);
  return t.empty() || t == "module" || t == "text/javascript" || t == "application/javascript" ||
         t == "text/ecmascript" || t == "application/ecmascript" || t == "text/babel" || t == "text/jsx";
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
  if (starts_ci("<!doctype html") || starts_ci("<html")) return 8;
  if (s.empty() || s[0] != '<' || t.find("</") == std::string_view::npos) return 0;
  if (t.find("<?php") != std::string_view::npos) return 0;
  return 3 + detect::signals(t, {"<script", "<style", "<div", "<body", "<head", "<p>", "<form", "<table", "<ul"});
}

LanguageTables html_tables() {
  LanguageTables t{};
  t.name = "html";
  t.language = tree_sitter_html;
  t.fence_aliases = {"html", "htm", "xhtml", "html5"};
  t.decorated_wrapper = nullptr;
  t.decorated_field = nullptr;
  t.header_terminator = nullptr;
  t.expression_statement = nullptr;
  t.comments = {"comment"};
  t.accept_untagged = html_accept_untagged;
  t.maybe_untagged = nullptr;
  t.display_name = "HTML";
  t.scoping = Scoping::Lexical;
  t.body_open = nullptr;
  t.untagged_score = html_untagged_score;
  t.host_only = true;
  t.injections = {{"script_element", "raw_text", "javascript", script_is_javascript},
                  {"style_element", "raw_text", "css", nullptr}};
  return t;
}

}  // namespace

const LanguageTables kHtmlTables = html_tables();

}  // namespace codeblock
