/**
 * The cost of content verification (issue 26): what `analyze` adds to identify its input by content and to verify
 * part files, against `analyze --scorer none` itself on the same generated pool.
 *
 * Pipeline: one child, `codeblock analyze <pool> -o <dir> --scorer none --workers N --no-progress`, under
 * /usr/bin/time: its wall time and its CPU seconds (every thread: main, structure workers).
 *
 * Hashing, replayed in this process on the same bytes and records (timed alone, CPU seconds of this thread):
 *   - file digest: sha256 over the pool's bytes in the reader's 1 MiB chunks (src/io/digest.ts StreamDigest);
 *   - part digests: every input unit's line bytes (with ordinal and length) into its part's byte hash, and its
 *     ordinal, line, preset and verdict into the part's digest, one digest per 1,024 units (src/pipeline/analyze.ts,
 *     PartMarker.inputSha256);
 *   - part verification: sha256 of every part file the child wrote (what select, run and resume check on their
 *     one read of each file; counted once here, select reads each file once per pass).
 * The reads themselves are not counted: the pipeline makes them anyway.
 *   ratio = hashing CPU seconds ÷ (analyze CPU seconds ÷ cores) (target ≤ 0.03): the analyze time of a machine
 *   that spreads its work perfectly over every core, so the figure does not improve with machine load (a loaded
 *   machine stretches the wall time, not the CPU seconds). The ratio to the wall time is reported beside it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readRecordBatches } from '../src/io/index.js';
import { StreamDigest } from '../src/io/digest.js';
import { PairFilter } from '../src/filters/pair.js';
import { resolveConfig } from '../src/config/index.js';
import { PACKAGE_ROOT } from '../src/native.js';
import { generatedPool, log, WorkDir } from './util.js';

export const INTEGRITY_TARGET = 0.03;

export interface IntegrityResult {
  records: number;
  bytes: number;
  workers: number;
  cores: number;
  analyze: { seconds: number; cpu_seconds: number; exit: number | null };
  hashing: {
    file_seconds: number;
    parts_seconds: number;
    verify_seconds: number;
    seconds: number;
    part_files: number;
    part_bytes: number;
  };
  ratio: number;
  /** hashing CPU seconds ÷ analyze wall seconds (flatters on a loaded machine). */
  ratio_to_wall: number;
  target: number;
  met: boolean;
}

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export async function benchIntegrity(opts: {
  work: WorkDir;
  records: number;
  workers?: number;
  seed?: number;
}): Promise<IntegrityResult> {
  const workers = opts.workers ?? 2;
  const pool = await generatedPool(opts.work, opts.records, opts.seed ?? 26);
  const out = opts.work.fresh('integrity-analysis');
  log(`integrity: analyze --scorer none, ${opts.records} records, ${workers} workers`);
  const args = ['analyze', pool, '-o', out, '--scorer', 'none', '--workers', String(workers), '--no-progress'];
  const timed = spawnSync(
    '/usr/bin/time',
    ['-f', 'CB_TIME %e %U %S', process.execPath, join(PACKAGE_ROOT, 'bin', 'codeblock'), ...args],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const m = /CB_TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(timed.stderr ?? '');
  if (timed.status !== 0 || !m) throw new Error(`analyze exited ${timed.status}: ${(timed.stderr ?? '').slice(-500)}`);
  const child = { code: timed.status, seconds: Number(m[1]), cpu: Number(m[2]) + Number(m[3]) };
  const cores = availableParallelism();

  // every unit's ordinal, line, preset and verdict as the reader and the pair filter give them (not timed)
  const meta: string[] = [];
  const filter = new PairFilter(resolveConfig('analyze', {}));
  for await (const batch of readRecordBatches([pool]))
    for (const ev of batch) {
      if (ev.type === 'record') {
        const r = ev.record;
        const v = filter.check(r);
        meta[r.ordinal] = `R${r.ordinal}\t${r.source.line}\t${r.preset}\t${v ? `${v.reason}\t${v.detail}` : ''}\n`;
      } else if (ev.type === 'quarantine') meta[ev.entry.ordinal] = `Q${JSON.stringify(ev.entry)}\n`;
    }

  // The pipeline hashes each 1 MiB chunk, and the lines in it, right after reading it: so does the replay (only the
  // hashing is timed, the line splitting with it). Every line of a generated pool is one unit.
  let fileSeconds = 0;
  let partsSeconds = 0;
  const file = new StreamDigest();
  let h = createHash('sha256');
  let b = createHash('sha256');
  let ordinal = 0;
  let carry: Buffer | undefined;
  const unit = (line: Uint8Array): void => {
    b.update(`${ordinal}:${line.length}\n`);
    b.update(line);
    h.update(meta[ordinal]!);
    ordinal++;
    if (ordinal % 1024 === 0 || ordinal === meta.length) {
      h.update(`B${b.digest('hex')}\n`);
      h.digest('hex');
      h = createHash('sha256');
      b = createHash('sha256');
    }
  };
  const fd = openSync(pool, 'r');
  let bytes = 0;
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(1 << 20);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      bytes += n;
      let t = cpu();
      file.update(chunk);
      fileSeconds += cpu() - t;
      t = cpu();
      let at = 0;
      for (let nl = chunk.indexOf(10, at); nl >= 0; nl = chunk.indexOf(10, at)) {
        const piece = chunk.subarray(at, nl);
        unit(carry ? Buffer.concat([carry, piece]) : piece);
        carry = undefined;
        at = nl + 1;
      }
      if (at < n) carry = carry ? Buffer.concat([carry, chunk.subarray(at)]) : Buffer.from(chunk.subarray(at));
      partsSeconds += cpu() - t;
    }
  } finally {
    closeSync(fd);
  }
  if (carry) unit(carry);
  let t = cpu();
  await file.finish(pool);
  fileSeconds += cpu() - t;
  if (ordinal !== meta.length) throw new Error(`replay read ${ordinal} lines, the reader ${meta.length} units`);

  // part verification: each file hashed right after it is read, as readPartFile does
  const shard = join(out, readdirSync(out).find((f) => f.startsWith('shard-'))!);
  let verifySeconds = 0;
  let partBytes = 0;
  const names = readdirSync(shard).filter((f) => /^part-\d+\.(records\.jsonl\.gz|outcomes\.jsonl)$/.test(f));
  for (const f of names) {
    const buf = readFileSync(join(shard, f));
    partBytes += buf.length;
    t = cpu();
    createHash('sha256').update(buf).digest('hex');
    verifySeconds += cpu() - t;
  }

  const seconds = fileSeconds + partsSeconds + verifySeconds;
  const ratio = seconds / (child.cpu / cores);
  return {
    records: opts.records,
    bytes,
    workers,
    cores,
    analyze: { seconds: child.seconds, cpu_seconds: child.cpu, exit: child.code },
    hashing: {
      file_seconds: fileSeconds,
      parts_seconds: partsSeconds,
      verify_seconds: verifySeconds,
      seconds,
      part_files: names.length,
      part_bytes: partBytes,
    },
    ratio,
    ratio_to_wall: seconds / child.seconds,
    target: INTEGRITY_TARGET,
    met: ratio <= INTEGRITY_TARGET,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const records = Number(process.argv[2] ?? 20000);
  const workers = Number(process.argv[3] ?? 2);
  const work = new WorkDir();
  console.log(JSON.stringify(await benchIntegrity({ work, records, workers }), null, 2));
}
