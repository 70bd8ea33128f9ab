#include "core/pack.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <numeric>
#include <string>

namespace codeblock {

namespace {

// Bins keyed by remaining capacity: a hierarchical bitset over capacities [0, max_len] (bit set =
// some open bin has exactly that room) answers "smallest capacity >= need with an open bin" with a
// few find-first-set steps (64-ary levels: 2 for max_len 2048, 4 for 2^20); each capacity keeps a
// min-heap of bin indices so ties go to the bin opened first.
class CapacityIndex {
 public:
  explicit CapacityIndex(int32_t max_len) : heaps_(static_cast<size_t>(max_len) + 1) {
    size_t n = static_cast<size_t>(max_len) + 1;
    for (;;) {
      const size_t words = (n + 63) / 64;
      levels_.emplace_back(words, 0);
      if (words == 1) break;
      n = words;
    }
  }
  // Smallest capacity c >= need with an open bin, or -1.
  int64_t FindFirst(int32_t need) const {
    size_t i = static_cast<size_t>(need);
    size_t k = 0;
    for (;; ++k) {
      if (k == levels_.size()) return -1;
      const std::vector<uint64_t>& lv = levels_[k];
      const size_t w = i >> 6;
      if (w >= lv.size()) return -1;
      const uint64_t m = lv[w] & (~uint64_t{0} << (i & 63));
      if (m) {
        i = (w << 6) + static_cast<size_t>(__builtin_ctzll(m));
        break;
      }
      i = w + 1;  // continue with the next word, one level up
    }
    while (k > 0) {
      --k;
      i = (i << 6) + static_cast<size_t>(__builtin_ctzll(levels_[k][i]));
    }
    return static_cast<int64_t>(i);
  }
  int32_t PopBin(int32_t cap) {
    auto& h = heaps_[static_cast<size_t>(cap)];
    std::pop_heap(h.begin(), h.end(), std::greater<int32_t>());
    const int32_t bin = h.back();
    h.pop_back();
    if (h.empty()) Clear(static_cast<size_t>(cap));
    return bin;
  }
  void PushBin(int32_t cap, int32_t bin) {
    auto& h = heaps_[static_cast<size_t>(cap)];
    h.push_back(bin);
    std::push_heap(h.begin(), h.end(), std::greater<int32_t>());
    if (h.size() == 1) Set(static_cast<size_t>(cap));
  }

 private:
  void Set(size_t i) {
    for (auto& lv : levels_) {
      const bool was = lv[i >> 6] != 0;
      lv[i >> 6] |= uint64_t{1} << (i & 63);
      if (was) return;
      i >>= 6;
    }
  }
  void Clear(size_t i) {
    for (auto& lv : levels_) {
      lv[i >> 6] &= ~(uint64_t{1} << (i & 63));
      if (lv[i >> 6] != 0) return;
      i >>= 6;
    }
  }
  std::vector<std::vector<uint64_t>> levels_;
  std::vector<std::vector<int32_t>> heaps_;
};

}  // namespace

Status PackBFD(View<int32_t> lengths, int64_t max_len, PackPlan* out) {
  if (max_len < 1 || max_len > kMaxMaxLen)
    return Status::Range("maxLen must be an integer in [1, " + std::to_string(kMaxMaxLen) + "], got " +
                         std::to_string(max_len));
  if (lengths.size > static_cast<size_t>(INT32_MAX))
    return Status::Range("too many samples in one batch (" + std::to_string(lengths.size) + ")");
  const int32_t ml = static_cast<int32_t>(max_len);
  const size_t n = lengths.size;
  // Copy once: every later read uses this snapshot.
  std::vector<int32_t> len(lengths.data, lengths.data + n);
  out->max_len = ml;
  out->pack_of.assign(n, -1);
  out->reason.assign(n, kPlaced);
  out->rejected.clear();
  std::vector<int32_t> order;
  order.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (len[i] < 0)
      return Status::Range("lengths[" + std::to_string(i) + "] is negative (" + std::to_string(len[i]) + ")");
    if (len[i] == 0) {
      out->reason[i] = kEmpty;
      out->rejected.push_back(static_cast<int32_t>(i));
    } else if (len[i] > ml) {
      out->reason[i] = kTooLong;
      out->rejected.push_back(static_cast<int32_t>(i));
    } else order.push_back(static_cast<int32_t>(i));
  }
  // Longest first; ties by input index (counting sort by length keeps input order: stable, O(n + max_len)).
  {
    std::vector<int32_t> bucket(static_cast<size_t>(ml) + 2, 0);
    for (int32_t i : order) ++bucket[static_cast<size_t>(ml - len[i]) + 1];
    for (size_t b = 1; b < bucket.size(); ++b) bucket[b] += bucket[b - 1];
    std::vector<int32_t> sorted(order.size());
    for (int32_t i : order) sorted[static_cast<size_t>(bucket[static_cast<size_t>(ml - len[i])]++)] = i;
    order.swap(sorted);
  }
  CapacityIndex index(ml);
  std::vector<int32_t> remaining;  // per bin
  for (int32_t i : order) {
    const int32_t need = len[i];
    const int64_t cap = index.FindFirst(need);
    int32_t bin;
    int32_t room;
    if (cap < 0) {
      bin = static_cast<int32_t>(remaining.size());
      remaining.push_back(ml);
      room = ml;
    } else {
      room = static_cast<int32_t>(cap);
      bin = index.PopBin(room);
    }
    room -= need;
    remaining[static_cast<size_t>(bin)] = room;
    if (room > 0) index.PushBin(room, bin);  // every placeable sample has length >= 1
    out->pack_of[static_cast<size_t>(i)] = bin;
  }
  const size_t B = remaining.size();
  out->pack_starts.assign(B + 1, 0);
  out->pack_tokens.assign(B, 0);
  for (size_t i = 0; i < n; ++i) {
    const int32_t p = out->pack_of[i];
    if (p >= 0) {
      ++out->pack_starts[static_cast<size_t>(p) + 1];
      out->pack_tokens[static_cast<size_t>(p)] += len[i];
    }
  }
  for (size_t p = 0; p < B; ++p) out->pack_starts[p + 1] += out->pack_starts[p];
  out->pack_samples.assign(static_cast<size_t>(out->pack_starts[B]), 0);
  std::vector<int32_t> fill(out->pack_starts.begin(), out->pack_starts.end() - 1);
  for (size_t i = 0; i < n; ++i) {  // ascending input index within each pack
    const int32_t p = out->pack_of[i];
    if (p >= 0) out->pack_samples[static_cast<size_t>(fill[static_cast<size_t>(p)]++)] = static_cast<int32_t>(i);
  }
  return Status::Ok();
}

