// Packing: best-fit-decreasing of whole samples into max_len bins, and pack assembly
// (input_ids / labels / position_ids / seq_lens / num_supervised). See docs/packing.md.
#pragma once
#include <cstdint>
#include <vector>

#include "core/mask_status.h"

namespace codeblock {

constexpr int32_t kDefaultMaxLen = 2048;
// Upper bound on max_len: the packer indexes bins by remaining capacity (a bitset and a heap per
// capacity in [0, max_len]), so memory is O(max_len): 2^20 tokens (~25 MB of index) is far beyond
// any training context.
constexpr int64_t kMaxMaxLen = int64_t{1} << 20;
constexpr int32_t kIgnoreIndex = -100;

enum PackReason : uint8_t { kPlaced = 0, kTooLong = 1, kEmpty = 2 };

struct PackPlan {
  int32_t max_len = kDefaultMaxLen;
  std::vector<int32_t> pack_of;       // n: pack index of sample i, or -1 when rejected
  std::vector<uint8_t> reason;        // n: PackReason
  std::vector<int32_t> pack_samples;  // samples of pack p, ascending input index, packs in order
  std::vector<int32_t> pack_starts;   // B+1: pack p holds pack_samples[pack_starts[p] .. pack_starts[p+1])
  std::vector<int32_t> pack_tokens;   // B: tokens in pack p (sum of its sample lengths)
  std::vector<int32_t> rejected;      // ascending indices of rejected samples
};

// Best-fit-decreasing. Samples are taken longest first (ties: lower input index first); each goes
// to the open pack with the least remaining room that still fits it (ties: the pack opened first);
// when none fits a new pack is opened. Packs are numbered in opening order. Length 0 → rejected
// kEmpty; length > max_len → rejected kTooLong; negative length or max_len outside
// [1, 2^20] → RangeError. O(n log n + max_len).
Status PackBFD(View<int32_t> lengths, int64_t max_len, PackPlan* out);

struct AssembleInput {
  View<int32_t> input_ids;      // all samples' token ids, concatenated (each >= 0)
  View<uint8_t> supervised;     // same length: 0/1 flags (from LabelMask)
  View<int32_t> sample_tokens;  // S+1 CSR index of samples into input_ids
  View<int32_t> pack_samples;   // samples per pack (each sample at most once)
  View<int32_t> pack_starts;    // B+1 CSR index of packs into pack_samples
  int64_t max_len = kDefaultMaxLen;
};

struct AssembleOutput {
  std::vector<int32_t> input_ids, labels, position_ids;  // N = tokens in all packs
  std::vector<int32_t> pack_token_starts;                // B+1 CSR index of packs into the token arrays
  std::vector<int32_t> seq_lens;                         // sample lengths in pack order (CSR by pack_starts)
  std::vector<int32_t> num_supervised;                   // B: labels != -100 per pack
  std::vector<int32_t> sample_num_supervised;            // S: supervised tokens per sample (first token excluded)
};

// Concatenates the packs' samples in pack order. labels[j] = input_ids[j] where supervised and not
// the sample's first token, else -100 (not shifted). position_ids restart at 0 at every sample.
Status AssemblePacks(const AssembleInput& in, AssembleOutput* out);

}  // namespace codeblock
