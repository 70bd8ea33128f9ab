/**
 * Thin wrapper over the addon's `analyzeStructure`: one native call per batch, typed-array columns
 * out, decoded here into per-record result objects.
 */
import { native } from '../native.js';
import { registeredLanguages } from './languages.js';
import type {
  BatchOutcome,
  Granularity,
  ItemFlag,
  ItemKind,
  StructureOptions,
  StructureRejectReason,
  StructureResult,
} from './types.js';
import { GRANULARITIES, ITEM_KINDS } from './types.js';
import type { StructureColumns, NativeStructureOptions, ParseOnlyColumns } from '../addon.js';
export type { StructureColumns, NativeStructureOptions, ParseOnlyColumns } from '../addon.js';

/** The default per-record work budget (native/core/structure.h kDefaultWorkBudget is the same). */
export const DEFAULT_WORK_BUDGET = 20_000_000;
/** The default outer wall-clock safety net per record, ms. */
export const DEFAULT_WALL_TIMEOUT_MS = 10_000;

const REJECT: Record<number, StructureRejectReason> = {
  1: 'no_code',
  2: 'work_budget',
  3: 'too_many_items',
  4: 'wall_timeout',
};

function nonNegative(name: string, v: unknown, dflt: number, max = 2 ** 32 - 1): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`structure option ${name} must be a number`);
  if (v < 0 || v > max || !Number.isFinite(v))
    throw new RangeError(`structure option ${name} must be in [0, ${max}], got ${v}`);
  return v;
}

function languagesOption(v: unknown): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new TypeError('structure option languages must be an array of language names');
  const known = registeredLanguages().map((l) => l.name);
  for (const x of v as string[])
    if (!known.includes(x))
      throw new RangeError(`structure option languages: "${x}" is not registered (registered: ${known.join(', ')})`);
  if (v.length === 0) throw new RangeError('structure option languages must name at least one language');
  return [...(v as string[])];
}

/** Validates options (TypeError / RangeError) and maps them to the addon's shape. */
export function nativeOptions(opts: StructureOptions = {}): NativeStructureOptions {
  if (opts === null || typeof opts !== 'object') throw new TypeError('structure options must be an object');
  const g: Granularity = opts.granularity ?? 'statement';
  const gi = GRANULARITIES.indexOf(g);
  if (gi < 0) throw new RangeError(`granularity must be one of ${GRANULARITIES.join(', ')}, got ${String(g)}`);
  return {
    granularity: gi as 0 | 1 | 2,
    blockMaxCodePoints: Math.floor(nonNegative('blockMaxCodePoints', opts.blockMaxCodePoints, 1024)),
    blockMaxLines: Math.floor(nonNegative('blockMaxLines', opts.blockMaxLines, 32)),
    workBudget: Math.floor(nonNegative('workBudget', opts.workBudget, DEFAULT_WORK_BUDGET, Number.MAX_SAFE_INTEGER)),
    wallTimeoutMs: nonNegative(
      opts.wallTimeoutMs === undefined ? 'parseTimeoutMs' : 'wallTimeoutMs',
      opts.wallTimeoutMs ?? opts.parseTimeoutMs,
      DEFAULT_WALL_TIMEOUT_MS,
      1e9,
    ),
    maxItems: Math.floor(nonNegative('maxItems', opts.maxItems, 20000)),
    ...(opts.languages === undefined ? {} : { languages: languagesOption(opts.languages) }),
  };
}

/** Totals of a {@link parseOnlyBatch} call. */
export interface ParseOnlyTotals {
  records: number;
  segments: number;
  bytes: number;
  nodes: number;
  /** Records stopped by the work budget or the wall-clock safety net. */
  timedOut: number;
}

/**
 * Parses a batch the way the structure stage does and nothing more (one native call, calling
 * thread): the parse-only limit of the structure benchmark (bench/structure_parse.ts).
 */
export function parseOnlyBatch(responses: readonly string[], opts: StructureOptions = {}): ParseOnlyColumns {
  if (!Array.isArray(responses)) throw new TypeError('responses must be an array of strings');
  for (let i = 0; i < responses.length; i++)
    if (typeof responses[i] !== 'string') throw new TypeError(`responses[${i}] must be a string`);
  return native().parseOnly(responses, nativeOptions(opts));
}

