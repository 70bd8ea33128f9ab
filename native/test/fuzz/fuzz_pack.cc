// libFuzzer target: best-fit-decreasing packing and pack assembly. Checks every invariant of
// docs/packing.md ("Batch layout", "Best-fit-decreasing") on each accepted input, equality with
// the naive BFD on small batches, and that hostile plans / lengths / max_len only ever fail
// validation.
#include <fuzzer/FuzzedDataProvider.h>

#include "codeblock.h"
#include "test/reference.h"

using namespace codeblock;

namespace {
template <class T>
View<T> V(const std::vector<T>& v) {
  return View<T>(v.data(), v.size());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  const int mode = fdp.ConsumeIntegralInRange<int>(0, 2);
  int64_t max_len;
  std::vector<int32_t> len(fdp.ConsumeIntegralInRange<size_t>(0, 300));
  if (mode == 0) {  // raw
    // mostly small (fast runs); sometimes an edge value (the O(max_len) index at 2^20 is slow under ASan)
    const int64_t edges[] = {0, -1, INT64_MIN, INT64_MAX, INT32_MAX, kMaxMaxLen, kMaxMaxLen + 1, kDefaultMaxLen};
    max_len = fdp.ConsumeIntegralInRange<int>(0, 15) == 0 ? edges[fdp.ConsumeIntegralInRange<size_t>(0, 7)]
                                                          : fdp.ConsumeIntegralInRange<int64_t>(-4, 4100);
    for (auto& l : len) l = fdp.ConsumeIntegral<int32_t>();
  } else {
    max_len = fdp.ConsumeIntegralInRange<int64_t>(1, mode == 1 ? 64 : 4096);
    for (auto& l : len) l = fdp.ConsumeIntegralInRange<int32_t>(0, static_cast<int32_t>(max_len) + 2);
  }
  PackPlan plan;
  Status s = PackBFD(V(len), max_len, &plan);
  if (mode != 0) CB_CHECK(s.ok());
  if (!s.ok()) return 0;
  cbtest::CheckPlan(len, plan);
  if (len.size() <= 120) {
    size_t bins = 0;
    CB_CHECK(plan.pack_of == cbtest::NaiveBFD(len, static_cast<int32_t>(max_len), &bins));
    CB_CHECK(bins == plan.pack_tokens.size());
  }
  // Assemble (only for modest token totals).
  int64_t total = 0;
  for (int32_t l : len) total += l;
  if (total > 20000) return 0;
  std::vector<int32_t> st{0}, ids;
  std::vector<uint8_t> sup;
  for (int32_t l : len) {
    st.push_back(st.back() + l);
    for (int32_t t = 0; t < l; ++t) {
      ids.push_back(fdp.ConsumeIntegralInRange<int32_t>(fdp.ConsumeBool() ? -1 : 0, 1 << 20));
      sup.push_back(fdp.ConsumeIntegralInRange<uint8_t>(0, fdp.ConsumeBool() ? 1 : 2));
    }
  }
  std::vector<int32_t> ps = plan.pack_samples, pst = plan.pack_starts;
  if (fdp.ConsumeBool()) {  // a hostile plan
    for (auto& x : ps)
      if (fdp.ConsumeBool()) x = fdp.ConsumeIntegral<int32_t>();
    for (auto& x : pst)
      if (fdp.ConsumeBool()) x = fdp.ConsumeIntegral<int32_t>();
  }
  AssembleInput ai{V(ids), V(sup), V(st), V(ps), V(pst), max_len};
  AssembleOutput o;
  if (AssemblePacks(ai, &o).ok()) cbtest::CheckAssembly(ai, o);
  return 0;
}
