/**
 * Seeded permutations for the loader. xoshiro128** seeded through splitmix32 from (seed, epoch);
 * Fisher–Yates with unbiased bounded draws (rejection). Same (n, seed, epoch) → same permutation
 * on every platform and in every thread.
 */

import { splitmix32 } from '../util/hash.js';

export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    if (!Number.isSafeInteger(stream) || stream < 0)
      throw new RangeError(`stream/epoch must be a non-negative safe integer, got ${stream}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 0x100000000) >>> 0;
    const st = {
      s:
        lo ^
        Math.imul(hi, 0x27d4eb2f) ^
        Math.imul(stream >>> 0, 0x165667b1) ^
        Math.imul(Math.floor(stream / 0x100000000) >>> 0, 0x1b873593),
    };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Next uniform uint32. */
  next(): number {
    const result = Math.imul((Math.imul(this.b, 5) << 7) | (Math.imul(this.b, 5) >>> 25), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = (this.d << 11) | (this.d >>> 21);
    return result;
  }

  /** Uniform integer in [0, bound), bound ≤ 2^32. */
  below(bound: number): number {
    if (bound <= 1) return 0;
    const threshold = (0x100000000 - bound) % bound;
    for (;;) {
      const r = this.next();
      if (r >= threshold) return r % bound;
    }
  }
}

/** Permutation of 0..n-1: identity when `shuffle` is false, else seeded Fisher–Yates. */
export function permutation(n: number, shuffle: boolean, seed = 0, epoch = 0): Uint32Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`bad permutation size ${n}`);
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  if (!shuffle) return p;
  const rng = new Xoshiro128(seed, epoch);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
