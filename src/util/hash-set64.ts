/**
 * A set of 64-bit hashes written as 16 lowercase hex digits (pairHash), for the exact-duplicate filters of
 * analyze and select: open addressing over typed arrays (9 bytes a slot, at most half full: at most 36 bytes per
 * hash, 18 just after growing), where a Set of the hex strings costs about 70 bytes per hash in V8. A key that
 * is not 16 hex digits (an analysis of another format) is kept in a plain Set beside it, so the answers are
 * those of a Set<string> for every input.
 */
const HEX16 = /^[0-9a-f]{16}$/;

export class HashSet64 {
  private hi: Uint32Array;
  private lo: Uint32Array;
  /** Slot in use (a hash may be 0:0). */
  private used: Uint8Array;
  private mask: number;
  private n = 0;
  private readonly other = new Set<string>();

  constructor(initialSlots = 1024) {
    let cap = 16;
    while (cap < initialSlots) cap *= 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
  }

  /** Hashes held. */
  get size(): number {
    return this.n + this.other.size;
  }

  has(key: string): boolean {
    if (!HEX16.test(key)) return this.other.has(key);
    const hi = Number.parseInt(key.slice(0, 8), 16) >>> 0;
    const lo = Number.parseInt(key.slice(8), 16) >>> 0;
    return this.find(hi, lo) >= 0;
  }

  /** Adds `key`; false when it was there already. */
  add(key: string): boolean {
    if (!HEX16.test(key)) {
      if (this.other.has(key)) return false;
      this.other.add(key);
      return true;
    }
    const hi = Number.parseInt(key.slice(0, 8), 16) >>> 0;
    const lo = Number.parseInt(key.slice(8), 16) >>> 0;
    if (this.find(hi, lo) >= 0) return false;
    if (2 * (this.n + 1) > this.hi.length) this.grow();
    this.insert(hi, lo);
    return true;
  }

  /** Empties the set and gives its memory back. */
  clear(): void {
    this.hi = new Uint32Array(16);
    this.lo = new Uint32Array(16);
    this.used = new Uint8Array(16);
    this.mask = 15;
    this.n = 0;
    this.other.clear();
  }

  /** The slot holding hi:lo, or -1. */
  private find(hi: number, lo: number): number {
    // the hash is already uniform: its low bits pick the slot
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      if (!this.used[i]) return -1;
      if (this.lo[i] === lo && this.hi[i] === hi) return i;
    }
  }

  private insert(hi: number, lo: number): void {
    let i = lo & this.mask;
    while (this.used[i]) i = (i + 1) & this.mask;
    this.used[i] = 1;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.n++;
  }

  private grow(): void {
    const { hi, lo, used } = this;
    const cap = hi.length * 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
    this.n = 0;
    for (let i = 0; i < hi.length; i++) if (used[i]) this.insert(hi[i]!, lo[i]!);
  }
}
