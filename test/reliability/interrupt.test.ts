/**
 * SIGINT (issue 26, case 8; docs/reliability.md "Interrupted runs"): analyze, select and run print one line,
 * remove their temporary files (staging directory and lock included) and exit 130; a complete output already
 * there is left untouched; the same command then completes, its counts add up to the input's records, and
 * run's output equals a clean run's byte for byte. The signal is sent at known points (CODEBLOCK_TEST_PAUSE_AT,
 * src/util/interrupt.ts): analyze with a temporary part file, select with its spills, select with every new
 * file staged but nothing committed (the commit itself is synchronous: a signal waits until it is done).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cli, FAST_ANALYZE, SHARED_DATA } from '../helpers/cli.js';
import { PACKAGE_ROOT } from '../../src/native.js';
import { assertAccounting, readOutcomes, treeBytes, treeDiff } from './harness.js';

const INPUT = join(SHARED_DATA, 'humaneval-markdown.jsonl');

/** Spawns the CLI paused at `point`, sends SIGINT once it says so; resolves with its exit code and stderr. */
function interruptAt(args: string[], point: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, CI: 'true', CODEBLOCK_TEST_PAUSE_AT: point },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let sent = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr += d;
      if (!sent && stderr.includes(`codeblock-test: paused at ${point}`)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Every path under dir (relative). */
function tree(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, rel))) {
    const p = join(rel, name);
    out.push(p);
    if (statSync(join(dir, p)).isDirectory()) out.push(...tree(dir, p));
  }
  return out;
}

function assertInterrupted(r: { code: number | null; stderr: string }, out: string, what: string): void {
  assert.equal(r.code, 130, `${what}: exit ${r.code}\n${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.at(-1), 'codeblock: interrupted; run the same command again to resume', what);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const temps = tree(out).filter((p) => /\.tmp-|\.codeblock-tmp|\.codeblock-staging-|\.codeblock\.lock/.test(p));
  assert.deepEqual(temps, [], `${what}: temporary files left`);
}

test('SIGINT in analyze, select, run: one line, no temporaries left, exit 130; the same command resumes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-sigint-'));
  try {
    const clean = join(dir, 'clean');
    assert.equal(cli(['run', INPUT, '-o', clean, ...FAST_ANALYZE]).status, 0);

    // analyze, interrupted while a part's temporary file exists; then the same command completes
    const an = join(dir, 'analysis');
    const analyzeArgs = ['analyze', INPUT, '-o', an, ...FAST_ANALYZE];
    assertInterrupted(await interruptAt(analyzeArgs, 'analyze-commit'), an, 'analyze');
    assert.equal(cli(analyzeArgs).status, 0);

    // select, interrupted while its spills exist
    const sel = join(dir, 'selected');
    const selectArgs = ['select', an, '-o', sel, '--no-progress'];
    assertInterrupted(await interruptAt(selectArgs, 'select-spill'), sel, 'select');
    assert.equal(cli(selectArgs).status, 0);
    assert.ok(existsSync(join(sel, 'manifest.json')), 'select completed');
    const inputRecords = readFileSync(INPUT, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '').length;
    const accounted = (out: string, what: string): void => {
      const o = readOutcomes(out);
      assertAccounting(o, what);
      assert.equal(o.manifest.counts.input, inputRecords, `${what}: counts.input = the input's records`);
    };
    accounted(sel, 'select');

    // a second select over that complete output (other budget), interrupted with every new file staged: the
    // old output is untouched, byte for byte; the same command then replaces it
    const before = treeBytes(sel);
    const select2 = [...selectArgs, '--budget', '0.05'];
    assertInterrupted(await interruptAt(select2, 'select-staged'), sel, 'select (staged)');
    assert.deepEqual(treeDiff(treeBytes(sel), before), [], 'the old output is untouched');
    assert.equal(cli(select2).status, 0);
    accounted(sel, 'select (budget 0.05)');

    // run, interrupted in its analyze, in its select, with its output staged; then it completes, equal to a clean run
    const run = join(dir, 'run');
    const runArgs = ['run', INPUT, '-o', run, ...FAST_ANALYZE];
    assertInterrupted(await interruptAt(runArgs, 'analyze-commit'), run, 'run (analyze)');
    assertInterrupted(await interruptAt(runArgs, 'select-spill'), run, 'run (select)');
    assertInterrupted(await interruptAt(runArgs, 'select-staged'), run, 'run (staged)');
    assert.equal(cli(runArgs).status, 0);
    accounted(run, 'run');
    const files = (d: string): string[] => tree(d).filter((p) => !p.startsWith('analysis'));
    assert.deepEqual(files(run), files(clean));
    for (const f of files(clean).filter((p) => !statSync(join(clean, p)).isDirectory()))
      assert.ok(readFileSync(join(run, f)).equals(readFileSync(join(clean, f))), `${f} differs from a clean run`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
