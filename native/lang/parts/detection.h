// Capability part "detection" of a language (docs/languages.md, "A segment's language"): how an untagged
// fence or a fence-less response is recognised as this language. Run by native/core/detect.cc
// (detect_language), which scores every allowed candidate on the same features and parses the best first.
#pragma once
#include <vector>

namespace codeblock {

struct DetectionPart {
  // Named rule (rules.h, AcceptRule): a clean parse of the text is real code of this language (a declaration
  // or statement, not a lone expression). nullptr: never detected (a language reachable only by its tag).
  const char* accept_rule = nullptr;
  // Gate languages (Python): a named yes/no lexical pre-check (PrefilterRule). Gate languages are tried
  // first, in registry order, before any scored candidate; a clean accepted parse decides at once.
  // nullptr: a scored language.
  const char* prefilter_rule = nullptr;
  // Scored languages: a named lexical score (ScoreRule; 0: certainly not this language). Candidates are
  // parsed in descending score order, registry order breaking ties; the first clean parse that accept_rule
  // admits decides. A scored language with no score rule and no features is never a candidate.
  const char* score_rule = nullptr;
};

}  // namespace codeblock
