/**
 * Cumulative stage timers of the pipeline (issue 16): where `analyze` / `select` / `run` spend their
 * wall time. One `performance.now()` pair per batch, part or record — never per token — so they are
 * always on; nothing of them reaches the pipeline's outputs (analysis files, manifest, packs stay
 * byte-identical). `CODEBLOCK_TIMINGS=<file>` writes them as JSON when the process exits
 * (`CODEBLOCK_TIMINGS=-`: a table on stderr); the benchmark's end-to-end section reads that file
 * (docs/benchmarks.md).
 *
 * Stages are exclusive by construction: each timer wraps code no other timer wraps, so the stage
 * seconds add up to at most the pass's wall time. In `run` the two passes overlap (select's pass A reads what
 * analyze commits): `handoff_full` and `handoff_wait` are the time either side waited on the other. The
 * template + tokenizer encode of select is not timed apart (it lives in src/tokenize); `select_other` = select's
 * wall time minus its timed stages.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

/** The timed stages, in pipeline order. */
export const STAGES = [
  'analyze',
  'read',
  'filters',
  'structure',
  'scoring',
  'analysis_write',
  /** run: analyze's commits waiting on select's pass A (the hand-off was full) */
  'handoff_full',
  'select',
  /** run: select's pass A waiting for analyze's next part */
  'handoff_wait',
  /** select's pre-pass for a score with pool statistics, on worker threads (src/pipeline/pool-stats.ts) */
  'pool_stats',
  'analysis_read',
  'dedup',
  'candidates',
  'masks',
  'pack',
  'write',
] as const;
export type Stage = (typeof STAGES)[number];

/** Counters beside the timers (how much work a stage did, not how long). */
export const COUNTERS = [
  /** select pass A: samples rendered and encoded with the target tokenizer */
  'select_encoded',
  /** select pass B: samples whose pass-A encoding was read back from the encoding spill */
  'select_read_back',
  /** select pass B: samples rejected without an encoding (no cut can reach any of their candidates) */
  'select_unreachable',
] as const;
export type Counter = (typeof COUNTERS)[number];
const counts: Record<Counter, number> = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;

/** Adds `n` to a counter. */
export function addCount(counter: Counter, n: number): void {
  counts[counter] += n;
}

/** The counters so far in this thread. */
export function stageCounts(): Record<Counter, number> {
  return { ...counts };
}

/** Milliseconds charged to `stage` so far (a stage that runs inside another's wall time subtracts it this way). */
export function stageMs(stage: Stage): number {
  return ms[stage];
}

export interface StageTime {
  seconds: number;
  calls: number;
}

const ms: Record<Stage, number> = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
const calls: Record<Stage, number> = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;

/** Adds `elapsedMs` to a stage. */
export function addStageTime(stage: Stage, elapsedMs: number): void {
  ms[stage] += elapsedMs;
  calls[stage]++;
}

/** Runs `fn` (synchronous) and charges its time to `stage`. */
export function timed<T>(stage: Stage, fn: () => T): T {
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    addStageTime(stage, performance.now() - t0);
  }
}

/** Runs `fn` (asynchronous) and charges its wall time, awaits included, to `stage`. */
export async function timedAsync<T>(stage: Stage, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    addStageTime(stage, performance.now() - t0);
  }
}

/**
 * The items of `it`, charging to `stage` the time spent producing each one (from asking for it to
 * getting it), not the consumer's time between items.
 */
export async function* timedIterable<T>(stage: Stage, it: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T> {
  const iter =
    Symbol.asyncIterator in it
      ? (it as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (it as Iterable<T>)[Symbol.iterator]();
  try {
    for (;;) {
      const t0 = performance.now();
      const r = await iter.next();
      addStageTime(stage, performance.now() - t0);
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await iter.return?.();
  }
}

/** The synchronous form of {@link timedIterable}. */
export function* timedIterableSync<T>(stage: Stage, it: Iterable<T>): Generator<T> {
  const iter = it[Symbol.iterator]();
  try {
    for (;;) {
      const t0 = performance.now();
      const r = iter.next();
      addStageTime(stage, performance.now() - t0);
      if (r.done) return;
      yield r.value;
    }
  } finally {
    iter.return?.();
  }
}

/** select's own timed stages: every stage listed after `select` (their time is inside select's). */
const SELECT_INNER: readonly Stage[] = STAGES.slice(STAGES.indexOf('select') + 1);

/** Seconds and calls per stage so far in this thread, plus `select_other` (select minus its timed stages). */
export function stageTimings(): Record<Stage | 'select_other', StageTime> {
  const out = {} as Record<Stage | 'select_other', StageTime>;
  for (const s of STAGES) out[s] = { seconds: ms[s] / 1000, calls: calls[s] };
  const other = ms.select - SELECT_INNER.reduce((a, s) => a + ms[s], 0);
  out.select_other = { seconds: Math.max(0, other) / 1000, calls: calls.select };
  return out;
}

export function resetStageTimings(): void {
  for (const s of STAGES) {
    ms[s] = 0;
    calls[s] = 0;
  }
  for (const c of COUNTERS) counts[c] = 0;
}

/** The stage timings as a small table (for `CODEBLOCK_TIMINGS=-`). */
export function timingsTable(t = stageTimings()): string {
  const lines = ['codeblock stage timings (wall seconds, cumulative):'];
  for (const [k, v] of Object.entries(t))
    if (v.calls > 0) lines.push(`  ${k.padEnd(15)} ${v.seconds.toFixed(3).padStart(10)} s  (${v.calls} calls)`);
  for (const [k, v] of Object.entries(stageCounts())) if (v > 0) lines.push(`  ${k.padEnd(22)} ${v}`);
  return `${lines.join('\n')}\n`;
}

const TARGET = process.env.CODEBLOCK_TIMINGS;
if (TARGET && isMainThread) {
  process.on('exit', () => {
    const t = stageTimings();
    try {
      if (TARGET === '-') process.stderr.write(timingsTable(t));
      else
        writeFileSync(
          TARGET,
          `${JSON.stringify({ format: 'codeblock-timings', version: 1, stages: t, counts: stageCounts() }, null, 1)}\n`,
        );
    } catch {
      // a timing report never fails the run
    }
  });
}
