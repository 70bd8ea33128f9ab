/**
 * Pool-level figures of one run, accumulated sample by sample in one pass with small state:
 * item score distribution (selected vs not), the item utility U distribution with the run's
 * threshold, supervised tokens per sample, supervised share by item type, code vs prose share, and
 * why items were left out.
 */
import { scoreBin } from '../budget/threshold.js';
import { isItemMode } from '../budget/modes.js';
import type { InspectSample, ItemStatus, RunInfo } from './types.js';
import { finalizeStatuses, runAnalysisConfig, type ThresholdTracker } from './load.js';
import { growFloat32, growFloat64 } from '../util/grow.js';
import { SelectionStatsBuilder, type SelectionStats } from '../budget/selection-stats.js';

export interface TypeShare {
  /** Item label (assignment, call, def header, …). */
  type: string;
  items: number;
  selected: number;
  /** Target tokens inside items of this type (selected samples), and how many are supervised. */
  tokens: number;
  supervised: number;
}

export interface Histogram {
  /** Bin edges (length bins+1). */
  edges: number[];
  /** One count array per series. */
  series: Array<{ name: string; counts: number[] }>;
}

/** Bins of the U and item-score histograms (equal width, fixed: the same for every run). */
export const UTILITY_BINS = 20;
export { SATURATION } from '../scoring/utility.js';
import { SATURATION } from '../scoring/utility.js';

/** The run's item threshold: the lowest item score select takes (mode scores, not U in general). */
export interface RunThreshold {
  value: number;
  /** `manifest`: select's recorded `selection.item_threshold`; `lowest selected`: read off the written samples. */
  source: 'manifest' | 'lowest selected';
}

/**
 * The item utility U of every item of the pool (flagged and token-less ones included), and where
 * the run's threshold sits: does the reference LM discriminate between items?
 */
export interface UtilityView {
  /** false: the analysis ran with `--scorer none`, so every U is 1 and the histogram says nothing. */
  scored: boolean;
  /** GCE exponent and reduce of the analysis (U = reduce of (1 − p^q)/q over an item's core tokens). */
  q: number;
  reduce: string;
  items: number;
  /** Items without core scorer tokens (U 0 when scored). */
  noCore: number;
  /**
   * U in UTILITY_BINS equal bins over [0, 1/q] (reduce sum: up to the largest U when that is above 1/q);
   * bin b holds edges[b] ≤ U < edges[b+1], the last bin also its upper edge.
   */
  histogram: Histogram;
  /** Median and quartiles of U (linear interpolation between order statistics; NaN without items). */
  median: number;
  q1: number;
  q3: number;
  /** Items with U ≥ (1 − SATURATION)/q; undefined for reduce sum (not bounded by 1/q). */
  saturated?: number;
  /** Output runs of an item mode that took items. */
  threshold?: RunThreshold;
  /** Items whose score is at or above the threshold (eligible or not). */
  atThreshold?: number;
  /** Every item's score is its U (items-no-dataflow, or zero λ): the threshold is then a U value. */
  scoreIsU: boolean;
  /** Item scores under the run's mode, UTILITY_BINS equal bins over [0, max(scores, threshold)], same edge rule. */
  scores: Histogram;
}

export interface RunSummary {
  label: string;
  dir: string;
  kind: 'output' | 'analysis';
  mode: string;
  budget?: number;
  counts: { input: number; selected: number; rejected: Record<string, number>; quarantined: number; analyzed: number };
  tokens?: { response: number; supervised: number; supervised_code: number; supervised_nl: number; ratio: number };
  packing?: { packs: number; max_len: number; tokens: number; efficiency: number };
  /** Response tokens (target tokenizer; scorer tokens for analysis files) inside code segments vs prose. */
  share: { code: number; prose: number; unit: 'target' | 'scorer' };
  items: { total: number; flagged: number; status: Partial<Record<ItemStatus, number>> };
  /** Lowest score an item got in by the budget (undefined: no item selected). */
  threshold?: number;
  scoreHistogram: Histogram;
  supervisedHistogram: Histogram;
  byType: TypeShare[];
  utility: UtilityView;
  /**
   * Statement-kind mix of the selected items against the pool's selectable items, and how many of each open
   * their response (src/budget/selection-stats.ts). Item modes' outputs only.
   */
  kinds?: SelectionStats;
}

/** The bin of `v` in equal-width `edges`: edges[b] ≤ v < edges[b+1]; the last bin is closed, outliers clamp. */
export function binOf(edges: readonly number[], v: number): number {
  const bins = edges.length - 1;
  const lo = edges[0]!;
  const hi = edges[bins]!;
  let b = Math.floor(((v - lo) / (hi - lo)) * bins);
  if (!(b >= 0)) b = 0;
  if (b >= bins) b = bins - 1;
  // the division may round across an edge: the edges decide
  while (b + 1 < bins && v >= edges[b + 1]!) b++;
  while (b > 0 && v < edges[b]!) b--;
  return b;
}

