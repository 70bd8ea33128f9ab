// Detection of an untagged fence's or a fence-less response's language (docs/languages.md, "A segment's
// language"), from each candidate's detection part (lang/parts/detection.h).
#include "lang/detect.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/structure_internal.h"

namespace codeblock {
namespace structure {

namespace {

bool cue_hits(const DetectCue& c, std::string_view t) {
  switch (c.kind) {
    case Cue::LineStart:
      return detect::line_starts(t, c.words);
    case Cue::LineIs:
      return detect::line_is(t, c.words);
    case Cue::Shebang:
      return t.compare(0, 2, "#!") == 0 && detect::signals(t.substr(0, t.find('\n')), c.words) > 0;
    default:
      return detect::signals(t, c.words) > 0;
  }
}

// Hits of the counting cues (Each counts each word found), weighted; distinctive: only the distinctive ones.
int counted(const DetectionPart& d, std::string_view t, bool distinctive) {
  int s = 0;
  for (const DetectCue& c : d.cues) {
    if (distinctive && !c.distinctive) continue;
    if (c.kind == Cue::Each) s += c.weight * detect::signals(t, c.words);
    else if (c.kind == Cue::Any || c.kind == Cue::LineStart || c.kind == Cue::LineIs)
      s += cue_hits(c, t) ? c.weight : 0;
  }
  return s;
}

// The shared-feature score of one scored candidate (lang/parts/detection.h, "shared lexical features").
int candidate_score(const LanguageTables* L, const Resolved& R, std::string_view t) {
  const DetectionPart& d = L->detect;
  for (const DetectCue& c : d.cues)
    if ((c.kind == Cue::Decide || c.kind == Cue::Shebang) && cue_hits(c, t)) return c.weight;
  if (R.prefilter && !R.prefilter(t)) return 0;
  for (const DetectCue& c : d.cues) {
    if (c.kind == Cue::Require && !cue_hits(c, t)) return 0;
    if (c.kind == Cue::Veto && cue_hits(c, t)) return 0;
  }
  int s = counted(d, t, false) + (R.score ? R.score(t) : 0);
  int mine = -1;  // distinctive hits, computed once when needed
  if (d.family) {
    mine = counted(d, t, true);
    bool earlier = true;  // registry order: members before L win ties
    for (const LanguageTables* o : registered_languages()) {
      if (o == L) {
        earlier = false;
        continue;
      }
      if (!o->detect.family || std::strcmp(o->detect.family, d.family) != 0) continue;
      int theirs = counted(o->detect, t, true);
      if (theirs > mine || (earlier && theirs == mine)) return 0;
    }
  }
  if (d.bonus_from > 0 && s >= d.bonus_from) s++;
  if (d.cap_without_distinctive >= 0) {
    if (mine < 0) mine = counted(d, t, true);
    if (mine == 0 && s > d.cap_without_distinctive) s = d.cap_without_distinctive;
  }
  return s >= d.min_score ? s : 0;
}

}  // namespace

void resolve_detection(const PartResolver& P, const DetectionPart& d) {
  Resolved& R = P.R;
  R.accept = P.rule(d.accept_rule, &NamedRule::accept);
  R.prefilter = P.rule(d.prefilter_rule, &NamedRule::prefilter);
  R.score = P.rule(d.score_rule, &NamedRule::score);
}

const LanguageTables* detect_language(std::string_view body, const std::vector<bool>& allowed, Budget& budget,
                                      TreePtr& tree, bool& timed_out) {
  const std::vector<const LanguageTables*>& langs = registered_languages();
  const LanguageTables* found = nullptr;
  timed_out = false;
  // First the gate languages (a yes/no pre-check, no score: Python), in registry order: a clean parse they
  // accept decides at once, so Python code is Python exactly as before other languages were registered.
  // Then the scored candidates, by lexical score, registry order breaking ties; the first clean parse the
  // language accepts wins. A sentence line (prose) rules out every clean parse: the scored candidates are
  // not parsed then.
  auto clean_parse = [&](const Resolved& R, std::string_view code) {
    budget.abort_on_error = true;
    budget.aborted_on_error = false;
    TreePtr t = parse(R, code, budget);
    budget.abort_on_error = false;
    if (!t && (!budget.aborted_on_error || work_meter().stopped())) timed_out = true;
    return t;  // nullptr: not clean code of this language (or out of budget)
  };
  thread_local std::vector<std::pair<uint32_t, uint32_t>> hosted;
  auto try_language = [&](const LanguageTables* L, const Resolved& R) {
    if (R.hosted) {  // PHP with inline HTML (InjectionPart::hosted_rule): every piece clean, one accepted
      hosted.clear();
      R.hosted(body, hosted);
      if (!hosted.empty()) {
        bool accepted = false;
        uint32_t at = 0;
        for (size_t k = 0; k <= hosted.size(); k++) {
          uint32_t end = k < hosted.size() ? hosted[k].first : static_cast<uint32_t>(body.size());
          std::string_view piece = body.substr(at, end - at);
          if (piece.find_first_not_of(" \t\r\n\f\v") != std::string_view::npos) {
            TreePtr t = clean_parse(R, piece);
            if (!t) return false;
            if (R.accept(ts_tree_root_node(t.get()))) accepted = true;
          }
          if (k < hosted.size()) at = hosted[k].second;
        }
        if (accepted) found = L;  // no tree: split_hosted cuts the segment and its pieces are parsed then
        return accepted;
      }
    }
    TreePtr t = clean_parse(R, body);
    if (!t) return false;
    if (!R.accept(ts_tree_root_node(t.get()))) return false;
    found = L;
    tree = std::move(t);
    return true;
  };
  for (size_t li = 0; li < langs.size() && !found && !timed_out; li++) {
    const Resolved& R = resolved(langs[li]);
    if (!allowed[li] || !R.accept || !langs[li]->detect.gate) continue;
    if (!R.prefilter || R.prefilter(body)) try_language(langs[li], R);
  }
  if (found || timed_out) return found;
  if (detect::has_prose_line(body)) return nullptr;
  thread_local std::vector<std::pair<int, size_t>> cands;
  cands.clear();
  for (size_t li = 0; li < langs.size(); li++) {
    const Resolved& R = resolved(langs[li]);
    if (!allowed[li] || !R.accept || langs[li]->detect.gate) continue;
    int score = candidate_score(langs[li], R, body);
    if (score > 0) cands.emplace_back(-score, li);
  }
  std::stable_sort(cands.begin(), cands.end());
  for (const auto& c : cands)
    if (try_language(langs[c.second], resolved(langs[c.second])) || timed_out) break;
  return found;
}

}  // namespace structure
}  // namespace codeblock
