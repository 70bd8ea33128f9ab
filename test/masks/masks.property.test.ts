// Property tests: native label masks and mask bitsets vs the plain TypeScript reference (seeded,
// 10,000 cases per routine), plus golden cases for the tie / zero-length / first-token / astral rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { labelMask, encodeMaskBits, decodeMaskBits } from '../../src/masks/index.js';
import {
  refLabelMask,
  refEncodeBits,
  refDecodeBits,
  csr,
  toBatch,
  type RefMaskSample,
} from '../helpers/reference-pack.js';

const RUNS = 10_000;
const SEED = 0x00c0debc;

function pairArb(len: number): fc.Arbitrary<[number, number]> {
  return fc
    .tuple(fc.integer({ min: 0, max: len }), fc.integer({ min: 0, max: len }))
    .map(([a, b]) => (a <= b ? [a, b] : [b, a]));
}

/** Tokens as a tokenizer makes them: a partition of [0, len) into pieces (some zero-length). */
function partitionArb(len: number): fc.Arbitrary<[number, number][]> {
  return fc.array(fc.integer({ min: 0, max: len }), { maxLength: 12 }).map((cuts) => {
    const pts = [0, ...cuts.sort((a, b) => a - b), len];
    const out: [number, number][] = [];
    for (let i = 0; i + 1 < pts.length; i++) out.push([pts[i]!, pts[i + 1]!]);
    return out;
  });
}

const sampleArb: fc.Arbitrary<RefMaskSample & { len: number }> = fc.integer({ min: 0, max: 24 }).chain((len) =>
  fc.record({
    len: fc.constant(len),
    tokens: fc.oneof(partitionArb(len), fc.array(pairArb(len), { maxLength: 10 })),
    spans: fc.oneof(
      fc.array(pairArb(len), { maxLength: 5 }),
      fc.constant<[number, number][]>([]), // all-unsupervised
      fc.constant<[number, number][]>([[0, len]]), // everything selected
    ),
  }),
);

