/**
 * Pool-level figures of one run, accumulated sample by sample in one pass with small state:
 * item score distribution (selected vs not), supervised tokens per sample, supervised share by item
 * type, code vs prose share, and why items were left out.
 */
import { scoreBin } from '../budget/threshold.js';
import type { InspectSample, ItemStatus, RunInfo } from './types.js';
import { finalizeStatuses, type ThresholdTracker } from './load.js';
import { growFloat32 } from '../util/grow.js';

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

  constructor(
    readonly run: RunInfo,
    tracker: ThresholdTracker,
  ) {
    this.tracker = tracker;
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
