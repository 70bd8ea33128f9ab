/**
 * Coding items vs CPython's own parser, over ../shared/data and examples/ (tools/py/cpython_spans.py).
 *
 * Recall: every simple statement's whitespace-trimmed span equals an item's trimmed span, every
 * compound statement's start (its first decorator's `@` if decorated) equals a header (or clause,
 * for `elif`, which ast represents as a nested If) item's start, and every else/except/finally/case
 * keyword starts a clause item. Precision: every item of a segment CPython parses is one of those
 * (a docstring item counts as wrong: docstrings are prose). Both at least 99.9%. Records without
 * truth (the structure stage rejects them, or CPython cannot parse a segment) are counted by reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NoTruth,
  analyzeSamples,
  loadSamples,
  pc,
  printFindings,
  pythonAvailable,
  pythonTruth,
  trimRange,
} from './truth.js';

interface SegOut {
  ok: boolean;
  error?: string;
  simple?: Array<[number, number, string]>;
  compound?: Array<[number, string]>;
  clauses?: Array<[number, string]>;
  docstrings?: Array<[number, number]>;
}

const THRESHOLD = 0.999;

test('items agree with CPython ast statement spans (recall and precision >= 99.9%)', {
  skip: !pythonAvailable() && 'no /usr/bin/python3',
}, () => {
  const samples = loadSamples();
  assert.ok(samples.length > 1000, `expected the shared data (found ${samples.length} samples)`);
  const all = analyzeSamples(samples);
  const noTruth = new NoTruth();
  const { analyzed, truth } = pythonTruth<{ key: string; segments: SegOut[] }>('cpython_spans.py', all, noTruth);
  assert.equal(truth.length, analyzed.length);
  let checked = 0;
  let agreed = 0;
  let items = 0;
  let correct = 0;
  let skippedSegments = 0;
  const misses: string[] = [];
  const extras: string[] = [];
  analyzed.forEach((a, r) => {
    if (!a.outcome.ok) return;
    const res = a.outcome.result;
    const cps = Array.from(a.sample.response);
    const spans = new Set<string>();
    const starts = new Set<number>();
    const clauseStarts = new Set<number>();
    for (const it of res.items) {
      const [s, e] = trimRange(cps, it.start, it.end);
      spans.add(`${s}:${e}`);
      if (it.kind === 'header' || it.kind === 'clause') starts.add(s);
      if (it.kind === 'clause') clauseStarts.add(s);
    }
    const truthSpans = new Set<string>();
    const truthStarts = new Set<number>();
    const docSpans = new Set<string>();
    let parsedAll = true;
    const segs = truth[r]!.segments;
    segs.forEach((seg) => {
      if (!seg.ok) {
        skippedSegments++; // CPython rejects it (Python 2, pseudo-code): no truth to compare
        parsedAll = false;
        noTruth.bump(`CPython cannot parse a segment (${(seg.error ?? '').split(':')[0]})`);
        return;
      }
      for (const [s, e, type] of seg.simple!) {
        checked++;
        const [ts, te] = trimRange(cps, s, e);
        truthSpans.add(`${ts}:${te}`);
        if (spans.has(`${ts}:${te}`)) agreed++;
        else if (misses.length < 40)
          misses.push(`${a.sample.key} simple ${type} ${JSON.stringify(cps.slice(ts, te).join('').slice(0, 80))}`);
      }
      for (const [s, type] of seg.compound!) {
        checked++;
        truthStarts.add(s);
        if (starts.has(s)) agreed++;
        else if (misses.length < 40)
          misses.push(`${a.sample.key} compound ${type} ${JSON.stringify(cps.slice(s, s + 60).join(''))}`);
      }
      for (const [s, type] of seg.clauses!) {
        checked++;
        truthStarts.add(s);
        if (clauseStarts.has(s)) agreed++;
        else if (misses.length < 40)
          misses.push(`${a.sample.key} clause ${type} ${JSON.stringify(cps.slice(s, s + 60).join(''))}`);
      }
      for (const [s, e] of seg.docstrings!) {
        const [ts, te] = trimRange(cps, s, e);
        docSpans.add(`${ts}:${te}`);
      }
    });
    // Precision over records whose every Python segment CPython parses, over the items of Python segments
    // (other languages' items have their own truth, test/structure/lang-*.test.ts).
    if (!parsedAll) return;
    for (const it of res.items) {
      if (res.segments[it.segment]?.lang !== 'python') continue;
      items++;
      const [s, e] = trimRange(cps, it.start, it.end);
      const ok = it.kind === 'simple' ? truthSpans.has(`${s}:${e}`) && !docSpans.has(`${s}:${e}`) : truthStarts.has(s);
      if (ok) correct++;
      else if (extras.length < 40)
        extras.push(
          `${a.sample.key} ${it.kind} ${it.type} ${JSON.stringify(cps.slice(s, Math.min(e, s + 60)).join(''))}`,
        );
    }
  });
  const recall = agreed / checked;
  const precision = correct / items;
  console.log(
    `# CPython recall: ${agreed}/${checked} = ${pc(recall)}; precision ${correct}/${items} = ${pc(precision)}`,
  );
  const without = all.length - analyzed.length;
  console.log(`# without truth: ${without} of ${all.length} records, ${skippedSegments} segments — ${noTruth}`);
  printFindings(misses, extras);
  assert.ok(checked > 10000, `too few statements checked: ${checked}`);
  assert.ok(items > 10000, `too few items checked: ${items}`);
  assert.ok(recall >= THRESHOLD, `recall ${(100 * recall).toFixed(3)}% < 99.9%`);
  assert.ok(precision >= THRESHOLD, `precision ${(100 * precision).toFixed(3)}% < 99.9%`);
});
