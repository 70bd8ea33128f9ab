/**
 * The work budget end to end under load (issue 26, case 6; docs/reliability.md "Deterministic work budget"):
 * `run` at a tiny --work-budget gives a byte-identical output directory (analysis parts included) with two
 * CPU-burning processes beside it and another worker count, and the budget really rejects records there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, SHARED_DATA } from '../helpers/cli.js';

const INPUT = join(SHARED_DATA, 'humaneval-markdown.jsonl');

function files(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const p = join(rel, name);
    if (statSync(join(dir, p)).isDirectory()) out.push(...files(dir, p));
    else out.push(p);
  }
  return out;
}

test('run at a tiny work budget: byte-identical output quiet vs beside two CPU burners (1 vs 2 workers)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-budget-load-'));
  const burners: ChildProcess[] = [];
  try {
    const args = (out: string, workers: string): string[] => [
      'run',
      INPUT,
      '-o',
      out,
      '--scorer',
      'none',
      '--no-progress',
      '--work-budget',
      '12000',
      '--workers',
      workers,
    ];
    const quiet = join(dir, 'quiet');
    assert.equal(cli(args(quiet, '1')).status, 0);
    const manifest = JSON.parse(readFileSync(join(quiet, 'manifest.json'), 'utf8'));
    const stopped = manifest.counts.rejected.work_budget ?? 0;
    assert.ok(stopped > 10 && stopped < manifest.counts.input, `${stopped} work_budget of ${manifest.counts.input}`);
    assert.equal(manifest.counts.rejected.wall_timeout, undefined);

    for (let i = 0; i < 2; i++) burners.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
    const loaded = join(dir, 'loaded');
    assert.equal(cli(args(loaded, '2')).status, 0);
    assert.deepEqual(files(loaded), files(quiet));
    for (const f of files(quiet))
      assert.ok(readFileSync(join(loaded, f)).equals(readFileSync(join(quiet, f))), `${f} differs under load`);
  } finally {
    for (const b of burners) b.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
