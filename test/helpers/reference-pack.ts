/**
 * Plain TypeScript reference implementations of the native mask / packing / bitset routines.
 * Used ONLY by tests, as independent truth: they are written the obvious way (per-character
 * coverage arrays, linear scans over bins) rather than the way the C++ does it (merged intervals
 * with binary search, a capacity segment tree), so an agreement is evidence of correctness.
 */

export interface RefMaskSample {
  /** Token [start, end) code point offsets. */
  tokens: [number, number][];
  /** Selected [start, end) spans. */
  spans: [number, number][];
}

/** Majority-of-characters rule, per sample; first token and zero-length tokens never supervised. */
export function refLabelMask(samples: RefMaskSample[]): { supervised: number[]; counts: number[] } {
  const supervised: number[] = [];
  const counts: number[] = [];
  for (const s of samples) {
    let maxEnd = 0;
    for (const [, e] of s.tokens) maxEnd = Math.max(maxEnd, e);
    for (const [, e] of s.spans) maxEnd = Math.max(maxEnd, e);
    const inSpan = new Uint8Array(maxEnd);
    for (const [a, b] of s.spans) for (let c = a; c < b; c++) inSpan[c] = 1;
    let count = 0;
    s.tokens.forEach(([a, b], t) => {
      let covered = 0;
      for (let c = a; c < b; c++) covered += inSpan[c]!;
      const len = b - a;
      const on = t > 0 && len > 0 && covered * 2 > len ? 1 : 0;
      supervised.push(on);
      count += on;
    });
    counts.push(count);
  }
  return { supervised, counts };
}

export interface RefPlan {
  packOf: number[];
  reasons: number[];
  packSamples: number[];
  packStarts: number[];
  packTokens: number[];
  rejected: number[];
}

function planFromBins(lengths: number[], packOf: number[], reasons: number[], bins: number): RefPlan {
  const members: number[][] = Array.from({ length: bins }, () => []);
  const packTokens = new Array<number>(bins).fill(0);
  const rejected: number[] = [];
  packOf.forEach((p, i) => {
    if (p >= 0) {
      members[p]!.push(i);
      packTokens[p]! += lengths[i]!;
    } else rejected.push(i);
  });
  const packSamples: number[] = [];
  const packStarts = [0];
  for (const m of members) {
    packSamples.push(...m);
    packStarts.push(packSamples.length);
  }
  return { packOf, reasons, packSamples, packStarts, packTokens, rejected };
}

/** Per sample: 0 packable, 1 longer than a pack, 2 empty. */
function rejectReasons(lengths: number[], maxLen: number): number[] {
  return lengths.map((l) => (l === 0 ? 2 : l > maxLen ? 1 : 0));
}

/** Places the samples of `order` one at a time in the bin `choose` picks among the open ones (-1: a new bin). */
function greedyPack(
  lengths: number[],
  maxLen: number,
  reasons: number[],
  order: number[],
  choose: (room: number[], need: number) => number,
): RefPlan {
  const room: number[] = [];
  const packOf = new Array<number>(lengths.length).fill(-1);
  for (const i of order) {
    const need = lengths[i]!;
    let b = choose(room, need);
    if (b < 0) {
      b = room.length;
      room.push(maxLen);
    }
    room[b]! -= need;
    packOf[i] = b;
  }
  return planFromBins(lengths, packOf, reasons, room.length);
}

/** Best-fit-decreasing by linear scan: fullest bin that fits, ties → bin opened first. */
export function refPackBFD(lengths: number[], maxLen: number): RefPlan {
  const reasons = rejectReasons(lengths, maxLen);
  const order = lengths.map((_, i) => i).filter((i) => reasons[i] === 0);
  order.sort((x, y) => lengths[y]! - lengths[x]! || x - y);
  return greedyPack(lengths, maxLen, reasons, order, (room, need) => {
    let best = -1;
    for (let b = 0; b < room.length; b++) {
      if (room[b]! >= need && (best < 0 || room[b]! < room[best]!)) best = b;
    }
    return best;
  });
}