Status AssemblePacks(const AssembleInput& in, AssembleOutput* out) {
  if (in.max_len < 1 || in.max_len > kMaxMaxLen)
    return Status::Range("maxLen must be an integer in [1, " + std::to_string(kMaxMaxLen) + "], got " +
                         std::to_string(in.max_len));
  if (in.supervised.size != in.input_ids.size)
    return Status::Range("supervised must have one flag per token (" + std::to_string(in.input_ids.size) + "), got " +
                         std::to_string(in.supervised.size));
  std::basic_string<int32_t> st, ps;
  Status s = CheckIndex(in.sample_tokens, in.input_ids.size, "sampleTokens", "tokens", &st);
  if (!s.ok()) return s;
  s = CheckIndex(in.pack_starts, in.pack_samples.size, "packStarts", "entries in packSamples", &ps);
  if (!s.ok()) return s;
  const size_t S = st.size() - 1, B = ps.size() - 1;
  std::vector<int32_t> members(in.pack_samples.data, in.pack_samples.data + in.pack_samples.size);
  std::vector<uint8_t> seen(S, 0);
  out->pack_token_starts.assign(B + 1, 0);
  int64_t total = 0;
  for (size_t p = 0; p < B; ++p) {
    if (ps[p] == ps[p + 1]) return Status::Range("pack " + std::to_string(p) + " has no samples");
    int64_t tokens = 0;
    for (size_t k = static_cast<size_t>(ps[p]); k < static_cast<size_t>(ps[p + 1]); ++k) {
      const int32_t smp = members[k];
      if (smp < 0 || static_cast<size_t>(smp) >= S)
        return Status::Range("packSamples[" + std::to_string(k) + "] = " + std::to_string(smp) +
                             " is not a sample index (there are " + std::to_string(S) + " samples)");
      if (seen[static_cast<size_t>(smp)])
        return Status::Range("sample " + std::to_string(smp) + " is in more than one pack slot");
      seen[static_cast<size_t>(smp)] = 1;
      const int32_t L = st[static_cast<size_t>(smp) + 1] - st[static_cast<size_t>(smp)];
      if (L == 0) return Status::Range("sample " + std::to_string(smp) + " has no tokens and cannot be packed");
      tokens += L;
    }
    if (tokens > in.max_len)
      return Status::Range("pack " + std::to_string(p) + " holds " + std::to_string(tokens) +
                           " tokens, more than maxLen " + std::to_string(in.max_len));
    total += tokens;
    if (total > INT32_MAX) return Status::Range("packs hold more than 2^31-1 tokens in one batch");
    out->pack_token_starts[p + 1] = static_cast<int32_t>(total);
  }
  // Per-sample supervised counts (first token never supervised), validating flags and ids as we go.
  out->sample_num_supervised.assign(S, 0);
  for (size_t i = 0; i < S; ++i) {
    int32_t c = 0;
    for (size_t t = static_cast<size_t>(st[i]); t < static_cast<size_t>(st[i + 1]); ++t) {
      const uint8_t f = in.supervised[t];
      if (f > 1)
        return Status::Range("supervised[" + std::to_string(t) + "] = " + std::to_string(f) +
                             " (flags must be 0 or 1)");
      if (f && t != static_cast<size_t>(st[i])) ++c;
    }
    out->sample_num_supervised[i] = c;
  }
  const size_t N = static_cast<size_t>(total);
  out->input_ids.resize(N);
  out->labels.resize(N);
  out->position_ids.resize(N);
  out->seq_lens.resize(members.size());
  out->num_supervised.assign(B, 0);
  size_t j = 0;
  for (size_t p = 0; p < B; ++p) {
    int32_t sup = 0;
    for (size_t k = static_cast<size_t>(ps[p]); k < static_cast<size_t>(ps[p + 1]); ++k) {
      const size_t smp = static_cast<size_t>(members[k]);
      const size_t a = static_cast<size_t>(st[smp]), b = static_cast<size_t>(st[smp + 1]);
      out->seq_lens[k] = static_cast<int32_t>(b - a);
      for (size_t t = a; t < b; ++t, ++j) {
        const int32_t id = in.input_ids[t];
        if (id < 0)
          return Status::Range("inputIds[" + std::to_string(t) + "] = " + std::to_string(id) + " is negative");
        const bool on = t != a && in.supervised[t] == 1;
        out->input_ids[j] = id;
        out->labels[j] = on ? id : kIgnoreIndex;
        out->position_ids[j] = static_cast<int32_t>(t - a);
        sup += on ? 1 : 0;
      }
    }
    out->num_supervised[p] = sup;
  }
  return Status::Ok();
}

}  // namespace codeblock
