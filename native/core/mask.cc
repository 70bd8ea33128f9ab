#include "core/mask.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace codeblock {

Status CheckIndex(View<int32_t> index, size_t total, const char* what, const char* unit,
                  std::basic_string<int32_t>* out) {
  if (index.size == 0) return Status::Range(std::string(what) + " must have at least one entry (0)");
  out->assign(index.data, index.size);
  const std::basic_string<int32_t>& ix = *out;
  if (ix[0] != 0) return Status::Range(std::string(what) + "[0] must be 0, got " + std::to_string(ix[0]));
  for (size_t i = 1; i < ix.size(); ++i) {
    if (ix[i] < ix[i - 1])
      return Status::Range(std::string(what) + " must be non-decreasing: " + what + "[" + std::to_string(i) +
                           "] = " + std::to_string(ix[i]) + " < " + std::to_string(ix[i - 1]));
  }
  if (static_cast<int64_t>(ix.back()) != static_cast<int64_t>(total))
    return Status::Range(std::string(what) + " must end at the number of " + unit + " (" + std::to_string(total) +
                         "), got " + std::to_string(ix.back()));
  return Status::Ok();
}

namespace {

// Covered length of [0, x) by the merged, sorted, disjoint intervals (starts/ends) with prefix sums.
inline int64_t CoveredBefore(const std::vector<std::pair<int32_t, int32_t>>& merged, const std::vector<int64_t>& prefix,
                             int32_t x) {
  // first interval whose start >= x
  size_t lo = 0, hi = merged.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (merged[mid].first < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return 0;
  const auto& last = merged[lo - 1];  // starts before x
  int64_t c = prefix[lo - 1];
  c += static_cast<int64_t>(std::min(x, last.second)) - last.first;
  return c;
}

}  // namespace

Status LabelMask(const LabelMaskInput& in, uint8_t* flags_out, int32_t* counts_out) {
  if (in.char_offsets.size % 2 != 0)
    return Status::Range("charOffsets must hold [start, end) pairs (even length), got length " +
                         std::to_string(in.char_offsets.size));
  if (in.spans.size % 2 != 0)
    return Status::Range("spans must hold [start, end) pairs (even length), got length " +
                         std::to_string(in.spans.size));
  const size_t T = in.char_offsets.size / 2, K = in.spans.size / 2;
  std::basic_string<int32_t> st, ss;
  Status s = CheckIndex(in.sample_tokens, T, "sampleTokens", "tokens", &st);
  if (!s.ok()) return s;
  s = CheckIndex(in.sample_spans, K, "sampleSpans", "spans", &ss);
  if (!s.ok()) return s;
  if (st.size() != ss.size())
    return Status::Range("sampleTokens and sampleSpans must describe the same number of samples (" +
                         std::to_string(st.size() - 1) + " vs " + std::to_string(ss.size() - 1) + ")");
  const size_t S = st.size() - 1;
  if (in.text_lengths.size != 0 && in.text_lengths.size != S)
    return Status::Range("textLengths must have one entry per sample (" + std::to_string(S) + "), got " +
                         std::to_string(in.text_lengths.size));

  std::vector<std::pair<int32_t, int32_t>> sp, merged;
  std::vector<int64_t> prefix;
  for (size_t i = 0; i < S; ++i) {
    const int64_t limit = in.text_lengths.size ? static_cast<int64_t>(in.text_lengths[i]) : INT64_MAX;
    if (limit < 0)
      return Status::Range("textLengths[" + std::to_string(i) + "] is negative (" + std::to_string(limit) + ")");
    // Spans of sample i: validate, sort, merge.
    sp.clear();
    for (size_t k = static_cast<size_t>(ss[i]); k < static_cast<size_t>(ss[i + 1]); ++k) {
      const int32_t a = in.spans[2 * k], b = in.spans[2 * k + 1];
      if (a < 0 || b < a)
        return Status::Range("span " + std::to_string(k) + " of sample " + std::to_string(i) + " is invalid: [" +
                             std::to_string(a) + ", " + std::to_string(b) + ") (need 0 <= start <= end)");
      if (b > limit)
        return Status::Range("span " + std::to_string(k) + " of sample " + std::to_string(i) + " ends past the text (" +
                             std::to_string(b) + " > textLengths[" + std::to_string(i) +
                             "] = " + std::to_string(limit) + ")");
      if (b > a) sp.emplace_back(a, b);
    }
    std::sort(sp.begin(), sp.end());
    merged.clear();
    for (const auto& iv : sp) {
      if (!merged.empty() && iv.first <= merged.back().second) {
        merged.back().second = std::max(merged.back().second, iv.second);
      } else {
        merged.push_back(iv);
      }
    }
    prefix.assign(merged.size(), 0);
    int64_t acc = 0;
    for (size_t m = 0; m < merged.size(); ++m) {
      prefix[m] = acc;
      acc += static_cast<int64_t>(merged[m].second) - merged[m].first;
    }
    // Tokens of sample i.
    int32_t count = 0;
    for (size_t t = static_cast<size_t>(st[i]); t < static_cast<size_t>(st[i + 1]); ++t) {
      const int32_t a = in.char_offsets[2 * t], b = in.char_offsets[2 * t + 1];
      if (a < 0 || b < a)
        return Status::Range("token " + std::to_string(t) + " of sample " + std::to_string(i) +
                             " has invalid offsets [" + std::to_string(a) + ", " + std::to_string(b) +
                             ") (need 0 <= start <= end)");
      if (b > limit)
        return Status::Range("token " + std::to_string(t) + " of sample " + std::to_string(i) +
                             " ends past the text (" + std::to_string(b) + " > textLengths[" + std::to_string(i) +
                             "] = " + std::to_string(limit) + ")");
      uint8_t flag = 0;
      if (t != static_cast<size_t>(st[i]) && b > a && !merged.empty()) {
        const int64_t covered = CoveredBefore(merged, prefix, b) - CoveredBefore(merged, prefix, a);
        flag = 2 * covered > static_cast<int64_t>(b) - a ? 1 : 0;
      }
      flags_out[t] = flag;
      count += flag;
    }
    counts_out[i] = count;
  }
  return Status::Ok();
}

}  // namespace codeblock
