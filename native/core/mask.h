// Token label masks: which target-tokenizer tokens are supervised, from selected character spans.
//
// Rule (see docs/packing.md): a token covering code points [s, e) is supervised when strictly more
// than half of its characters lie inside the union of the sample's selected spans:
//   2 * |[s, e) ∩ ∪spans| > (e - s).
// Ties (exactly half) are NOT supervised; zero-length tokens (e == s, e.g. added special tokens)
// are never supervised; the first token of every sample is never supervised (in a pack it would be
// predicted from the previous sample). Spans may overlap, touch, be empty or come in any order.
#pragma once
#include <cstdint>

#include "core/mask_status.h"

namespace codeblock {

struct LabelMaskInput {
  View<int32_t> char_offsets;   // 2*T: token t covers [char_offsets[2t], char_offsets[2t+1]) code points
  View<int32_t> sample_tokens;  // S+1: tokens of sample i are [sample_tokens[i], sample_tokens[i+1])
  View<int32_t> spans;          // 2*K: selected span k is [spans[2k], spans[2k+1])
  View<int32_t> sample_spans;   // S+1: spans of sample i are [sample_spans[i], sample_spans[i+1])
  View<int32_t> text_lengths;   // S (optional, size 0 = unchecked): every offset of sample i must be <= text_lengths[i]
};

// flags_out: T bytes (0/1); counts_out: S supervised counts. Both must be sized by the caller
// (T = char_offsets.size / 2, S = sample_tokens.size - 1). On error the outputs are unspecified.
Status LabelMask(const LabelMaskInput& in, uint8_t* flags_out, int32_t* counts_out);

}  // namespace codeblock
