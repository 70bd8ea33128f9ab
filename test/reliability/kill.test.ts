/**
 * Kill test (issue 8, item 3): `run` killed with SIGKILL at seeded random points during analyze and
 * select, re-run after each kill (resume is the default), must leave the output directory — every
 * file, analysis parts included — byte-identical to an uninterrupted run.
 *
 * Pool: 2,300 generated records → 3 analysis parts (1,024 + 1,024 + 252). The big pool runs with
 * `--scorer none` (structure, filters, parts, resume, select, writers are all real; only the LM
 * forward pass is skipped: with it, one run takes ~75 s on 2 CPU cores). A second, small test kills
 * a run with the real embedded LM in the middle of scoring.
 *
 * Kill points are chosen from progress the test can observe, so they land whatever the machine speed:
 * analyze — after the k-th part marker appears (k = 0, 1, 2) plus a seeded delay; select — pass A
 * (after the `analyze:` summary line plus a seeded delay), pass B and pass C (when a seeded fraction of
 * samples.jsonl / packs.cbpk, measured against the reference run, is written under the process's
 * temporary name), and between the outcome files and the manifest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cli, EXAMPLES } from '../helpers/cli.js';
import { assertAccounting, leftovers, readOutcomes, treeBytes, treeDiff } from './harness.js';
import { mulberry32 } from '../../src/util/random.js';

const work = mkdtempSync(join(tmpdir(), 'cb-kill-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Attempt {
  /** Human description of the kill point. */
  point: string;
  /** True when the process should be killed now (after `delayMs`). */
  when: (state: { stderr: string; out: string; pid: number; t0: number }) => boolean;
  delayMs: number;
}

interface RunResult {
  killed: boolean;
  code: number | null;
  stderr: string;
  /** ms from spawn until the `analyze:` line appeared, and until exit. */
  analyzeMs: number;
  totalMs: number;
  /** phase at the moment of the kill */
  phase?: 'analyze' | 'select';
}

function markers(out: string): number {
  const a = join(out, 'analysis');
  if (!existsSync(a)) return 0;
  let n = 0;
  for (const s of readdirSync(a)) {
    try {
      n += readdirSync(join(a, s)).filter((f) => /^part-\d+\.json$/.test(f)).length;
    } catch {
      /* being created */
    }
  }
  return n;
}

/** This process's staging directories in `out` (select writes there, then renames into `out`). */
function stagingDirs(out: string, pid: number): string[] {
  try {
    return readdirSync(out)
      .filter((f) => f.startsWith(`.codeblock-staging-${pid}-`))
      .map((f) => join(out, f));
  } catch {
    return [];
  }
}

/** Bytes written so far to this process's temporary `name` (AtomicFile: `.<name>.tmp-<pid>-…`, in its staging). */
function tempBytes(out: string, name: string, pid: number): number {
  let n = 0;
  for (const d of stagingDirs(out, pid)) {
    try {
      for (const f of readdirSync(d)) if (f.startsWith(`.${name}.tmp-${pid}-`)) n += statSync(join(d, f)).size;
    } catch {
      /* not there yet, or renamed away */
    }
  }
  return n;
}

/** True when `path` exists and was written after `t0` (by the run under test). */
function newerThan(path: string, t0: number): boolean {
  try {
    return statSync(path).mtimeMs >= t0;
  } catch {
    return false;
  }
}

