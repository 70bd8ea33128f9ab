/**
 * Packing benchmark (issue 4 item 7), called by the bench harness: `benchPack()` returns figures.
 *
 * Sample lengths: 1,000,000 draws (seeded, with replacement) from the empirical length distribution
 * of ../shared/data, where a sample's length in tokens is estimated as
 *   ceil(code points of (instruction + response) / 3.5)
 * (≈ 3.5 characters per token for BPE code tokenizers such as Qwen2.5's on English + code).
 * Reports native best-fit-decreasing time (median of `repeats` ≥ 5, interleaved with the
 * same algorithm in plain TypeScript as the peer), and packing efficiency at
 * `maxLen` — non-pad tokens / (packs × maxLen) — beside two in-order baselines run on the same
 * lengths in the same process: first-fit in input order (segment tree over bins, O(n log n)) and
 * next-fit (sequential greedy concatenation, what most trainers' "packing without splitting" does).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { PACKAGE_ROOT } from '../src/native.js';
import { packBFD, packingEfficiency, numPacks, DEFAULT_MAX_LEN } from '../src/pack/index.js';
import { mulberry32 } from '../src/util/random.js';

export interface PackBenchOptions {
  samples?: number;
  maxLen?: number;
  seed?: number;
  repeats?: number;
  dataDir?: string;
}

export interface PackBenchResult {
  lengthModel: string;
  poolRecords: number;
  samples: number;
  maxLen: number;
  meanLength: number;
  tooLong: number;
  bfd: { seconds: number; secondsMin: number; packs: number; efficiency: number };
  firstFitInOrder: { seconds: number; packs: number; efficiency: number };
  nextFit: { packs: number; efficiency: number };
  /** BFD efficiency minus first-fit-in-order efficiency (percentage points). */
  efficiencyGainPP: number;
  /** The same BFD algorithm in plain TypeScript (peer), same lengths, same run; identical packing checked. */
  bfdTS: { seconds: number; secondsMin: number; samePacking: boolean };
  /** bfdTS.seconds / bfd.seconds: the medians of `repeats` interleaved runs each, the figures shown beside it. */
  speedupVsTS: number;
}

/** Token-length estimates of every record in the data dir (see module doc). */
export function poolLengths(dataDir = resolve(PACKAGE_ROOT, '..', 'shared', 'data')): number[] {
  const out: number[] = [];
  for (const f of readdirSync(dataDir)
    .filter((x) => x.endsWith('.jsonl'))
    .sort()) {
    for (const line of readFileSync(join(dataDir, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as { instruction?: string; response?: string };
      const cps = Array.from((r.instruction ?? '') + (r.response ?? '')).length;
      out.push(Math.max(1, Math.ceil(cps / 3.5)));
    }
  }
  return out;
}

/** First-fit in input order with a max segment tree over bins: O(n log n). Returns pack count and tokens. */
export function firstFitInOrder(lengths: Int32Array, maxLen: number): { packs: number; tokens: number } {
  let size = 1;
  while (size < lengths.length) size <<= 1;
  const tree = new Int32Array(2 * Math.max(size, 1)); // max remaining capacity per subtree; unopened bins = maxLen
  tree.fill(maxLen);
  let opened = 0,
    tokens = 0;
  for (const need of lengths) {
    if (need < 1 || need > maxLen) continue;
    let i = 1;
    while (i < size) i = tree[2 * i]! >= need ? 2 * i : 2 * i + 1; // leftmost bin with room
    const bin = i - size;
    if (bin >= opened) opened = bin + 1;
    tree[i]! -= need;
    for (i >>= 1; i >= 1; i >>= 1) tree[i] = Math.max(tree[2 * i]!, tree[2 * i + 1]!);
    tokens += need;
  }
  return { packs: opened, tokens };
}

/**
 * Best-fit-decreasing in plain TypeScript with the native algorithm's structures (counting sort by
 * length, a hierarchical bitset over remaining capacities — 32-ary here, 64-ary in C++ — and a
 * min-heap of bins per capacity): the peer for the native timing. Returns pack-of per sample
 * (-1 = rejected).
 */
export function bfdTS(lengths: Int32Array, maxLen: number): Int32Array {
  const n = lengths.length;
  const packOf = new Int32Array(n).fill(-1);
  const bucket = new Int32Array(maxLen + 2);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const l = lengths[i]!;
    if (l >= 1 && l <= maxLen) {
      bucket[maxLen - l + 1]!++;
      m++;
    }
  }
  for (let b = 1; b < bucket.length; b++) bucket[b]! += bucket[b - 1]!;
  const order = new Int32Array(m);
  for (let i = 0; i < n; i++) {
    const l = lengths[i]!;
    if (l >= 1 && l <= maxLen) order[bucket[maxLen - l]!++] = i;
  }
  const levels: Uint32Array[] = [];
  for (let size = maxLen + 1; ; ) {
    const words = (size + 31) >>> 5;
    levels.push(new Uint32Array(words));
    if (words === 1) break;
    size = words;
  }
  const ctz = (x: number) => 31 - Math.clz32(x & -x);
  const set = (i: number) => {
    for (const lv of levels) {
      const was = lv[i >>> 5] !== 0;
      lv[i >>> 5]! |= 1 << (i & 31);
      if (was) return;
      i >>>= 5;
    }
  };
  const clear = (i: number) => {
    for (const lv of levels) {
      lv[i >>> 5]! &= ~(1 << (i & 31));
      if (lv[i >>> 5] !== 0) return;
      i >>>= 5;
    }
  };
  const findFirst = (need: number): number => {
    let i = need,
      k = 0;
    for (; ; k++) {
      if (k === levels.length) return -1;
      const lv = levels[k]!,
        w = i >>> 5;
      if (w >= lv.length) return -1;
      const mask = lv[w]! & (~0 << (i & 31));
      if (mask !== 0) {
        i = (w << 5) + ctz(mask);
        break;
      }
      i = w + 1;
    }
    while (k > 0) {
      k--;
      i = (i << 5) + ctz(levels[k]![i]!);
    }
    return i;
  };
  const heaps: number[][] = Array.from({ length: maxLen + 1 }, () => []);
  const push = (h: number[], v: number) => {
    let i = h.push(v) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= v) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = v;
  };
  const pop = (h: number[]): number => {
    const top = h[0]!,
      last = h.pop()!;
    if (h.length) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= h.length) break;
        if (c + 1 < h.length && h[c + 1]! < h[c]!) c++;
        if (h[c]! >= last) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  };
  let bins = 0;
  for (const i of order) {
    const need = lengths[i]!;
    const cap = findFirst(need);
    let bin: number, room: number;
    if (cap < 0) {
      bin = bins++;
      room = maxLen;
    } else {
      room = cap;
      const h = heaps[cap]!;
      bin = pop(h);
      if (h.length === 0) clear(cap);
    }
    room -= need;
    if (room > 0) {
      const h = heaps[room]!;
      push(h, bin);
      if (h.length === 1) set(room);
    }
    packOf[i] = bin;
  }
  return packOf;
}

