/**
 * Token label masks and mask bitsets (DESIGN §8), backed by the C++ addon.
 *
 * Batch layout: flat typed arrays plus CSR-style index arrays. An index array `xs` of length
 * S+1 says that the items of sample `i` are `[xs[i], xs[i+1])`; it starts at 0, never decreases
 * and ends at the number of items. Offsets are Unicode code point offsets into the sample's text.
 *
 * Mask rule (see docs/packing.md): a token covering `[start, end)` is supervised when strictly
 * more than half of its characters lie inside the union of the sample's selected spans
 * (`2 * covered > end - start`). Exactly half is NOT supervised; zero-length tokens are never
 * supervised; the first token of every sample is never supervised.
 *
 * All functions read their inputs zero-copy and validate them: a wrong TypedArray type is a
 * TypeError, a bad length / offset / index is a RangeError; they never crash the process.
 */
import { native } from '../native.js';
import { timed } from '../util/timings.js';
import type { LabelMaskResult, MaskBits } from '../addon.js';
export type { LabelMaskResult, MaskBits } from '../addon.js';

/** One batch of samples for {@link labelMask}. */
export interface LabelMaskBatch {
  /** `[start, end)` code point offsets of every token, pairs, all samples concatenated (length 2·T). */
  charOffsets: Int32Array;
  /** CSR index of samples into tokens (length S+1): sample i owns tokens `[sampleTokens[i], sampleTokens[i+1])`. */
  sampleTokens: Int32Array;
  /**
   * Selected `[start, end)` spans, pairs, all samples concatenated (length 2·K). May overlap, touch, be empty, come
   * unsorted.
   */
  spans: Int32Array;
  /** CSR index of samples into spans (length S+1). */
  sampleSpans: Int32Array;
  /** Optional text length (code points) per sample: every token and span end must be ≤ it. */
  textLengths?: Int32Array;
}

/** Supervised flags for every token of a batch, by the majority-of-characters rule. One native call. */
export function labelMask(batch: LabelMaskBatch): LabelMaskResult {
  return timed('masks', () =>
    native().maskLabels(batch.charOffsets, batch.sampleTokens, batch.spans, batch.sampleSpans, batch.textLengths),
  );
}

/**
 * Pack 0/1 flags into bits: flag j of a sample is bit `j & 7` of byte `j >> 3` of that sample's
 * bytes (numpy `packbits(bitorder='little')`); each sample starts on a byte boundary.
 * `sampleFlags` (CSR index, length S+1) defaults to one sample holding all flags.
 */
export function encodeMaskBits(flags: Uint8Array, sampleFlags?: Int32Array): MaskBits {
  const index = sampleFlags ?? Int32Array.of(0, flags instanceof Uint8Array ? flags.length : 0);
  return native().maskBitsEncode(flags, index);
}

/** Inverse of {@link encodeMaskBits}: `bits` must be exactly the encoded bytes (RangeError otherwise). */
export function decodeMaskBits(bits: Uint8Array, sampleFlags: Int32Array): Uint8Array {
  return native().maskBitsDecode(bits, sampleFlags);
}

/** Number of bytes {@link encodeMaskBits} produces for `n` flags of one sample. */
export function maskBitsBytes(n: number): number {
  return Math.ceil(n / 8);
}
