/**
 * Types shared between stages. Offsets everywhere in the public API are Unicode code point
 * offsets into the string they refer to (Python's `s[start:end]`).
 */

// Input presets come from their table (src/io/presets.ts).
import type { Preset } from './io/presets.js';
export type { Preset };
export { PRESETS } from './io/presets.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | string;
  content: string;
}

/** One input record, normalized from any preset. */
export interface CodeRecord {
  /** Stable id: the record's own `id` field, else `file:line` (line 1-based; Parquet: `file:row`, row 0-based). */
  id: string;
  /** Position in the whole input (all files, in order), 0-based; used for sharding and stable ordering. */
  ordinal: number;
  /** Where it came from. */
  source: { file: string; line: number };
  preset: Preset;
  /** The conversation before the response (system/user/... turns), for chat templating. */
  prompt: ChatMessage[];
  /** The response whose tokens get supervised. */
  response: string;
  /** Preset-specific metadata used by pair filters (OCI: llm_judgement, tests_execution_status, average_test_score). */
  meta: Record<string, unknown>;
}

/** Why a record could not be read at all. It goes to quarantine.jsonl and is counted as quarantined. */
export type QuarantineReason =
  | 'bad_json'
  | 'invalid_utf8'
  | 'not_an_object'
  | 'missing_field'
  | 'wrong_type'
  | 'line_too_long'
  | 'truncated'
  | 'bad_schema'
  | 'unreadable';

export interface QuarantineEntry {
  file: string;
  /** 1-based line for JSONL, 0-based row for Parquet. */
  line: number;
  reason: QuarantineReason;
  error: string;
  /** The record's id when it could be recovered. */
  id?: string;
  ordinal: number;
}

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
