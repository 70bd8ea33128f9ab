/**
 * The C++ addon's interface: every function native/napi/*.cc registers, with its argument and
 * result shapes (loaded by `native()` in src/native.ts). Each function validates its arguments and
 * throws TypeError (wrong type) or RangeError (bad value); it never crashes the process.
 * Callers use the typed wrappers (src/structure/native.ts, src/graph, src/masks, src/pack), which
 * document the layouts; see docs/structure.md and docs/packing.md.
 */

/**
 * TypeScript reference implementation of the item-graph metrics, written independently of the C++
 * one (adjacency lists of Sets, predecessor lists as in Brandes 2001, Algorithm 1) so tests can
 * compare the two. Not used in the pipeline.
 */
export interface GraphMetrics {
  reach: Float64Array;
  bridge: Float64Array;
  /**
   * Work units of the computation (docs/structure.md, "Work budget"): per source with an out-edge,
   * 2 × (nodes its BFS visits + their out-edges, duplicates and self-loops dropped). The structure
   * stage charges exactly these to a record's work budget.
   */
  work: number;
}

export interface LabelMaskResult {
  /** One 0/1 flag per token (length T). */
  supervised: Uint8Array;
  /** Supervised tokens per sample (length S). */
  counts: Int32Array;
}

export interface MaskBits {
  /** Concatenated per-sample bitsets: ceil(len/8) bytes each, LSB-first, zero padding bits. */
  bits: Uint8Array;
  /** CSR index of samples into `bits` (length S+1). */
  byteStarts: Int32Array;
}

/** All packs of a plan, flat. Pack p's tokens are `[packTokenStarts[p], packTokenStarts[p+1])`. */
export interface PackedBatch {
  inputIds: Int32Array;
  /** Token id where supervised, -100 elsewhere; aligned with inputIds, not shifted. */
  labels: Int32Array;
  /** 0, 1, … restarting at every sample. */
  positionIds: Int32Array;
  /** CSR index of packs into the token arrays (length packs+1). */
  packTokenStarts: Int32Array;
  /** Sample lengths in pack order; pack p's are `[packStarts[p], packStarts[p+1])`. */
  seqLens: Int32Array;
  /** = plan.packStarts: CSR index of packs into seqLens / packSamples. */
  packStarts: Int32Array;
  /** = plan.packSamples: input sample index of every seqLens entry. */
  packSamples: Int32Array;
  /** Supervised tokens (labels ≠ -100) per pack. */
  numSupervised: Int32Array;
  /** Supervised tokens per input sample (first token excluded), placed or not. */
  sampleNumSupervised: Int32Array;
}

/** Result of {@link packBFD}. Packs are numbered in opening order (pack 0 holds the longest sample). */
export interface PackPlan {
  maxLen: number;
  /** Per input sample: its pack, or -1 when rejected. */
  packOf: Int32Array;
  /** Per input sample: 0 placed, 1 too_long, 2 empty (see {@link PACK_REASONS}). */
  reasons: Uint8Array;
  /** Samples of every pack, packs in order, ascending input index inside a pack. */
  packSamples: Int32Array;
  /** CSR index of packs into `packSamples` (length packs+1). */
  packStarts: Int32Array;
  /** Tokens per pack. */
  packTokens: Int32Array;
  /** Ascending indices of rejected samples (each with a reason in `reasons`). */
  rejected: Int32Array;
}

export interface LanguageInfo {
  /** Canonical segment tag (`StructureSegment.lang`), e.g. the registry's first entry's name. */
  name: string;
  /** How messages name it. */
  displayName: string;
  /** Lower-case fence info words that map to this language. */
  fenceAliases: string[];
  /** Registered only for tests (CODEBLOCK_TEST_LANGUAGES=1 when the addon loads). */
  testOnly: boolean;
  /** A brace language: headers run through the token opening the body, so the closing delimiters of
   *  bodies (`}`, `});`) lie outside items; outside items only comment text is prose there. */
  braced: boolean;
  /** A host-only language (HTML): its segments are code that is never itemized; the code embedded in it
   *  (`<script>`, `<style>`) is segments of their own (docs/languages.md, "Injections"). */
  hostOnly: boolean;
}

/** Raw columns returned by the addon (and passed between worker threads). */
export interface StructureColumns {
  count: number;
  /** 0 ok, 1 no_code, 2 work_budget, 3 too_many_items, 4 wall_timeout. */
  status: Int32Array;
  segOffsets: Int32Array;
  segStart: Int32Array;
  segEnd: Int32Array;
  segLang: Int32Array;
  langs: string[];
  itemOffsets: Int32Array;
  itemStart: Int32Array;
  itemEnd: Int32Array;
  itemKind: Int32Array;
  itemType: Int32Array;
  types: string[];
  itemSegment: Int32Array;
  itemFlags: Int32Array;
  coreOffsets: Int32Array;
  coreStart: Int32Array;
  coreEnd: Int32Array;
  edgeOffsets: Int32Array;
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
  proseOffsets: Int32Array;
  proseStart: Int32Array;
  proseEnd: Int32Array;
  reach: Float64Array;
  bridge: Float64Array;
  /** Work units each record was charged (docs/structure.md, "Work budget"), up to where it stopped. */
  work: Float64Array;
}

