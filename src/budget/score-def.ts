/**
 * How the item modes' score is built from its two parts (issue #29, docs/scoring.md "Item score"): the item
 * utility U and the data-flow term F = λr·R + λb·B. Five knobs, each one table of choices here (the single
 * source of their `--help`, choices and docs/config.md):
 *
 *   --score-combine  fisher     −ln(1 − pU) − ln(1 − pF): Fisher's combination of the two upper-tail ranks —
 *                               an item unusual on either part ranks high, one unusual on both highest (default)
 *                    rank-mean  (pU + pF) / 2
 *                    product    U″·(1 + F), U″ per --u-transform (v2's form)
 *   --rank-within    kind  pU, pF are percentile ranks among the selectable items of the item's statement kind
 *                          (src/budget/selection-stats.ts): a return is measured against returns, a def header
 *                          against def headers, so the score picks items rather than a kind (default)
 *                    pool  … among all selectable items of the pool
 *   --u-transform    raw | pct   product only: U′ as is, or its percentile rank pU
 *   --reach-norm     pairs  R = Reach, B = Bridge as analyze stores them (÷ (n−1), ÷ (n−1)(n−2))  (v2)
 *                    log    R = ln(1 + items reachable), B = ln(1 + betweenness): counts, not shares,
 *                           so the first statement of a short response does not reach "everything"
 *   --u-shrink K     U′ = (nCore·U + K·Ū) / (nCore + K), Ū the pool's mean U: an item with few core tokens
 *                    is pulled toward the mean instead of winning on one token (K = 0: off)
 *
 * Pool statistics (Ū, the percentile tables of U′ and F, per kind or for the pool) are counted over every
 * selectable item (no ERROR/MISSING flag, unless --allow-flagged) of every analyzed record, in input order, by a
 * pre-pass of select and inspect (`collectPoolStats`); counts are integers and Ū an exact integer sum of the
 * 1e-5-rounded U, so the statistics — and the scores — are the same bytes whatever the shard or worker count.
 */
import type { AnalysisItem, AnalysisRecord } from '../analysis/format.js';
import { recordStatementKinds, type StatementKind } from './selection-stats.js';
import { binLowerEdge, scoreBin } from './threshold.js';

