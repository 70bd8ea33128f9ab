// Injections (lang/parts/injections.h): the ranges of a host language's tree that hold code of another
// registered language. A language with no injection entries resolves to no hosts and find_injections
// returns at once.
#include <cstring>

#include "core/structure_internal.h"
#include "core/tree_walk.h"

namespace codeblock {
namespace structure {

void resolve_injections(const PartResolver& P, const InjectionPart& part) {
  Resolved& R = P.R;
  R.injection_host.clear();
  if (part.entries.empty()) return;
  R.injection_host.assign(P.count, 0);
  for (size_t i = 0; i < part.entries.size(); i++) {
    const InjectionEntry& e = part.entries[i];
    P.each_symbol(e.host, [&](uint32_t s) {
      if (!R.injection_host[s]) R.injection_host[s] = static_cast<uint16_t>(i + 1);
    });
    if (!e.language) P.rule(e.rule, &NamedRule::inject);  // checked now: a registry bug fails at load
  }
}

void find_injections(const Resolved& R, TSNode root, uint32_t base, std::string_view text,
                     std::vector<Injection>& out) {
  if (R.injection_host.empty()) return;
  const std::vector<InjectionEntry>& entries = R.t->inject.entries;
  walk(root, [&](const WalkAt& at) {
    TSNode n = at.node();
    TSSymbol s = ts_node_symbol(n);
    uint16_t h = s < R.injection_host.size() ? R.injection_host[s] : 0;
    if (!h) return Walk::Into;
    const InjectionEntry& e = entries[h - 1];
    const char* lang = e.language;
    if (!lang) lang = find_rule(e.rule)->inject(n, text);  // checked by resolve_injections
    const LanguageTables* L = lang ? find_language(lang) : nullptr;
    if (!L) return Walk::Over;
    TSNode c = n;
    if (e.content) {
      c = TSNode{};
      uint32_t k = ts_node_named_child_count(n);
      for (uint32_t i = 0; i < k; i++) {
        TSNode x = ts_node_named_child(n, i);
        if (std::strcmp(ts_node_type(x), e.content) == 0) {
          c = x;
          break;
        }
      }
      if (ts_node_is_null(c)) return Walk::Over;  // an empty <script></script>
    }
    uint32_t b = ts_node_start_byte(c), en = ts_node_end_byte(c);
    if (en > b) out.push_back(Injection{base + b, base + en, L});
    return Walk::Over;
  });
}

}  // namespace structure
}  // namespace codeblock
