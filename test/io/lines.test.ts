import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineSplitter, firstInvalidUtf8, isBlank, type LineEvent } from '../../src/io/lines.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Split `data` into chunks at the given cut points and run the splitter over them. */
function split(
  data: Uint8Array,
  cuts: number[],
  max: number,
): { events: { kind: string; line: number; text?: string; bytes?: number }[]; peak: number } {
  const s = new LineSplitter(max);
  const out: LineEvent[] = [];
  const events: { kind: string; line: number; text?: string; bytes?: number }[] = [];
  const flush = (): void => {
    for (const ev of out)
      events.push(
        ev.kind === 'line'
          ? { kind: 'line', line: ev.line, text: dec.decode(ev.bytes) }
          : { kind: 'too_long', line: ev.line, bytes: ev.bytes },
      );
    out.length = 0;
  };
  let prev = 0;
  for (const c of [...cuts.filter((x) => x > 0 && x < data.length)].sort((a, b) => a - b).concat([data.length])) {
    s.push(data.subarray(prev, c), out);
    flush(); // views are only valid until the next push
    prev = c;
  }
  s.end(out);
  flush();
  return { events, peak: s.peakBufferedBytes };
}

/** Reference: String.split on \n, CR stripped, lines over max (in bytes) reported as too_long. */
function reference(text: string, max: number): { kind: string; line: number; text?: string; bytes?: number }[] {
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((p, i) => {
    const n = enc.encode(p).length;
    if (n > max) return { kind: 'too_long', line: i + 1, bytes: n };
    return { kind: 'line', line: i + 1, text: p.endsWith('\r') ? p.slice(0, -1) : p };
  });
}

test('splits on LF across arbitrary chunk boundaries, strips CR, keeps multi-byte chars whole', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom('\r', '\n', '\r\n', 'é', '😀', '')),
        { maxLength: 40 },
      ),
      fc.array(fc.nat({ max: 400 }), { maxLength: 12 }),
      fc.integer({ min: 1, max: 30 }),
      (pieces, cuts, max) => {
        const text = pieces.join('');
        const data = enc.encode(text);
        const { events, peak } = split(data, cuts, max);
        // the reference counts CR in the length; the splitter's too_long count includes a CR too
        assert.deepEqual(events, reference(text, max));
        assert.ok(peak <= max, `peak ${peak} > max ${max}`);
      },
    ),
    { numRuns: 300, seed: 42 },
  );
});

test('a line far over the limit is streamed past, never buffered', () => {
  const max = 1000;
  const big = new Uint8Array(5_000_000).fill(0x61);
  const data = new Uint8Array(big.length + 20);
  data.set(enc.encode('{"a":1}\n'), 0);
  data.set(big, 8);
  data.set(enc.encode('\n{"b":2}\n'), 8 + big.length);
  const cuts = Array.from({ length: 80 }, (_, i) => 7 + i * 65_536);
  const { events, peak } = split(data.subarray(0, 8 + big.length + 9), cuts, max);
  assert.deepEqual(events, [
    { kind: 'line', line: 1, text: '{"a":1}' },
    { kind: 'too_long', line: 2, bytes: 5_000_000 },
    { kind: 'line', line: 3, text: '{"b":2}' },
  ]);
  assert.ok(peak <= max, `held ${peak} bytes of the long line`);
});

test('unterminated last line is emitted at end(); an over-long one as too_long', () => {
  assert.deepEqual(split(enc.encode('a\nbc'), [3], 10).events, [
    { kind: 'line', line: 1, text: 'a' },
    { kind: 'line', line: 2, text: 'bc' },
  ]);
  assert.deepEqual(split(enc.encode('a\nbcdefghijkl'), [5], 4).events, [
    { kind: 'line', line: 1, text: 'a' },
    { kind: 'too_long', line: 2, bytes: 11 },
  ]);
});

test('rejects a bad maxLineBytes', () => {
  assert.throws(() => new LineSplitter(0), RangeError);
  assert.throws(() => new LineSplitter(1.5), RangeError);
});

test('isBlank and firstInvalidUtf8', () => {
  assert.equal(isBlank(enc.encode(' \t\r')), true);
  assert.equal(isBlank(enc.encode(' x')), false);
  assert.equal(firstInvalidUtf8(enc.encode('héllo 😀')), -1);
  assert.equal(firstInvalidUtf8(new Uint8Array([0x61, 0x62, 0xff])), 2);
  assert.equal(firstInvalidUtf8(new Uint8Array([0x61, 0xc3])), 1); // cut sequence
  assert.equal(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80])), 0); // encoded surrogate
  assert.equal(firstInvalidUtf8(new Uint8Array([0xc0, 0x80])), 0); // overlong NUL
  // agrees with the WHATWG decoder on random bytes
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 24 }), (b) => {
      let ok = true;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(b);
      } catch {
        ok = false;
      }
      assert.equal(firstInvalidUtf8(b) === -1, ok);
    }),
    { numRuns: 2000, seed: 7 },
  );
});
