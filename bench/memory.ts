/**
 * Memory benchmark (issue 8): peak RSS of `codeblock run` (analyze + select) on generated pools of
 * growing size. It must stay flat with pool size (issue #16: the largest pool ≤ 1.2× the smallest, ≤ 1 GiB).
 *
 * Each run is a fresh child process: `node dist/bench/memory.js --child run <pool> -o <out> …`.
 * In child mode this module runs the real CLI entry (src/cli/main.ts `main`) in-process and, at
 * exit, prints its own VmHWM from /proc/self/status (the kernel's peak resident set of the whole
 * process, worker threads included) on stderr; the parent also polls /proc/<pid>/status VmHWM as
 * a cross-check. (`process.resourceUsage().maxRSS` is not used: on Linux a spawned child's
 * ru_maxrss starts at the RSS of the parent it was forked from, i.e. the harness's own.) Large pools
 * run with `--scorer none` (structure + select: the LM scorer on CPU is too slow for 300K records on
 * 2 cores) — stated in the results; a scored run on a subset gives
 * the scorer's share.
 *
 * Figures: peak RSS per pool size, growth = peak(largest) ÷ peak(smallest) (1.0 = flat), and
 * peak(largest) ÷ the 1 GiB limit.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CLI_MAIN, generatedPool, log, peakRssLine, runNodeChild, sig, type WorkDir } from './util.js';

/** The limits from issue #16: peak RSS ≤ 1 GiB at any pool size, and ≤ 1.2× the 10K-record peak. */
export const RSS_LIMIT_MB = 1024;
export const GROWTH_LIMIT = 1.2;

export interface MemoryBenchOptions {
  work: WorkDir;
  /** Pool sizes (records) with `--scorer none`. */
  sizes: number[];
  /** Records of the scored (`--scorer lm`) run; 0 skips it. */
  scoredRecords?: number;
  workers?: number;
  seed?: number;
  /** Per-run timeout (ms). */
  timeoutMs?: number;
  /**
   * One extra `--scorer none` run with V8's old space capped (`node --max-old-space-size=mb`): if it
   * completes, the live data fits in the cap, and the default runs' extra RSS is heap V8 had not yet
   * collected — a diagnostic for the "flat" claim, not a figure.
   */
  heapCap?: { records: number; mb: number };
}

export interface MemoryRun {
  records: number;
  scorer: 'none' | 'lm';
  /** VmHWM of the child process at exit (MiB). */
  peak_rss_mb: number | null;
  /** VmHWM polled from the parent (MiB; may miss a short final peak). */
  polled_hwm_mb: number | null;
  /** ru_maxrss of the child (MiB): inflated by the parent's RSS at fork on Linux; kept for reference only. */
  ru_maxrss_mb: number | null;
  /** Records that reached select (analyzed) and records rejected as duplicates (manifest). */
  analyzed: number | null;
  duplicates: number | null;
  seconds: number;
  records_per_s: number;
  selected: number | null;
  packs: number | null;
  exit: number | null;
  /** V8 old-space cap of this run (MiB), when capped. */
  heap_cap_mb?: number;
  error?: string;
}

export interface MemoryBenchResult {
  scorer: 'none';
  workers: number;
  /** peak RSS (MiB) keyed by pool size, `--scorer none`. */
  peak_rss_mb: Record<string, number | null>;
  runs: MemoryRun[];
  /** peak(largest) ÷ peak(smallest) pool (1.0 = flat). */
  growth: number | null;
  /** peak at the largest pool ÷ 1024 MiB (target ≤ 1). */
  ratio_to_limit: number | null;
  limit_mb: number;
  largest: number;
  scored: MemoryRun | null;
  heap_capped: MemoryRun | null;
}

