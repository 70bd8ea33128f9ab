/**
 * How the item modes' score is built from its two parts (issue #29, docs/scoring.md "Item score"): the item
 * utility U and the data-flow term F = λr·R + λb·B. Four knobs, each one table of choices here (the single
 * source of their `--help`, choices and docs/config.md):
 *
 *   --score-combine  product  U′·(1 + F)                       (v2's form)
 *                    rank-mean  (pct(U′) + pct(F)) / 2         both parts on the pool's percentile scale
 *   --u-transform    raw | pct   U′ as is, or its pool percentile rank (product only; rank-mean always ranks)
 *   --reach-norm     pairs  R = Reach, B = Bridge as analyze stores them (÷ (n−1), ÷ (n−1)(n−2))  (v2)
 *                    log    R = ln(1 + items reachable), B = ln(1 + betweenness): counts, not shares,
 *                           so the first statement of a short response does not reach "everything"
 *   --u-shrink K     U′ = (nCore·U + K·Ū) / (nCore + K), Ū the pool's mean U: an item with few core tokens
 *                    is pulled toward the mean instead of winning on one token (K = 0: off)
 *
 * Pool statistics (Ū, the percentile tables of U′ and F) are counted over every selectable item (no
 * ERROR/MISSING flag, unless --allow-flagged) of every analyzed record, in input order, by a pre-pass of select
 * and inspect (`collectPoolStats`); counts are integers and Ū an exact integer sum of the 1e-5-rounded U, so the
 * statistics — and the scores — are the same bytes whatever the shard or worker count.
 */
import type { AnalysisItem, AnalysisRecord } from '../analysis/format.js';
import { scoreBin } from './threshold.js';

export const SCORE_COMBINES = [
  { name: 'product', help: "U′·(1 + λr·R + λb·B), U′ per --u-transform (v2's form)" },
  {
    name: 'rank-mean',
    help: 'mean of the pool percentile ranks of U′ and of the data-flow term λr·R + λb·B (both parts count alike)',
  },
] as const;
export const U_TRANSFORMS = [
  { name: 'raw', help: 'U′ as it is (GCE units)' },
  { name: 'pct', help: "U′'s percentile rank among the pool's selectable items" },
] as const;
export const REACH_NORMS = [
  { name: 'pairs', help: 'R = Reach = reachable items ÷ (n−1), B = Bridge = betweenness ÷ (n−1)(n−2) (v2)' },
  { name: 'log', help: 'R = ln(1 + reachable items), B = ln(1 + betweenness): counts, whatever the response length' },
] as const;

export type ScoreCombine = (typeof SCORE_COMBINES)[number]['name'];
export type UTransform = (typeof U_TRANSFORMS)[number]['name'];
export type ReachNorm = (typeof REACH_NORMS)[number]['name'];

const names = <T extends { name: string }>(t: readonly T[]) =>
  t.map((x) => x.name) as unknown as readonly [T['name'], ...T['name'][]];
export const SCORE_COMBINE_NAMES = names(SCORE_COMBINES);
export const U_TRANSFORM_NAMES = names(U_TRANSFORMS);
export const REACH_NORM_NAMES = names(REACH_NORMS);

const help = (t: readonly { name: string; help: string }[]) => t.map((x) => `${x.name} = ${x.help}`).join('; ');
export const SCORE_COMBINE_HELP = help(SCORE_COMBINES);
export const U_TRANSFORM_HELP = help(U_TRANSFORMS);
export const REACH_NORM_HELP = help(REACH_NORMS);

/** The score definition of a run. */
export interface ScoreDef {
  combine: ScoreCombine;
  uTransform: UTransform;
  reachNorm: ReachNorm;
  uShrink: number;
  lambdaReach: number;
  lambdaBridge: number;
}

/** The definition before issue #29 (`--score-combine product --u-transform raw --reach-norm pairs --u-shrink 0`). */
export const V2: Omit<ScoreDef, 'lambdaReach' | 'lambdaBridge'> = {
  combine: 'product',
  uTransform: 'raw',
  reachNorm: 'pairs',
  uShrink: 0,
};

/** Whether the definition reads pool statistics (a pre-pass over the analysis). */
export function needsPoolStats(d: ScoreDef): boolean {
  return d.combine === 'rank-mean' || d.uTransform === 'pct' || d.uShrink > 0;
}

/** Integer counts of non-negative values by score bin (float32 bit patterns, ~0.05% wide): an empirical CDF. */
export class RankTable {
  private counts: Map<number, number> | undefined = new Map();
  private bins: Float64Array = new Float64Array(0);
  /** Items below each bin in `bins` order, and their counts (after `freeze`). */
  private below: Float64Array = new Float64Array(0);
  private inBin: Float64Array = new Float64Array(0);
  n = 0;

  add(v: number): void {
    const b = scoreBin(v);
    this.counts!.set(b, (this.counts!.get(b) ?? 0) + 1);
    this.n++;
  }

  /** Ends counting: the table is sorted once. */
  freeze(): this {
    const entries = [...this.counts!.entries()].sort((a, b) => a[0] - b[0]);
    this.counts = undefined;
    this.bins = Float64Array.from(entries, (e) => e[0]);
    this.inBin = Float64Array.from(entries, (e) => e[1]);
    this.below = new Float64Array(entries.length);
    let acc = 0;
    for (let i = 0; i < entries.length; i++) {
      this.below[i] = acc;
      acc += this.inBin[i]!;
    }
    return this;
  }

