import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  gce,
  gceFromLogprob,
  itemUtilities,
  proseTokenUtilities,
  tokenUtilities,
  tokensOverlapping,
} from '../../src/scoring/utility.js';
import { planBatches } from '../../src/scoring/batching.js';

test('gce matches its closed form (1 - p^q)/q', () => {
  for (const p of [1e-6, 0.01, 0.2, 0.5, 0.9, 0.999, 1]) {
    for (const q of [0.05, 0.3, 0.7, 1]) {
      const want = (1 - p ** q) / q;
      assert.ok(Math.abs(gce(p, q) - want) <= 1e-12 * Math.max(1, want), `p=${p} q=${q}`);
    }
    assert.ok(Math.abs(gce(p, 1) - (1 - p)) < 1e-15, 'q=1 is 1-p');
  }
});

test('gce tends to cross-entropy as q -> 0', () => {
  for (const p of [1e-4, 0.05, 0.5, 0.95]) {
    const ce = -Math.log(p);
    let prevErr = Infinity;
    for (const q of [1e-1, 1e-2, 1e-3, 1e-5, 1e-8]) {
      const err = Math.abs(gce(p, q) - ce);
      assert.ok(err <= prevErr + 1e-15, `error shrinks with q (p=${p}, q=${q})`);
      prevErr = err;
    }
    assert.ok(prevErr < 1e-6 * Math.max(1, ce));
    assert.equal(gce(p, 0), ce);
    assert.equal(gceFromLogprob(Math.log(p), 0), ce);
  }
  // series: (1-p^q)/q = L - q L^2/2 + q^2 L^3/6 - O(q^3 L^4), L = -ln p
  const L = -Math.log(0.1),
    q = 1e-3;
  assert.ok(Math.abs(gce(0.1, q) - (L - (q * L * L) / 2 + (q * q * L ** 3) / 6)) < 1e-8);
});

test('gce rejects bad arguments', () => {
  assert.throws(() => gce(0.5, 1.5), RangeError);
  assert.throws(() => gce(0.5, -0.1), RangeError);
  assert.throws(() => gce(1.2, 0.7), RangeError);
  assert.throws(() => gce(Number.NaN, 0.7), RangeError);
  assert.throws(
    () => itemUtilities({ start: [], end: [], logprob: [] }, [], { reduce: 'median' as never }),
    RangeError,
  );
});

// Tokens over the string "ab cd😀 = 1" as code points: [0,2) [2,5) [5,6) [6,8) [8,10)
const tokens = { start: [0, 2, 5, 6, 8], end: [2, 5, 6, 8, 10], logprob: [-0.1, -2, -0.5, Number.NaN, -3] };

/** Brute-force reference: a token belongs to an item when it shares at least one code point with a core range. */
function reference(core: [number, number][], q: number, reduce: 'mean' | 'sum' | 'max'): number | null {
  const us: number[] = [];
  for (let i = 0; i < tokens.start.length; i++) {
    let hit = false;
    for (let c = tokens.start[i]!; c < tokens.end[i]!; c++) if (core.some(([s, e]) => c >= s && c < e)) hit = true;
    if (hit && !Number.isNaN(tokens.logprob[i]!)) us.push((1 - Math.exp(q * tokens.logprob[i]!)) / q);
  }
  if (!us.length) return null;
  if (reduce === 'sum') return us.reduce((a, b) => a + b, 0);
  if (reduce === 'max') return Math.max(...us);
  return us.reduce((a, b) => a + b, 0) / us.length;
}

test('itemUtilities agrees with a brute-force overlap reference', () => {
  const items: { core: [number, number][] }[] = [
    { core: [[0, 1]] },
    {
      core: [
        [1, 3],
        [4, 5],
      ],
    }, // two ranges in the same token count it once
    { core: [[6, 8]] }, // only an unscored token -> null
    { core: [[5, 9]] },
    { core: [] },
    { core: [[3, 3]] }, // empty range
  ];
  for (const reduce of ['mean', 'sum', 'max'] as const) {
    for (const q of [0.01, 0.7, 1]) {
      const got = itemUtilities(tokens, items, { q, reduce });
      items.forEach((it, k) => {
        const want = reference(it.core, q, reduce);
        if (want === null) assert.equal(got[k]!.utility, null);
        else
          assert.ok(
            Math.abs(got[k]!.utility! - want) < 1e-12,
            `${reduce} q=${q} item ${k}: ${got[k]!.utility} vs ${want}`,
          );
      });
    }
  }
  assert.deepEqual(
    itemUtilities(tokens, items).map((x) => x.coreTokens),
    [1, 2, 0, 2, 0, 0],
  );
  assert.deepEqual(
    tokensOverlapping(tokens, [
      [1, 3],
      [4, 5],
    ]),
    [0, 1],
  );
});

test('prose tokens are those outside code item spans, with their GCE', () => {
  const prose = proseTokenUtilities(tokens, [[2, 6]], 0.7);
  assert.deepEqual(
    prose.map((p) => p.index),
    [0, 4],
  ); // token 3 has no log-prob
  assert.ok(Math.abs(prose[1]!.u - (1 - Math.exp(0.7 * -3)) / 0.7) < 1e-12);
  const all = tokenUtilities(tokens, 1);
  assert.ok(Math.abs(all[0]! - (1 - Math.exp(-0.1))) < 1e-12);
  assert.ok(Number.isNaN(all[3]!));
});

test('planBatches respects the token budget and sorts by length deterministically', () => {
  const lens = [5, 100, 7, 98, 50, 51, 3, 99];
  const p = planBatches(lens, 220, 8);
  for (let b = 0; b < p.batches.length; b++) {
    const T = p.lengths[b]!;
    assert.equal(T, Math.max(...p.batches[b]!.map((i) => lens[i]!)));
    assert.ok(p.batches[b]!.length === 1 || p.batches[b]!.length * T <= 220);
  }
  assert.deepEqual(
    p.batches.flat().sort((a, b) => a - b),
    lens.map((_, i) => i),
  );
  assert.equal(
    p.realPositions,
    lens.reduce((a, b) => a + b, 0),
  );
  assert.deepEqual(planBatches(lens, 220, 8), p);
  assert.throws(() => planBatches(lens, 0, 8), RangeError);
});
