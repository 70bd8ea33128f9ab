// Compact mask bitsets (analysis files, loader). Format (docs/packing.md): each sample's flags are
// packed into ceil(len/8) bytes, flag j of the sample in byte j>>3 at bit (j & 7), least significant
// bit first (numpy.packbits(..., bitorder='little')); unused high bits of the last byte are zero;
// samples are concatenated byte-aligned, so sample i starts at byte sum_{k<i} ceil(len_k/8).
#pragma once
#include <cstdint>
#include <vector>

#include "core/mask_status.h"

namespace codeblock {

// Bytes needed for the samples of `sample_flags` (CSR index, S+1 entries), or an error.
Status BitsetLayout(View<int32_t> sample_flags, size_t total_flags, std::vector<int32_t>* byte_starts);

// flags: 0/1 bytes (anything else → RangeError). bits_out sized byte_starts.back().
Status EncodeBits(View<uint8_t> flags, View<int32_t> sample_flags, std::vector<uint8_t>* bits_out,
                  std::vector<int32_t>* byte_starts);

// Inverse of EncodeBits. `bits` must be exactly the encoded size with zero padding bits.
// flags_out is resized to sample_flags.back() only after the layout has been validated.
Status DecodeBits(View<uint8_t> bits, View<int32_t> sample_flags, std::vector<uint8_t>* flags_out);

}  // namespace codeblock
