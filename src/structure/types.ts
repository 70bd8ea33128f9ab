/**
 * Structure analysis results (DESIGN §3, §4, §6). All offsets are Unicode code point offsets into
 * the response string (Python's `response[start:end]`); see `codePointIndex` to convert to UTF-16.
 */
import type { CodeRecord } from '../types.js';

/** statement (default): every simple statement, header and clause header is one item;
 *  block: a whole compound statement is one item while it stays under `blockMaxCodePoints` / `blockMaxLines`;
 *  function: every def/class that is not nested in another def/class is one item. */
export type Granularity = 'statement' | 'block' | 'function';
export const GRANULARITIES: readonly Granularity[] = ['statement', 'block', 'function'];

/** simple: a simple statement; header: a compound statement's header (decorators + signature/condition
 *  through `:`); clause: elif/else/except/finally/case header; block: a whole compound statement
 *  (block/function granularity). */
export type ItemKind = 'simple' | 'header' | 'clause' | 'block';
export const ITEM_KINDS: readonly ItemKind[] = ['simple', 'header', 'clause', 'block'];

/** error: overlaps a tree-sitter ERROR node; missing: contains a MISSING (inserted) token.
 *  Flagged items are not selectable by default. */
export type ItemFlag = 'error' | 'missing';

export interface StructureSegment {
  /** Content range (fence lines excluded), code points. */
  start: number;
  end: number;
  /** "python" for Python whatever the fence said; the lower-cased fence tag otherwise; "unknown" for
   *  an untagged block that is not code of a registered language. */
  lang: string;
}

export interface StructureItem {
  start: number;
  end: number;
  kind: ItemKind;
  /** tree-sitter node type (header/block: the definition's type, e.g. function_definition). */
  type: string;
  /** Index into `segments`. */
  segment: number;
  flags: ItemFlag[];
  /** Core logic ranges [start, end) in code points: identifiers, keywords, operators, literals. */
  core: Array<[number, number]>;
}

export interface StructureResult {
  segments: StructureSegment[];
  items: StructureItem[];
  /** [from, to]: item `to` uses a name whose reaching definition lies in item `from`. Sorted, unique. */
  edges: Array<[number, number]>;
  /** Per item: items reachable from it / (n - 1). */
  reach: number[];
  /** Per item: directed betweenness (Brandes) / ((n - 1)(n - 2)). */
  bridge: number[];
  /** Prose inside itemized code segments — comments and docstrings — [start, end) code points,
   *  sorted and disjoint (with the text outside code segments: the NL-token candidates, DESIGN §7).
   *  Not part of the `codeblock items` line. */
  prose: Array<[number, number]>;
}

/** no_code: no segment of an itemized language with a selectable item; work_budget: the record's
 *  structure analysis (parse, trees, def-use, graph) needed more work units than `workBudget`
 *  (deterministic); wall_timeout: the outer wall-clock safety net `wallTimeoutMs` ran out first
 *  (depends on the machine; normally never); too_many_items: more items than `maxItems`. */
export type StructureRejectReason = 'no_code' | 'work_budget' | 'wall_timeout' | 'too_many_items';

export interface StructureOptions {
  granularity?: Granularity;
  /** block granularity: max span of a whole-compound item, code points (default 1024). */
  blockMaxCodePoints?: number;
  /** block granularity: max lines of a whole-compound item (default 32). */
  blockMaxLines?: number;
  /** Per-record work budget in work units (docs/structure.md, "Work budget"): parse, trees, def-use and
   *  graph together, the same count on any machine; past it `work_budget`. 0 = unlimited (default 20,000,000). */
  workBudget?: number;
  /** Outer wall-clock safety net per record, ms (the whole structure analysis); past it `wall_timeout`.
   *  0 = none (default 10,000). */
  wallTimeoutMs?: number;
  /** @deprecated the old name of `wallTimeoutMs` (used when `wallTimeoutMs` is not given). */
  parseTimeoutMs?: number;
  /** Records with more items are rejected with `too_many_items`; 0 = unlimited (default 20000). */
  maxItems?: number;
  /** Itemized languages (canonical names, see registeredLanguages()); default: every registered language.
   *  Segments of other languages stay code without items; untagged blocks are detected among these only. */
  languages?: readonly string[];
}

export interface StructurePoolOptions extends StructureOptions {
  /** Worker threads (default: os.availableParallelism()); 0 = run in the calling thread. */
  workers?: number;
  /** Responses per native call / per task (default 64). */
  batchSize?: number;
}

/** One analyzed response: the result, or why it was rejected. */
export type BatchOutcome = { ok: true; result: StructureResult } | { ok: false; reason: StructureRejectReason };

/** One analyzed record (streaming API), in input order. */
export type StructureOutcome =
  | { ok: true; id: string; record: CodeRecord; result: StructureResult }
  | { ok: false; id: string; record: CodeRecord; reason: StructureRejectReason };

/** The `codeblock items` JSON line for one analyzed record (issue 3 item 8). */
export interface ItemsLine extends Omit<StructureResult, 'prose'> {
  id: string;
}