/** One series over `bins` equal bins of [0, hi] (binOf's edge rule). */
function fixedHistogram(values: Float64Array, hi: number, bins: number, name: string): Histogram {
  const top = hi > 0 ? hi : 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (top * i) / bins);
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[binOf(edges, v)]!++;
  return { edges, series: [{ name, counts }] };
}

/** Quantile of sorted values, linear interpolation between order statistics (R type 7, numpy's default). */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const i = Math.floor(h);
  const a = sorted[i]!;
  return i + 1 < n ? a + (h - i) * (sorted[i + 1]! - a) : a;
}

function histogram(
  values: Float32Array,
  groups: Uint8Array | undefined,
  names: string[],
  bins: number,
  integer = false,
): Histogram {
  if (values.length === 0) return { edges: [0, 1], series: names.map((name) => ({ name, counts: [0] })) };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (integer) {
    lo = Math.floor(lo);
    hi = Math.floor(hi) + 1;
    const width = Math.max(1, Math.ceil((hi - lo) / bins));
    bins = Math.ceil((hi - lo) / width);
    hi = lo + width * bins;
  } else if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  const series = names.map((name) => ({ name, counts: new Array<number>(bins).fill(0) }));
  for (let i = 0; i < values.length; i++) {
    let b = Math.floor(((values[i]! - lo) / (hi - lo)) * bins);
    if (b >= bins) b = bins - 1;
    if (b < 0) b = 0;
    series[groups ? groups[i]! : 0]!.counts[b]!++;
  }
  return { edges, series };
}

/** Accumulates a run's summary; `add` every sample (provisional statuses are fine), then `finish`. */
export class SummaryBuilder {
  readonly tracker: ThresholdTracker;
  private readonly scores = growFloat32();
  private readonly scoreSel: number[] = [];
  /** Provisional status per item, for the below-threshold / budget split at the end. */
  private readonly pendingBins = new Map<number, number>();
  private readonly supervisedPerSample = growFloat32();
  private readonly byType = new Map<string, TypeShare>();
  private readonly status: Partial<Record<ItemStatus, number>> = {};
  private total = 0;
  private flagged = 0;
  private analyzed = 0;
  private selectedSamples = 0;
  private code = 0;
  private prose = 0;
  /** U and mode score of every item (float64: the histograms bin them exactly). */
  private readonly us = growFloat64();
  private readonly itemScores = growFloat64();
  private noCore = 0;
  private scoreIsU = true;
  private readonly kinds: SelectionStatsBuilder;

  constructor(
    readonly run: RunInfo,
    tracker: ThresholdTracker,
  ) {
    this.tracker = tracker;
    this.kinds = new SelectionStatsBuilder(tracker.knobs.allowFlagged);
  }

  add(s: InspectSample): void {
    this.analyzed++;
    this.tracker.observe(s);
    // statuses that do not depend on the threshold are final; the rest are split in finish()
    finalizeStatuses(s, this.run, this.tracker);
    const selectedSample = s.state === 'selected';
    if (selectedSample) {
      this.selectedSamples++;
      this.supervisedPerSample.push(s.numSupervised ?? 0);
    }
    for (const it of s.items) {
      this.total++;
      this.us.push(it.u);
      this.itemScores.push(it.score);
      if (it.nCore === 0) this.noCore++;
      if (it.score !== it.u) this.scoreIsU = false;
      if (it.flags.length) this.flagged++;
      const st = it.status;
      if (st === 'below_threshold' || st === 'budget') {
        const bin = scoreBin(it.score);
        this.pendingBins.set(bin, (this.pendingBins.get(bin) ?? 0) + 1);
      } else this.status[st] = (this.status[st] ?? 0) + 1;
      if (st !== 'flagged' && st !== 'no_tokens') {
        this.scores.push(it.score);
        this.scoreSel.push(st === 'selected' ? 1 : 0);
      }
      let t = this.byType.get(it.label);
      if (!t) this.byType.set(it.label, (t = { type: it.label, items: 0, selected: 0, tokens: 0, supervised: 0 }));
      t.items++;
      if (st === 'selected') t.selected++;
      if (selectedSample && it.tokens > 0) {
        t.tokens += it.tokens;
        t.supervised += it.supervised;
      }
    }
    if (s.items.length)
      this.kinds.add(
        s,
        s.items.filter((it) => it.status === 'selected').map((it) => it.index),
      );
    // code vs prose share of the response
    if (s.tokens) {
      countShare(s.tokens, s.segments, (c) => (c ? this.code++ : this.prose++));
    } else if (s.scorer && this.run.kind === 'analysis') {
      countShare(s.scorer.spans, s.segments, (c) => (c ? this.code++ : this.prose++));
    }
  }

