/**
 * Coding items vs CPython's own parser (issue 3 item 9): over ../shared/data and examples/, every
 * simple statement's whitespace-trimmed span equals an item's trimmed span, and every compound
 * statement's start (its first decorator's `@` if decorated) equals a header (or clause, for
 * `elif`, which ast represents as a nested If) item's start. Threshold 99.5%.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSamples, loadSamples, pythonAvailable, runPython, trimRange } from './truth.js';

interface SegOut {
  ok: boolean;
  error?: string;
  simple?: Array<[number, number, string]>;
  compound?: Array<[number, string]>;
}

test('items agree with CPython ast statement spans (>= 99.5%)', { skip: !pythonAvailable() && 'no /usr/bin/python3' }, () => {
  const samples = loadSamples();
  assert.ok(samples.length > 1000, `expected the shared data (found ${samples.length} samples)`);
  const analyzed = analyzeSamples(samples).filter((a) => a.outcome.ok && a.pySegments.length > 0);
  const truth = runPython<{ key: string; segments: SegOut[] }>(
    'cpython_spans.py',
    analyzed.map((a) => ({ key: a.sample.key, segments: a.pySegments })),
  );
  assert.equal(truth.length, analyzed.length);
  let checked = 0;
  let agreed = 0;
  let skippedSegments = 0;
  const misses: string[] = [];
  analyzed.forEach((a, r) => {
    if (!a.outcome.ok) return;
    const res = a.outcome.result;
    const cps = Array.from(a.sample.response);
    const spans = new Set<string>();
    const starts = new Set<number>();
    for (const it of res.items) {
      const [s, e] = trimRange(cps, it.start, it.end);
      spans.add(`${s}:${e}`);
      if (it.kind === 'header' || it.kind === 'clause') starts.add(s);
    }
    for (const seg of truth[r]!.segments) {
      if (!seg.ok) {
        skippedSegments++; // CPython rejects it (Python 2, pseudo-code): no truth to compare
        continue;
      }
      for (const [s, e, type] of seg.simple!) {
        checked++;
        const [ts, te] = trimRange(cps, s, e);
        if (spans.has(`${ts}:${te}`)) agreed++;
        else if (misses.length < 40) misses.push(`${a.sample.key} simple ${type} ${JSON.stringify(cps.slice(ts, te).join('').slice(0, 80))}`);
      }
      for (const [s, type] of seg.compound!) {
        checked++;
        if (starts.has(s)) agreed++;
        else if (misses.length < 40) misses.push(`${a.sample.key} compound ${type} ${JSON.stringify(cps.slice(s, s + 60).join(''))}`);
      }
    }
  });
  const rate = agreed / checked;
  console.log(`# CPython agreement: ${agreed}/${checked} = ${(100 * rate).toFixed(3)}% (${skippedSegments} segments CPython cannot parse)`);
  for (const m of misses) console.log(`#   miss: ${m}`);
  assert.ok(checked > 10000, `too few statements checked: ${checked}`);
  assert.ok(rate >= 0.995, `agreement ${(100 * rate).toFixed(3)}% < 99.5%`);
});
