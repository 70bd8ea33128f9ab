import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BudgetGate, ScoreHistogram, scoreBin } from '../../src/budget/threshold.js';
import { recordCandidates } from '../../src/budget/candidates.js';
import type { SelectKnobs } from '../../src/budget/rules.js';
import { V2 } from '../../src/budget/score-def.js';
import { seededUniform } from '../../src/util/hash.js';
import { twoItemRecord } from '../helpers/two-item-record.js';

test('scoreBin is monotone in the score', () => {
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e6, noNaN: true }), (a, b) => {
      if (a <= b) assert.ok(scoreBin(a) <= scoreBin(b));
    }),
    { seed: 42, numRuns: 5000 },
  );
});

test('histogram cut + gate spend the budget like an exact descending sort (± half an item, boundary in order)', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({ score: fc.double({ min: 0, max: 10, noNaN: true }), cost: fc.integer({ min: 1, max: 40 }) }),
        { minLength: 0, maxLength: 300 },
      ),
      fc.double({ min: 0, max: 1.2, noNaN: true }),
      (cands, frac) => {
        const h = new ScoreHistogram();
        for (const c of cands) h.add(c.score, c.cost);
        const total = cands.reduce((a, c) => a + c.cost, 0);
        const budget = frac * total;
        const gate = new BudgetGate(h.cut(budget));
        const taken = cands.map((c) => gate.take(c.score, c.cost));
        const spent = cands.reduce((a, c, i) => a + (taken[i] ? c.cost : 0), 0);
        const maxCost = cands.reduce((a, c) => Math.max(a, c.cost), 0);
        if (budget >= total) assert.equal(spent, total);
        else {
          // the boundary bin is taken while each item brings the spend closer: within half an item
          assert.ok(Math.abs(spent - budget) <= maxCost / 2 + 1e-9, `spent ${spent} vs budget ${budget}`);
        }
        // no taken candidate sits in a lower bin than a skipped one
        let minTaken = Infinity;
        let maxSkipped = -Infinity;
        cands.forEach((c, i) => {
          if (taken[i]) minTaken = Math.min(minTaken, scoreBin(c.score));
          else maxSkipped = Math.max(maxSkipped, scoreBin(c.score));
        });
        assert.ok(
          minTaken >= maxSkipped || minTaken === Infinity || maxSkipped === -Infinity,
          'selection respects score order by bin',
        );
      },
    ),
    { seed: 7, numRuns: 2000 },
  );
});

test('seededUniform is deterministic, in [0,1), and depends on seed, id and index', () => {
  assert.equal(seededUniform(1, 'a', 3), seededUniform(1, 'a', 3));
  assert.notEqual(seededUniform(1, 'a', 3), seededUniform(2, 'a', 3));
  assert.notEqual(seededUniform(1, 'a', 3), seededUniform(1, 'b', 3));
  let sum = 0;
  for (let i = 0; i < 10000; i++) {
    const u = seededUniform(0, 'rec', i);
    assert.ok(u >= 0 && u < 1);
    sum += u;
  }
  assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02);
});

function knobs(over: Partial<SelectKnobs> = {}): SelectKnobs {
  return {
    mode: 'codeblock',
    lambdaReach: 0.5,
    lambdaBridge: 0.5,
    ...V2,
    minItems: 0,
    maxItems: 0,
    allowFlagged: false,
    nlRatio: 0.1,
    seed: 0,
    q: 0.7,
    itemized: new Set(['python']),
    ...over,
  };
}

test('item costs follow the majority-of-characters rule; prose candidates skip items, spaces, punctuation', () => {
  // text = "Q: hi\n" + "Use x:\nx = 1\ny = x\n"; target tokens over the text:
  // "Q:", " hi", "\n", "Use", " x", ":\n", "x", " =", " 1\n", "y", " = x", "\n"
  const { rec, text, enc, tokensEnd } = twoItemRecord();
  assert.equal(tokensEnd, text.length);
  const c = recordCandidates(rec, text, enc, knobs(), (cp) => cp);
  assert.equal(c.responseTokens, 9);
  assert.deepEqual(c.responseTokenRange, [3, 12]);
  // item 0 = "x = 1\n" covers tokens "x", " =", " 1\n"; item 1 = "y = x\n" covers "y", " = x", "\n"
  assert.deepEqual(
    c.items.map((i) => [i.item, i.cost]),
    [
      [0, 3],
      [1, 3],
    ],
  );
  assert.equal(c.items[0]!.score, 1 * (1 + 0.5 * 1));
  assert.equal(c.items[1]!.score, 2);
  // prose: "Use", " x" (words; ":\n" has no letter or digit); u from the scorer token overlapping most
  assert.deepEqual(Array.from(c.tokens.token), [3, 4]);
  const u = (lp: number) => (1 - Math.exp(0.7 * lp)) / 0.7;
  assert.ok(Math.abs(c.tokens.score[0]! - u(-1)) < 1e-12);
  // flagged items are not candidates unless allowed; max/min items
  rec.items[1]!.flags = ['error'];
  assert.deepEqual(
    recordCandidates(rec, text, enc, knobs(), (cp) => cp).items.map((i) => i.item),
    [0],
  );
  assert.deepEqual(
    recordCandidates(rec, text, enc, knobs({ allowFlagged: true, maxItems: 1 }), (cp) => cp).items.map((i) => i.item),
    [1],
  );
  const forced = recordCandidates(rec, text, enc, knobs({ allowFlagged: true, minItems: 1 }), (cp) => cp);
  assert.deepEqual(
    forced.forced.map((i) => i.item),
    [1],
  );
  assert.deepEqual(
    forced.items.map((i) => i.item),
    [0],
  );
  // token-gce: every non-whitespace response token is a candidate
  const tg = recordCandidates(rec, text, enc, knobs({ mode: 'token-gce', nlRatio: 0 }), (cp) => cp);
  assert.equal(tg.items.length, 0);
  assert.equal(tg.tokens.length, 8);
});
