// Invariants of packing + assembly (issue 4 item 4), on seeded random batches and on a batch built
// from the real responses in ../shared/data with a simple code-point tokenizer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../../src/native.js';
import { labelMask } from '../../src/masks/index.js';
import {
  packBFD,
  assemblePacks,
  packViews,
  cuSeqlens,
  lengthsOf,
  packingEfficiency,
  IGNORE_INDEX,
  type PackPlan,
  type PackedBatch,
  type PackSamples,
} from '../../src/pack/index.js';
import { mulberry32 } from '../../src/util/random.js';

function checkInvariants(samples: PackSamples, plan: PackPlan, out: PackedBatch): void {
  const lengths = lengthsOf(samples.sampleTokens);
  const S = lengths.length;
  const packs = plan.packStarts.length - 1;
  // every sample in exactly one pack slot or in the rejected list, with the right reason
  const seen = new Int32Array(S);
  for (let p = 0; p < packs; p++) {
    for (let k = plan.packStarts[p]!; k < plan.packStarts[p + 1]!; k++) {
      const s = plan.packSamples[k]!;
      seen[s]!++;
      assert.equal(plan.packOf[s], p);
    }
  }
  const rejected = new Set(plan.rejected);
  for (let s = 0; s < S; s++) {
    assert.equal(
      seen[s]! + (rejected.has(s) ? 1 : 0),
      1,
      `sample ${s} placed ${seen[s]} times, rejected ${rejected.has(s)}`,
    );
    const len = lengths[s]!;
    if (rejected.has(s)) assert.equal(plan.reasons[s], len === 0 ? 2 : 1);
    else assert.ok(len >= 1 && len <= plan.maxLen);
    if (len > plan.maxLen) assert.ok(rejected.has(s), 'over-long sample must be rejected, never split');
  }
  let sumSup = 0;
  for (let p = 0; p < packs; p++) {
    const a = out.packTokenStarts[p]!,
      b = out.packTokenStarts[p + 1]!;
    assert.ok(b - a <= plan.maxLen, `pack ${p} exceeds maxLen`);
    assert.equal(b - a, plan.packTokens[p]);
    const seq = out.seqLens.subarray(plan.packStarts[p]!, plan.packStarts[p + 1]!);
    assert.equal(
      seq.reduce((x, y) => x + y, 0),
      b - a,
      'sum of seq_lens = pack length',
    );
    const cu = cuSeqlens(seq);
    const boundaries = new Set(Array.from(cu.subarray(0, cu.length - 1)));
    let sup = 0;
    for (let j = a; j < b; j++) {
      const local = j - a;
      if (boundaries.has(local)) assert.equal(out.positionIds[j], 0, 'position_ids reset at a boundary');
      else assert.equal(out.positionIds[j], out.positionIds[j - 1]! + 1, 'position_ids reset only at boundaries');
      const lab = out.labels[j]!;
      assert.ok(lab === IGNORE_INDEX || lab === out.inputIds[j], 'label is the token id or -100 (not shifted)');
      if (boundaries.has(local)) assert.equal(lab, IGNORE_INDEX, 'first token of a sample never supervised');
      if (lab !== IGNORE_INDEX) sup++;
    }
    assert.equal(out.numSupervised[p], sup, 'num_supervised = labels != -100');
    sumSup += sup;
    // each slot holds the sample's tokens, whole and in order
    let at = a;
    for (let k = plan.packStarts[p]!; k < plan.packStarts[p + 1]!; k++) {
      const s = plan.packSamples[k]!;
      const src = samples.inputIds.subarray(samples.sampleTokens[s]!, samples.sampleTokens[s + 1]!);
      assert.deepEqual(out.inputIds.subarray(at, at + src.length), src);
      at += src.length;
    }
  }
  let placedSup = 0;
  for (let s = 0; s < S; s++) if (plan.packOf[s]! >= 0) placedSup += out.sampleNumSupervised[s]!;
  assert.equal(sumSup, placedSup, 'per-pack and per-sample supervised counts agree');
}

test('invariants on 300 seeded random batches', () => {
  const r = mulberry32(42);
  for (let iter = 0; iter < 300; iter++) {
    const maxLen = 1 + Math.floor(r() * (iter % 3 === 0 ? 16 : 300));
    const S = Math.floor(r() * 80);
    const lens = Array.from({ length: S }, () =>
      r() < 0.05 ? 0 : r() < 0.05 ? maxLen : Math.floor(r() * (maxLen * 1.2)) + 1,
    );
    const sampleTokens = new Int32Array(S + 1);
    lens.forEach((l, i) => (sampleTokens[i + 1] = sampleTokens[i]! + l));
    const N = sampleTokens[S]!;
    const inputIds = Int32Array.from({ length: N }, () => Math.floor(r() * 151_000));
    const density = r() < 0.2 ? 0 : r();
    const supervised = Uint8Array.from({ length: N }, () => (r() < density ? 1 : 0));
    const samples = { inputIds, supervised, sampleTokens };
    const plan = packBFD(lengthsOf(sampleTokens), maxLen);
    const out = assemblePacks(samples, plan);
    checkInvariants(samples, plan, out);
    // deterministic
    const again = packBFD(lengthsOf(sampleTokens), maxLen);
    assert.deepEqual(again.packOf, plan.packOf);
  }
});

