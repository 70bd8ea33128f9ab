/** Seeded random packs and output directories for writer/loader tests (no tests here). */
import { writeManifest } from '../../src/output/manifest.js';
import { OutputWriter, type OutputSummary } from '../../src/output/writer.js';
import type { OutputFormat } from '../../src/output/types.js';
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

/**
 * An output directory as select leaves it: `packs` written in `formats` and a manifest listing the files (sizes,
 * sha256), so the readers (loadPacks, countPacks), which check the manifest, accept it.
 */
export function writeOutputDir(
  dir: string,
  packs: readonly Pack[],
  formats: readonly OutputFormat[],
  o: { maxLen?: number; rowGroupPacks?: number } = {},
): OutputSummary {
  const maxLen = o.maxLen ?? 64;
  const w = new OutputWriter(dir, { formats, maxLen, rowGroupPacks: o.rowGroupPacks });
  for (const p of packs) w.writePack(p);
  const summary = w.close();
  const samples = packs.reduce((a, p) => a + p.seqLens.length, 0);
  writeManifest(dir, {
    version: 'test',
    config: {},
    counts: { input: samples, selected: samples, rejected: {}, quarantined: 0 },
    tokens: { response: 0, supervised: 0, supervised_code: 0, supervised_nl: 0 },
    packing: { packs: summary.packs, max_len: maxLen, tokens: summary.tokens },
    files: summary.files,
  });
  return summary;
}
