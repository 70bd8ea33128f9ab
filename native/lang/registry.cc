#include <cstdlib>
#include <cstring>

#include "lang/language.h"

namespace codeblock {

// The languages, each defined in its own native/lang/<lang>.cc.
extern const LanguageTables kPythonTables;
extern const LanguageTables kJavaScriptTables;
extern const LanguageTables kGoTables;
extern const LanguageTables kRustTables;
extern const LanguageTables kPhpTables;
extern const LanguageTables kRubyTables;
extern const LanguageTables kBashTables;
extern const LanguageTables kJavaTables;
extern const LanguageTables kCSharpTables;
extern const LanguageTables kCTables;
extern const LanguageTables kCppTables;
extern const LanguageTables kTypeScriptTables;
extern const LanguageTables kTsxTables;
extern const LanguageTables kCssTables;
extern const LanguageTables kSwiftTables;
extern const LanguageTables kSqlTables;
extern const LanguageTables kHtmlTables;
extern const LanguageTables kKotlinTables;

namespace {

// Test-only language (docs/languages.md): Python's grammar and tables under another name, reachable
// only through its own fence tag. It lets tests prove that nothing outside the registry assumes
// Python. Registered only when CODEBLOCK_TEST_LANGUAGES=1.
LanguageTables make_test_language() {
  LanguageTables t = kPythonTables;
  t.name = "cbtest";
  t.fence_aliases = {"cbtest", "cbtest-alias"};
  t.detect = DetectionPart{};  // never detected: reachable only by its tag
  t.display_name = "CbTest";
  t.test_only = true;
  return t;
}

}  // namespace

const std::vector<const LanguageTables*>& registered_languages() {
  // Immutable after first use (thread-safe static init); add new languages here.
  static const LanguageTables test_language = make_test_language();
  static const std::vector<const LanguageTables*> langs = [] {
    std::vector<const LanguageTables*> v = {
        &kPythonTables, &kJavaScriptTables, &kTypeScriptTables, &kTsxTables,  &kJavaTables, &kCTables,
        &kCppTables,    &kCSharpTables,     &kGoTables,         &kRustTables, &kPhpTables,  &kRubyTables,
        &kBashTables,   &kCssTables,        &kSwiftTables,      &kSqlTables,  &kHtmlTables, &kKotlinTables};
    const char* env = std::getenv("CODEBLOCK_TEST_LANGUAGES");
    if (env && std::strcmp(env, "1") == 0) v.push_back(&test_language);
    return v;
  }();
  return langs;
}

const LanguageTables* find_language(std::string_view tag) {
  for (const LanguageTables* l : registered_languages()) {
    if (tag == l->name) return l;
    for (const char* a : l->fence_aliases)
      if (tag == a) return l;
  }
  return nullptr;
}

}  // namespace codeblock
