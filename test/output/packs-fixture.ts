/** Seeded random packs for writer/loader tests (no tests here). */
import type { Pack } from '../../src/types.js';
import { mulberry32 } from '../../src/util/random.js';

/** `count` valid packs of at most `maxLen` tokens, 1–4 samples each, ~10% supervised, ids up to 151k. */
export function makePacks(seed: number, count: number, maxLen = 64): Pack[] {
  const r = mulberry32(seed);
  const packs: Pack[] = [];
  let sample = 0;
  for (let p = 0; p < count; p++) {
    const nSamples = 1 + Math.floor(r() * 4);
    const lens: number[] = [];
    let budget = maxLen;
    for (let s = 0; s < nSamples && budget > 0; s++) {
      const len = Math.max(1, Math.min(budget, 1 + Math.floor(r() * (maxLen / 2))));
      lens.push(len);
      budget -= len;
    }
    const n = lens.reduce((a, b) => a + b, 0);
    const inputIds = new Int32Array(n);
    const labels = new Int32Array(n);
    const positionIds = new Int32Array(n);
    let t = 0;
    let sup = 0;
    for (const len of lens) {
      for (let k = 0; k < len; k++, t++) {
        inputIds[t] = Math.floor(r() * 151_000);
        positionIds[t] = k;
        const supervised = k > 0 && r() < 0.1;
        labels[t] = supervised ? inputIds[t]! : -100;
        if (supervised) sup++;
      }
    }
    packs.push({
      inputIds,
      labels,
      positionIds,
      seqLens: Int32Array.from(lens),
      numSupervised: sup,
      sampleIds: lens.map(() => `rec-${seed}-${sample++}${sample % 7 === 0 ? '-ünï😀' : ''}`),
    });
  }
  return packs;
}
