/**
 * Packing (DESIGN §8), backed by the C++ addon: best-fit-decreasing of whole samples into
 * `maxLen` bins, then assembly of `input_ids` / `labels` / `position_ids` / `seq_lens` /
 * `num_supervised` for every pack in one native call. See docs/packing.md.
 *
 * Conventions: `labels` hold the token id where supervised and -100 elsewhere, aligned with
 * `inputIds` — NOT pre-shifted (the trainer shifts). `positionIds` restart at 0 at every sample.
 * `seqLens` are the sample lengths in pack order (cu_seqlens = [0, ...prefix sums]); the first
 * token of every sample is never supervised.
 *
 * Inputs are read zero-copy and validated (TypeError for a wrong TypedArray type, RangeError for
 * bad values); the process never crashes on bad input.
 */
import { native } from '../native.js';
import { timed, timedIterableSync } from '../util/timings.js';
import type { Pack } from '../types.js';
import type { PackedBatch, PackPlan } from '../addon.js';
export type { PackedBatch, PackPlan } from '../addon.js';

export const DEFAULT_MAX_LEN = 2048;
/** Largest accepted `maxLen` (the packer's capacity index is O(maxLen)). */
export const MAX_MAX_LEN = 1 << 20;
/** Hugging Face ignore index used in `labels`. */
export const IGNORE_INDEX = -100;

/** Why the packer left a sample out. */
export type PackRejectReason = 'too_long' | 'empty';
/** Reason codes in {@link PackPlan.reasons}: 0 placed, 1 too_long (length > maxLen), 2 empty (length 0). */
export const PACK_REASONS: readonly (PackRejectReason | 'placed')[] = ['placed', 'too_long', 'empty'];

/**
 * Best-fit-decreasing packing of sample lengths (tokens) into bins of `maxLen`.
 * Samples are placed longest first (ties: lower input index first) into the open pack with the
 * least room that still fits (ties: the pack opened first), else a new pack. Never splits a
 * sample; length > maxLen → rejected `too_long`; length 0 → rejected `empty`. Deterministic,
 * O(n log n). `lengths` must be an Int32Array of non-negative values; `maxLen` in [1, 2^20].
 */
export function packBFD(lengths: Int32Array, maxLen: number = DEFAULT_MAX_LEN): PackPlan {
  const r = timed('pack', () => native().packBfd(lengths, maxLen));
  return { maxLen, ...r };
}

/** Number of packs in a plan. */
export function numPacks(plan: PackPlan): number {
  return plan.packStarts.length - 1;
}

/** Packing efficiency: packed tokens / (packs × maxLen); 1 for an empty plan. */
export function packingEfficiency(plan: PackPlan): number {
  const packs = numPacks(plan);
  if (packs === 0) return 1;
  let tokens = 0;
  for (let p = 0; p < packs; p++) tokens += plan.packTokens[p]!;
  return tokens / (packs * plan.maxLen);
}

/** The reason a sample was rejected, or undefined when it was placed. */
export function rejectReason(plan: PackPlan, sample: number): PackRejectReason | undefined {
  const code = plan.reasons[sample];
  return code === 1 ? 'too_long' : code === 2 ? 'empty' : undefined;
}

/** Samples to assemble: token ids and supervision flags of every sample, concatenated. */
export interface PackSamples {
  /** Token ids (each ≥ 0), all samples concatenated. */
  inputIds: Int32Array;
  /** 0/1 supervised flag per token (e.g. from `labelMask`). */
  supervised: Uint8Array;
  /** CSR index of samples into tokens (length S+1). */
  sampleTokens: Int32Array;
}

/**
 * Build every pack of `plan` in one native call. The first token of each sample gets label -100
 * whatever its flag. Validates that the plan fits the samples (indices in range, no sample twice,
 * no empty sample or pack, no pack over maxLen).
 */
export function assemblePacks(
  samples: PackSamples,
  plan: Pick<PackPlan, 'packSamples' | 'packStarts' | 'maxLen'>,
): PackedBatch {
  const { inputIds, supervised, sampleTokens } = samples;
  const r = native().packAssemble(inputIds, supervised, sampleTokens, plan.packSamples, plan.packStarts, plan.maxLen);
  return { ...r, packStarts: plan.packStarts, packSamples: plan.packSamples };
}

/**
 * Per-pack zero-copy views (subarrays) of a {@link PackedBatch}, as {@link Pack} objects.
 * `sampleIds[i]` is the record id of input sample i.
 */
