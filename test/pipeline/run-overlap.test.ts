/**
 * `run` overlaps its passes (select's pass A reads each part as analyze commits it, src/pipeline/run.ts). Its output
 * must be byte for byte that of `analyze` then `select` on the same config: on a generated pool of several parts
 * (so the hand-off fills and analyze waits on it), on LM-scored real data, and when every part is reused on resume.
 * A failure on either side stops both, with the first cause's one-line error.
 *
 * The overlap needs a score that reads no pool statistics (the default score's percentile tables come from a
 * pre-pass over the whole analysis, so `run` then analyzes first): these runs use v2's definition (V2_FLAGS); the
 * default's run = analyze + select is checked in the LM test too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, SHARED_DATA } from '../helpers/cli.js';
import { treeDigest } from '../helpers/files.js';
import { generatePool } from '../../src/gen/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { run } from '../../src/pipeline/run.js';

const work = mkdtempSync(join(tmpdir(), 'cb-overlap-'));
/** A score without pool statistics (v2's), so that `run` overlaps its passes. */
const V2_FLAGS = ['--score-combine', 'product', '--u-transform', 'raw', '--reach-norm', 'pairs', '--u-shrink', '0'];

function ok(r: { status: number | null; stderr: string }, what: string): void {
  assert.equal(r.status, 0, `${what} failed:\n${r.stderr}`);
}

/** `run` into one directory, `analyze` + `select` into another; every file compared. */
function compare(pool: string, name: string, analyzeFlags: string[], selectFlags: string[]): void {
  const viaRun = join(work, `${name}-run`);
  const apart = join(work, `${name}-apart`);
  ok(cli(['run', pool, '-o', viaRun, '--no-progress', ...analyzeFlags, ...selectFlags]), `${name}: run`);
  ok(cli(['analyze', pool, '-o', join(apart, 'analysis'), '--no-progress', ...analyzeFlags]), `${name}: analyze`);
  ok(cli(['select', join(apart, 'analysis'), '-o', apart, '--no-progress', ...selectFlags]), `${name}: select`);
  const a = treeDigest(viaRun);
  assert.ok(Object.keys(a).some((f) => f.endsWith('.records.jsonl.gz')));
  assert.deepEqual(a, treeDigest(apart), `${name}: run and analyze + select differ`);
  assert.ok(!existsSync(join(viaRun, '.codeblock-tmp')), 'the spills are removed');
}

test('run = analyze + select, byte for byte, on a pool of several parts (the hand-off fills)', async () => {
  const pool = join(work, 'gen.jsonl');
  await generatePool({ records: 4500, seed: 7, out: pool, format: 'jsonl' });
  const formats = ['--format', 'parquet,bin,jsonl', ...V2_FLAGS];
  compare(pool, 'gen', ['--scorer', 'none', '--workers', '2'], formats);
  // every part reused on resume: pass A reads them back from their files
  const again = join(work, 'gen-run');
  const before = treeDigest(again);
  ok(cli(['run', pool, '-o', again, '--no-progress', '--scorer', 'none', ...formats]), 'run resumed');
  assert.deepEqual(treeDigest(again), before, 'a resumed run writes the same bytes');
});

test('run = analyze + select, byte for byte, with the LM scorer on real data', () => {
  const pool = join(SHARED_DATA, 'humaneval-markdown.jsonl');
  compare(pool, 'lm', ['--workers', '2'], ['--max-len', '512', ...V2_FLAGS]);
  compare(pool, 'lm-default', ['--workers', '2'], ['--max-len', '512']);
});

test('analyze failing mid-way stops run with its own error, and select leaves nothing behind', async () => {
  const pool = join(work, 'gen-fail.jsonl');
  await generatePool({ records: 3500, seed: 3, out: pool, format: 'jsonl' });
  const out = join(work, 'fail-analyze');
  const cfg = resolveConfig('run', { out, scorer: 'none', progress: false });
  const boom = new Error('disk gone at part 1');
  await assert.rejects(
    run([pool], cfg, {
      analyze: {
        onPart: (p) => {
          if (p === 1) throw boom;
        },
      },
    }),
    (err) => err === boom,
  );
  assert.ok(!existsSync(join(out, '.codeblock-tmp')), 'select removed its spills');
  assert.ok(!existsSync(join(out, 'manifest.json')));
});

test('select failing in pass A stops analyze early, with one line naming the cause', async () => {
  const pool = join(work, 'gen-boom.jsonl');
  await generatePool({ records: 9000, seed: 5, out: pool, format: 'jsonl' });
  const lines = readFileSync(pool, 'utf8').split('\n');
  // several records (pair filters reject some of any few: tests, judgement, duplicates)
  for (let i = 1500; i < 1540; i++) {
    const r = JSON.parse(lines[i]!) as { input: string };
    r.input = `BOOM ${r.input}`;
    lines[i] = JSON.stringify(r);
  }
  writeFileSync(pool, lines.join('\n'));
  // a user's chat template that refuses some conversations
  const template = join(work, 'boom.jinja');
  writeFileSync(
    template,
    "{%- for m in messages %}{% if 'BOOM' in m.content %}{{ raise_exception('a BOOM message') }}{% endif %}" +
      '<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}',
  );
  const out = join(work, 'fail-select');
  const res = cli(['run', pool, '-o', out, '--scorer', 'none', '--no-progress', '--template', template, ...V2_FLAGS]);
  assert.notEqual(res.status, 0);
  assert.deepEqual(res.stderr.trim().split('\n'), ['codeblock: chat template failed to render: a BOOM message']);
  const shard = join(out, 'analysis', readdirSync(join(out, 'analysis'))[0]!);
  const parts = readdirSync(shard).filter((f) => /^part-\d+\.json$/.test(f)).length;
  assert.ok(!existsSync(join(shard, 'complete.json')), 'analyze did not finish');
  // the failing records are in part 1; analyze runs ahead of pass A by at most the hand-off and a commit
  assert.ok(parts <= 6, `analyze stopped soon after the failing record's part (${parts} of 9 parts committed)`);
  assert.ok(!existsSync(join(out, '.codeblock-tmp')));
});
