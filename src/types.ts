/**
 * Types shared between stages. Offsets everywhere in the public API are Unicode code point
 * offsets into the string they refer to (Python's `s[start:end]`).
 */

// The input record and its quarantine types live with the readers (src/io/record.ts); input presets come from
// their table (src/io/presets.ts).
export type { ChatMessage, CodeRecord, QuarantineEntry, QuarantineReason } from './io/record.js';
export type { Preset } from './io/presets.js';
export { PRESETS } from './io/presets.js';

/** Why a readable record was not selected (pair filters, structure, selection). */
export type RejectReason =
  | 'empty'
  | 'no_code'
  /** pair filter: the response is over --max-response-chars (never parsed) */
  | 'response_too_long'
  /** structure: more coding items than the structure stage accepts */
  | 'too_many_items'
  | 'tests'
  | 'judgement'
  | 'duplicate'
  | 'ifd'
  /** structure: the record's work units ran past --work-budget (deterministic) */
  | 'work_budget'
  /** structure: the outer wall-clock safety net --wall-timeout-ms ran out (depends on the machine) */
  | 'wall_timeout'
  | 'context_overflow'
  | 'no_supervision'
  | 'pack_too_long'
  | 'shard';

/**
 * One training pack: several whole samples concatenated, at most `max_len` tokens.
 * `labels` follow the Hugging Face convention: the token id where supervised, -100 elsewhere,
 * aligned with `inputIds` (NOT pre-shifted; the trainer shifts). `positionIds` restart at 0 at
 * every sample; `seqLens` lists the sample lengths in order (cu_seqlens = prefix sums).
 */
export interface Pack {
  inputIds: Int32Array;
  labels: Int32Array;
  positionIds: Int32Array;
  seqLens: Int32Array;
  /** Supervised tokens in this pack (labels !== -100). */
  numSupervised: number;
  /** Record ids of the samples, in pack order. */
  sampleIds: string[];
}
