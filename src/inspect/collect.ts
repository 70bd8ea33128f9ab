/**
 * One pass over every run given to inspect: pool summaries, the samples to show, and (with several
 * runs) which response characters each run supervises, for the mode comparison.
 */
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CodeblockError } from '../errors.js';
import {
  finalizeStatuses,
  loadRunKnobs,
  recordedThreshold,
  resolveRuns,
  runSamples,
  ThresholdTracker,
} from './load.js';
import { SummaryBuilder, type RunSummary } from './summary.js';
import type { InspectSample, RunInfo } from './types.js';

/** Which sample the terminal shows; `first`: the first written sample, else the first analyzed record. */
export type SamplePick = { id: string } | { sample: number } | { best: true } | { worst: true } | { first: true };

export interface CollectOptions {
  /** Keep the first `maxSamples` analyzed records (input order) for the report's sample browser. */
  maxSamples?: number;
  /** Find one sample for the terminal view. */
  pick?: SamplePick;
  /** Attach scorer tokens (analysis view). */
  scorer?: boolean;
}

/** Supervised response character ranges of one sample in one run: [start, end) pairs, merged. */
export interface RunSampleView {
  state: InspectSample['state'];
  reason?: string;
  numSupervised?: number;
  ranges: number[];
}

export interface Collected {
  runs: RunInfo[];
  summaries: RunSummary[];
  /** Samples of the primary run (the first), statuses final. */
  samples: InspectSample[];
  /** Total analyzed records of the primary run (samples may be a prefix). */
  totalSamples: number;
  /** The picked sample (terminal view), statuses final. */
  picked?: InspectSample;
  /** With `pick: {id}`: every analyzed record of that id, in input order (picked is the first), statuses final.
   *  Ids are not unique in every pool: inspect shows them all and says how many there are. */
  matches?: InspectSample[];
  /** For each kept sample id (primary run), its view in every run (index = run). */
  compare: Map<string, Array<RunSampleView | undefined>>;
}

/** Supervised code point ranges of a sample (merged). */
export function supervisedRanges(s: InspectSample): number[] {
  const out: number[] = [];
  if (!s.tokens || !s.supervised) return out;
  for (let t = 0; t < s.supervised.length; t++) {
    if (!s.supervised[t]) continue;
    const a = s.tokens[2 * t]!;
    const b = s.tokens[2 * t + 1]!;
    if (b <= a) continue;
    if (out.length && out[out.length - 1]! >= a) out[out.length - 1] = Math.max(out[out.length - 1]!, b);
    else out.push(a, b);
  }
  return out;
}

function maxSelectedScore(s: InspectSample): number {
  let best = -Infinity;
  for (const it of s.items) if (it.supervised > 0 && it.score > best) best = it.score;
  return best;
}

function minSelectedScore(s: InspectSample): number {
  let worst = Infinity;
  for (const it of s.items) if (it.supervised > 0 && it.score < worst) worst = it.score;
  return worst;
}

function maxScore(s: InspectSample): number {
  let best = -Infinity;
  for (const it of s.items) if (it.status !== 'flagged' && it.score > best) best = it.score;
  return best;
}

/** Where a record that is not among the analyzed ones went (rejected/quarantined), for a clear message. */
async function findOutcome(run: RunInfo, id: string): Promise<string | undefined> {
  for (const f of ['rejected.jsonl', 'quarantine.jsonl']) {
    const path = join(run.dir, f);
    if (!existsSync(path)) continue;
    const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    for await (const line of rl) {
      if (!line.includes(JSON.stringify(id))) continue;
      const o = JSON.parse(line) as { id?: string; reason: string; detail?: string };
      if (o.id === id) {
        rl.close();
        return `${f === 'rejected.jsonl' ? 'rejected' : 'quarantined'}: ${o.reason}${o.detail ? ` — ${o.detail}` : ''}`;
      }
    }
  }
  return undefined;
}

