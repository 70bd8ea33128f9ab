// Native test driver for the mask / packing / bitset core, run under ASan + UBSan by
// native/test/sanitize.sh. Compares against naive references on seeded random inputs, checks
// invariants, and feeds hostile inputs that must come back as RangeErrors (never UB).
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "codeblock.h"
#include "test/reference.h"

using namespace codeblock;
using cbtest::CheckAssembly;
using cbtest::CheckPlan;

namespace {

int failures = 0;
#define EXPECT(cond, what)                                \
  do {                                                    \
    if (!(cond)) {                                        \
      std::fprintf(stderr, "FAIL %s: %s\n", what, #cond); \
      ++failures;                                         \
    }                                                     \
  } while (0)

template <class T>
View<T> V(const std::vector<T>& v) {
  return View<T>(v.data(), v.size());
}

void TestMaskRandom(std::mt19937& rng) {
  for (int iter = 0; iter < 20000; ++iter) {
    const int S = rng() % 5;
    std::vector<int32_t> offs, st{0}, spans, ss{0};
    for (int i = 0; i < S; ++i) {
      const int len = rng() % 30;
      const int T = rng() % 10, K = rng() % 5;
      for (int t = 0; t < T; ++t) {
        int a = rng() % (len + 1), b = rng() % (len + 1);
        if (a > b) std::swap(a, b);
        offs.push_back(a);
        offs.push_back(b);
      }
      for (int k = 0; k < K; ++k) {
        int a = rng() % (len + 1), b = rng() % (len + 1);
        if (a > b) std::swap(a, b);
        spans.push_back(a);
        spans.push_back(b);
      }
      st.push_back(st.back() + T);
      ss.push_back(ss.back() + K);
    }
    LabelMaskInput in{V(offs), V(st), V(spans), V(ss), View<int32_t>()};
    std::vector<uint8_t> flags(offs.size() / 2);
    std::vector<int32_t> counts(S);
    Status s = LabelMask(in, flags.data(), counts.data());
    EXPECT(s.ok(), "mask ok");
    EXPECT(flags == cbtest::NaiveMask(offs, st, spans, ss), "mask equals naive");
  }
}

void TestPackRandom(std::mt19937& rng) {
  for (int iter = 0; iter < 5000; ++iter) {
    const int32_t max_len = 1 + static_cast<int32_t>(rng() % 64);
    std::vector<int32_t> len(rng() % 60);
    for (auto& l : len) l = static_cast<int32_t>(rng() % (max_len + 4));
    PackPlan plan;
    EXPECT(PackBFD(V(len), max_len, &plan).ok(), "bfd ok");
    CheckPlan(len, plan);
    size_t bins = 0;
    EXPECT(plan.pack_of == cbtest::NaiveBFD(len, max_len, &bins), "bfd equals naive");
    EXPECT(bins == plan.pack_tokens.size(), "bin count");
    // assemble with random ids / flags
    std::vector<int32_t> st{0}, ids;
    std::vector<uint8_t> sup;
    for (int32_t l : len) {
      st.push_back(st.back() + l);
      for (int32_t t = 0; t < l; ++t) {
        ids.push_back(static_cast<int32_t>(rng() & 0x7fffffff));
        sup.push_back(rng() & 1);
      }
    }
    AssembleInput ai{V(ids), V(sup), V(st), V(plan.pack_samples), V(plan.pack_starts), max_len};
    AssembleOutput o;
    EXPECT(AssemblePacks(ai, &o).ok(), "assemble ok");
    CheckAssembly(ai, o);
  }
  // multi-level capacity index (max_len up to 2^20: 4 bitset levels) against the naive packer
  for (int32_t max_len : {63, 64, 65, 4095, 4096, 4097, 262145, static_cast<int32_t>(kMaxMaxLen)}) {
    for (int iter = 0; iter < 20; ++iter) {
      std::vector<int32_t> len(400);
      for (auto& l : len)
        l = 1 + static_cast<int32_t>(rng() % static_cast<uint32_t>(iter % 2 ? max_len : std::max(1, max_len / 7)));
      PackPlan plan;
      EXPECT(PackBFD(V(len), max_len, &plan).ok(), "bfd big max_len ok");
      CheckPlan(len, plan);
      size_t bins = 0;
      EXPECT(plan.pack_of == cbtest::NaiveBFD(len, max_len, &bins), "bfd big max_len equals naive");
    }
  }
  // a large batch at the default max_len
  std::vector<int32_t> big(200000);
  std::lognormal_distribution<double> ln(5.3, 0.9);
  for (auto& l : big) l = static_cast<int32_t>(ln(rng)) + 1;
  PackPlan plan;
  EXPECT(PackBFD(V(big), kDefaultMaxLen, &plan).ok(), "bfd big ok");
  CheckPlan(big, plan);
}

void TestBits(std::mt19937& rng) {
  for (int iter = 0; iter < 5000; ++iter) {
    std::vector<int32_t> idx{0};
    std::vector<uint8_t> flags;
    const int S = rng() % 6;
    for (int i = 0; i < S; ++i) {
      const int n = rng() % 40;
      for (int j = 0; j < n; ++j) flags.push_back(rng() & 1);
      idx.push_back(static_cast<int32_t>(flags.size()));
    }
    std::vector<uint8_t> bits, back;
    std::vector<int32_t> starts;
    EXPECT(EncodeBits(V(flags), V(idx), &bits, &starts).ok(), "encode ok");
    EXPECT(DecodeBits(V(bits), V(idx), &back).ok(), "decode ok");
    EXPECT(back == flags, "bits round trip");
  }
}

void ExpectRange(const Status& s, const char* what) {
  EXPECT(s.code == Status::kRangeError, what);
  if (s.code == Status::kRangeError && s.message.empty()) {
    std::fprintf(stderr, "FAIL %s: empty message\n", what);
    ++failures;
  }
}

void TestHostile() {
  const int32_t MAX = INT32_MAX, MIN = INT32_MIN;
  std::vector<uint8_t> f(8);
  std::vector<int32_t> c(8);
  auto mask = [&](std::vector<int32_t> o, std::vector<int32_t> st, std::vector<int32_t> sp, std::vector<int32_t> ss,
                  std::vector<int32_t> tl) {
    f.assign(o.size() / 2 + 1, 0);
    c.assign(st.size() + 1, 0);
    return LabelMask(LabelMaskInput{V(o), V(st), V(sp), V(ss), V(tl)}, f.data(), c.data());
  };
  ExpectRange(mask({0, 1, 1}, {0, 1}, {}, {0}, {}), "odd offsets");
  ExpectRange(mask({0, 1}, {0, MAX}, {}, {0, 0}, {}), "index past end");
  ExpectRange(mask({0, 1}, {0, MIN, 1}, {}, {0, 0, 0}, {}), "negative index");
  ExpectRange(mask({MIN, MAX}, {0, 1}, {}, {0, 0}, {}), "negative offset");
  ExpectRange(mask({0, 1}, {0, 1}, {MAX, MIN}, {0, 1}, {}), "reversed span");
  ExpectRange(mask({0, MAX}, {0, 1}, {0, MAX}, {0, 1}, {5}), "past text");
  ExpectRange(mask({0, 1}, {}, {}, {}, {}), "empty index");
  EXPECT(mask({0, MAX, 0, MAX, MAX, MAX}, {0, 3}, {0, MAX, 5, 9}, {0, 2}, {}).ok(), "huge offsets fine");
  PackPlan plan;
  std::vector<int32_t> one{1};
  for (int64_t m : {int64_t{0}, int64_t{-1}, kMaxMaxLen + 1, int64_t{INT64_MAX}, int64_t{INT64_MIN}})
    ExpectRange(PackBFD(V(one), m, &plan), "bad max_len");
  std::vector<int32_t> neg{1, MIN};
  ExpectRange(PackBFD(V(neg), 8, &plan), "negative length");
  std::vector<int32_t> huge{MAX, 1, kDefaultMaxLen};
  EXPECT(PackBFD(V(huge), kMaxMaxLen, &plan).ok(), "max max_len ok");
  std::vector<int32_t> ids{1, 2, 3}, st{0, 3}, ps{0}, pst{0, 1};
  std::vector<uint8_t> sup{0, 1, 1};
  AssembleOutput o;
  std::vector<int32_t> bad_ps{MIN};
  ExpectRange(AssemblePacks(AssembleInput{V(ids), V(sup), V(st), V(bad_ps), V(pst), 8}, &o),
              "pack sample out of range");
  std::vector<int32_t> bad_pst{0, MAX};
  ExpectRange(AssemblePacks(AssembleInput{V(ids), V(sup), V(st), V(ps), V(bad_pst), 8}, &o), "pack starts past end");
  ExpectRange(AssemblePacks(AssembleInput{V(ids), V(sup), V(st), V(ps), V(pst), 2}, &o), "pack over max_len");
  std::vector<int32_t> bad_st{0, MAX};
  ExpectRange(AssemblePacks(AssembleInput{V(ids), V(sup), V(bad_st), V(ps), V(pst), 8}, &o), "sample index past end");
  std::vector<uint8_t> bits{0xff}, back;
  std::vector<int32_t> bidx{0, MAX};
  ExpectRange(DecodeBits(V(bits), V(bidx), &back), "decode huge count");
  std::vector<int32_t> bidx2{0, 3};
  ExpectRange(DecodeBits(V(bits), V(bidx2), &back), "decode padding");
  std::vector<int32_t> bidx3{0, -8};
  ExpectRange(DecodeBits(V(bits), V(bidx3), &back), "decode negative");
}

}  // namespace

int main() {
  std::mt19937 rng(12345);
  TestMaskRandom(rng);
  TestPackRandom(rng);
  TestBits(rng);
  TestHostile();
  if (failures) {
    std::fprintf(stderr, "pack_test: %d failure(s)\n", failures);
    return 1;
  }
  std::printf("pack_test: all native mask/pack/bitset tests passed\n");
  return 0;
}
