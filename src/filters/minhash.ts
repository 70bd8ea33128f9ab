/**
 * MinHash near-duplicate helpers (docs/pipeline.md, "Pair selection"): analyze stores each record's signature
 * (src/analysis/extras.ts); select's global duplicate pass (src/pipeline/dedup.ts) offers them to an LSH index in
 * input order.
 */
import { fnv1a } from '../util/hash.js';

const MH_BANDS = 16;
const MH_ROWS = 4;
const MH_PERMS = MH_BANDS * MH_ROWS;

/** MinHash signature over 5-word shingles (64 permutations via seeded FNV). */
export function minhash(text: string): Uint32Array {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const sig = new Uint32Array(MH_PERMS).fill(0xffffffff);
  const n = Math.max(1, words.length - 4);
  for (let i = 0; i < n; i++) {
    const sh = words.slice(i, i + 5).join(' ');
    const base = fnv1a(sh, 0);
    for (let p = 0; p < MH_PERMS; p++) {
      const h = (Math.imul(base ^ (p * 0x9e3779b1), 0x85ebca6b) ^ (p * 0xc2b2ae35)) >>> 0;
      const m = (h ^ (h >>> 13)) >>> 0;
      if (m < sig[p]!) sig[p] = m;
    }
  }
  return sig;
}

/** A signature as stored in analysis files: base64 of its 64 little-endian uint32 values. */
export function encodeMinhash(sig: Uint32Array): string {
  const b = Buffer.alloc(sig.length * 4);
  for (let i = 0; i < sig.length; i++) b.writeUInt32LE(sig[i]!, 4 * i);
  return b.toString('base64');
}

export function decodeMinhash(s: string): Uint32Array {
  const b = Buffer.from(s, 'base64');
  if (b.length !== MH_PERMS * 4) {
    throw new RangeError(`MinHash signature has ${b.length} bytes, expected ${MH_PERMS * 4}`);
  }
  const sig = new Uint32Array(MH_PERMS);
  for (let i = 0; i < MH_PERMS; i++) sig[i] = b.readUInt32LE(4 * i);
  return sig;
}

export function jaccardEstimate(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** Exact-duplicate wording is shared by analyze and select; this is the near-duplicate one. */
export function nearDuplicateDetail(j: number): string {
  return `near-duplicate (MinHash Jaccard ≈ ${j.toFixed(2)}) of an earlier record`;
}

/**
 * LSH index of MinHash signatures (16 bands × 4 rows): feed signatures in input order; a signature
 * within `threshold` of an earlier kept one is a near-duplicate and is not kept itself.
 */
export class MinhashIndex {
  private readonly bands = new Map<string, number[]>();
  private readonly sigs: Uint32Array[] = [];
  constructor(private readonly threshold: number) {}

  /** Jaccard estimate of the earliest kept near-duplicate, or null (then `sig` is kept). */
  offer(sig: Uint32Array): number | null {
    const idx = this.sigs.length;
    const candidates = new Set<number>();
    const keys: string[] = [];
    for (let b = 0; b < MH_BANDS; b++) {
      const key = `${b}:${Array.from(sig.subarray(b * MH_ROWS, (b + 1) * MH_ROWS)).join(',')}`;
      keys.push(key);
      for (const c of this.bands.get(key) ?? []) candidates.add(c);
    }
    for (const c of [...candidates].sort((a, b) => a - b)) {
      const j = jaccardEstimate(sig, this.sigs[c]!);
      if (j >= this.threshold) return j;
    }
    this.sigs.push(sig);
    for (const key of keys) {
      const list = this.bands.get(key);
      if (list) list.push(idx);
      else this.bands.set(key, [idx]);
    }
    return null;
  }
}
