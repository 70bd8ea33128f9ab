// Capability part "injections" of a language (docs/languages.md, "Injections"): ranges of a host language's
// tree that hold code of another registered language (HTML <script> → JavaScript, <style> → CSS), and text of
// a host-only language inside another's segments (PHP's inline HTML → HTML, hosted_rule). Resolved and run by
// native/core/inject.cc (find_injections); a language with no entries has no injections and costs nothing.
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
  // The host language's own items are kept (PHP around its inline HTML); false: a host-only language (HTML):
  // its segments are never itemized, they are cut around their injections, which are segments of their own.
  bool itemize_host = true;
  // Text of a host-only language inside this language's segments that its grammar has no node for (PHP's
  // inline HTML: the php_only grammar has no `text` node, a `?>` followed by markup is an ERROR): a named rule
  // (rules.h, HostedRule) giving its byte ranges. A segment is cut there before parsing: each range a segment
  // of `hosted_language` (so its own injections follow), each piece between them a segment of this language.
  const char* hosted_rule = nullptr;
  const char* hosted_language = nullptr;
};

}  // namespace codeblock
