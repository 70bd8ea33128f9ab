/**
 * Selection and masks against independent truth (issue 6 item 9), on real data (MBPP from
 * ../shared/data) with the embedded scorer and the Qwen2.5 target tokenizer:
 * - every supervised token lies in a selected span by the majority rule, and vice versa;
 * - no half-supervised item: every token entirely inside a selected item is supervised;
 * - the supervised tokens decode to exactly the selected text (round trip);
 * - the supervised ratio is within ±0.1 percentage point of the budget, for every budgeted mode;
 * - no sample with nothing supervised is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, SHARED_DATA } from '../helpers/cli.js';
import { TargetTokenizer, checkRoundTrip } from '../../src/tokenize/index.js';

const work = mkdtempSync(join(tmpdir(), 'cb-truth-'));
const POOL = join(SHARED_DATA, 'mbpp-markdown.jsonl');
const analysis = join(work, 'analysis');

interface Row {
  id: string;
  text: string;
  input_ids: number[];
  labels: number[];
  offsets: Array<[number, number]>;
  selected: Array<{ start: number; end: number; kind: 'item' | 'nl'; score: number }>;
}

function rows(dir: string): Row[] {
  return readFileSync(join(dir, 'samples.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
}

function manifest(dir: string): {
  tokens: { response: number; supervised: number; ratio: number };
  counts: { selected: number };
} {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
}

/** Code point array of a string (offsets are code points). */
const cps = (s: string): string[] => Array.from(s);

test('analyze MBPP once (embedded scorer)', () => {
  const r = cli(['analyze', POOL, '-o', analysis, '--workers', '2']);
  assert.equal(r.status, 0, r.stderr);
});

test('majority-rule masks, no item half supervised, supervised tokens decode to the selected text', async () => {
  const out = join(work, 'codeblock');
  const r = cli(['select', analysis, '-o', out, '--format', 'jsonl']);
  assert.equal(r.status, 0, r.stderr);
  const tok = await TargetTokenizer.load('qwen2.5');
  const all = rows(out);
  assert.ok(all.length > 50, `only ${all.length} samples`);
  let checkedItems = 0;
  for (const row of all) {
    const n = row.input_ids.length;
    assert.equal(row.labels.length, n);
    assert.ok(
      row.labels.some((l) => l !== -100),
      `${row.id}: all-unsupervised sample written`,
    );
    assert.equal(row.labels[0], -100, 'first token never supervised');
    // independent coverage: code point bitmap of the union of selected spans
    const len = cps(row.text).length;
    const cover = new Uint8Array(len);
    for (const s of row.selected) for (let k = s.start; k < s.end; k++) cover[k] = 1;
    for (let i = 0; i < n; i++) {
      const [s, e] = row.offsets[i]!;
      let c = 0;
      for (let k = s; k < e; k++) c += cover[k]!;
      const expect = i > 0 && e > s && 2 * c > e - s;
      assert.equal(row.labels[i] !== -100, expect, `${row.id} token ${i} [${s},${e}) covered ${c}`);
      if (row.labels[i] !== -100) assert.equal(row.labels[i], row.input_ids[i]);
    }
    for (const it of row.selected.filter((x) => x.kind === 'item')) {
      for (let i = 1; i < n; i++) {
        const [s, e] = row.offsets[i]!;
        if (s >= it.start && e <= it.end && e > s)
          assert.notEqual(
            row.labels[i],
            -100,
            `${row.id}: token ${i} inside item [${it.start},${it.end}) not supervised`,
          );
      }
      checkedItems++;
    }
    const rt = await checkRoundTrip(tok, {
      text: row.text,
      ids: Int32Array.from(row.input_ids),
      offsets: Int32Array.from(row.offsets.flat()),
      labels: Int32Array.from(row.labels),
      spans: row.selected,
    });
    assert.ok(rt.ok, `${row.id}: ${rt.problems.slice(0, 3).join('; ')}`);
  }
  assert.ok(checkedItems > 0);
});

test('every budgeted mode meets the budget within ±0.1 percentage point; full supervises the whole response', () => {
  for (const mode of ['codeblock', 'items-no-dataflow', 'random-items', 'token-gce', 'random-tokens']) {
    const out = join(work, `mode-${mode}`);
    const r = cli(['select', analysis, '-o', out, '--mode', mode]);
    assert.equal(r.status, 0, r.stderr);
    const m = manifest(out);
    assert.ok(Math.abs(m.tokens.ratio - 0.019) <= 0.001, `${mode}: ratio ${m.tokens.ratio}`);
  }
  const full = join(work, 'mode-full');
  assert.equal(cli(['select', analysis, '-o', full, '--mode', 'full']).status, 0);
  const m = manifest(full);
  // every response token except the first token of each sample (never supervised)
  assert.ok(
    m.tokens.supervised >= m.tokens.response - m.counts.selected,
    `full: ${m.tokens.supervised}/${m.tokens.response}`,
  );
});
