/**
 * Bad-input corpus through the real CLI (issue 8, item 2): ≥ 30 kinds of hostile input mixed into the
 * example pool. For every kind: exit 0, no crash, the record ends where it must with the right reason
 * (matched by ordinal in rejected.jsonl / quarantine.jsonl, by id in samples.jsonl), the manifest
 * adds up, and the good records come out exactly as in a run on the good records alone.
 *
 * `--budget 1 --nl-ratio 0`: every selectable item of every analyzed record is supervised, so whether
 * a record is selected — and its labels — do not depend on the rest of the pool (the default 1.9%
 * budget is a share of the whole pool's tokens; its own run is checked below for accounting and for
 * "same outcome up to selected/pack_too_long → no_supervision").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { buildCorpus } from './corpus.js';
import { assertAccounting, readOutcomes, statusOf, treeBytes, treeDiff, type Outcomes } from './harness.js';

const work = mkdtempSync(join(tmpdir(), 'cb-bad-'));
const corpus = buildCorpus(join(work, 'corpus'));
const FLAGS = ['--budget', '1', '--nl-ratio', '0', '--format', 'parquet,bin,jsonl', '--no-progress'];

process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function run(inputs: string[], out: string, extra: string[] = []): { stderr: string } {
  const r = cli(['run', ...inputs, '-o', out, ...FLAGS, ...extra]);
  assert.equal(r.status, 0, `run failed (exit ${r.status}):\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error|Segmentation|Aborted|FATAL/i);
  return { stderr: r.stderr };
}

const OUT = join(work, 'out');
let mixed: Outcomes | undefined;
let stderr = '';

test('the corpus has at least 30 kinds of bad input', () => {
  const kinds = new Set(corpus.cases.map((c) => c.kind));
  assert.ok(kinds.size + corpus.truncated.length >= 30, `${kinds.size} kinds`);
});

test('run over the whole corpus: exit 0, manifest adds up', () => {
  stderr = run(corpus.inputs, OUT, ['--workers', '2']).stderr;
  mixed = readOutcomes(OUT);
  assertAccounting(mixed, 'corpus run');
  // every readable line/row is counted; a truncated stream adds at most its one partial line
  const tails = [...mixed.quarantined.values()].filter((q) => q.reason === 'truncated').length;
  assert.equal(mixed.manifest.counts.input, corpus.expectedInput + tails);
});

test('every bad-input kind ends where it must, with the right reason', async (t) => {
  const o = mixed!;
  for (const c of corpus.cases) {
    await t.test(`${c.kind} (${c.file}:${c.line})`, () => {
      const want = c.status === 'selected' ? 'selected' : `${c.status}:${c.reason}`;
      const got = statusOf(o, c.ordinal);
      const entry = o.rejected.get(c.ordinal) ?? o.quarantined.get(c.ordinal);
      assert.equal(
        got,
        want,
        `ordinal ${c.ordinal}: ` +
          (entry
            ? JSON.stringify({ ...entry, detail: entry.detail?.slice(0, 200), error: entry.error?.slice(0, 200) })
            : 'not listed'),
      );
      if (entry) {
        if (entry.file !== undefined) assert.equal(basename(entry.file), c.file);
        if (entry.line !== undefined) assert.equal(entry.line, c.line);
        if (c.id !== undefined) assert.equal(entry.id, c.id);
        const why = entry.detail ?? entry.error;
        assert.ok(typeof why === 'string' && why.length > 0, 'every outcome says why');
      } else {
        assert.ok(c.id !== undefined);
        const rows = o.samples.get(c.id) ?? [];
        assert.ok(rows.length >= 1, `selected record ${c.id} has no samples.jsonl row`);
        for (const row of rows) {
          assert.ok(row.num_supervised > 0);
          c.sample?.(row);
        }
      }
    });
  }
});

test('truncated .gz / .zst: records before the cut come through, the cut line quarantined, a warning names it', () => {
  const o = mixed!;
  for (const tr of corpus.truncated) {
    for (const id of tr.recoverable)
      assert.equal(o.samples.get(id)?.length, 1, `${tr.file}: record ${id} before the cut was lost`);
    for (const id of tr.all.slice(tr.recoverable.length)) {
      assert.ok(!o.samples.has(id), `${tr.file}: ${id} lies after the cut`);
      assert.ok(![...o.rejected.values()].some((r) => r.id === id));
    }
    const q = [...o.quarantined.values()].filter((x) => x.file !== undefined && basename(x.file) === tr.file);
    assert.ok(q.length <= 1, `${tr.file}: ${q.length} quarantined`);
    for (const x of q) {
      assert.equal(x.reason, 'truncated');
      assert.equal(x.line, tr.recoverable.length + 1);
    }
    assert.match(
      stderr,
      new RegExp(`warning: .*${tr.file.replace(/\./g, '\\.')}: (gzip|zstd) stream damaged or truncated`),
    );
  }
});

test('a damaged compressed file is recorded in manifest.json, not only in a stderr warning', () => {
  // Records past the damage cannot be counted, so the accounting identity alone cannot reveal them:
  // the output directory must say that an input was cut short (select may run long after analyze).
  const manifest = JSON.parse(readFileSync(join(OUT, 'manifest.json'), 'utf8')) as unknown;
  // a string naming the file and the damage, or an object whose own strings do (e.g. {file, error})
  const mentions = (v: unknown, file: string): boolean => {
    if (typeof v === 'string') return v.includes(file) && /damaged|truncated/i.test(v);
    if (!v || typeof v !== 'object') return false;
    const own = Object.values(v).filter((x): x is string => typeof x === 'string');
    if (own.some((x) => x.includes(file)) && own.some((x) => /damaged|truncated/i.test(x))) return true;
    return Object.values(v).some((x) => mentions(x, file));
  };
  for (const tr of corpus.truncated) {
    assert.ok(
      mentions(manifest, tr.file),
      `manifest.json does not mention that ${tr.file} is damaged (stderr said: ` +
        `${stderr.split('\n').find((l) => l.includes(tr.file))})`,
    );
  }
});

test('the good records come out exactly as in a run on the good records alone', () => {
  const o = mixed!;
  const refOut = join(work, 'good-only');
  run([corpus.goodPool], refOut, ['--workers', '2']);
  const ref = readOutcomes(refOut);
  assertAccounting(ref, 'good-only run');
  const status = (x: Outcomes, id: string): string => {
    for (const [ord, r] of x.rejected) if (r.id === id) return statusOf(x, ord);
    for (const [ord, r] of x.quarantined) if (r.id === id) return statusOf(x, ord);
    return x.samples.has(id) ? 'selected' : 'absent';
  };
  let selected = 0;
  for (const id of corpus.goodIds) {
    assert.equal(status(o, id), status(ref, id), `good record ${id}`);
    const a = ref.samples.get(id);
    if (!a) continue;
    selected++;
    const b = o.samples.get(id)!;
    assert.equal(b.length, 1);
    assert.equal(b[0]!.text, a[0]!.text, id);
    assert.deepEqual(b[0]!.input_ids, a[0]!.input_ids, id);
    assert.deepEqual(b[0]!.labels, a[0]!.labels, id);
  }
  assert.ok(selected >= 20, `only ${selected} good records selected`);
});

test('determinism: --workers 1 gives the same output tree, byte for byte, as --workers 2', () => {
  const out1 = join(work, 'out-w1');
  run(corpus.inputs, out1, ['--workers', '1']);
  const diff = treeDiff(treeBytes(OUT), treeBytes(out1));
  assert.deepEqual(diff, [], `files differ between --workers 2 and --workers 1: ${diff.join(', ')}`);
});

test('default budget: accounts add up, outcomes differ only by selected/pack_too_long → no_supervision', () => {
  const out = join(work, 'default-budget');
  const r = cli(['select', join(OUT, 'analysis'), '-o', out, '--format', 'jsonl', '--no-progress']);
  assert.equal(r.status, 0, r.stderr);
  const d = readOutcomes(out);
  assertAccounting(d, 'default-budget select');
  assert.equal(d.manifest.counts.input, mixed!.manifest.counts.input);
  for (let ord = 0; ord < d.manifest.counts.input; ord++) {
    const a = statusOf(mixed!, ord);
    const b = statusOf(d, ord);
    if (a === b) continue;
    // no_supervision is decided before the length check, so a too-long sample with nothing selected says so
    assert.ok(
      (a === 'selected' || a === 'rejected:pack_too_long') && b === 'rejected:no_supervision',
      `ordinal ${ord}: ${a} at budget 1, ${b} at the default budget`,
    );
  }
  assert.ok(d.manifest.counts.selected > 0);
});

test('unreadable inputs stop the run up front: exit 1, one line naming the file, no stack, nothing written', () => {
  const dir = join(work, 'preflight');
  mkdirSync(dir, { recursive: true });
  const notGz = join(dir, 'plain.jsonl.gz');
  writeFileSync(notGz, '{"id": "a", "input": "x", "output": "y"}\n');
  const badPq = join(dir, 'broken.parquet');
  writeFileSync(badPq, Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 7), Buffer.from('PAR1')]));
  const cases: Array<[string, string, RegExp]> = [
    ['missing file', join(dir, 'nope.jsonl'), /no such file/],
    ['a directory', dir, /is a directory/],
    ['.gz name, not gzip bytes', notGz, /not gzip/],
    ['Parquet magic, unreadable footer', badPq, /not a readable Parquet file/],
  ];
  for (const [what, path, why] of cases) {
    const out = join(work, `pre-${what.replace(/\W+/g, '-')}`);
    const r = cli(['run', corpus.goodPool, path, '-o', out, '--no-progress']);
    assert.equal(r.status, 1, `${what}: exit ${r.status}\n${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${what}: one line, got:\n${r.stderr}`);
    assert.match(lines[0]!, /^codeblock: /);
    assert.match(lines[0]!, why);
    assert.ok(lines[0]!.includes(path), `${what}: the message names the file`);
    assert.ok(!existsSync(join(out, 'manifest.json')), `${what}: no manifest written`);
  }
});

test('deep syntax trees (depth 3,000–20,000): itemized in worker threads, or rejected work_budget (`items`)', () => {
  // structure only (no LM): recursion depth in the native walk, def-use scopes and the graph
  const F = '```';
  const rec = (id: string, code: string): string =>
    JSON.stringify({ id, instruction: 'x', response: `${F}python\n${code}\n${F}` });
  let defs = '';
  for (let i = 0; i < 300; i++) defs += `${' '.repeat(i)}def f${i}(a${i}):\n`;
  defs += `${' '.repeat(300)}return a0\n`;
  let ifs = '';
  for (let i = 0; i < 300; i++) ifs += `${' '.repeat(i)}if a${i}:\n`;
  ifs += `${' '.repeat(300)}pass\n`;
  const cases: Array<[string, string, number]> = [
    ['binop-20000', `x = ${Array(20_000).fill('1').join(' + ')}`, 1],
    ['not-20000', `x = ${'not '.repeat(20_000)}y`, 1],
    ['calls-10000', `x = ${'f('.repeat(10_000)}1${')'.repeat(10_000)}`, 1],
    ['attr-20000', `x = a${'.b'.repeat(20_000)}`, 1],
    ['subscript-20000', `x = a${'[0]'.repeat(20_000)}`, 1],
    ['lambda-5000', `g = ${'lambda: '.repeat(5_000)}1`, 1],
    ['dict-5000', `x = ${'{1: '.repeat(5_000)}1${'}'.repeat(5_000)}`, 1],
    ['walrus-3000', `x = ${'(y := '.repeat(3_000)}1${')'.repeat(3_000)}`, 1],
    ['nested-defs-300', defs, 301],
    ['nested-ifs-300', ifs, 301],
  ];
  const file = join(work, 'deep.jsonl');
  writeFileSync(file, `${cases.map(([id, code]) => rec(id, code)).join('\n')}\n`);
  const r = cli(['items', file, '--workers', '2', '--no-progress']);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error/);
  const rows = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; items?: Array<{ flags: string[] }>; edges?: unknown[] });
  // Left-nested chains of 20,000 (`1 + 1 + …`, `a[0][0]…`) cost ~2.1 × 10⁸ work units (every node of the chain
  // starts at the same byte): past the default --work-budget they are rejected work_budget, deterministically
  // (docs/structure.md, "Work budget"); every other deep tree is itemized.
  const overBudget = new Set(['binop-20000', 'subscript-20000']);
  assert.match(r.stderr, /work_budget 2\b/);
  const analyzed = cases.filter(([id]) => !overBudget.has(id));
  assert.deepEqual(
    rows.map((x) => x.id),
    analyzed.map(([id]) => id),
  );
  for (const [i, [id, , n]] of analyzed.entries()) {
    const items = rows[i]!.items ?? [];
    assert.equal(items.length, n, `${id}: ${items.length} items`);
    assert.ok(
      items.every((it) => it.flags.length === 0),
      `${id}: valid code, no flagged item`,
    );
  }
  // the innermost `return a0` uses the outermost parameter: one def-use edge across 300 scopes
  assert.deepEqual(rows.find((x) => x.id === 'nested-defs-300')!.edges, [[0, 300]]);
});
