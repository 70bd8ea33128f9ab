// Property tests: native best-fit-decreasing and pack assembly vs the plain TypeScript reference
// (seeded, 10,000 cases per routine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { packBFD, assemblePacks } from '../../src/pack/index.js';
import { refPackBFD, refAssemble, refFirstFit, flatten } from '../helpers/reference-pack.js';
import { firstFitInOrder, bfdTS } from '../../bench/pack.js';

const RUNS = 10_000;
const SEED = 0x00c0debc;

const lengthsArb = fc.integer({ min: 1, max: 64 }).chain((maxLen) =>
  fc.tuple(
    fc.constant(maxLen),
    fc.oneof(
      fc.array(fc.integer({ min: 0, max: maxLen + 3 }), { maxLength: 60 }),
      // many equal lengths: exercises both tie rules
      fc.array(fc.constantFrom(1, Math.max(1, maxLen >> 1), maxLen, maxLen + 1), { maxLength: 40 }),
    ),
  ),
);

test('packBFD: native equals reference on 10,000 seeded batches', () => {
  fc.assert(
    fc.property(lengthsArb, ([maxLen, lengths]) => {
      const got = packBFD(Int32Array.from(lengths), maxLen);
      const want = refPackBFD(lengths, maxLen);
      assert.equal(got.maxLen, maxLen);
      assert.deepEqual(Array.from(got.packOf), want.packOf);
      assert.deepEqual(Array.from(got.reasons), want.reasons);
      assert.deepEqual(Array.from(got.packSamples), want.packSamples);
      assert.deepEqual(Array.from(got.packStarts), want.packStarts);
      assert.deepEqual(Array.from(got.packTokens), want.packTokens);
      assert.deepEqual(Array.from(got.rejected), want.rejected);
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test('packBFD: empty batch, exactly max_len, default max_len', () => {
  const e = packBFD(new Int32Array(0));
  assert.equal(e.maxLen, 2048);
  assert.deepEqual(Array.from(e.packStarts), [0]);
  const x = packBFD(Int32Array.of(2048, 2049, 1, 2047), 2048);
  assert.deepEqual(Array.from(x.packOf), [0, -1, 1, 1]);
  assert.deepEqual(Array.from(x.reasons), [0, 1, 0, 0]);
  assert.deepEqual(Array.from(x.packTokens), [2048, 2048]);
});

const samplesArb = fc.integer({ min: 1, max: 48 }).chain((maxLen) =>
  fc.tuple(
    fc.constant(maxLen),
    fc.array(
      fc.integer({ min: 0, max: maxLen + 2 }).chain((n) =>
        fc.record({
          ids: fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { minLength: n, maxLength: n }),
          flags: fc.oneof(
            fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
            fc.constant(new Array<number>(n).fill(0)),
          ),
        }),
      ),
      { maxLength: 12 },
    ),
  ),
);

test('assemblePacks: native equals reference on 10,000 seeded batches', () => {
  fc.assert(
    fc.property(samplesArb, ([maxLen, samples]) => {
      const plan = packBFD(Int32Array.from(samples.map((s) => s.ids.length)), maxLen);
      const got = assemblePacks(flatten(samples), plan);
      const want = refAssemble(samples, Array.from(plan.packSamples), Array.from(plan.packStarts));
      assert.deepEqual(Array.from(got.inputIds), want.inputIds);
      assert.deepEqual(Array.from(got.labels), want.labels);
      assert.deepEqual(Array.from(got.positionIds), want.positionIds);
      assert.deepEqual(Array.from(got.packTokenStarts), want.packTokenStarts);
      assert.deepEqual(Array.from(got.seqLens), want.seqLens);
      assert.deepEqual(Array.from(got.numSupervised), want.numSupervised);
      assert.deepEqual(Array.from(got.sampleNumSupervised), want.sampleNumSupervised);
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test('bench baselines: first-fit-in-order and the TS BFD peer agree with the references', () => {
  fc.assert(
    fc.property(lengthsArb, ([maxLen, lengths]) => {
      const L = Int32Array.from(lengths);
      const ff = refFirstFit(lengths, maxLen);
      const got = firstFitInOrder(L, maxLen);
      assert.equal(got.packs, ff.packStarts.length - 1);
      assert.equal(
        got.tokens,
        ff.packTokens.reduce((a, b) => a + b, 0),
      );
      assert.deepEqual(Array.from(bfdTS(L, maxLen)), refPackBFD(lengths, maxLen).packOf);
    }),
    { seed: SEED, numRuns: 2000 },
  );
});