export async function collect(runs: RunInfo[], options: CollectOptions = {}): Promise<Collected> {
  const maxSamples = options.maxSamples ?? 0;
  const summaries: RunSummary[] = [];
  const compare = new Map<string, Array<RunSampleView | undefined>>();
  const kept: InspectSample[] = [];
  let picked: InspectSample | undefined;
  const matches: InspectSample[] = [];
  let pickedKey = 0;
  let totalSamples = 0;
  const trackers: ThresholdTracker[] = [];
  const primaryOrdinals = new Set<number>();

  for (let r = 0; r < runs.length; r++) {
    const run = runs[r]!;
    const tracker = new ThresholdTracker(await loadRunKnobs(run), recordedThreshold(run));
    trackers.push(tracker);
    const sb = new SummaryBuilder(run, tracker);
    let n = 0;
    let written = 0;
    for await (const s of runSamples(run, { scorer: options.scorer && r === 0 })) {
      sb.add(s);
      if (r === 0) {
        if (n < maxSamples) {
          kept.push(s);
          primaryOrdinals.add(s.ordinal);
          compare.set(s.id, new Array(runs.length).fill(undefined));
        }
        const p = options.pick;
        if (p) {
          if ('first' in p) {
            if (!picked || (picked.state !== 'selected' && s.state === 'selected')) picked = s;
          } else if ('id' in p) {
            if (s.id === p.id) {
              matches.push(s);
              picked ??= s;
            }
          } else if ('sample' in p) {
            const idx = run.kind === 'analysis' ? n : s.state === 'selected' ? written : -1;
            if (idx === p.sample) picked = s;
          } else if ('best' in p) {
            const v = run.kind === 'analysis' ? maxScore(s) : s.state === 'selected' ? maxSelectedScore(s) : -Infinity;
            if (Number.isFinite(v) && (!picked || v > pickedKey)) {
              picked = s;
              pickedKey = v;
            }
          } else {
            const v = run.kind === 'analysis' ? maxScore(s) : s.state === 'selected' ? minSelectedScore(s) : Infinity;
            if (Number.isFinite(v) && (!picked || v < pickedKey)) {
              picked = s;
              pickedKey = v;
            }
          }
        }
      }
      if (s.state === 'selected') written++;
      n++;
      const views = compare.get(s.id);
      if (views && (r === 0 ? primaryOrdinals.has(s.ordinal) : views[r] === undefined)) {
        views[r] = { state: s.state, reason: s.reason, numSupervised: s.numSupervised, ranges: supervisedRanges(s) };
      }
    }
    if (r === 0) totalSamples = n;
    summaries.push(sb.finish());
  }
  if (picked && maxSamples > 0 && !kept.includes(picked)) {
    // the picked sample is always in the report, even beyond maxSamples
    kept.push(picked);
    const views: Array<RunSampleView | undefined> = new Array(runs.length).fill(undefined);
    views[0] = {
      state: picked.state,
      reason: picked.reason,
      numSupervised: picked.numSupervised,
      ranges: supervisedRanges(picked),
    };
    if (!compare.has(picked.id)) compare.set(picked.id, views);
  }
  for (const s of kept) finalizeStatuses(s, runs[0]!, trackers[0]!);
  if (picked) finalizeStatuses(picked, runs[0]!, trackers[0]!);
  for (const s of matches) if (s !== picked && !kept.includes(s)) finalizeStatuses(s, runs[0]!, trackers[0]!);
  const p = options.pick;
  if (p && !picked) {
    const run = runs[0]!;
    if ('id' in p) {
      const where = await findOutcome(run, p.id);
      throw new CodeblockError(
        where
          ? `record ${p.id} has no coding items to show: it was ${where}`
          : `no record with id ${p.id} in ${run.dir}`,
        'E_INPUT',
      );
    }
    if ('first' in p) throw new CodeblockError(`${run.dir} has no analyzed records to show`, 'E_INPUT');
    if ('sample' in p) {
      const count = run.kind === 'analysis' ? totalSamples : summaries[0]!.counts.selected;
      throw new CodeblockError(
        `--sample ${p.sample} is out of range: ${run.dir} has ${count} ` +
          `${run.kind === 'analysis' ? 'analyzed records' : 'written samples'} (0-based)`,
        'E_INPUT',
      );
    }
    throw new CodeblockError(
      `${run.dir} has no ${run.kind === 'analysis' ? 'items' : 'selected items'} to rank samples by`,
      'E_INPUT',
    );
  }
  return {
    runs,
    summaries,
    samples: kept,
    totalSamples,
    picked,
    compare,
    ...(options.pick && 'id' in options.pick ? { matches } : {}),
  };
}

export interface InspectOptions extends Omit<CollectOptions, 'scorer'> {
  /** Attach scorer tokens; `'auto'`: when the first directory is an analysis directory. Default false. */
  scorer?: boolean | 'auto';
}

/**
 * What `codeblock inspect` shows, as data: the runs of output / analysis directories (the first is
 * the primary run), their pool summaries, kept samples and the picked sample (docs/inspect.md).
 */
export async function inspect(dirs: readonly string[], options: InspectOptions = {}): Promise<Collected> {
  const runs = resolveRuns(dirs);
  const scorer = options.scorer === 'auto' ? runs[0]!.kind === 'analysis' : options.scorer;
  return collect(runs, { ...options, scorer });
}
