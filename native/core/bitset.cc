#include "core/bitset.h"

#include <string>

namespace codeblock {

Status BitsetLayout(View<int32_t> sample_flags, size_t total_flags, std::vector<int32_t>* byte_starts) {
  std::basic_string<int32_t> ix;
  Status s = CheckIndex(sample_flags, total_flags, "sampleFlags", "flags", &ix);
  if (!s.ok()) return s;
  byte_starts->assign(ix.size(), 0);
  int64_t acc = 0;
  for (size_t i = 0; i + 1 < ix.size(); ++i) {
    acc += (static_cast<int64_t>(ix[i + 1]) - ix[i] + 7) / 8;
    (*byte_starts)[i + 1] = static_cast<int32_t>(acc);  // acc <= total_flags (< 2^31)
  }
  return Status::Ok();
}

Status EncodeBits(View<uint8_t> flags, View<int32_t> sample_flags, std::vector<uint8_t>* bits_out,
                  std::vector<int32_t>* byte_starts) {
  if (flags.size > static_cast<size_t>(INT32_MAX)) return Status::Range("too many flags in one batch");
  std::basic_string<int32_t> ix;
  Status s = CheckIndex(sample_flags, flags.size, "sampleFlags", "flags", &ix);
  if (!s.ok()) return s;
  s = BitsetLayout(View<int32_t>(ix.data(), ix.size()), flags.size, byte_starts);
  if (!s.ok()) return s;
  bits_out->assign(static_cast<size_t>(byte_starts->back()), 0);
  for (size_t i = 0; i + 1 < ix.size(); ++i) {
    uint8_t* dst = bits_out->data() + (*byte_starts)[i];
    const size_t a = static_cast<size_t>(ix[i]), n = static_cast<size_t>(ix[i + 1]) - a;
    for (size_t j = 0; j < n; ++j) {
      const uint8_t f = flags[a + j];
      if (f > 1)
        return Status::Range("flags[" + std::to_string(a + j) + "] = " + std::to_string(f) + " (flags must be 0 or 1)");
      dst[j >> 3] |= static_cast<uint8_t>(f << (j & 7));
    }
  }
  return Status::Ok();
}

Status DecodeBits(View<uint8_t> bits, View<int32_t> sample_flags, std::vector<uint8_t>* out) {
  if (sample_flags.size == 0) return Status::Range("sampleFlags must have at least one entry (0)");
  const int32_t total = sample_flags[sample_flags.size - 1];
  if (total < 0)
    return Status::Range("sampleFlags must end at a non-negative flag count, got " + std::to_string(total));
  std::basic_string<int32_t> ix;
  Status s = CheckIndex(sample_flags, static_cast<size_t>(total), "sampleFlags", "flags", &ix);
  if (!s.ok()) return s;
  std::vector<int32_t> starts;
  s = BitsetLayout(View<int32_t>(ix.data(), ix.size()), static_cast<size_t>(ix.back()), &starts);
  if (!s.ok()) return s;
  if (bits.size != static_cast<size_t>(starts.back()))
    return Status::Range("bits has " + std::to_string(bits.size) + " bytes but sampleFlags describes " +
                         std::to_string(starts.back()) + " (ceil(len/8) per sample)");
  out->assign(static_cast<size_t>(ix.back()), 0);
  uint8_t* flags_out = out->data();
  for (size_t i = 0; i + 1 < ix.size(); ++i) {
    const uint8_t* src = bits.data + starts[i];
    const size_t a = static_cast<size_t>(ix[i]), n = static_cast<size_t>(ix[i + 1]) - a;
    for (size_t j = 0; j < n; ++j) flags_out[a + j] = (src[j >> 3] >> (j & 7)) & 1;
    if (n % 8 != 0) {
      const uint8_t pad = static_cast<uint8_t>(src[(n - 1) >> 3] >> (n & 7));
      if (pad != 0) return Status::Range("sample " + std::to_string(i) + " has non-zero padding bits in its last byte");
    }
  }
  return Status::Ok();
}

}  // namespace codeblock
