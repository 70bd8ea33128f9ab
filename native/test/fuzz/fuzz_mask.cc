// libFuzzer target: label masks and mask bitsets. Raw mode feeds arbitrary int32 arrays (the
// validation path); structured mode builds well-formed batches and compares with the naive
// reference. Any crash, sanitizer report or mismatch is a finding.
#include <fuzzer/FuzzedDataProvider.h>

#include "codeblock.h"
#include "test/reference.h"

using namespace codeblock;

namespace {

template <class T>
View<T> V(const std::vector<T>& v) {
  return View<T>(v.data(), v.size());
}

std::vector<int32_t> RawInts(FuzzedDataProvider& fdp, size_t max_n) {
  std::vector<int32_t> v(fdp.ConsumeIntegralInRange<size_t>(0, max_n));
  for (auto& x : v) x = fdp.ConsumeIntegral<int32_t>();
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  const int mode = fdp.ConsumeIntegralInRange<int>(0, 3);
  std::vector<int32_t> offs, st, spans, ss, tl;
  if (mode == 0) {  // raw arrays: must never crash, only fail validation
    offs = RawInts(fdp, 32);
    st = RawInts(fdp, 8);
    spans = RawInts(fdp, 16);
    ss = RawInts(fdp, 8);
    if (fdp.ConsumeBool()) tl = RawInts(fdp, 8);
  } else {  // well-formed batch, small offsets (mode 3: with text lengths)
    st.push_back(0);
    ss.push_back(0);
    const int S = fdp.ConsumeIntegralInRange<int>(0, 6);
    for (int i = 0; i < S; ++i) {
      const int32_t len = fdp.ConsumeIntegralInRange<int32_t>(0, 64);
      const int T = fdp.ConsumeIntegralInRange<int>(0, 12), K = fdp.ConsumeIntegralInRange<int>(0, 6);
      for (int t = 0; t < T; ++t) {
        int32_t a = fdp.ConsumeIntegralInRange<int32_t>(0, len), b = fdp.ConsumeIntegralInRange<int32_t>(0, len);
        if (a > b) std::swap(a, b);
        offs.push_back(a);
        offs.push_back(b);
      }
      for (int k = 0; k < K; ++k) {
        int32_t a = fdp.ConsumeIntegralInRange<int32_t>(0, len), b = fdp.ConsumeIntegralInRange<int32_t>(0, len);
        if (a > b) std::swap(a, b);
        spans.push_back(a);
        spans.push_back(b);
      }
      st.push_back(st.back() + T);
      ss.push_back(ss.back() + K);
      if (mode == 3) tl.push_back(len);
    }
  }
  std::vector<uint8_t> flags(offs.size() / 2);
  std::vector<int32_t> counts(st.empty() ? 0 : st.size() - 1);
  Status s = LabelMask(LabelMaskInput{V(offs), V(st), V(spans), V(ss), V(tl)}, flags.data(), counts.data());
  if (mode != 0) CB_CHECK(s.ok());
  if (s.ok()) {
    bool small = true;
    for (int32_t x : offs) small &= x <= (1 << 16);
    if (small) CB_CHECK(flags == cbtest::NaiveMask(offs, st, spans, ss));
    for (size_t i = 0; i + 1 < st.size(); ++i) {
      int32_t c = 0;
      for (int32_t t = st[i]; t < st[i + 1]; ++t) c += flags[static_cast<size_t>(t)];
      CB_CHECK(c == counts[i]);
      if (st[i] < st[i + 1]) CB_CHECK(flags[static_cast<size_t>(st[i])] == 0);
    }
    // bitset round trip of the mask
    std::vector<uint8_t> bits, back;
    std::vector<int32_t> starts;
    CB_CHECK(EncodeBits(V(flags), V(st), &bits, &starts).ok());
    CB_CHECK(DecodeBits(V(bits), V(st), &back).ok());
    CB_CHECK(back == flags);
  }
  // decode arbitrary bytes against an arbitrary index: validation only
  std::vector<int32_t> idx = RawInts(fdp, 6);
  std::vector<uint8_t> raw = fdp.ConsumeBytes<uint8_t>(fdp.ConsumeIntegralInRange<size_t>(0, 64));
  std::vector<uint8_t> out;
  if (DecodeBits(V(raw), V(idx), &out).ok()) {
    std::vector<uint8_t> again;
    std::vector<int32_t> starts;
    CB_CHECK(EncodeBits(V(out), V(idx), &again, &starts).ok());
    CB_CHECK(again == raw);  // canonical: decode is injective
  }
  return 0;
}
