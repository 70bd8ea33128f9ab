/** Output-side types. `Pack` itself lives in src/types.ts. */

// The format names come from the formats table (src/output/formats.ts).
export type { OutputFormat } from './formats.js';

/** One selected span of a sample, code points into the templated text. */
export interface SelectedSpan {
  start: number;
  end: number;
  kind: 'item' | 'nl' | 'eos';
  score: number;
}

/** One unpacked sample, for the debug JSONL writer. */
export interface SampleRow {
  id: string;
  /** The templated text the tokenizer saw. */
  text: string;
  inputIds: Int32Array;
  /** -100 where unsupervised, else the token id (not shifted). */
  labels: Int32Array;
  /** Code point offsets into `text`, [start, end) pairs (length 2 × tokens). */
  offsets: Int32Array;
  selected: SelectedSpan[];
}

/** A committed output file, path relative to the output directory. */
export interface OutputFile {
  path: string;
  sha256: string;
  bytes: number;
}

/** Fixed file names inside an output directory. */
export const FILE_NAMES = {
  parquet: 'packs.parquet',
  bin: 'packs.bin',
  idx: 'packs.idx',
  jsonl: 'samples.jsonl',
  manifest: 'manifest.json',
  rejected: 'rejected.jsonl',
  quarantine: 'quarantine.jsonl',
} as const;
