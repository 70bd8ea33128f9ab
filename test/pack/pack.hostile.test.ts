// Hostile input at the native boundary (issue 4 item 5): every bad call raises a TypeError or
// RangeError with a clear message; nothing crashes. Ends with a seeded garbage fuzz of all calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { native } from '../../src/native.js';
import { labelMask, encodeMaskBits, decodeMaskBits } from '../../src/masks/index.js';
import { packBFD, assemblePacks } from '../../src/pack/index.js';

const I = (...xs: number[]) => Int32Array.from(xs);
const U = (...xs: number[]) => Uint8Array.from(xs);
const okMask = { charOffsets: I(0, 1, 1, 2), sampleTokens: I(0, 2), spans: I(0, 2), sampleSpans: I(0, 1) };
const okSamples = { inputIds: I(5, 6, 7), supervised: U(0, 1, 1), sampleTokens: I(0, 3) };
const okPlan = { packSamples: I(0), packStarts: I(0, 1), maxLen: 8 };

function throwsType(fn: () => unknown, re: RegExp) {
  assert.throws(fn, (e: unknown) => e instanceof TypeError && re.test((e as Error).message), re.source);
}
function throwsRange(fn: () => unknown, re: RegExp) {
  assert.throws(fn, (e: unknown) => e instanceof RangeError && re.test((e as Error).message), re.source);
}

test('wrong typed-array types are TypeErrors naming the argument', () => {
  throwsType(
    () => labelMask({ ...okMask, charOffsets: new Float64Array(4) as unknown as Int32Array }),
    /labelMask: charOffsets must be an Int32Array, got Float64Array/,
  );
  throwsType(
    () => labelMask({ ...okMask, sampleTokens: new Uint32Array(2) as unknown as Int32Array }),
    /sampleTokens must be an Int32Array, got Uint32Array/,
  );
  throwsType(
    () => labelMask({ ...okMask, spans: [0, 2] as unknown as Int32Array }),
    /spans must be an Int32Array, got Array/,
  );
  throwsType(
    () => labelMask({ ...okMask, sampleSpans: undefined as unknown as Int32Array }),
    /sampleSpans must be an Int32Array, got undefined/,
  );
  throwsType(
    () => labelMask({ ...okMask, textLengths: new Int16Array(1) as unknown as Int32Array }),
    /textLengths must be an Int32Array, got Int16Array/,
  );
  throwsType(
    () => packBFD(new Float32Array(3) as unknown as Int32Array),
    /packBFD: lengths must be an Int32Array, got Float32Array/,
  );
  throwsType(() => packBFD(null as unknown as Int32Array), /got null/);
  throwsType(() => packBFD(I(1), '2048' as unknown as number), /maxLen must be a number, got string/);
  throwsType(
    () => assemblePacks({ ...okSamples, supervised: new Uint8ClampedArray(3) as unknown as Uint8Array }, okPlan),
    /supervised must be a Uint8Array, got Uint8ClampedArray/,
  );
  throwsType(
    () => assemblePacks({ ...okSamples, inputIds: new BigInt64Array(3) as unknown as Int32Array }, okPlan),
    /inputIds must be an Int32Array, got BigInt64Array/,
  );
  throwsType(() => encodeMaskBits(I(1, 0) as unknown as Uint8Array), /flags must be a Uint8Array, got Int32Array/);
  throwsType(
    () => decodeMaskBits(U(1), new ArrayBuffer(8) as unknown as Int32Array),
    /sampleFlags must be an Int32Array, got ArrayBuffer/,
  );
});

test('mismatched lengths are RangeErrors', () => {
  throwsRange(
    () => labelMask({ ...okMask, charOffsets: I(0, 1, 1) }),
    /charOffsets must hold \[start, end\) pairs \(even length\), got length 3/,
  );
  throwsRange(() => labelMask({ ...okMask, spans: I(0) }), /spans must hold/);
  throwsRange(
    () => labelMask({ ...okMask, sampleTokens: I(0, 3) }),
    /sampleTokens must end at the number of tokens \(2\), got 3/,
  );
  throwsRange(() => labelMask({ ...okMask, sampleTokens: I() }), /sampleTokens must have at least one entry/);
  throwsRange(() => labelMask({ ...okMask, sampleSpans: I(0, 0, 1) }), /same number of samples \(1 vs 2\)/);
  throwsRange(
    () => labelMask({ ...okMask, textLengths: I(2, 2) }),
    /textLengths must have one entry per sample \(1\), got 2/,
  );
  throwsRange(
    () => assemblePacks({ ...okSamples, supervised: U(0, 1) }, okPlan),
    /supervised must have one flag per token \(3\), got 2/,
  );
  throwsRange(
    () => assemblePacks(okSamples, { ...okPlan, packStarts: I(0, 2) }),
    /packStarts must end at the number of entries in packSamples \(1\), got 2/,
  );
  throwsRange(() => decodeMaskBits(U(1, 0), I(0, 8)), /bits has 2 bytes but sampleFlags describes 1/);
  throwsRange(() => decodeMaskBits(U(1), I(0, 2147483647)), /bits has 1 bytes/);
});

