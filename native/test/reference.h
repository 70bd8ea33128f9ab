// Naive C++ references for the native test driver and the fuzz targets (per-character coverage,
// linear bin scans) and the invariant checks shared by both. Test-only code.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "codeblock.h"

namespace cbtest {

#define CB_CHECK(cond)                                                              \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

// Majority rule, naively. Inputs must be valid (the caller checks LabelMask succeeded first).
inline std::vector<uint8_t> NaiveMask(const std::vector<int32_t>& offs, const std::vector<int32_t>& st,
                                      const std::vector<int32_t>& spans, const std::vector<int32_t>& ss) {
  std::vector<uint8_t> out(offs.size() / 2, 0);
  for (size_t i = 0; i + 1 < st.size(); ++i) {
    int32_t maxEnd = 0;
    for (int32_t t = st[i]; t < st[i + 1]; ++t) maxEnd = std::max(maxEnd, offs[2 * t + 1]);
    std::vector<uint8_t> in(static_cast<size_t>(maxEnd), 0);
    for (int32_t k = ss[i]; k < ss[i + 1]; ++k)
      for (int32_t c = spans[2 * k]; c < std::min(spans[2 * k + 1], maxEnd); ++c) in[c] = 1;
    for (int32_t t = st[i]; t < st[i + 1]; ++t) {
      int64_t cov = 0;
      for (int32_t c = offs[2 * t]; c < offs[2 * t + 1]; ++c) cov += in[c];
      const int64_t len = int64_t{offs[2 * t + 1]} - offs[2 * t];
      out[t] = (t != st[i] && len > 0 && 2 * cov > len) ? 1 : 0;
    }
  }
  return out;
}

// Best-fit-decreasing by linear scan. Returns pack_of (-1 = rejected).
inline std::vector<int32_t> NaiveBFD(const std::vector<int32_t>& len, int32_t max_len, size_t* bins) {
  std::vector<int32_t> order;
  for (size_t i = 0; i < len.size(); ++i)
    if (len[i] >= 1 && len[i] <= max_len) order.push_back(static_cast<int32_t>(i));
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return len[a] > len[b]; });
  std::vector<int32_t> room, pack_of(len.size(), -1);
  for (int32_t i : order) {
    int best = -1;
    for (size_t b = 0; b < room.size(); ++b)
      if (room[b] >= len[i] && (best < 0 || room[b] < room[static_cast<size_t>(best)])) best = static_cast<int>(b);
    if (best < 0) {
      best = static_cast<int>(room.size());
      room.push_back(max_len);
    }
    room[static_cast<size_t>(best)] -= len[i];
    pack_of[i] = best;
  }
  *bins = room.size();
  return pack_of;
}

// Every packing / assembly invariant of docs/packing.md. Aborts on violation.
inline void CheckPlan(const std::vector<int32_t>& len, const codeblock::PackPlan& plan) {
  const size_t B = plan.pack_starts.size() - 1;
  std::vector<int> seen(len.size(), 0);
  for (size_t p = 0; p < B; ++p) {
    int64_t tokens = 0;
    CB_CHECK(plan.pack_starts[p + 1] > plan.pack_starts[p]);
    for (int32_t k = plan.pack_starts[p]; k < plan.pack_starts[p + 1]; ++k) {
      const int32_t s = plan.pack_samples[static_cast<size_t>(k)];
      CB_CHECK(s >= 0 && static_cast<size_t>(s) < len.size());
      CB_CHECK(plan.pack_of[static_cast<size_t>(s)] == static_cast<int32_t>(p));
      ++seen[static_cast<size_t>(s)];
      tokens += len[static_cast<size_t>(s)];
    }
    CB_CHECK(tokens <= plan.max_len);
    CB_CHECK(tokens == plan.pack_tokens[p]);
  }
  size_t r = 0;
  for (size_t i = 0; i < len.size(); ++i) {
    const bool rej = r < plan.rejected.size() && plan.rejected[r] == static_cast<int32_t>(i);
    if (rej) ++r;
    CB_CHECK(seen[i] + (rej ? 1 : 0) == 1);
    CB_CHECK(rej == (len[i] < 1 || len[i] > plan.max_len));
    CB_CHECK(plan.reason[i] == (len[i] == 0             ? codeblock::kEmpty
                                : len[i] > plan.max_len ? codeblock::kTooLong
                                                        : codeblock::kPlaced));
  }
  CB_CHECK(r == plan.rejected.size());
}

inline void CheckAssembly(const codeblock::AssembleInput& in, const codeblock::AssembleOutput& o) {
  const size_t B = o.pack_token_starts.size() - 1;
  for (size_t p = 0; p < B; ++p) {
    const int32_t a = o.pack_token_starts[p], b = o.pack_token_starts[p + 1];
    CB_CHECK(b - a <= in.max_len);
    int64_t sum = 0;
    std::vector<int32_t> bounds;
    for (int32_t k = in.pack_starts[p]; k < in.pack_starts[p + 1]; ++k) {
      bounds.push_back(a + static_cast<int32_t>(sum));
      sum += o.seq_lens[static_cast<size_t>(k)];
    }
    CB_CHECK(sum == b - a);
    int32_t sup = 0;
    size_t nb = 0;
    for (int32_t j = a; j < b; ++j) {
      const bool boundary = nb < bounds.size() && bounds[nb] == j;
      if (boundary) ++nb;
      CB_CHECK(boundary ? o.position_ids[j] == 0 : o.position_ids[j] == o.position_ids[j - 1] + 1);
      CB_CHECK(o.labels[j] == codeblock::kIgnoreIndex || o.labels[j] == o.input_ids[j]);
      if (boundary) CB_CHECK(o.labels[j] == codeblock::kIgnoreIndex);
      sup += o.labels[j] != codeblock::kIgnoreIndex;
    }
    CB_CHECK(sup == o.num_supervised[p]);
  }
}

}  // namespace cbtest
