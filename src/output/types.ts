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

/**
 * A written sample as inspect sees it in a format that carries no offsets (packs.parquet, samples.parquet): a hash
 * and the length of its input_ids (to match the re-encoded conversation) and its supervised token positions.
 */
export interface SampleSupervision {
  hash: number;
  length: number;
  /** Positions (within the sample) of supervised tokens. */
  supervised: Int32Array;
}

/**
 * Fixed file names inside an output directory. The bin format's files are `packs.cbpk` + `packs.cbpk.idx`: our own
 * layout (docs/formats.md), not a Megatron indexed dataset, so not named like one (`.bin` / `.idx`).
 */
export const FILE_NAMES = {
  parquet: 'packs.parquet',
  bin: 'packs.cbpk',
  idx: 'packs.cbpk.idx',
  samples: 'samples.parquet',
  jsonl: 'samples.jsonl',
  manifest: 'manifest.json',
  rejected: 'rejected.jsonl',
  quarantine: 'quarantine.jsonl',
} as const;
