/**
 * HashSet64 against its reference, a Set<string>, on seeded random operations: pairHash-shaped keys (many
 * sharing their low bits, so probe chains are long and the table grows), the all-zero hash, and keys of other
 * shapes; clear() empties it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HashSet64 } from '../../src/util/hash-set64.js';
import { mulberry32 } from '../../src/util/random.js';
import { pairHash } from '../../src/filters/pair.js';

const hex8 = (x: number): string => (x >>> 0).toString(16).padStart(8, '0');

test('HashSet64 answers as a Set<string> on 200,000 seeded operations', () => {
  const rnd = mulberry32(42);
  const set = new HashSet64(16);
  const ref = new Set<string>();
  const pool: string[] = ['0000000000000000', 'not-a-hash', 'ABCDEF0123456789', ''];
  for (let i = 0; i < 5000; i++) {
    // a third share their low 12 bits: long probe runs
    const lo = rnd() < 0.33 ? (Math.floor(rnd() * 64) << 12) | 0xabc : Math.floor(rnd() * 2 ** 32);
    pool.push(hex8(Math.floor(rnd() * 2 ** 32)) + hex8(lo));
  }
  pool.push(pairHash({ prompt: [{ role: 'user', content: 'q' }], response: 'a = 1' } as never));
  for (let op = 0; op < 200_000; op++) {
    const k = pool[Math.floor(rnd() * pool.length)]!;
    if (rnd() < 0.5) {
      assert.equal(set.add(k), !ref.has(k), `add ${k}`);
      ref.add(k);
    } else assert.equal(set.has(k), ref.has(k), `has ${k}`);
    if (op === 150_000) {
      set.clear();
      ref.clear();
      assert.equal(set.size, 0);
    }
  }
  assert.equal(set.size, ref.size);
  for (const k of pool) assert.equal(set.has(k), ref.has(k), k);
});
