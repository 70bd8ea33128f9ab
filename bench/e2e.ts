/**
 * End-to-end benchmark (issue 16): records/s of `codeblock run --scorer none` (analyze + select,
 * default config, Parquet output) on a generated pool, against a limit measured in the same run,
 * plus where the run spends its wall time (the pipeline's own stage timers, src/util/timings.ts).
 *
 * Pipeline: one fresh child, `node dist/bench/memory.js --child run <pool> -o <out> --scorer none
 * --workers N --no-progress` with `CODEBLOCK_TIMINGS=<file>`; records/s = input records ÷ the
 * child's wall time (process start to exit).
 *
 * Limit: the two things the pipeline cannot avoid doing to a record — parse it with tree-sitter
 * and encode it with the target tokenizer — over the same records, in this process:
 *   - parse-only: the addon's `parseOnly` (the structure stage's segments, detection and parses, nothing
 *     else) over the responses, batches of 64;
 *   - encode: raw `tokenizers` `encodeBatch` (the very instance `select` loads) over the same
 *     records' chat-templated texts (rendered beforehand, not timed), batches of 256.
 * Both are charged to the records the pipeline's pair filters keep (the structure stage never sees
 * the others; charging them too would flatter the pipeline); CPU seconds of both (all threads,
 * `process.cpuUsage`) are added and divided by the cores, so the limit is what the machine could do
 * if that work alone were spread perfectly over every core:
 *   limit records/s = input records ÷ ((parse CPU s + encode CPU s) ÷ cores).
 * ratio = pipeline records/s ÷ limit records/s (target ≥ 0.6).
 */
import { readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/index.js';
import { readRecordBatches } from '../src/io/index.js';
import { PairFilter } from '../src/filters/pair.js';
import { parseOnlyBatch, parseOnlyTotals } from '../src/structure/native.js';
import { TargetTokenizer } from '../src/tokenize/index.js';
import type { CodeRecord } from '../src/types.js';
import type { StageTime } from '../src/util/timings.js';
import { generatedPool, log, runNodeChild, sig, type WorkDir } from './util.js';

export const E2E_TARGET = 0.6;

export interface E2EOptions {
  work: WorkDir;
  records: number;
  workers?: number;
  seed?: number;
  /** Cores the limit divides its CPU seconds by (default: availableParallelism()). */
  cores?: number;
  timeoutMs?: number;
}

export interface E2EResult {
  records: number;
  workers: number;
  cores: number;
  pipeline: {
    seconds: number;
    records_per_s: number;
    exit: number | null;
    error?: string;
    /** CPU seconds of the run, every thread, and of its main thread alone (null when not reported). */
    cpu_seconds: number | null;
    main_cpu_seconds: number | null;
  };
  /**
   * The limit's CPU seconds ÷ the run's: the wall ratio the run would reach if its work kept every core busy.
   * Unlike the wall ratio it does not move with other load on a shared machine.
   */
  cpu_ratio: number | null;
  limit: {
    records_per_s: number;
    /** (parse CPU + encode CPU) ÷ cores. */
    seconds: number;
    /** records the limit parses and encodes (the pair filters' survivors). */
    charged_records: number;
    parse: { cpu_seconds: number; wall_seconds: number; segments: number; bytes: number; nodes: number };
    encode: { cpu_seconds: number; wall_seconds: number; tokens: number; render_seconds: number };
  };
  /** pipeline records/s ÷ limit records/s (target ≥ 0.6). */
  ratio: number;
  target: number;
  /** The child's stage timers (CODEBLOCK_TIMINGS), wall seconds; null when it wrote none. */
  stages: Record<string, StageTime> | null;
  /** The child's work counters (CODEBLOCK_TIMINGS `counts`: samples encoded in select's passes); null without. */
  counts: Record<string, number> | null;
}

interface RawEncoding {
  getIds(): number[];
}
interface RawTokenizer {
  encodeBatch(s: string[], opts?: { addSpecialTokens?: boolean }): Promise<RawEncoding[]>;
}

function cpuSeconds(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

async function readPool(path: string): Promise<CodeRecord[]> {
  const out: CodeRecord[] = [];
  for await (const batch of readRecordBatches([path], {}))
    for (const ev of batch) if (ev.type === 'record') out.push(ev.record);
  return out;
}

async function measureLimit(pool: string, cores: number): Promise<E2EResult['limit']> {
  const cfg = resolveConfig('run', { out: '/nonexistent', scorer: 'none' });
  const all = await readPool(pool);
  const filter = new PairFilter(cfg);
  const kept = all.filter((r) => filter.check(r) === null);
  // parse-only, in this thread
  const responses = kept.map((r) => r.response);
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  const totals = { segments: 0, bytes: 0, nodes: 0 };
  for (let i = 0; i < responses.length; i += 64) {
    const t = parseOnlyTotals(parseOnlyBatch(responses.slice(i, i + 64)));
    totals.segments += t.segments;
    totals.bytes += t.bytes;
    totals.nodes += t.nodes;
  }
  const parse = { cpu_seconds: cpuSeconds(c0), wall_seconds: (performance.now() - t0) / 1000, ...totals };
  // encode: the tokenizer select loads, templated texts rendered first (not timed)
  const tok = await TargetTokenizer.load(cfg.tokenizer, { template: cfg.template });
  const raw = (tok as unknown as { hf?: RawTokenizer }).hf;
  if (!raw || typeof raw.encodeBatch !== 'function')
    throw new Error('TargetTokenizer no longer exposes its tokenizers instance (field `hf`): update bench/e2e.ts');
  const addSpecialTokens = tok.description.addSpecialTokens;
  t0 = performance.now();
  const texts = kept.map((r) => tok.renderConversation(r.prompt, r.response).text);
  const renderSeconds = (performance.now() - t0) / 1000;
  await raw.encodeBatch(texts.slice(0, 256), { addSpecialTokens }); // warm-up
  let tokens = 0;
  t0 = performance.now();
  c0 = process.cpuUsage();
  for (let i = 0; i < texts.length; i += 256) {
    const encs = await raw.encodeBatch(texts.slice(i, i + 256), { addSpecialTokens });
    for (const e of encs) tokens += e.getIds().length;
  }
  const encode = {
    cpu_seconds: cpuSeconds(c0),
    wall_seconds: (performance.now() - t0) / 1000,
    tokens,
    render_seconds: renderSeconds,
  };
  const seconds = (parse.cpu_seconds + encode.cpu_seconds) / cores;
  return { records_per_s: all.length / seconds, seconds, charged_records: kept.length, parse, encode };
}

export async function benchE2E(opts: E2EOptions): Promise<E2EResult> {
  const workers = opts.workers ?? 2;
  const cores = opts.cores ?? availableParallelism();
  const pool = await generatedPool(opts.work, opts.records, opts.seed ?? 1);
  const out = opts.work.fresh(`e2e-${opts.records}`);
  const timingsFile = opts.work.path(`e2e-${opts.records}.timings.json`);
  rmSync(timingsFile, { force: true });
  const memoryJs = join(fileURLToPath(new URL('.', import.meta.url)), 'memory.js');
  log(`e2e: run ${opts.records} records, --scorer none, ${workers} workers`);
  const r = await runNodeChild(
    [memoryJs, '--child', 'run', pool, '-o', out, '--scorer', 'none', '--workers', String(workers), '--no-progress'],
    { env: { CODEBLOCK_TIMINGS: timingsFile }, timeoutMs: opts.timeoutMs },
  );
  rmSync(out, { recursive: true, force: true });
  let stages: Record<string, StageTime> | null = null;
  let counts: Record<string, number> | null = null;
  try {
    const t = JSON.parse(readFileSync(timingsFile, 'utf8')) as {
      stages: Record<string, StageTime>;
      counts?: Record<string, number>;
    };
    stages = t.stages;
    counts = t.counts ?? null;
  } catch {
    stages = null;
  }
  const pipeline = {
    seconds: r.seconds,
    records_per_s: opts.records / r.seconds,
    exit: r.code,
    cpu_seconds: r.cpuSeconds,
    main_cpu_seconds: r.mainCpuSeconds,
    ...(r.code !== 0 ? { error: `exit ${r.code ?? r.signal}: ${r.stderrTail.slice(-400)}` } : {}),
  };
  if (r.code !== 0) throw new Error(`codeblock run failed: ${pipeline.error}`);
  log(`e2e: pipeline ${sig(pipeline.records_per_s)} records/s (${sig(r.seconds)} s); measuring the limit`);
  const limit = await measureLimit(pool, cores);
  log(`e2e: limit ${sig(limit.records_per_s)} records/s`);
  return {
    records: opts.records,
    workers,
    cores,
    pipeline,
    limit,
    ratio: pipeline.records_per_s / limit.records_per_s,
    cpu_ratio: r.cpuSeconds ? (limit.parse.cpu_seconds + limit.encode.cpu_seconds) / r.cpuSeconds : null,
    target: E2E_TARGET,
    stages,
    counts,
  };
}

// `node dist/bench/e2e.js <records> [workers]`: the section alone, JSON on stdout.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { WorkDir } = await import('./util.js');
  const work = new WorkDir(process.env.CODEBLOCK_BENCH_WORKDIR);
  benchE2E({ work, records: Number(process.argv[2] ?? 100_000), workers: Number(process.argv[3] ?? 2) })
    .then(
      (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
      (err: unknown) => {
        process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
        process.exitCode = 1;
      },
    )
    .finally(() => {
      if (!process.env.CODEBLOCK_BENCH_WORKDIR) work.remove();
    });
}
