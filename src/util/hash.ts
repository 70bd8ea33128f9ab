/**
 * The one set of small non-cryptographic hashes (FNV-1a, the murmur3 finalizer, splitmix32). Every
 * seeded choice in codeblock builds on these, so a result depends only on its inputs.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a (32-bit) over the UTF-16 code units of `s`, its offset basis XORed with `seed`. */
export function fnv1a(s: string, seed = 0): number {
  let h = (FNV_OFFSET ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** FNV-1a (32-bit) over integers, each fed as its low then its high 16 bits. */
export function fnv1aInts(values: ArrayLike<number>): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < values.length; i++) {
    h ^= values[i]! & 0xffff;
    h = Math.imul(h, FNV_PRIME);
    h ^= values[i]! >>> 16;
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finalizer (full avalanche of a 32-bit state). */
export function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** splitmix32 step: advances `state.s` and returns the next uint32. */
export function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  return fmix32(state.s);
}

/** Deterministic uniform [0,1) from (seed, id, index): independent of order and sharding. */
export function seededUniform(seed: number, id: string, index: number): number {
  const h = fnv1a(id, seed >>> 0) ^ (index + 0x9e3779b9);
  return fmix32(h) / 4294967296;
}
