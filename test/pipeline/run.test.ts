/**
 * End to end through the real CLI: analyze → select on the example pool, with the embedded scorer
 * and the Qwen2.5 target tokenizer. Accounting, budget, modes, re-budget without re-scoring,
 * determinism across worker counts, resume after a lost part.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { cli, EXAMPLES } from '../helpers/cli.js';
import { MODES } from '../../src/config/options.js';

const POOL = join(EXAMPLES, 'pool.jsonl');
const work = mkdtempSync(join(tmpdir(), 'cb-run-'));

interface Manifest {
  counts: { input: number; selected: number; rejected: Record<string, number>; quarantined: number };
  tokens: {
    response: number;
    supervised: number;
    supervised_code: number;
    supervised_nl: number;
    supervised_eos: number;
    ratio: number;
  };
  packing: { packs: number; max_len: number; efficiency: number };
  files: Array<{ path: string; sha256: string }>;
  config: { select: { mode: string; budget: number } };
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

function ok(r: { status: number | null; stderr: string }, what: string): void {
  assert.equal(r.status, 0, `${what} failed:\n${r.stderr}`);
}

function sumRejected(m: Manifest): number {
  return Object.values(m.counts.rejected).reduce((a, b) => a + b, 0);
}

function dirBytes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isFile()) out.set(f, createHash('sha256').update(readFileSync(p)).digest('hex'));
  }
  return out;
}

const analysis = join(work, 'analysis');

test('analyze + select on the example pool: manifest adds up and the budget holds', () => {
  ok(cli(['analyze', POOL, '-o', analysis, '--workers', '2']), 'analyze');
  const out = join(work, 'sel');
  ok(cli(['select', analysis, '-o', out, '--format', 'parquet,bin,jsonl']), 'select');
  const m = manifest(out);
  const lines = readFileSync(POOL, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '').length;
  assert.equal(m.counts.input, lines);
  assert.equal(m.counts.input, m.counts.selected + sumRejected(m) + m.counts.quarantined);
  assert.ok(m.counts.selected > 0);
  assert.ok(m.tokens.supervised > 0);
  assert.equal(m.tokens.supervised, m.tokens.supervised_code + m.tokens.supervised_nl + m.tokens.supervised_eos);
  assert.equal(m.tokens.supervised_eos, m.counts.selected, 'one end-of-turn token per selected sample');
  // 41 records: 0.1 pp is 6 tokens, less than half an item, so the pool is coarse (the ±0.1 pp figure is tested
  // on ../shared/data in test/budget/shared-data.test.ts)
  assert.ok(Math.abs(m.tokens.ratio - 0.019) <= 0.005, `ratio ${m.tokens.ratio}`);
  for (const f of [
    'packs.parquet',
    'packs.cbpk',
    'packs.cbpk.idx',
    'samples.jsonl',
    'rejected.jsonl',
    'quarantine.jsonl',
  ])
    assert.ok(existsSync(join(out, f)), f);
  // rejected.jsonl + quarantine.jsonl list every record that was not selected
  const rejLines = readFileSync(join(out, 'rejected.jsonl'), 'utf8').split('\n').filter(Boolean).length;
  const qLines = readFileSync(join(out, 'quarantine.jsonl'), 'utf8').split('\n').filter(Boolean).length;
  assert.equal(rejLines, sumRejected(m));
  assert.equal(qLines, m.counts.quarantined);
  // every sample written to samples.jsonl: supervised labels only where selected, first token never
  for (const line of readFileSync(join(out, 'samples.jsonl'), 'utf8').split('\n').filter(Boolean)) {
    const s = JSON.parse(line) as { labels: number[]; input_ids: number[] };
    assert.equal(s.labels[0], -100);
    assert.ok(
      s.labels.some((l) => l !== -100),
      'no all-unsupervised sample is written',
    );
    s.labels.forEach((l, i) => assert.ok(l === -100 || l === s.input_ids[i]));
  }
});

test('select re-budgets and switches modes without re-scoring (analysis files untouched)', () => {
  const before = readdirSync(join(analysis, readdirSync(analysis)[0]!)).map(
    (f) => statSync(join(analysis, readdirSync(analysis)[0]!, f)).mtimeMs,
  );
  let prev = -1;
  for (const budget of [0.01, 0.05, 0.2]) {
    const out = join(work, `b${budget}`);
    ok(cli(['select', analysis, '-o', out, '--budget', String(budget)]), `budget ${budget}`);
    const m = manifest(out);
    assert.ok(m.tokens.supervised > prev, 'more budget, more supervision');
    prev = m.tokens.supervised;
  }
  for (const mode of MODES) {
    const out = join(work, `m-${mode}`);
    ok(cli(['select', analysis, '-o', out, '--mode', mode, '--budget', '0.05']), mode);
    const m = manifest(out);
    assert.equal(m.config.select.mode, mode);
    assert.equal(m.counts.input, m.counts.selected + sumRejected(m) + m.counts.quarantined);
    if (mode === 'full') assert.ok(m.tokens.ratio > 0.9, `full ratio ${m.tokens.ratio}`);
    else assert.ok(Math.abs(m.tokens.ratio - 0.05) < 0.02, `${mode} ratio ${m.tokens.ratio}`);
  }
  const after = readdirSync(join(analysis, readdirSync(analysis)[0]!)).map(
    (f) => statSync(join(analysis, readdirSync(analysis)[0]!, f)).mtimeMs,
  );
  assert.deepEqual(after, before);
});

test('same input and config give byte-identical output with 1 and 2 workers and with 2 shards', () => {
  const a1 = join(work, 'w1');
  const a2 = join(work, 'w2');
  const sh = join(work, 'sh');
  ok(cli(['analyze', POOL, '-o', a1, '--workers', '1']), 'analyze w1');
  ok(cli(['analyze', POOL, '-o', a2, '--workers', '2']), 'analyze w2');
  ok(cli(['analyze', POOL, '-o', sh, '--shard', '0/2']), 'shard 0');
  ok(cli(['analyze', POOL, '-o', sh, '--shard', '1/2']), 'shard 1');
  const outs = [a1, a2, sh].map((a, i) => {
    const o = join(work, `det${i}`);
    ok(cli(['select', a, '-o', o, '--format', 'parquet,bin,jsonl']), `select ${i}`);
    return dirBytes(o);
  });
  assert.deepEqual(outs[1], outs[0]);
  assert.deepEqual(outs[2], outs[0]);
  // pass A spills every packable sample's encoding; pass B reads back exactly the samples some cut can reach
  // (the others are rejected unread) and tokenizes nothing again
  const timings = join(work, 'det0.timings.json');
  const again = join(work, 'det0-again');
  ok(
    cli(['select', a1, '-o', again, '--format', 'parquet,bin,jsonl'], { env: { CODEBLOCK_TIMINGS: timings } }),
    'select with timings',
  );
  assert.deepEqual(dirBytes(again), outs[0]);
  const c = (JSON.parse(readFileSync(timings, 'utf8')) as { counts: Record<string, number> }).counts;
  const m = manifest(again);
  assert.ok(c.select_unreachable! > 0, `samples rejected without reading them back: ${c.select_unreachable}`);
  assert.equal(
    c.select_read_back! + c.select_unreachable!,
    m.counts.selected + (m.counts.rejected.no_supervision ?? 0),
    'pass B sees every sample pass A kept: read back or unreachable',
  );
  assert.ok(c.select_read_back! >= m.counts.selected);
  assert.ok(!existsSync(join(again, '.codeblock-tmp')), 'the spills are removed');
});

test('analyze resumes: a lost part is redone, complete parts are reused, output unchanged', () => {
  const a = join(work, 'resume');
  ok(cli(['analyze', POOL, '-o', a]), 'analyze');
  const shardDir = join(a, readdirSync(a)[0]!);
  const markers = readdirSync(shardDir).filter((f) => /^part-\d+\.json$/.test(f));
  assert.ok(markers.length >= 1);
  rmSync(join(shardDir, markers[0]!));
  const r = cli(['analyze', POOL, '-o', a]);
  ok(r, 'resume');
  const o1 = join(work, 'res-out');
  const o2 = join(work, 'res-ref');
  ok(cli(['select', a, '-o', o1]), 'select resumed');
  ok(cli(['select', join(work, 'w1'), '-o', o2]), 'select reference');
  assert.deepEqual(dirBytes(o1), dirBytes(o2));
});

test('--model takes another, differently shaped causal LM (KV-cache interface, external data, no fused head)', () => {
  const out = join(work, 'other-model');
  const model = join(EXAMPLES, '..', 'test', 'fixtures', 'scoring', 'tiny-kv');
  ok(cli(['run', POOL, '-o', out, '--model', model]), 'run --model tiny-kv');
  const m = manifest(out) as Manifest & { config: { analysis: { model: string } } };
  assert.match(m.config.analysis.model, /tiny-kv$/);
  assert.equal(m.counts.input, m.counts.selected + sumRejected(m) + m.counts.quarantined);
  assert.ok(m.tokens.supervised > 0);
  const bad = cli(['analyze', POOL, '-o', join(work, 'bad-model'), '--model', join(model, '..', 'wrong-inputs')]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr.trim(), /^codeblock: .*not a causal LM/);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
});