  finish(): RunSummary {
    const cut = this.tracker.cutBin;
    const status = { ...this.status };
    for (const [bin, n] of this.pendingBins) {
      const st: ItemStatus = cut !== undefined && bin >= cut ? 'budget' : 'below_threshold';
      status[st] = (status[st] ?? 0) + n;
    }
    const m = this.run.manifest;
    const counts = m
      ? { ...(m.counts as RunSummary['counts']), analyzed: this.analyzed }
      : { input: this.analyzed, selected: 0, rejected: {}, quarantined: 0, analyzed: this.analyzed };
    const names = this.run.kind === 'analysis' ? ['items'] : ['not selected', 'selected'];
    const scoreHistogram = histogram(
      this.scores.view(),
      this.run.kind === 'analysis' ? undefined : Uint8Array.from(this.scoreSel),
      names,
      30,
    );
    const supervisedHistogram = histogram(this.supervisedPerSample.view(), undefined, ['samples'], 20, true);
    return {
      label: this.run.label,
      dir: this.run.dir,
      kind: this.run.kind,
      mode: this.run.mode,
      budget: this.run.budget,
      counts,
      tokens: m?.tokens,
      packing: m?.packing,
      share: { code: this.code, prose: this.prose, unit: this.run.kind === 'analysis' ? 'scorer' : 'target' },
      items: { total: this.total, flagged: this.flagged, status },
      threshold: Number.isFinite(this.tracker.minSelected) ? this.tracker.minSelected : undefined,
      scoreHistogram,
      supervisedHistogram,
      byType: [...this.byType.values()].sort(
        (a, b) => b.supervised - a.supervised || b.items - a.items || (a.type < b.type ? -1 : 1),
      ),
      utility: this.utility(),
      ...(this.run.kind === 'output' && isItemMode(this.tracker.knobs.mode) ? { kinds: this.kinds.finish() } : {}),
    };
  }

  private utility(): UtilityView {
    const config = runAnalysisConfig(this.run);
    const q = this.tracker.knobs.q;
    const reduce = typeof config.reduce === 'string' ? config.reduce : 'mean';
    const us = this.us.view();
    const sorted = Float64Array.from(us).sort();
    const bound = 1 / q;
    const uTop = reduce === 'sum' && sorted.length ? Math.max(bound, sorted[sorted.length - 1]!) : bound;
    let saturated: number | undefined;
    if (reduce !== 'sum') {
      saturated = 0;
      for (const u of us) if (u >= (1 - SATURATION) * bound) saturated++;
    }
    let threshold: RunThreshold | undefined;
    if (this.run.kind === 'output' && isItemMode(this.tracker.knobs.mode)) {
      const t = this.tracker;
      if (t.explicitThreshold !== undefined) threshold = { value: t.explicitThreshold, source: 'manifest' };
      else if (Number.isFinite(t.minSelected)) threshold = { value: t.minSelected, source: 'lowest selected' };
    }
    const scores = this.itemScores.view();
    let sTop = threshold?.value ?? 0;
    let atThreshold = 0;
    for (const v of scores) {
      if (v > sTop) sTop = v;
      if (threshold && v >= threshold.value) atThreshold++;
    }
    return {
      scored: config.scorer !== 'none',
      q,
      reduce,
      items: us.length,
      noCore: this.noCore,
      histogram: fixedHistogram(us, uTop, UTILITY_BINS, 'items'),
      median: quantile(sorted, 0.5),
      q1: quantile(sorted, 0.25),
      q3: quantile(sorted, 0.75),
      saturated,
      threshold,
      atThreshold: threshold ? atThreshold : undefined,
      scoreIsU: this.scoreIsU,
      scores: fixedHistogram(scores, sTop, UTILITY_BINS, 'items'),
    };
  }

  /** Counts of analysis markers are in the manifest for outputs; analysis dirs count what they hold. */
  get samplesSelected(): number {
    return this.selectedSamples;
  }
}

function countShare(
  spans: ArrayLike<number>,
  segments: Array<{ start: number; end: number }>,
  f: (code: boolean) => void,
): void {
  let g = 0;
  for (let i = 0; i + 1 < spans.length; i += 2) {
    const a = spans[i]!;
    const b = spans[i + 1]!;
    const mid = (a + b) / 2;
    while (g < segments.length && segments[g]!.end <= mid) g++;
    f(g < segments.length && segments[g]!.start <= mid && mid < segments[g]!.end);
  }
}
