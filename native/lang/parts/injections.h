// Capability part "injections" of a language (docs/languages.md, "Injections"): ranges of a host language's
// tree that hold code of another registered language (HTML <script> → JavaScript, <style> → CSS, PHP's inline
// HTML → HTML). Resolved and run by native/core/inject.cc (find_injections); a language with no entries has no
// injections and costs nothing.
#pragma once
#include <vector>

namespace codeblock {

struct InjectionEntry {
  const char* host;            // node type holding embedded code (`script_element`, PHP `text`)
  const char* content;         // node type of the host's child whose bytes are the embedded code (`raw_text`);
                               // nullptr: the host node's own bytes
  const char* language;        // canonical name or fence alias of the embedded language; nullptr: `rule` picks it
  const char* rule = nullptr;  // named rule (rules.h, InjectRule): the language from the host (a `type` or
                               // `lang` attribute), nullptr for "not code"; used when `language` is nullptr
};

struct InjectionPart {
  std::vector<InjectionEntry> entries;  // empty: no injections
  // The host language's own items are kept (PHP around its inline HTML); false: the host's markup is not
  // itemized, only the injected ranges are (HTML).
  bool itemize_host = true;
};

}  // namespace codeblock
