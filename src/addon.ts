/**
 * The C++ addon's interface: every function native/napi/*.cc registers, with its argument and
 * result shapes (loaded by `native()` in src/native.ts). Each function validates its arguments and
 * throws TypeError (wrong type) or RangeError (bad value); it never crashes the process.
 * Callers use the typed wrappers (src/structure/native.ts, src/graph, src/masks, src/pack), which
 * document the layouts; see docs/structure.md and docs/packing.md.
 */
import type { GraphMetrics } from './graph/reference.js';
import type { LabelMaskResult, MaskBits } from './masks/index.js';
import type { PackedBatch, PackPlan } from './pack/index.js';
import type { LanguageInfo } from './structure/languages.js';
import type { NativeStructureOptions, ParseOnlyColumns, StructureColumns } from './structure/native.js';

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