test('labelMask: native equals reference on 10,000 seeded batches', () => {
  fc.assert(
    fc.property(fc.array(sampleArb, { maxLength: 5 }), fc.boolean(), (samples, withLengths) => {
      const got = labelMask(toBatch(samples, withLengths));
      const want = refLabelMask(samples);
      assert.deepEqual(Array.from(got.supervised), want.supervised);
      assert.deepEqual(Array.from(got.counts), want.counts);
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test('labelMask: empty batch and samples without tokens', () => {
  const empty = labelMask(toBatch([], true));
  assert.equal(empty.supervised.length, 0);
  assert.equal(empty.counts.length, 0);
  const r = labelMask(
    toBatch(
      [
        { tokens: [], spans: [[0, 3]], len: 3 },
        { tokens: [[0, 1]], spans: [] },
      ],
      false,
    ),
  );
  assert.deepEqual(Array.from(r.counts), [0, 0]);
});

test('labelMask: golden rules (majority, tie, zero-length, first token, overlap, unsorted)', () => {
  const cases: { tokens: [number, number][]; spans: [number, number][]; want: number[]; why: string }[] = [
    {
      tokens: [
        [0, 1],
        [1, 5],
      ],
      spans: [[1, 3]],
      want: [0, 0],
      why: 'exactly half (2 of 4) is not supervised',
    },
    {
      tokens: [
        [0, 1],
        [1, 4],
      ],
      spans: [[1, 3]],
      want: [0, 1],
      why: '2 of 3 is supervised',
    },
    {
      tokens: [
        [0, 1],
        [1, 4],
      ],
      spans: [[3, 4]],
      want: [0, 0],
      why: '1 of 3 is not',
    },
    {
      tokens: [
        [0, 4],
        [4, 4],
        [4, 8],
      ],
      spans: [[0, 8]],
      want: [0, 0, 1],
      why: 'first token and zero-length token never',
    },
    {
      tokens: [
        [0, 1],
        [1, 5],
      ],
      spans: [
        [1, 2],
        [2, 3],
      ],
      want: [0, 0],
      why: 'touching spans: 2 of 4 is a tie',
    },
    {
      tokens: [
        [0, 1],
        [1, 5],
      ],
      spans: [
        [3, 4],
        [1, 3],
        [2, 3],
      ],
      want: [0, 1],
      why: 'overlapping unsorted spans: union 3 of 4',
    },
    {
      tokens: [
        [0, 1],
        [1, 5],
      ],
      spans: [
        [1, 4],
        [1, 4],
        [1, 4],
      ],
      want: [0, 1],
      why: 'duplicates count once (union)',
    },
    {
      tokens: [
        [0, 1],
        [1, 3],
        [1, 3],
      ],
      spans: [[1, 3]],
      want: [0, 1, 1],
      why: 'tokens sharing offsets (split multi-byte char) each judged',
    },
    {
      tokens: [
        [0, 1],
        [1, 2],
      ],
      spans: [[2, 2]],
      want: [0, 0],
      why: 'empty span selects nothing',
    },
  ];
  for (const c of cases) {
    const r = labelMask(toBatch([c], false));
    assert.deepEqual(Array.from(r.supervised), c.want, c.why);
  }
});

test('labelMask: astral characters are one code point each', () => {
  // text = 'x = "😀😀"\n' as code points; the emoji are code points 5 and 6 (UTF-16 units 5-8).
  const text = 'x = "😀😀"\n';
  const cps = Array.from(text);
  assert.equal(cps.length, 9);
  // tokens: 'x', ' =', ' "', '😀', '😀', '"', '\n'   (code point offsets)
  const tokens: [number, number][] = [
    [0, 1],
    [1, 3],
    [3, 5],
    [5, 6],
    [6, 7],
    [7, 8],
    [8, 9],
  ];
  assert.equal(tokens.map(([a, b]) => cps.slice(a, b).join('')).join(''), text);
  // Select exactly the two emoji by code points.
  const r = labelMask(toBatch([{ tokens, spans: [[5, 7]], len: cps.length }], true));
  assert.deepEqual(Array.from(r.supervised), [0, 0, 0, 1, 1, 0, 0]);
  // Random astral-heavy texts: tokens are code-point chunks; native equals reference.
  fc.assert(
    fc.property(
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
      (s, cuts, sp) => {
        const n = Array.from(s).length;
        const pts = [0, ...cuts.map((c) => c % (n + 1)).sort((a, b) => a - b), n];
        const toks: [number, number][] = pts.slice(1).map((e, i) => [pts[i]!, e]);
        const spans: [number, number][] = sp.map(([a, b]) => [
          Math.min(a % (n + 1), b % (n + 1)),
          Math.max(a % (n + 1), b % (n + 1)),
        ]);
        const got = labelMask(toBatch([{ tokens: toks, spans, len: n }], true));
        assert.deepEqual(Array.from(got.supervised), refLabelMask([{ tokens: toks, spans }]).supervised);
      },
    ),
    { seed: SEED, numRuns: 500 },
  );
});

const flagsArb = fc.array(fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 40 }), { maxLength: 6 });

test('mask bitsets: encode equals reference, decode inverts it (10,000 seeded batches)', () => {
  fc.assert(
    fc.property(flagsArb, (samples) => {
      const flags = Uint8Array.from(samples.flat());
      const index = csr(samples.map((s) => s.length));
      const enc = encodeMaskBits(flags, index);
      const want = refEncodeBits(samples);
      assert.deepEqual(Array.from(enc.bits), want.bits);
      assert.deepEqual(Array.from(enc.byteStarts), want.byteStarts);
      const dec = decodeMaskBits(enc.bits, index);
      assert.deepEqual(dec, flags);
      assert.deepEqual(
        Array.from(dec),
        refDecodeBits(
          want.bits,
          samples.map((s) => s.length),
        ),
      );
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test('mask bitsets: layout is numpy packbits(bitorder="little"), one sample by default', () => {
  const enc = encodeMaskBits(Uint8Array.from([1, 0, 1, 1, 0, 0, 0, 0, 1]));
  assert.deepEqual(Array.from(enc.bits), [0b00001101, 0b00000001]);
  assert.deepEqual(Array.from(enc.byteStarts), [0, 2]);
  const none = encodeMaskBits(new Uint8Array(0));
  assert.equal(none.bits.length, 0);
  assert.deepEqual(decodeMaskBits(new Uint8Array(0), Int32Array.of(0)), new Uint8Array(0));
});