async function oneRun(
  opts: MemoryBenchOptions,
  records: number,
  scorer: 'none' | 'lm',
  heapCapMb?: number,
): Promise<MemoryRun> {
  const pool = await generatedPool(opts.work, records, opts.seed ?? 1);
  const out = opts.work.fresh(`mem-${scorer}-${records}`);
  const selfJs = fileURLToPath(import.meta.url);
  const args = [
    ...(heapCapMb ? [`--max-old-space-size=${heapCapMb}`] : []),
    selfJs,
    '--child',
    'run',
    pool,
    '-o',
    out,
    '--scorer',
    scorer,
    '--workers',
    String(opts.workers ?? 2),
    '--no-progress',
  ];
  log(
    `memory: run ${records} records, --scorer ${scorer}${heapCapMb ? `, V8 old space capped at ${heapCapMb} MiB` : ''}`,
  );
  const r = await runNodeChild(args, { timeoutMs: opts.timeoutMs });
  let selected: number | null = null;
  let packs: number | null = null;
  let analyzed: number | null = null;
  let duplicates: number | null = null;
  const manifestPath = join(out, 'manifest.json');
  if (existsSync(manifestPath)) {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      counts?: { input?: number; selected?: number; quarantined?: number; rejected?: Record<string, number> };
      packing?: { packs?: number };
    };
    selected = m.counts?.selected ?? null;
    packs = m.packing?.packs ?? null;
    duplicates = m.counts?.rejected?.duplicate ?? 0;
  }
  // records that reached select: the analysis part markers' `analyzed` counts
  try {
    const { listAnalysisParts } = await import('../src/analysis/format.js');
    analyzed = listAnalysisParts([join(out, 'analysis')]).reduce((a, p) => a + p.marker.counts.analyzed, 0);
  } catch {
    analyzed = null;
  }
  rmSync(out, { recursive: true, force: true });
  const run: MemoryRun = {
    records,
    scorer,
    peak_rss_mb: r.peakRssMb !== null ? sig(r.peakRssMb, 5) : null,
    polled_hwm_mb: r.polledHwmMb !== null ? sig(r.polledHwmMb, 5) : null,
    ru_maxrss_mb: r.ruMaxRssMb !== null ? sig(r.ruMaxRssMb, 5) : null,
    analyzed,
    duplicates,
    seconds: sig(r.seconds, 4)!,
    records_per_s: sig(records / r.seconds, 4)!,
    selected,
    packs,
    exit: r.code,
    ...(heapCapMb ? { heap_cap_mb: heapCapMb } : {}),
  };
  if (r.code !== 0) run.error = `exit ${r.code ?? r.signal}: ${r.stderrTail.slice(-400)}`;
  log(
    `memory: ${records} records (${scorer}): peak RSS ${run.peak_rss_mb ?? '?'} MiB, ${run.seconds} ` +
      `s${run.error ? ` — ${run.error}` : ''}`,
  );
  return run;
}

export async function benchMemory(opts: MemoryBenchOptions): Promise<MemoryBenchResult> {
  if (!existsSync(CLI_MAIN)) throw new Error(`compiled CLI not found at ${CLI_MAIN}: run \`npm run build:ts\``);
  const sizes = [...opts.sizes].sort((a, b) => a - b);
  const runs: MemoryRun[] = [];
  for (const n of sizes) runs.push(await oneRun(opts, n, 'none'));
  const scored = opts.scoredRecords ? await oneRun(opts, opts.scoredRecords, 'lm') : null;
  const heapCapped = opts.heapCap ? await oneRun(opts, opts.heapCap.records, 'none', opts.heapCap.mb) : null;
  const peak: Record<string, number | null> = {};
  for (const r of runs) peak[String(r.records)] = r.exit === 0 ? r.peak_rss_mb : null;
  const first = runs[0];
  const last = runs[runs.length - 1];
  const ok = (r: MemoryRun | undefined) => r !== undefined && r.exit === 0 && r.peak_rss_mb !== null;
  const failed = runs.filter((r) => r.exit !== 0);
  if (failed.length === runs.length) throw new Error(`every run failed; first: ${failed[0]?.error ?? 'unknown'}`);
  return {
    scorer: 'none',
    workers: opts.workers ?? 2,
    peak_rss_mb: peak,
    runs,
    growth: ok(first) && ok(last) && runs.length > 1 ? sig(last!.peak_rss_mb! / first!.peak_rss_mb!, 3) : null,
    ratio_to_limit: ok(last) ? sig(last!.peak_rss_mb! / RSS_LIMIT_MB, 3) : null,
    limit_mb: RSS_LIMIT_MB,
    largest: last?.records ?? 0,
    scored,
    heap_capped: heapCapped,
  };
}

// ---- child mode -------------------------------------------------------------------------------
// `node dist/bench/memory.js --child <codeblock args…>`: run the CLI in this process and report
// the peak RSS on stderr at exit.
async function childMain(argv: string[]): Promise<void> {
  process.on('exit', () => {
    process.stderr.write(`\n${peakRssLine()}\n`);
  });
  const { main } = (await import(pathToFileURL(CLI_MAIN).href)) as { main(a: string[]): Promise<number> };
  process.exitCode = await main(argv);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv[2] === '--child') {
  childMain(process.argv.slice(3)).catch((err: unknown) => {
    process.stderr.write(`bench child: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 70;
  });
}
