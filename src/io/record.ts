/**
 * The input record as the readers produce it, and why a record could not be read (src/types.ts re-exports these
 * for the other stages).
 */
import type { Preset } from './presets.js';

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