export const SCORE_COMBINES = [
  {
    name: 'fisher',
    help:
      "−ln(1 − pU) − ln(1 − pF), Fisher's combination of the percentile ranks of U′ and of the data-flow term " +
      'F = λr·R + λb·B: an item unusual on either part ranks high, on both highest',
  },
  { name: 'rank-mean', help: 'the mean of the percentile ranks of U′ and of F' },
  { name: 'product', help: "U″·(1 + F), U″ per --u-transform (v2's form)" },
] as const;
export const RANK_WITHIN = [
  {
    name: 'kind',
    help:
      "percentile ranks among the selectable items of the item's statement kind (def, import, assignment, " +
      'condition, return, call, loop, other)',
  },
  { name: 'pool', help: 'percentile ranks among all selectable items of the pool' },
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
export type RankWithin = (typeof RANK_WITHIN)[number]['name'];
export type UTransform = (typeof U_TRANSFORMS)[number]['name'];
export type ReachNorm = (typeof REACH_NORMS)[number]['name'];

const names = <T extends { name: string }>(t: readonly T[]) =>
  t.map((x) => x.name) as unknown as readonly [T['name'], ...T['name'][]];
export const SCORE_COMBINE_NAMES = names(SCORE_COMBINES);
export const U_TRANSFORM_NAMES = names(U_TRANSFORMS);
export const RANK_WITHIN_NAMES = names(RANK_WITHIN);
export const REACH_NORM_NAMES = names(REACH_NORMS);

const help = (t: readonly { name: string; help: string }[]) => t.map((x) => `${x.name} = ${x.help}`).join('; ');
export const SCORE_COMBINE_HELP = help(SCORE_COMBINES);
export const U_TRANSFORM_HELP = help(U_TRANSFORMS);
export const RANK_WITHIN_HELP = help(RANK_WITHIN);
export const REACH_NORM_HELP = help(REACH_NORMS);

/** The score definition of a run. */
export interface ScoreDef {
  combine: ScoreCombine;
  rankWithin: RankWithin;
  uTransform: UTransform;
  reachNorm: ReachNorm;
  uShrink: number;
  lambdaReach: number;
  lambdaBridge: number;
}

/**
 * The definition before issue #29 (`--score-combine product --u-transform raw --reach-norm pairs --u-shrink 0`;
 * --rank-within does not matter without ranks).
 */
export const V2: Omit<ScoreDef, 'lambdaReach' | 'lambdaBridge'> = {
  combine: 'product',
  rankWithin: 'pool',
  uTransform: 'raw',
  reachNorm: 'pairs',
  uShrink: 0,
};

/** Whether the definition reads pool statistics (a pre-pass over the analysis). */
export function needsPoolStats(d: ScoreDef): boolean {
  return ranksU(d) || d.uShrink > 0;
}

/** Whether the U part is a percentile rank (every combination but product with --u-transform raw). */
function ranksU(d: ScoreDef): boolean {
  return d.combine !== 'product' || d.uTransform === 'pct';
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

  /** A frozen table of counted bins (bin → items). */
  static ofBins(counts: ReadonlyMap<number, number>): RankTable {
    const t = new RankTable();
    for (const [b, c] of counts) {
      t.counts!.set(b, c);
      t.n += c;
    }
    return t.freeze();
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

  /** The p-quantile (0 ≤ p ≤ 1): the lower edge of the bin where the cumulative count reaches p·n (NaN if empty). */
  quantile(p: number): number {
    if (this.n === 0) return Number.NaN;
    const want = p * this.n;
    for (let i = 0; i < this.bins.length; i++)
      if (this.below[i]! + this.inBin[i]! >= want && this.inBin[i]! > 0) return binLowerEdge(this.bins[i]!);
    return binLowerEdge(this.bins[this.bins.length - 1]!);
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

/** Percentile tables of U′ (after shrinkage) and of the data-flow term F over one stratum of the pool. */
export interface Stratum {
  u: RankTable;
  flow: RankTable;
}

/** What the score reads of the pool. */
export interface PoolStats {
  /** Mean U over the pool's selectable items that have core tokens (the shrinkage target). */
  uMean: number;
  /** The tables by stratum: the statement kind (--rank-within kind) or `pool`. */
  strata: Map<string, Stratum>;
  /** Selectable items counted. */
  items: number;
}

/** Statement kinds of a record's items, computed once per record object. */
const kindCache = new WeakMap<object, StatementKind[]>();
function kindsOf(rec: AnalysisRecord): StatementKind[] {
  let k = kindCache.get(rec);
  if (!k) {
    k = recordStatementKinds(rec);
    kindCache.set(rec, k);
  }
  return k;
}

/** The stratum item `index` of `rec` is ranked in. */
export function stratumOf(rec: AnalysisRecord, index: number, d: Pick<ScoreDef, 'rankWithin'>): string {
  return d.rankWithin === 'kind' ? kindsOf(rec)[index]! : 'pool';
}

const EMPTY_STRATUM: Stratum = { u: new RankTable().freeze(), flow: new RankTable().freeze() };
function stratum(pool: PoolStats, key: string): Stratum {
  return pool.strata.get(key) ?? EMPTY_STRATUM;
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

/** Percentile ranks [pU, pF] of item `index` of `rec` in its stratum. */
export function itemRanks(rec: AnalysisRecord, index: number, d: ScoreDef, pool: PoolStats): [number, number] {
  const it = rec.items[index]!;
  const st = stratum(pool, stratumOf(rec, index, d));
  return [st.u.rank(shrunkU(it, d, pool)), st.flow.rank(flowTerm(it, rec.items.length, d))];
}

/** −ln(1 − p): a rank's upper-tail share on the log scale (finite: mid-ranks stay below 1). */
function tail(p: number): number {
  return -Math.log1p(-Math.min(p, 1 - 1e-12));
}

/** The U part of the score (what items-no-dataflow ranks by): U′, its rank, or the rank's tail under fisher. */
function uPart(rec: AnalysisRecord, index: number, d: ScoreDef, pool: PoolStats | undefined): number {
  if (needsPoolStats(d) && !pool) missingStats();
  const it = rec.items[index]!;
  const u = shrunkU(it, d, pool);
  if (!ranksU(d)) return u;
  const p = stratum(pool!, stratumOf(rec, index, d)).u.rank(u);
  return d.combine === 'fisher' ? tail(p) : p;
}

/** Score of item `index` of `rec` in mode codeblock. */
export function codeblockItemScore(rec: AnalysisRecord, index: number, d: ScoreDef, pool?: PoolStats): number {
  if (needsPoolStats(d) && !pool) missingStats();
  const it = rec.items[index]!;
  if (d.combine === 'fisher' || d.combine === 'rank-mean') {
    const [pu, pf] = itemRanks(rec, index, d, pool!);
    return d.combine === 'fisher' ? tail(pu) + tail(pf) : (pu + pf) / 2;
  }
  const u = uPart(rec, index, d, pool);
  const [r, b] = flowParts(it, rec.items.length, d);
  return u * (1 + d.lambdaReach * r + d.lambdaBridge * b); // v2's arithmetic, operation for operation
}

/** Score of item `index` in mode items-no-dataflow: the U part alone (shrunk and ranked as in codeblock). */
export function utilityItemScore(rec: AnalysisRecord, index: number, d: ScoreDef, pool?: PoolStats): number {
  return uPart(rec, index, d, pool);
}

/** U scaled to exact integers (analyze rounds U to 1e-5), so the pool mean is one exact sum in any order. */
const U_SCALE = 1e5;

/**
 * Pool statistics counted piece by piece: the U sum of the shrinkage target (first read), then each stratum's bins
 * (second read). Counts are integers, so pieces counted apart (select counts each analysis part on a worker:
 * src/pipeline/pool-stats.ts) and merged in any order give the same statistics as one count in input order.
 */
export class PoolCounts {
  uSum = 0;
  uN = 0;
  items = 0;
  /** stratum → [U′ bin → items, F bin → items] */
  readonly strata = new Map<string, [Map<number, number>, Map<number, number>]>();

  /** First read (only when `d.uShrink > 0`): the pool's U sum, exact in integers (U_SCALE). */
  addU(r: AnalysisRecord, allowFlagged: boolean): void {
    for (const it of r.items)
      if ((allowFlagged || it.flags.length === 0) && it.nCore > 0) {
        this.uSum += Math.round(it.u * U_SCALE);
        this.uN++;
      }
  }

  /** Second read: each selectable item's U′ (shrunk toward `uMean`) and F, binned by stratum. */
  addItems(r: AnalysisRecord, d: ScoreDef, allowFlagged: boolean, uMean: number): void {
    const partial: PoolStats = { uMean, strata: new Map(), items: 0 };
    const n = r.items.length;
    for (let i = 0; i < n; i++) {
      const it = r.items[i]!;
      if (!(allowFlagged || it.flags.length === 0)) continue;
      this.items++;
      const key = stratumOf(r, i, d);
      let st = this.strata.get(key);
      if (!st) this.strata.set(key, (st = [new Map(), new Map()]));
      bump(st[0], scoreBin(shrunkU(it, d, partial)));
      bump(st[1], scoreBin(flowTerm(it, n, d)));
    }
  }

  /** Adds counts made elsewhere (plain data: {@link toJSON} of another PoolCounts). */
  merge(o: PoolCountsData): void {
    this.uSum += o.uSum;
    this.uN += o.uN;
    this.items += o.items;
    for (const [key, u, f] of o.strata) {
      let st = this.strata.get(key);
      if (!st) this.strata.set(key, (st = [new Map(), new Map()]));
      for (const [b, c] of u) bump(st[0], b, c);
      for (const [b, c] of f) bump(st[1], b, c);
    }
  }

  toJSON(): PoolCountsData {
    return {
      uSum: this.uSum,
      uN: this.uN,
      items: this.items,
      strata: [...this.strata].map(([key, [u, f]]) => [key, [...u], [...f]]),
    };
  }

  get uMean(): number {
    return this.uN ? this.uSum / this.uN / U_SCALE : 0;
  }

  /** The statistics, with the mean U the second read used. */
  stats(uMean: number): PoolStats {
    const strata = new Map<string, Stratum>();
    for (const [key, [u, f]] of this.strata) strata.set(key, { u: RankTable.ofBins(u), flow: RankTable.ofBins(f) });
    return { uMean, strata, items: this.items };
  }
}

/** {@link PoolCounts} as plain data (what a worker hands back). */
export interface PoolCountsData {
  uSum: number;
  uN: number;
  items: number;
  strata: Array<[string, Array<[number, number]>, Array<[number, number]>]>;
}

function bump(m: Map<number, number>, b: number, c = 1): void {
  m.set(b, (m.get(b) ?? 0) + c);
}

/**
 * Pool statistics over every selectable item of `records` (read twice: the mean U first when shrinkage needs it,
 * then the tables). `records()` must give the same records each call.
 */
export async function collectPoolStats(
  records: () => AsyncIterable<AnalysisRecord>,
  d: ScoreDef,
  allowFlagged: boolean,
): Promise<PoolStats> {
  const first = new PoolCounts();
  if (d.uShrink > 0) for await (const r of records()) first.addU(r, allowFlagged);
  const uMean = d.uShrink > 0 ? first.uMean : 0;
  const counts = new PoolCounts();
  for await (const r of records()) counts.addItems(r, d, allowFlagged, uMean);
  return counts.stats(uMean);
}

/** Where the budget selects: the top 5% of items (the default budget takes about that share of the pool's items). */
export const UPPER_QUANTILE = 0.95;
/** U′ counts as flat when its interquartile range is within ±2.5% (ln(Q3/Q1) < 0.05): percentiles would rank noise. */
export const FLAT_LOG_IQR = 0.05;

/** Does U discriminate against the data-flow factor? (select's warning; docs/scoring.md) */
export interface Discrimination {
  /** ln(Q3/Q1) of U′ over the candidates. */
  uLogIqr: number;
  /** ln(Q95/Q50) of the score's U part (U′, or its percentile under --u-transform pct); product only. */
  uUpper?: number;
  /** ln((1 + Q95(F)) / (1 + Q50(F))) of the data-flow factor; product only. */
  flowUpper?: number;
  /** Why it does not, or undefined when it does. */
  problem?: string;
}

const f3 = (x: number) => x.toFixed(3);

/**
 * The discrimination check over the candidate items' U′ and F (tables counted by select's pass A):
 *   - U′ is flat: ln(Q3/Q1) < FLAT_LOG_IQR;
 *   - product form: in the top of the pool, where the budget selects, the U part spreads less than the data-flow
 *     factor (1 + F) — ln(Q95/Q50) of one against the other — so the flow term decides the selection.
 * rank-mean and fisher put both parts on the same percentile scale, so only flatness applies there.
 */
export function discrimination(u: RankTable, f: RankTable, d: ScoreDef, pool?: PoolStats): Discrimination {
  if (u.n === 0) return { uLogIqr: Number.NaN };
  const q1 = u.quantile(0.25);
  const q3 = u.quantile(0.75);
  const uLogIqr = q1 > 0 ? Math.log(q3 / q1) : q3 > 0 ? Number.POSITIVE_INFINITY : 0;
  const out: Discrimination = { uLogIqr };
  if (uLogIqr < FLAT_LOG_IQR) out.problem = `U′ barely varies: ln(Q3/Q1) = ${f3(uLogIqr)} < ${FLAT_LOG_IQR}`;
  // product with ranks among kinds has no single U scale to compare with the flow factor: flatness only
  if (d.combine === 'product' && !(d.uTransform === 'pct' && d.rankWithin === 'kind')) {
    const ranked = d.uTransform === 'pct' && pool ? stratum(pool, 'pool') : undefined;
    const part = (v: number) => (ranked ? ranked.u.rank(v) : v);
    const mid = part(u.quantile(0.5));
    const hi = part(u.quantile(UPPER_QUANTILE));
    out.uUpper = mid > 0 ? Math.log(hi / mid) : 0;
    out.flowUpper = Math.log((1 + f.quantile(UPPER_QUANTILE)) / (1 + f.quantile(0.5)));
    if (!out.problem && out.uUpper < out.flowUpper)
      out.problem =
        `in the top 5% of items U spreads less than the data-flow factor (ln Q95/Q50: U ${f3(out.uUpper)}, ` +
        `1 + F ${f3(out.flowUpper)}), so data flow decides the selection`;
  }
  return out;
}