/** First-fit in input order (baseline): the first open bin that fits, else a new one. */
export function refFirstFit(lengths: number[], maxLen: number): RefPlan {
  const reasons = rejectReasons(lengths, maxLen);
  const order = lengths.map((_, i) => i).filter((i) => reasons[i] === 0);
  return greedyPack(lengths, maxLen, reasons, order, (room, need) => room.findIndex((r) => r >= need));
}

export interface RefSample {
  ids: number[];
  flags: number[];
}

export interface RefPacked {
  inputIds: number[];
  labels: number[];
  positionIds: number[];
  packTokenStarts: number[];
  seqLens: number[];
  numSupervised: number[];
  sampleNumSupervised: number[];
}

/** Concatenate each pack's samples; labels = id where flagged and not a sample's first token. */
export function refAssemble(samples: RefSample[], packSamples: number[], packStarts: number[]): RefPacked {
  const out: RefPacked = {
    inputIds: [],
    labels: [],
    positionIds: [],
    packTokenStarts: [0],
    seqLens: [],
    numSupervised: [],
    sampleNumSupervised: [],
  };
  for (const s of samples) out.sampleNumSupervised.push(s.flags.filter((f, t) => t > 0 && f === 1).length);
  for (let p = 0; p + 1 < packStarts.length; p++) {
    let sup = 0;
    for (let k = packStarts[p]!; k < packStarts[p + 1]!; k++) {
      const s = samples[packSamples[k]!]!;
      out.seqLens.push(s.ids.length);
      s.ids.forEach((id, t) => {
        const on = t > 0 && s.flags[t] === 1;
        out.inputIds.push(id);
        out.labels.push(on ? id : -100);
        out.positionIds.push(t);
        if (on) sup++;
      });
    }
    out.numSupervised.push(sup);
    out.packTokenStarts.push(out.inputIds.length);
  }
  return out;
}

/** Bitset encoding, one sample at a time, bit by bit (LSB-first, byte-aligned samples). */
export function refEncodeBits(samples: number[][]): { bits: number[]; byteStarts: number[] } {
  const bits: number[] = [];
  const byteStarts = [0];
  for (const flags of samples) {
    const bytes = new Array<number>(Math.ceil(flags.length / 8)).fill(0);
    flags.forEach((f, j) => {
      if (f) bytes[Math.floor(j / 8)]! += 2 ** (j % 8);
    });
    bits.push(...bytes);
    byteStarts.push(bits.length);
  }
  return { bits, byteStarts };
}

export function refDecodeBits(bits: number[], lengths: number[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const n of lengths) {
    for (let j = 0; j < n; j++) out.push(Math.floor(bits[at + Math.floor(j / 8)]! / 2 ** (j % 8)) % 2);
    at += Math.ceil(n / 8);
  }
  return out;
}

/** CSR index from per-sample counts. */
export function csr(counts: number[]): Int32Array {
  const out = new Int32Array(counts.length + 1);
  counts.forEach((c, i) => (out[i + 1] = out[i]! + c));
  return out;
}

/** Flat typed-array batch for `labelMask` from per-sample tokens/spans (test input builder). */
export function toBatch(samples: (RefMaskSample & { len?: number })[], withLengths: boolean) {
  return {
    charOffsets: Int32Array.from(samples.flatMap((s) => s.tokens.flat())),
    sampleTokens: csr(samples.map((s) => s.tokens.length)),
    spans: Int32Array.from(samples.flatMap((s) => s.spans.flat())),
    sampleSpans: csr(samples.map((s) => s.spans.length)),
    ...(withLengths ? { textLengths: Int32Array.from(samples.map((s) => s.len ?? 0)) } : {}),
  };
}

/** Flat typed-array samples for `assemblePacks` (test input builder). */
export function flatten(samples: RefSample[]) {
  return {
    inputIds: Int32Array.from(samples.flatMap((s) => s.ids)),
    supervised: Uint8Array.from(samples.flatMap((s) => s.flags)),
    sampleTokens: csr(samples.map((s) => s.ids.length)),
  };
}
