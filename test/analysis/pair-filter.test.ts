/**
 * `--pair-filter off` keeps every readable pair for modes that supervise prose or whole responses
 * (full, token modes); item modes still reject pairs without usable code (`no_code`), the same
 * records the default analysis rejects. Reason codes: `response_too_long` (pair filter) is not the
 * structure stage's `too_many_items`. Real CLI on the first 400 Evol-Instruct records.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAST_ANALYZE as FAST, SHARED_DATA, cli, cliOk } from '../helpers/cli.js';
import { MODE_TABLE, type ModeUnit } from '../../src/budget/modes.js';

/** Modes of a unit that run on an unscored analysis (`withoutScores` in the mode table). */
const unscoredModes = (unit: ModeUnit): string[] =>
  MODE_TABLE.filter((m) => m.unit === unit && m.withoutScores.verdict === 'runs').map((m) => m.name);

let work = '';
const at = (...p: string[]): string => join(work, ...p);

const ok = (args: string[]): string => cliOk(args, { cwd: work });

const rejected = (dir: string): Array<{ id: string; reason: string }> =>
  readFileSync(join(dir, 'rejected.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));

before(() => {
  work = mkdtempSync(join(tmpdir(), 'cb-pairfilter-'));
  const lines = readFileSync(join(SHARED_DATA, 'evol-instruct-code-r1.jsonl'), 'utf8').split('\n').slice(0, 400);
  writeFileSync(at('evol400.jsonl'), `${lines.join('\n')}\n`);
  ok(['analyze', at('evol400.jsonl'), '-o', at('on'), ...FAST]);
  ok(['analyze', at('evol400.jsonl'), '-o', at('off'), '--pair-filter', 'off', ...FAST]);
});
after(() => rmSync(work, { recursive: true, force: true }));

it('full mode keeps every readable pair; item modes reject exactly the no_code pairs of the default analysis', () => {
  ok(['select', at('off'), '-o', at('off-full'), '--mode', 'full', '--no-progress']);
  const full = manifest(at('off-full'));
  assert.equal(full.counts.input, 400);
  assert.equal(full.counts.rejected.no_code, undefined);
  assert.equal(full.counts.selected, 400, JSON.stringify(full.counts));

  ok(['select', at('on'), '-o', at('on-cb'), '--no-progress']);
  const on = rejected(at('on-cb'))
    .filter((r) => r.reason === 'no_code')
    .map((r) => r.id);
  assert.ok(on.length > 40, `expected many no_code pairs (prose answers, unregistered code), found ${on.length}`);
  // the analyses are unscored (--scorer none): the modes that refuse without scores are left out (needs-scores.test.ts)
  for (const mode of unscoredModes('items')) {
    ok(['select', at('off'), '-o', at(`off-${mode}`), '--mode', mode, '--no-progress']);
    const off = rejected(at(`off-${mode}`))
      .filter((r) => r.reason === 'no_code')
      .map((r) => r.id);
    assert.deepEqual(off, on, `${mode}: no_code set differs`);
  }
  for (const mode of unscoredModes('tokens')) {
    ok(['select', at('off'), '-o', at(`off-${mode}`), '--mode', mode, '--no-progress']);
    assert.equal(manifest(at(`off-${mode}`)).counts.rejected.no_code, undefined, mode);
  }
});

it('--help says where no_code still applies', () => {
  const r = cli(['analyze', '--help']);
  assert.match(r.stdout + r.stderr, /--pair-filter <on\|off>\s+[^\n]*no_code then rejects only in item modes/);
});

it('an over-long response is rejected as response_too_long', () => {
  ok(['analyze', at('evol400.jsonl'), '-o', at('short'), '--max-response-chars', '800', ...FAST]);
  ok(['select', at('short'), '-o', at('short-s'), '--no-progress']);
  const m = manifest(at('short-s'));
  assert.ok(m.counts.rejected.response_too_long > 0, JSON.stringify(m.counts));
  assert.equal(m.counts.rejected.too_long, undefined);
  const one = rejected(at('short-s')).find((r) => r.reason === 'response_too_long') as unknown as { detail: string };
  assert.match(one.detail, /UTF-16 units > maxResponseChars 800/);
});
