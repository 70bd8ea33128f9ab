// Detection of an untagged fence's or a fence-less response's language (docs/languages.md, "A segment's
// language"), from each candidate's detection part (lang/parts/detection.h).
#include "lang/detect.h"

#include <algorithm>
#include <utility>

#include "core/structure_internal.h"

namespace codeblock {
namespace structure {

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
  auto try_language = [&](const LanguageTables* L, const Resolved& R) {
    budget.abort_on_error = true;
    budget.aborted_on_error = false;
    TreePtr t = parse(R, body, budget);
    budget.abort_on_error = false;
    if (!t) {
      if (!budget.aborted_on_error || work_meter().stopped()) timed_out = true;
      return false;  // not clean code of this language (or out of budget)
    }
    if (!R.accept(ts_tree_root_node(t.get()))) return false;
    found = L;
    tree = std::move(t);
    return true;
  };
  for (size_t li = 0; li < langs.size() && !found && !timed_out; li++) {
    const Resolved& R = resolved(langs[li]);
    if (!allowed[li] || !R.accept || R.score) continue;
    if (!R.prefilter || R.prefilter(body)) try_language(langs[li], R);
  }
  if (found || timed_out) return found;
  if (detect::has_prose_line(body)) return nullptr;
  thread_local std::vector<std::pair<int, size_t>> cands;
  cands.clear();
  for (size_t li = 0; li < langs.size(); li++) {
    const Resolved& R = resolved(langs[li]);
    if (!allowed[li] || !R.accept || !R.score) continue;
    int score = R.score(body);
    if (score > 0) cands.emplace_back(-score, li);
  }
  std::stable_sort(cands.begin(), cands.end());
  for (const auto& c : cands)
    if (try_language(langs[c.second], resolved(langs[c.second])) || timed_out) break;
  return found;
}

}  // namespace structure
}  // namespace codeblock
