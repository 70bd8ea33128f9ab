/**
 * The inspect view model: what the terminal view and the HTML report show. Built from the analysis
 * files (items, utilities, reach, bridge, edges) joined with what `select` actually wrote (labels of
 * the training samples), so "what did it pick" is read from the training data itself, never
 * recomputed.
 *
 * Offsets are Unicode code points into the *response* (like the analysis files), whatever the
 * target tokenizer or chat template.
 */
import type { ChatMessage } from '../types.js';

/** Why an item is (not) supervised. */
export type ItemStatus =
  /** its tokens are supervised in the written sample */
  | 'selected'
  /** its score is below the global threshold */
  | 'below_threshold'
  /** its score reached the threshold's bin, but the budget ran out inside that bin */
  | 'budget'
  /** it touches a tree-sitter ERROR/MISSING node (not selectable without --allow-flagged) */
  | 'flagged'
  /** --max-items: the sample already gave its best items */
  | 'max_items'
  /** no target token has most of its characters inside the item */
  | 'no_tokens'
  /** the whole sample was dropped by select (pack_too_long, global duplicate) */
  | 'sample_dropped'
  /** the mode does not select items (full, token-gce, random-tokens) */
  | 'mode'
  /** analysis files only: no selection to compare with */
  | 'analysis';

export const STATUS_TEXT: Record<ItemStatus, string> = {
  selected: 'selected',
  below_threshold: 'below threshold',
  budget: 'budget spent',
  flagged: 'flagged ERROR/MISSING',
  max_items: 'max items per sample',
  no_tokens: 'no target tokens',
  sample_dropped: 'sample dropped',
  mode: 'mode does not pick items',
  analysis: 'not selected yet',
};

export interface InspectItem {
  index: number;
  start: number;
  end: number;
  /** simple | header | clause (| block with granularity block/function). */
  kind: string;
  /** tree-sitter node type. */
  type: string;
  /** Display label: assignment, call, return, def header, else, … (see labels.ts). */
  label: string;
  flags: string[];
  u: number;
  nCore: number;
  reach: number;
  bridge: number;
  /** Ranking score of the run's mode (codeblock: U·(1+λr·Reach+λb·Bridge)). */
  score: number;
  /** Items this item uses a definition of (edges j→this). */
  defs: number[];
  /** Items that use a definition made here (edges this→j). */
  uses: number[];
  /** Target tokens with most of their characters inside the item (-1 without a target tokenizer). */
  tokens: number;
  /** Of those, supervised in the written sample. */
  supervised: number;
  status: ItemStatus;
}

export type SampleState = 'selected' | 'rejected' | 'analyzed';

export interface InspectSample {
  id: string;
  ordinal: number;
  file: string;
  line: number;
  prompt: ChatMessage[];
  response: string;
  segments: Array<{ start: number; end: number; lang: string }>;
  items: InspectItem[];
  edges: Array<[number, number]>;
  /** selected = written to the training output; rejected = dropped by select; analyzed = analysis files only. */
  state: SampleState;
  reason?: string;
  detail?: string;
  /**
   * Target tokens that lie in the response (most of their characters inside it): [start, end) code
   * point pairs into the response (length 2·n), and whether each is supervised. Absent for analysis
   * files and for samples `select` dropped.
   */
  tokens?: Int32Array;
  supervised?: Uint8Array;
  /**
   * Supervised tokens of the whole written sample (labels ≠ -100); equals the sum over `supervised` plus
   * `supervisedOutside`.
   */
  numSupervised?: number;
  /** Supervised tokens outside the response (0 for every mode codeblock ships). */
  supervisedOutside?: number;
  /** Tokens of the whole templated sample. */
  numTokens?: number;
  /** Scorer tokens of the response: [start, end) pairs and GCE u (analysis view). */
  scorer?: { spans: number[]; u: number[] };
}

/** One directory given to inspect. */
export interface RunInfo {
  dir: string;
  /** Short name shown in reports (mode, or the directory name when modes repeat). */
  label: string;
  kind: 'output' | 'analysis';
  analysisDirs: string[];
  mode: string;
  budget?: number;
  /** The output's manifest (kind output). */
  // biome-ignore lint/suspicious/noExplicitAny: the manifest is read untyped
  manifest?: Record<string, any>;
}