/** Next-fit: concatenate in order, start a new pack when the next sample does not fit. */
export function nextFit(lengths: Int32Array, maxLen: number): { packs: number; tokens: number } {
  let packs = 0,
    room = 0,
    tokens = 0;
  for (const need of lengths) {
    if (need < 1 || need > maxLen) continue;
    if (need > room) {
      packs++;
      room = maxLen;
    }
    room -= need;
    tokens += need;
  }
  return { packs, tokens };
}

export function benchPack(opts: PackBenchOptions = {}): PackBenchResult {
  const samples = opts.samples ?? 1_000_000;
  const maxLen = opts.maxLen ?? DEFAULT_MAX_LEN;
  const repeats = opts.repeats ?? 7;
  const pool = poolLengths(opts.dataDir);
  const rand = mulberry32(opts.seed ?? 20261122);
  const lengths = Int32Array.from({ length: samples }, () => pool[Math.floor(rand() * pool.length)]!);
  let sum = 0,
    tooLong = 0;
  for (const l of lengths) {
    sum += l;
    if (l > maxLen) tooLong++;
  }
  packBFD(lengths.subarray(0, 10_000), maxLen); // warm-up
  bfdTS(lengths.subarray(0, 10_000), maxLen);
  // Native and TS runs are interleaved so both see the same machine load (the bench machine is shared).
  const times: number[] = [];
  const tsTimes: number[] = [];
  let plan = packBFD(lengths, maxLen);
  let tsPackOf: Int32Array = new Int32Array(0);
  for (let r = 0; r < repeats; r++) {
    let t = performance.now();
    plan = packBFD(lengths, maxLen);
    times.push((performance.now() - t) / 1000);
    t = performance.now();
    tsPackOf = bfdTS(lengths, maxLen);
    tsTimes.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  tsTimes.sort((a, b) => a - b);
  const t0 = performance.now();
  const ff = firstFitInOrder(lengths, maxLen);
  const ffSeconds = (performance.now() - t0) / 1000;
  const nf = nextFit(lengths, maxLen);
  const tsSeconds = tsTimes[Math.floor(tsTimes.length / 2)]!;
  let same = tsPackOf.length === plan.packOf.length;
  for (let i = 0; same && i < tsPackOf.length; i++) same = tsPackOf[i] === plan.packOf[i];
  const bfdEff = packingEfficiency(plan);
  const ffEff = ff.tokens / (ff.packs * maxLen);
  const bfdSeconds = times[Math.floor(times.length / 2)]!;
  const tsSecondsMin = tsTimes[0]!;
  return {
    lengthModel: 'ceil(codepoints(instruction + response) / 3.5), ../shared/data, 1M draws with replacement (seeded)',
    poolRecords: pool.length,
    samples,
    maxLen,
    meanLength: sum / samples,
    tooLong,
    bfd: { seconds: bfdSeconds, secondsMin: times[0]!, packs: numPacks(plan), efficiency: bfdEff },
    firstFitInOrder: { seconds: ffSeconds, packs: ff.packs, efficiency: ffEff },
    nextFit: { packs: nf.packs, efficiency: nf.tokens / (nf.packs * maxLen) },
    efficiencyGainPP: (bfdEff - ffEff) * 100,
    bfdTS: { seconds: tsSeconds, secondsMin: tsSecondsMin, samePacking: same },
    speedupVsTS: tsSeconds / bfdSeconds,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(benchPack(), null, 2));
}
