/**
 * stableStringify writes every analysis record (and every config hash), so its output must not change when it
 * is made faster: it is checked against the plain recursive definition (sorted keys, undefined-valued keys left
 * out, JSON.stringify for everything else) on seeded random nested values and on real analysis-shaped records,
 * and against JSON.parse (the output is JSON, and parsing it gives the value back).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stableStringify } from '../../src/analysis/format.js';
import { mulberry32 } from '../../src/util/random.js';

/** The definition, written the obvious way (the implementation before it was optimized). */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(o[k])}`).join(',')}}`;
}

const KEYS = ['a', 'b', 'Z', 'start', 'end', 'u', 'core', 'ü', '10', '2', '', 'k"q', 'é', '\u{1F600}'];

function randomValue(r: () => number, depth: number): unknown {
  const x = r();
  if (depth > 4 || x < 0.35) {
    const p = r();
    if (p < 0.2) return Math.round(r() * 1e6) / 1e3 - 500;
    if (p < 0.3) return [Number.NaN, -0, Infinity, 1e21, 5e-7][Math.floor(r() * 5)];
    if (p < 0.5) return `s${Math.floor(r() * 100)}${r() < 0.2 ? '"\\\n\u2028' : ''}`;
    if (p < 0.6) return r() < 0.5;
    if (p < 0.7) return null;
    if (p < 0.8) return undefined;
    return Math.floor(r() * 1000);
  }
  if (x < 0.65) {
    const n = Math.floor(r() * 6);
    return Array.from({ length: n }, () => randomValue(r, depth + 1));
  }
  const o: Record<string, unknown> = {};
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) o[KEYS[Math.floor(r() * KEYS.length)]!] = randomValue(r, depth + 1);
  return o;
}

describe('stableStringify', () => {
  it('equals the recursive definition on 20,000 seeded random values', () => {
    const r = mulberry32(20261202);
    let objects = 0;
    for (let i = 0; i < 20000; i++) {
      const v = randomValue(r, 0);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) objects++;
      assert.equal(stableStringify(v), reference(v), `value ${i}`);
    }
    assert.ok(objects > 2000, `the generator makes objects (${objects})`);
  });

  it('sorts keys however they were inserted, leaves undefined out, and round-trips through JSON.parse', () => {
    const a = {
      u: 1.5,
      core: [[0, 3]],
      start: 0,
      end: 4,
      skip: undefined,
      nested: { z: [1, { y: 2, x: 1 }], a: null },
    };
    const b = { nested: { a: null, z: [1, { x: 1, y: 2 }] }, end: 4, start: 0, core: [[0, 3]], u: 1.5 };
    const s = stableStringify(a);
    assert.equal(s, stableStringify(b));
    assert.equal(s, '{"core":[[0,3]],"end":4,"nested":{"a":null,"z":[1,{"x":1,"y":2}]},"start":0,"u":1.5}');
    assert.deepEqual(JSON.parse(s), JSON.parse(JSON.stringify(b)));
  });

  it('takes no shortcut JSON.stringify would write differently (functions, toJSON, class instances)', () => {
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
    }
    const values: unknown[] = [
      { a: 1, b: () => 1 },
      { a: new Date(0), b: 2 },
      { a: 1, toJSON: () => 'x' },
      new Point(1, 2),
      { p: new Point(3, 4), q: [new Point(5, 6)] },
      [() => 1, { b: 1, a: 2 }],
      { a: [1, [2, [3, undefined]]], b: Symbol('s') },
      Object.assign(Object.create(null), { b: 1, a: 2 }),
    ];
    for (const v of values) assert.equal(stableStringify(v), reference(v));
  });

  it('writes arrays of primitives as JSON.stringify does (undefined and NaN as null)', () => {
    assert.equal(stableStringify([1, undefined, Number.NaN, 'x', null, true]), '[1,null,null,"x",null,true]');
    assert.equal(stableStringify([[1, 2], [undefined]]), '[[1,2],[null]]');
    assert.equal(stableStringify([]), '[]');
    assert.equal(stableStringify({}), '{}');
  });
});