export interface NativeStructureOptions {
  granularity: 0 | 1 | 2;
  blockMaxCodePoints: number;
  blockMaxLines: number;
  workBudget: number;
  wallTimeoutMs: number;
  maxItems: number;
  languages?: string[];
}

/**
 * Columns of the addon's `parseOnly`: the tree-sitter share of the structure stage alone (the same
 * segments, language detection and one parse per itemized segment; no items, def-use or graph).
 */
export interface ParseOnlyColumns {
  count: number;
  /** 0 ok, 1 no itemized segment, 2 work_budget, 4 wall_timeout. */
  status: Int32Array;
  /** Itemized segments parsed, per record. */
  segments: Int32Array;
  /** UTF-8 bytes of those segments, per record. */
  bytes: Float64Array;
  /** Visible nodes of their trees (named and anonymous), per record. */
  nodes: Float64Array;
  /** Work units of the parses (docs/structure.md, "Work budget"), per record. */
  work: Float64Array;
}

/** `info()`: build facts of the loaded addon. */
export interface NativeInfo {
  napiVersion: number;
  treeSitterLanguageVersion: number;
  pythonGrammarAbi: number;
  /** `gcc …` or `clang …` when known. */
  compiler?: string;
}

/** `packAssemble` result: the packed token arrays (the wrapper adds the plan's pack index). */
export type NativePackedBatch = Omit<PackedBatch, 'packStarts' | 'packSamples'>;

export interface NativeAddon {
  /** native/napi/addon.cc */
  info(): NativeInfo;
  /** native/napi/languages.cc: the language registry (native/lang/registry.cc), in detection order. */
  languages(): LanguageInfo[];

  /** native/napi/structure.cc: segments, items, def-use edges, reach/bridge of a batch of responses. */
  analyzeStructure(responses: readonly string[], opts?: Partial<NativeStructureOptions>): StructureColumns;
  /**
   * native/napi/structure.cc: the same segments, detection and parses as `analyzeStructure`, nothing
   * else (the benchmark's parse-only limit); per record: status, segments parsed, bytes, tree nodes.
   */
  parseOnly(responses: readonly string[], opts?: Partial<NativeStructureOptions>): ParseOnlyColumns;
  /** native/napi/structure.cc: reach and bridge of an item graph of `n` nodes with edges from[k]→to[k], and the
   *  work units they cost. */
  graphMetrics(n: number, from: Int32Array, to: Int32Array): GraphMetrics;

  /** native/napi/pack.cc: majority-of-characters label mask of every token of a batch. */
  maskLabels(
    charOffsets: Int32Array,
    sampleTokens: Int32Array,
    spans: Int32Array,
    sampleSpans: Int32Array,
    textLengths?: Int32Array,
  ): LabelMaskResult;
  /** native/napi/pack.cc: best-fit-decreasing packing of sample lengths into `maxLen` bins. */
  packBfd(lengths: Int32Array, maxLen: number): Omit<PackPlan, 'maxLen'>;
  /** native/napi/pack.cc: input_ids / labels / position_ids / seq_lens of every pack of a plan. */
  packAssemble(
    inputIds: Int32Array,
    supervised: Uint8Array,
    sampleTokens: Int32Array,
    packSamples: Int32Array,
    packStarts: Int32Array,
    maxLen: number,
  ): NativePackedBatch;
  /** native/napi/pack.cc: per-sample LSB-first bitsets of 0/1 flags. */
  maskBitsEncode(flags: Uint8Array, sampleFlags: Int32Array): MaskBits;
  /** native/napi/pack.cc: the inverse of `maskBitsEncode`. */
  maskBitsDecode(bits: Uint8Array, sampleFlags: Int32Array): Uint8Array;
}

/** The names of the addon's functions (a test checks the loaded addon has exactly these). */
export const NATIVE_FUNCTIONS = [
  'info',
  'languages',
  'analyzeStructure',
  'parseOnly',
  'graphMetrics',
  'maskLabels',
  'packBfd',
  'packAssemble',
  'maskBitsEncode',
  'maskBitsDecode',
] as const satisfies readonly (keyof NativeAddon)[];

/** Compile-time check that {@link NATIVE_FUNCTIONS} names every function of {@link NativeAddon}. */
export type NativeFunctionsComplete =
  Exclude<keyof NativeAddon, (typeof NATIVE_FUNCTIONS)[number]> extends never ? true : never;
const complete: NativeFunctionsComplete = true;
void complete;