/** Spawns `codeblock run`; kills it with SIGKILL when `attempt` says so (after its delay). */
async function runOnce(args: string[], out: string, attempt?: Attempt): Promise<RunResult> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [BIN, 'run', ...args, '-o', out], {
    env: { ...process.env, CI: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let analyzeMs = -1;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr += d;
    if (analyzeMs < 0 && /(^|\n)analyze: /.test(stderr)) analyzeMs = Date.now() - t0;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('exit', (code, signal) => res({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  let phase: RunResult['phase'];
  if (attempt) {
    while (!done && !attempt.when({ stderr, out, pid: child.pid!, t0 })) await sleep(2);
    if (!done) {
      await sleep(attempt.delayMs);
      if (!done) {
        phase = analyzeMs < 0 ? 'analyze' : 'select';
        child.kill('SIGKILL');
      }
    }
  }
  const { code, signal } = await exited;
  return { killed: signal === 'SIGKILL', code, stderr, analyzeMs, totalMs: Date.now() - t0, phase };
}

test('SIGKILL at ≥ 5 seeded points in analyze and select, each resumed: output identical to a clean run', async () => {
  const pool = join(work, 'pool.jsonl');
  const g = cli(['gen', '-o', pool, '--records', '2300', '--seed', '11']);
  assert.equal(g.status, 0, g.stderr);
  const args = [pool, '--scorer', 'none', '--workers', '2', '--format', 'parquet,bin,jsonl', '--no-progress'];

  const refOut = join(work, 'ref');
  const ref = await runOnce(args, refOut);
  assert.equal(ref.code, 0, ref.stderr);
  assert.match(ref.stderr, /3 part\(s\)/, 'the pool spans 3 analysis parts');
  const refBytes = (f: string): number => statSync(join(refOut, f)).size;

  const rnd = mulberry32(0xc0deb10c);
  const attempts: Attempt[] = [];
  for (let k = 0; k < 3; k++) {
    attempts.push({
      point: `analyze: after ${k} part marker(s)`,
      when: ({ out }) => (k === 0 ? existsSync(join(out, 'analysis')) : markers(out) >= k),
      delayMs: Math.round(rnd() * 150),
    });
  }
  // select: pass A (budget histogram) has no output; pass B writes samples.jsonl, pass C the packs —
  // both under this process's temp names, so progress is measured in bytes against the reference run
  attempts.push({
    point: 'select pass A (histogram)',
    when: ({ stderr }) => /(^|\n)analyze: /.test(stderr),
    delayMs: Math.round(rnd() * 400),
  });
  for (const [file, pass] of [
    ['samples.jsonl', 'B (masks)'],
    ['packs.cbpk', 'C (packs)'],
  ] as const) {
    const f = 0.1 + 0.8 * rnd();
    const target = f * refBytes(file);
    attempts.push({
      point: `select pass ${pass}: ${file} ${(f * 100).toFixed(0)}% written`,
      when: ({ out, pid, t0 }) =>
        tempBytes(out, file, pid) >= target ||
        newerThan(join(out, file), t0) ||
        stagingDirs(out, pid).some((d) => existsSync(join(d, file))),
      delayMs: 0,
    });
  }
  attempts.push({
    point: 'select: outcome files committed in the staging directory, manifest not yet',
    when: ({ out, pid, t0 }) =>
      stagingDirs(out, pid).some((d) => existsSync(join(d, 'rejected.jsonl'))) ||
      newerThan(join(out, 'rejected.jsonl'), t0),
    delayMs: 0,
  });

  const out = join(work, 'killed');
  const log: string[] = [];
  let landed = 0;
  const phases = new Set<string>();
  for (const a of attempts) {
    const r = await runOnce(args, out, a);
    if (r.killed) {
      landed++;
      phases.add(r.phase!);
      log.push(`killed (${r.phase}) at ${a.point} +${a.delayMs} ms`);
    } else {
      assert.equal(r.code, 0, `an unkilled run after earlier kills failed:\n${r.stderr}`);
      log.push(`missed: ${a.point} +${a.delayMs} ms (run finished first)`);
    }
  }
  const final = await runOnce(args, out);
  assert.equal(final.code, 0, `the resumed run failed:\n${final.stderr}\n${log.join('\n')}`);
  assert.ok(landed >= 5, `only ${landed} kills landed:\n${log.join('\n')}`);
  assert.deepEqual([...phases].sort(), ['analyze', 'select'], log.join('\n'));

  const a = treeBytes(refOut);
  const b = treeBytes(out);
  const visible = (m: Map<string, string>): Map<string, string> =>
    new Map([...m].filter(([p]) => !/(^|\/)\.[^/]*tmp/.test(p)));
  assert.deepEqual(treeDiff(visible(a), visible(b)), [], `output files differ after kills:\n${log.join('\n')}`);
  assert.deepEqual(
    leftovers(out),
    [],
    `temporary files of killed runs are left behind after the resumed run completed:\n${log.join('\n')}`,
  );
  // nothing lost: the resumed output accounts for every generated record
  const o = readOutcomes(out);
  assertAccounting(o, 'after kills');
  assert.equal(o.manifest.counts.input, 2300);
});

test('SIGKILL while the embedded LM is scoring, then a resumed run: byte-identical to a clean run', async () => {
  const pool = join(EXAMPLES, 'pool.jsonl');
  const args = [pool, '--workers', '2', '--format', 'parquet,jsonl', '--no-progress'];
  const refOut = join(work, 'lm-ref');
  const ref = await runOnce(args, refOut);
  assert.equal(ref.code, 0, ref.stderr);
  const rnd = mulberry32(7);
  const out = join(work, 'lm-killed');
  // the scorer session opens first, then structure and scoring: kill in the second half of analyze
  let killed = 0;
  for (let i = 0; i < 3 && killed === 0; i++) {
    const f = 0.5 + 0.45 * rnd();
    const r = await runOnce(args, out, {
      point: 'analyze (scoring)',
      when: () => true,
      delayMs: Math.round(f * ref.analyzeMs),
    });
    if (r.killed) killed++;
  }
  assert.equal(killed, 1, 'the kill landed');
  const final = await runOnce(args, out);
  assert.equal(final.code, 0, final.stderr);
  const visible = (m: Map<string, string>): Map<string, string> =>
    new Map([...m].filter(([p]) => !/(^|\/)\.[^/]*tmp/.test(p)));
  assert.deepEqual(treeDiff(visible(treeBytes(refOut)), visible(treeBytes(out))), []);
  assert.deepEqual(leftovers(out), [], 'temporary files of the killed run are left behind');
  const o = readOutcomes(out);
  assertAccounting(o, 'after the LM kill');
  const lines = readFileSync(pool, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '').length;
  assert.equal(o.manifest.counts.input, lines);
});