/** A simple code-point tokenizer: runs of word chars, runs of spaces, single other characters. */
function tokenize(text: string): [number, number][] {
  const out: [number, number][] = [];
  let cp = 0;
  for (const m of text.matchAll(/\w+|[ \t]+|[\s\S]/gu)) {
    const n = Array.from(m[0]).length;
    out.push([cp, cp + n]);
    cp += n;
  }
  return out;
}

test('real data: masks from fenced code spans, packed at 2048, all invariants hold', () => {
  const dir = resolve(PACKAGE_ROOT, '..', 'shared', 'data');
  const texts: string[] = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.jsonl'))
    .sort()) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n'))
      if (line.trim()) texts.push((JSON.parse(line) as { response: string }).response);
  }
  assert.ok(texts.length > 1000);
  const offsets: number[] = [],
    spans: number[] = [],
    sampleTokens = [0],
    sampleSpans = [0],
    textLengths: number[] = [];
  const spanSets: [number, number][][] = [];
  for (const t of texts) {
    const cps = Array.from(t);
    const toks = tokenize(t);
    for (const [a, b] of toks) offsets.push(a, b);
    sampleTokens.push(sampleTokens.at(-1)! + toks.length);
    // selected spans: the inside of every ``` fence, in code points
    const sel: [number, number][] = [];
    const re = /```[^\n]*\n([\s\S]*?)```/g;
    for (const m of t.matchAll(re)) {
      const start = Array.from(t.slice(0, m.index! + m[0].indexOf('\n') + 1)).length;
      sel.push([start, start + Array.from(m[1]!).length]);
    }
    for (const [a, b] of sel) spans.push(a, b);
    spanSets.push(sel);
    sampleSpans.push(sampleSpans.at(-1)! + sel.length);
    textLengths.push(cps.length);
  }
  const mask = labelMask({
    charOffsets: Int32Array.from(offsets),
    sampleTokens: Int32Array.from(sampleTokens),
    spans: Int32Array.from(spans),
    sampleSpans: Int32Array.from(sampleSpans),
    textLengths: Int32Array.from(textLengths),
  });
  // every token wholly inside a selected span (except a sample's first) is supervised, and every
  // supervised token has more than half its characters inside one
  for (let s = 0; s < texts.length; s++) {
    for (let t = sampleTokens[s]!; t < sampleTokens[s + 1]!; t++) {
      const a = offsets[2 * t]!,
        b = offsets[2 * t + 1]!;
      const inside = spanSets[s]!.some(([x, y]) => x <= a && b <= y);
      if (inside && t > sampleTokens[s]!) assert.equal(mask.supervised[t], 1);
      if (mask.supervised[t]) assert.ok(inside, 'code-point tokens never straddle a fence here');
    }
  }
  const ids = Int32Array.from(
    offsets.filter((_, i) => i % 2 === 0),
    (a, i) => (a * 31 + i) % 50_000,
  );
  const samples = { inputIds: ids, supervised: mask.supervised, sampleTokens: Int32Array.from(sampleTokens) };
  const plan = packBFD(lengthsOf(samples.sampleTokens), 2048);
  const out = assemblePacks(samples, plan);
  checkInvariants(samples, plan, out);
  assert.deepEqual(out.sampleNumSupervised, mask.counts);
  assert.ok(packingEfficiency(plan) > 0.95, `efficiency ${packingEfficiency(plan)}`);
  // per-pack views are zero-copy and match the Pack interface
  const views = packViews(
    out,
    texts.map((_, i) => `r${i}`),
  );
  assert.equal(views.length, plan.packStarts.length - 1);
  assert.equal(views[0]!.inputIds.buffer, out.inputIds.buffer);
  for (const [p, v] of views.entries()) {
    assert.equal(
      v.inputIds.length,
      v.seqLens.reduce((x, y) => x + y, 0),
    );
    assert.equal(v.numSupervised, v.labels.filter((l) => l !== IGNORE_INDEX).length);
    assert.deepEqual(
      v.sampleIds,
      Array.from(plan.packSamples.subarray(plan.packStarts[p]!, plan.packStarts[p + 1]!), (s) => `r${s}`),
    );
  }
});

test('the pack routines work in worker threads (addon loaded per thread) and agree with the main thread', async () => {
  const { Worker } = await import('node:worker_threads');
  const url = new URL('../../src/pack/index.js', import.meta.url).href;
  const lengths = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 37) + 1);
  const code = `const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.url).then((m) => parentPort.postMessage(Array.from(m.packBFD(Int32Array.from(workerData.lengths),\
 64).packOf)));`;
  const run = () =>
    new Promise<number[]>((res, rej) => {
      const w = new Worker(code, { eval: true, workerData: { url, lengths } });
      w.once('message', (m: number[]) => {
        res(m);
        void w.terminate();
      });
      w.once('error', rej);
    });
  const [a, b] = await Promise.all([run(), run()]);
  const main = Array.from(packBFD(Int32Array.from(lengths), 64).packOf);
  assert.deepEqual(a, main);
  assert.deepEqual(b, main);
});
