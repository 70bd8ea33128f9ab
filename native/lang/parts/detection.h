// Capability part "detection" of a language (docs/languages.md, "A segment's language"): how an untagged
// fence or a fence-less response is recognised as this language. Run by native/core/detect.cc
// (detect_language), which scores every allowed candidate on the same features and parses the best first.
#pragma once
#include <cstdint>
#include <vector>

namespace codeblock {

// A lexical cue of a scored language (docs/languages.md, "A segment's language"). Every scored candidate is
// scored on its own cues by the same engine (detect.cc); words are plain substrings, matched as written.
enum class Cue : uint8_t {
  Each,       // +weight for each word found anywhere in the text
  Any,        // +weight once when some word is found
  LineStart,  // +weight once when some line starts (after blanks) with one of the words
  LineIs,     // +weight once when some line is exactly one of the words (blanks, `\r` and `;` around it aside)
  Require,    // the score is 0 unless some word is found
  Veto,       // the score is 0 when some word is found
  Decide,     // the score is `weight` at once when some word is found (before any other cue or rule)
  Shebang,    // the same when the first line starts with `#!` and holds one of the words
};
struct DetectCue {
  Cue kind;
  int weight;
  std::vector<const char*> words;
  // Distinctive of this language among similar ones: counted for `family` and `cap_without_distinctive`.
  bool distinctive = false;
};

struct DetectionPart {
  // Named rule (rules.h, AcceptRule): a clean parse of the text is real code of this language (a declaration
  // or statement, not a lone expression). nullptr: never detected (a language reachable only by its tag).
  const char* accept_rule = nullptr;
  // Gate languages (gate = true: Python) are tried first, in registry order, before any scored candidate,
  // when prefilter_rule (a named yes/no lexical pre-check, PrefilterRule) admits the text; a clean accepted
  // parse decides at once. For a scored language, a prefilter that refuses the text makes its score 0.
  bool gate = false;
  const char* prefilter_rule = nullptr;
  // Scored languages (every language with an accept rule that is not a gate): candidates are parsed in
  // descending score order (the shared features below), registry order breaking ties; the first clean parse
  // that accept_rule admits decides. score_rule: an optional named lexical score (ScoreRule) added to the
  // cues' sum, for what cues cannot say (CSS: a selector line and a `property: value;` line).
  const char* score_rule = nullptr;

  // --- shared lexical features of scored languages (detect.cc) ---
  // The score is: a Decide / Shebang cue's weight when one fires; else 0 when prefilter_rule refuses the text
  // (a scored language may have one too), a Require cue finds none of its words or a Veto cue finds one; else
  // the sum of the counting cues (Each, Any, LineStart, LineIs) plus score_rule's value, then
  //   - family: among the registered languages of the same family (languages sharing most syntax, e.g. Java and
  //     C#), only the one with the most distinctive hits keeps its score, the earliest registered on a tie;
  //   - +1 when the score is at least bonus_from (0: never): strong evidence ranks above a lone hit;
  //   - capped at cap_without_distinctive when no distinctive cue hit (-1: no cap; 0: distinctive cues are
  //     required; 1: a language that parses its parent's code too, TypeScript, ranks below the parent);
  //   - 0 when below min_score.
  std::vector<DetectCue> cues;
  const char* family = nullptr;
  int bonus_from = 0;
  int cap_without_distinctive = -1;
  int min_score = 1;
};

}  // namespace codeblock