export function packViews(batch: PackedBatch, sampleIds: readonly string[]): Pack[] {
  const packs: Pack[] = [];
  const n = batch.packTokenStarts.length - 1;
  for (let p = 0; p < n; p++) {
    const a = batch.packTokenStarts[p]!,
      b = batch.packTokenStarts[p + 1]!;
    const sa = batch.packStarts[p]!,
      sb = batch.packStarts[p + 1]!;
    const ids: string[] = [];
    for (let k = sa; k < sb; k++) {
      const s = batch.packSamples[k]!;
      const id = sampleIds[s];
      if (id === undefined)
        throw new RangeError(`packViews: no id for sample ${s} (sampleIds has ${sampleIds.length})`);
      ids.push(id);
    }
    packs.push({
      inputIds: batch.inputIds.subarray(a, b),
      labels: batch.labels.subarray(a, b),
      positionIds: batch.positionIds.subarray(a, b),
      seqLens: batch.seqLens.subarray(sa, sb),
      numSupervised: batch.numSupervised[p]!,
      sampleIds: ids,
    });
  }
  return packs;
}

/** cu_seqlens for one pack: [0, l0, l0+l1, …] (flash-attention varlen layout). */
export function cuSeqlens(seqLens: Int32Array): Int32Array {
  const out = new Int32Array(seqLens.length + 1);
  for (let i = 0; i < seqLens.length; i++) out[i + 1] = out[i]! + seqLens[i]!;
  return out;
}

/** Sample lengths from a CSR index (length S+1). */
export function lengthsOf(sampleTokens: Int32Array): Int32Array {
  const n = Math.max(0, sampleTokens.length - 1);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = sampleTokens[i + 1]! - sampleTokens[i]!;
  return out;
}

/** One chunk of assembled packs, see {@link assembleInChunks}. */
export interface PackChunk {
  batch: PackedBatch;
  /** Input sample index of every sample in the chunk, in the chunk's local order (batch.packSamples index into it). */
  members: Int32Array;
}

/**
 * Assemble every pack of `plan`, `chunkPacks` packs per native call, so only one chunk's tokens are
 * in memory at a time. `fill(sample, ids, supervised, at)` writes sample `sample`'s `lengths[sample]`
 * token ids and 0/1 flags into the chunk arrays at offset `at` (from memory, a spill file, …).
 */
export function assembleInChunks(
  plan: Pick<PackPlan, 'packSamples' | 'packStarts' | 'maxLen'>,
  lengths: Int32Array,
  fill: (sample: number, ids: Int32Array, supervised: Uint8Array, at: number) => void,
  chunkPacks = 512,
): Generator<PackChunk> {
  // each chunk's fill + assembly is charged to the `pack` stage timer, the consumer's work is not
  return timedIterableSync('pack', chunks(plan, lengths, fill, chunkPacks));
}

function* chunks(
  plan: Pick<PackPlan, 'packSamples' | 'packStarts' | 'maxLen'>,
  lengths: Int32Array,
  fill: (sample: number, ids: Int32Array, supervised: Uint8Array, at: number) => void,
  chunkPacks: number,
): Generator<PackChunk> {
  const nPacks = plan.packStarts.length - 1;
  for (let p0 = 0; p0 < nPacks; p0 += chunkPacks) {
    const p1 = Math.min(nPacks, p0 + chunkPacks);
    const s0 = plan.packStarts[p0]!;
    const members = plan.packSamples.subarray(s0, plan.packStarts[p1]!);
    const sampleTokens = new Int32Array(members.length + 1);
    for (let j = 0; j < members.length; j++) sampleTokens[j + 1] = sampleTokens[j]! + lengths[members[j]!]!;
    const total = sampleTokens[members.length]!;
    const ids = new Int32Array(total);
    const supervised = new Uint8Array(total);
    for (let j = 0; j < members.length; j++) fill(members[j]!, ids, supervised, sampleTokens[j]!);
    const packStarts = new Int32Array(p1 - p0 + 1);
    for (let p = p0; p <= p1; p++) packStarts[p - p0] = plan.packStarts[p]! - s0;
    const packSamples = Int32Array.from({ length: members.length }, (_, j) => j);
    yield {
      batch: assemblePacks(
        { inputIds: ids, supervised, sampleTokens },
        { packSamples, packStarts, maxLen: plan.maxLen },
      ),
      members,
    };
  }
}
