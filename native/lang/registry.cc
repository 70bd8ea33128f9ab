#include "lang/language.h"

namespace codeblock {

const std::vector<const LanguageTables*>& registered_languages() {
  // Immutable after first use (thread-safe static init); add new languages here.
  static const std::vector<const LanguageTables*> langs = {&kPythonTables};
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