/** Sums the per-record columns of {@link parseOnlyBatch}. */
export function parseOnlyTotals(c: ParseOnlyColumns): ParseOnlyTotals {
  const t: ParseOnlyTotals = { records: c.count, segments: 0, bytes: 0, nodes: 0, timedOut: 0 };
  for (let r = 0; r < c.count; r++) {
    t.segments += c.segments[r]!;
    t.bytes += c.bytes[r]!;
    t.nodes += c.nodes[r]!;
    if (c.status[r] === 2 || c.status[r] === 4) t.timedOut++;
  }
  return t;
}

/** One native call over a batch (in the calling thread). */
export function analyzeColumns(responses: readonly string[], opts: NativeStructureOptions): StructureColumns {
  if (!Array.isArray(responses)) throw new TypeError('responses must be an array of strings');
  for (let i = 0; i < responses.length; i++)
    if (typeof responses[i] !== 'string') throw new TypeError(`responses[${i}] must be a string`);
  return native().analyzeStructure(responses, opts);
}

/** The rejection reason of a nonzero `StructureColumns.status` code. */
export function rejectReason(status: number): StructureRejectReason {
  return REJECT[status] ?? 'no_code';
}

const FLAG_LISTS: ItemFlag[][] = [[], ['error'], ['missing'], ['error', 'missing']];

/** Decodes record `r` of a batch's columns. */
export function decodeRecord(c: StructureColumns, r: number): BatchOutcome {
  const st = c.status[r]!;
  if (st !== 0) return { ok: false, reason: rejectReason(st) };
  const segments = [];
  const s0 = c.segOffsets[r]!;
  for (let s = s0; s < c.segOffsets[r + 1]!; s++)
    segments.push({ start: c.segStart[s]!, end: c.segEnd[s]!, lang: c.langs[c.segLang[s]!]! });
  const items = [];
  const i0 = c.itemOffsets[r]!;
  const i1 = c.itemOffsets[r + 1]!;
  const reach: number[] = [];
  const bridge: number[] = [];
  for (let i = i0; i < i1; i++) {
    const core: Array<[number, number]> = [];
    for (let k = c.coreOffsets[i]!; k < c.coreOffsets[i + 1]!; k++) core.push([c.coreStart[k]!, c.coreEnd[k]!]);
    items.push({
      start: c.itemStart[i]!,
      end: c.itemEnd[i]!,
      kind: ITEM_KINDS[c.itemKind[i]!] as ItemKind,
      type: c.types[c.itemType[i]!]!,
      segment: c.itemSegment[i]!,
      flags: FLAG_LISTS[c.itemFlags[i]! & 3]!.slice(),
      core,
    });
    reach.push(c.reach[i]!);
    bridge.push(c.bridge[i]!);
  }
  const edges: Array<[number, number]> = [];
  for (let e = c.edgeOffsets[r]!; e < c.edgeOffsets[r + 1]!; e++) edges.push([c.edgeFrom[e]!, c.edgeTo[e]!]);
  const prose: Array<[number, number]> = [];
  for (let p = c.proseOffsets[r]!; p < c.proseOffsets[r + 1]!; p++) prose.push([c.proseStart[p]!, c.proseEnd[p]!]);
  const result: StructureResult = { segments, items, edges, reach, bridge, prose };
  return { ok: true, result };
}

export function decodeColumns(c: StructureColumns): BatchOutcome[] {
  const out: BatchOutcome[] = [];
  for (let r = 0; r < c.count; r++) out.push(decodeRecord(c, r));
  return out;
}

/**
 * Analyzes a batch of responses synchronously in the calling thread (one native call).
 * Result i belongs to responses[i]. Throws TypeError/RangeError on bad arguments.
 */
export function analyzeStructureBatch(responses: readonly string[], opts: StructureOptions = {}): BatchOutcome[] {
  return decodeColumns(analyzeColumns(responses, nativeOptions(opts)));
}
