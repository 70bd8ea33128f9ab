/**
 * The cost of verifying what is read (issue 26), against the read it belongs to:
 *
 * 1. Part verification in `select`: `select --format parquet,bin` of an `analyze --scorer none` analysis of a
 *    generated pool, in a child under /usr/bin/time (its CPU seconds, every thread). Every part file is hashed
 *    each time select reads it (readPartFile, src/analysis/format.ts); the child counts those reads
 *    (bench/verify-reads.ts). Cost = Σ over part files of reads × the CPU seconds of one sha256 of that file
 *    (timed here on the same bytes). ratio = cost ÷ (select CPU seconds ÷ cores), as bench/integrity.ts does:
 *    target ≤ 0.05.
 * 2. Manifest verification on read: the check `loadPacks` makes before reading (`verifyOutput`, src/output/verify.ts)
 *    at `verify: 'digest'` (the default: sizes and sha256 of the pack files) and at `verify: 'size'`, timed alone,
 *    against one epoch of `loadPacks` (batch 8, shuffled) at `verify: 'size'`, for `bin` and `parquet`; interleaved
 *    rounds, medians of wall time. ratio = (digest check − size check) ÷ epoch: what the digest adds to one
 *    epoch's read. Target ≤ 0.05. The check runs once per `loadPacks` call, not per batch. A whole epoch at
 *    `verify: 'digest'` is timed too (reported, not used: the difference of two epochs is mostly noise).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadPacks } from '../src/loader/index.js';
import { FILE_NAMES } from '../src/output/types.js';
import { verifyOutput } from '../src/output/verify.js';
import { PACKAGE_ROOT } from '../src/native.js';
import { BENCH_DIST_DIR, generatedPool, log, median, WorkDir } from './util.js';

export const VERIFY_TARGET = 0.05;

export interface VerifyResult {
  records: number;
  workers: number;
  cores: number;
  select: {
    seconds: number;
    cpu_seconds: number;
    part_files: number;
    part_bytes: number;
    reads: number;
    verify_seconds: number;
    ratio: number;
  };
  load: Record<
    'bin' | 'parquet',
    {
      bytes: number;
      packs: number;
      /** one epoch at verify 'size' / 'digest' */
      size_ms: number;
      digest_ms: number;
      /** the check alone at 'size' / 'digest' */
      check_size_ms: number;
      check_digest_ms: number;
      ratio: number;
    }
  >;
  rounds: number;
  target: number;
  met: boolean;
}

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function timedCli(args: string[], env: NodeJS.ProcessEnv = {}): { seconds: number; cpu: number } {
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', 'CB_TIME %e %U %S', process.execPath, join(PACKAGE_ROOT, 'bin', 'codeblock'), ...args],
    { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env } },
  );
  const m = /CB_TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) throw new Error(`codeblock ${args[0]} exited ${r.status}: ${(r.stderr ?? '').slice(-500)}`);
  return { seconds: Number(m[1]), cpu: Number(m[2]) + Number(m[3]) };
}

async function epochMs(dir: string, format: 'bin' | 'parquet', verify: 'digest' | 'size'): Promise<number> {
  const t = performance.now();
  let packs = 0;
  for await (const b of loadPacks(dir, { batchSize: 8, shuffle: true, seed: 1, format, verify }))
    packs += b.packIndices.length;
  if (packs === 0) throw new Error('no packs read');
  return performance.now() - t;
}