  /**
   * Mid-rank percentile of `v` in [0, 1]: (items in lower bins + half of those in v's bin) ÷ n; a value between
   * the pool's bins gets the share below it. 0.5 for an empty pool.
   */
  rank(v: number): number {
    if (this.n === 0) return 0.5;
    const b = scoreBin(v);
    let lo = 0;
    let hi = this.bins.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.bins[mid]! < b) lo = mid + 1;
      else hi = mid;
    }
    const below = lo < this.bins.length ? this.below[lo]! : this.n;
    const same = lo < this.bins.length && this.bins[lo] === b ? this.inBin[lo]! : 0;
    return (below + same / 2) / this.n;
  }
}

/** What the score reads of the pool. */
export interface PoolStats {
  /** Mean U over the pool's selectable items that have core tokens (the shrinkage target). */
  uMean: number;
  /** Percentile tables of U′ (after shrinkage) and of the data-flow term F. */
  u: RankTable;
  flow: RankTable;
  /** Selectable items counted. */
  items: number;
}

/** The data-flow parts [R, B] of item `it` of a response with `n` items, under `reachNorm`. */
export function flowParts(it: Pick<AnalysisItem, 'reach' | 'bridge'>, n: number, d: ScoreDef): [number, number] {
  if (d.reachNorm === 'pairs') return [it.reach, it.bridge];
  // analyze stores Reach = count/(n−1) and Bridge = betweenness/((n−1)(n−2)), rounded to 1e-5: undo the division
  const reachable = n > 1 ? Math.round(it.reach * (n - 1)) : 0;
  const between = n > 2 ? it.bridge * (n - 1) * (n - 2) : 0;
  return [Math.log1p(reachable), Math.log1p(between)];
}

/** Data-flow term F = λr·R + λb·B of item `it` of a response with `n` items. */
export function flowTerm(it: Pick<AnalysisItem, 'reach' | 'bridge'>, n: number, d: ScoreDef): number {
  const [r, b] = flowParts(it, n, d);
  return d.lambdaReach * r + d.lambdaBridge * b;
}

/** U′: U shrunk toward the pool mean by `uShrink` pseudo core tokens (U itself when off or without stats). */
export function shrunkU(it: Pick<AnalysisItem, 'u' | 'nCore'>, d: ScoreDef, pool: PoolStats | undefined): number {
  if (!(d.uShrink > 0) || !pool) return it.u;
  return (it.nCore * it.u + d.uShrink * pool.uMean) / (it.nCore + d.uShrink);
}

function missingStats(): never {
  throw new Error('internal: this score definition needs pool statistics (collectPoolStats) before scoring');
}

/** The U part of the score: U′, or its percentile rank. */
export function uPart(it: Pick<AnalysisItem, 'u' | 'nCore'>, d: ScoreDef, pool: PoolStats | undefined): number {
  if (needsPoolStats(d) && !pool) missingStats();
  const u = shrunkU(it, d, pool);
  return d.combine === 'rank-mean' || d.uTransform === 'pct' ? pool!.u.rank(u) : u;
}

/** Score of item `index` of `rec` in mode codeblock. */
export function codeblockItemScore(rec: AnalysisRecord, index: number, d: ScoreDef, pool?: PoolStats): number {
  const it = rec.items[index]!;
  const u = uPart(it, d, pool);
  if (d.combine === 'rank-mean') return (u + pool!.flow.rank(flowTerm(it, rec.items.length, d))) / 2;
  const [r, b] = flowParts(it, rec.items.length, d);
  return u * (1 + d.lambdaReach * r + d.lambdaBridge * b); // v2's arithmetic, operation for operation
}

/** Score of item `index` in mode items-no-dataflow: the U part alone (shrunk and transformed as in codeblock). */
export function utilityItemScore(rec: AnalysisRecord, index: number, d: ScoreDef, pool?: PoolStats): number {
  return uPart(rec.items[index]!, d, pool);
}

/** U scaled to exact integers (analyze rounds U to 1e-5), so the pool mean is one exact sum in any order. */
const U_SCALE = 1e5;

/**
 * Pool statistics over every selectable item of `records` (read twice: the mean U first when shrinkage needs it,
 * then the tables). `records()` must give the same records each call.
 */
export async function collectPoolStats(
  records: () => AsyncIterable<Pick<AnalysisRecord, 'items'>>,
  d: ScoreDef,
  allowFlagged: boolean,
): Promise<PoolStats> {
  const selectable = (it: AnalysisItem) => allowFlagged || it.flags.length === 0;
  let uMean = 0;
  if (d.uShrink > 0) {
    let sum = 0;
    let n = 0;
    for await (const r of records())
      for (const it of r.items)
        if (selectable(it) && it.nCore > 0) {
          sum += Math.round(it.u * U_SCALE);
          n++;
        }
    uMean = n ? sum / n / U_SCALE : 0;
  }
  const u = new RankTable();
  const flow = new RankTable();
  const partial: PoolStats = { uMean, u, flow, items: 0 };
  let items = 0;
  for await (const r of records()) {
    const n = r.items.length;
    for (const it of r.items) {
      if (!selectable(it)) continue;
      items++;
      u.add(shrunkU(it, d, partial));
      flow.add(flowTerm(it, n, d));
    }
  }
  u.freeze();
  flow.freeze();
  return { uMean, u, flow, items };
}
