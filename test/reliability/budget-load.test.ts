/**
 * The work budget end to end under load (issue 26, case 6; docs/reliability.md "Deterministic work budget"):
 * `run` at a tiny --work-budget and at the default one gives a byte-identical output directory (analysis parts
 * included) with two CPU-burning processes beside it and another worker count, and the budget really rejects
 * records there; the manifest always reports how many records hit each structure limit (wall_timeout: 0).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** The manifest's structure-limit counts: always present, wall_timeout included (normally 0). */
function limits(out: string): { counts: Record<string, number>; input: number; limits: Record<string, number> } {
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  const c = m.counts;
  const rejected = Object.values(c.rejected as Record<string, number>).reduce((a, b) => a + b, 0);
  assert.equal(c.selected + rejected + c.quarantined, c.input, 'manifest counts add up');
  assert.deepEqual(Object.keys(m.structure_limits), ['wall_timeout', 'work_budget']);
  assert.equal(m.structure_limits.work_budget, c.rejected.work_budget ?? 0);
  assert.equal(m.structure_limits.wall_timeout, c.rejected.wall_timeout ?? 0);
  return { counts: c.rejected, input: c.input, limits: m.structure_limits };
}

// the tiny budget stops about half the records; the default one stops only the planted 20K-term chain
// (~2.1e8 units unlimited, 10x the default; docs/structure.md), after a budget's worth of CPU
for (const budget of ['12000', 'default']) {
  const name = budget === 'default' ? 'the default' : 'a tiny';
  test(`run at ${name} work budget: byte-identical output quiet vs beside two CPU burners (1 vs 2 workers)`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-budget-load-'));
    const burners: ChildProcess[] = [];
    try {
      const inputs = [INPUT];
      if (budget === 'default') {
        const chain = join(dir, 'chain.jsonl');
        const response = `\`\`\`python\nx = ${Array(20_000).fill('a').join('+')}\n\`\`\`\n`;
        writeFileSync(chain, `${JSON.stringify({ id: 'chain', instruction: 'sum', response })}\n`);
        inputs.push(chain);
      }
      const args = (out: string, workers: string): string[] => [
        'run',
        ...inputs,
        '-o',
        out,
        '--scorer',
        'none',
        '--no-progress',
        ...(budget === 'default' ? [] : ['--work-budget', budget]),
        '--workers',
        workers,
      ];
      const quiet = join(dir, 'quiet');
      assert.equal(cli(args(quiet, '1')).status, 0);
      const q = limits(quiet);
      const stopped = q.limits.work_budget!;
      if (budget === 'default') assert.equal(stopped, 1, 'only the planted chain');
      else assert.ok(stopped > 10 && stopped < q.input, `${stopped} work_budget of ${q.input}`);
      // the outer wall-clock net is never reached within the work budget, and says so
      assert.equal(q.limits.wall_timeout, 0);

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
}