export async function benchVerify(opts: {
  work: WorkDir;
  records: number;
  workers?: number;
  seed?: number;
  rounds?: number;
}): Promise<VerifyResult> {
  const workers = opts.workers ?? 2;
  const rounds = opts.rounds ?? 7;
  const cores = availableParallelism();
  const pool = await generatedPool(opts.work, opts.records, opts.seed ?? 26);
  const analysis = opts.work.fresh('verify-analysis');
  log(`verify: analyze --scorer none, ${opts.records} records, ${workers} workers`);
  timedCli(['analyze', pool, '-o', analysis, '--scorer', 'none', '--workers', String(workers), '--no-progress']);
  const out = opts.work.fresh('verify-out');
  const readsFile = opts.work.path('verify-reads.json');
  rmSync(readsFile, { force: true });
  log('verify: select --format parquet,bin');
  const preload = pathToFileURL(join(BENCH_DIST_DIR, 'verify-reads.js')).href;
  const sel = timedCli(['select', analysis, '-o', out, '--format', 'parquet,bin', '--no-progress'], {
    CODEBLOCK_BENCH_READS: readsFile,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`,
  });
  const reads = JSON.parse(readFileSync(readsFile, 'utf8')) as Record<string, number>;
  const shard = join(analysis, readdirSync(analysis).find((f) => f.startsWith('shard-'))!);
  const names = readdirSync(shard).filter((f) => /^part-\d+\.(records\.jsonl\.gz|outcomes\.jsonl)$/.test(f));
  let verifySeconds = 0;
  let partBytes = 0;
  let readCount = 0;
  for (const f of names) {
    const n = reads[join(shard, f)] ?? 0;
    if (n === 0) throw new Error(`select never read ${f}`);
    const buf = readFileSync(join(shard, f));
    partBytes += buf.length;
    readCount += n;
    const t = cpu();
    for (let i = 0; i < n; i++) createHash('sha256').update(buf).digest('hex');
    verifySeconds += cpu() - t;
  }
  const selectRatio = verifySeconds / (sel.cpu / cores);

  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  const bytesOf = (names: readonly string[]): number =>
    (manifest.files as { path: string; bytes: number }[])
      .filter((f) => names.includes(f.path))
      .reduce((a, f) => a + f.bytes, 0);
  const load = {} as VerifyResult['load'];
  for (const format of ['bin', 'parquet'] as const) {
    const files = format === 'bin' ? [FILE_NAMES.bin, FILE_NAMES.idx] : [FILE_NAMES.parquet];
    const check = (verify: 'digest' | 'size'): number => {
      const t = performance.now();
      verifyOutput(out, { verify, files });
      return performance.now() - t;
    };
    const size: number[] = [];
    const digest: number[] = [];
    const checkSize: number[] = [];
    const checkDigest: number[] = [];
    await epochMs(out, format, 'size'); // warm the page cache and the code
    for (let r = 0; r < rounds; r++) {
      // alternate which side goes first
      if (r % 2) digest.push(await epochMs(out, format, 'digest'));
      size.push(await epochMs(out, format, 'size'));
      if (!(r % 2)) digest.push(await epochMs(out, format, 'digest'));
      for (let i = 0; i < 3; i++) {
        checkDigest.push(check('digest'));
        checkSize.push(check('size'));
      }
    }
    const s = median(size);
    const cs = median(checkSize);
    const cd = median(checkDigest);
    load[format] = {
      bytes: bytesOf(files),
      packs: manifest.packing.packs,
      size_ms: s,
      digest_ms: median(digest),
      check_size_ms: cs,
      check_digest_ms: cd,
      ratio: (cd - cs) / s,
    };
  }
  return {
    records: opts.records,
    workers,
    cores,
    select: {
      seconds: sel.seconds,
      cpu_seconds: sel.cpu,
      part_files: names.length,
      part_bytes: partBytes,
      reads: readCount,
      verify_seconds: verifySeconds,
      ratio: selectRatio,
    },
    load,
    rounds,
    target: VERIFY_TARGET,
    met: selectRatio <= VERIFY_TARGET && load.bin.ratio <= VERIFY_TARGET && load.parquet.ratio <= VERIFY_TARGET,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const records = Number(process.argv[2] ?? 10000);
  const workers = Number(process.argv[3] ?? 2);
  const work = new WorkDir();
  console.log(JSON.stringify(await benchVerify({ work, records, workers }), null, 2));
}