test('negative, unordered and overflowing offsets are RangeErrors', () => {
  throwsRange(
    () => labelMask({ ...okMask, charOffsets: I(-1, 1, 1, 2) }),
    /token 0 of sample 0 has invalid offsets \[-1, 1\)/,
  );
  throwsRange(
    () => labelMask({ ...okMask, charOffsets: I(0, 1, 2, 1) }),
    /token 1 of sample 0 has invalid offsets \[2, 1\)/,
  );
  throwsRange(() => labelMask({ ...okMask, spans: I(3, 2) }), /span 0 of sample 0 is invalid: \[3, 2\)/);
  throwsRange(
    () => labelMask({ ...okMask, sampleTokens: I(0, -1, 2), sampleSpans: I(0, 0, 1) }),
    /sampleTokens must be non-decreasing/,
  );
  throwsRange(() => labelMask({ ...okMask, sampleTokens: I(1, 2) }), /sampleTokens\[0\] must be 0, got 1/);
  throwsRange(() => labelMask({ ...okMask, sampleTokens: I(0, 2147483647) }), /must end at the number of tokens/);
  throwsRange(() => packBFD(I(3, -1, 2)), /lengths\[1\] is negative \(-1\)/);
  throwsRange(
    () => assemblePacks({ ...okSamples, inputIds: I(5, -100, 7) }, okPlan),
    /inputIds\[1\] = -100 is negative/,
  );
  throwsRange(
    () => assemblePacks(okSamples, { ...okPlan, packSamples: I(1) }),
    /packSamples\[0\] = 1 is not a sample index \(there are 1 samples\)/,
  );
  throwsRange(() => assemblePacks(okSamples, { ...okPlan, packSamples: I(-2147483648) }), /is not a sample index/);
  throwsRange(
    () => assemblePacks(okSamples, { packSamples: I(0, 0), packStarts: I(0, 1, 2), maxLen: 8 }),
    /sample 0 is in more than one pack slot/,
  );
  throwsRange(
    () => assemblePacks(okSamples, { packSamples: I(0), packStarts: I(0, 0, 1), maxLen: 8 }),
    /pack 0 has no samples/,
  );
  throwsRange(
    () => assemblePacks({ inputIds: I(), supervised: U(), sampleTokens: I(0, 0) }, okPlan),
    /sample 0 has no tokens/,
  );
  throwsRange(
    () => assemblePacks({ ...okSamples, supervised: U(0, 2, 1) }, okPlan),
    /supervised\[1\] = 2 \(flags must be 0 or 1\)/,
  );
  throwsRange(() => encodeMaskBits(U(0, 1, 255)), /flags\[2\] = 255 \(flags must be 0 or 1\)/);
  throwsRange(() => decodeMaskBits(U(0b100), I(0, 2)), /sample 0 has non-zero padding bits/);
});

test('maxLen <= 0, NaN, Infinity, fractions and oversized values are RangeErrors', () => {
  for (const m of [0, -1, -2048]) throwsRange(() => packBFD(I(1), m), /maxLen must be an integer in \[1, 1048576\]/);
  for (const m of [NaN, Infinity, -Infinity, 1.5])
    throwsRange(() => packBFD(I(1), m), /maxLen must be an integer, got/);
  for (const m of [2 ** 20 + 1, 2 ** 31, 2 ** 53]) throwsRange(() => packBFD(I(1), m), /maxLen must be an integer/);
  throwsRange(() => assemblePacks(okSamples, { ...okPlan, maxLen: 0 }), /maxLen must be an integer in/);
  throwsRange(() => assemblePacks(okSamples, { ...okPlan, maxLen: 2 }), /pack 0 holds 3 tokens, more than maxLen 2/);
});

test('spans and tokens past the end of the text are RangeErrors', () => {
  throwsRange(
    () => labelMask({ ...okMask, spans: I(0, 1), textLengths: I(1) }),
    /token 1 of sample 0 ends past the text \(2 > textLengths\[0\] = 1\)/,
  );
  throwsRange(
    () => labelMask({ ...okMask, spans: I(0, 9), textLengths: I(2) }),
    /span 0 of sample 0 ends past the text \(9 > textLengths\[0\] = 2\)/,
  );
  throwsRange(() => labelMask({ ...okMask, textLengths: I(-1) }), /textLengths\[0\] is negative/);
  throwsRange(
    () => labelMask({ ...okMask, sampleSpans: I(0, 5) }),
    /sampleSpans must end at the number of spans \(1\), got 5/,
  );
});

test('detached buffers and subarray views are handled', () => {
  const buf = new ArrayBuffer(16);
  const view = new Int32Array(buf, 4, 2); // [0, 0] view with byteOffset
  view.set([3, 4]);
  const r = packBFD(view, 4);
  assert.deepEqual(Array.from(r.packTokens), [4, 3]);
  const detached = new Int32Array(4);
  structuredClone(detached.buffer, { transfer: [detached.buffer] });
  assert.equal(packBFD(detached, 4).packOf.length, 0);
});

test('garbage arguments to every native call: only TypeError / RangeError, never a crash', () => {
  const anyArg = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.double(),
    fc.integer(),
    fc.string({ maxLength: 3 }),
    fc.array(fc.integer({ min: -3, max: 40 }), { maxLength: 8 }).map((a) => Int32Array.from(a)),
    fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 8 }).map((a) => Uint8Array.from(a)),
    fc.array(fc.integer(), { maxLength: 4 }).map((a) => Int32Array.from(a)),
    fc.array(fc.double(), { maxLength: 4 }).map((a) => Float64Array.from(a)),
  );
  const fns = ['maskLabels', 'packBfd', 'packAssemble', 'maskBitsEncode', 'maskBitsDecode'];
  // deliberately untyped: the test feeds every function arguments of every type
  const addon = native() as unknown as Record<string, (...args: unknown[]) => unknown>;
  fc.assert(
    fc.property(fc.constantFrom(...fns), fc.array(anyArg, { maxLength: 7 }), (name, args) => {
      try {
        addon[name]!(...args);
      } catch (e) {
        if (!(e instanceof TypeError || e instanceof RangeError)) throw e;
        assert.ok((e as Error).message.length > 10);
      }
    }),
    { seed: 7, numRuns: 3000 },
  );
});
