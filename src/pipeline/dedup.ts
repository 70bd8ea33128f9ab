/**
 * select's global duplicate pass over analysis records in input order (docs/pipeline.md): exact
 * duplicates by normalized pair hash, then, for analyses made with `--dedup minhash`, near-duplicates
 * by the stored MinHash signatures. It sees the records of every shard, so its decisions do not
 * depend on how `analyze` was sharded.
 */
import { HashSet64 } from '../util/hash-set64.js';
import type { AnalysisRecord } from '../analysis/format.js';
import { addStageTime } from '../util/timings.js';
import { isItemMode } from '../budget/modes.js';
import { dedupApplies, optionDefault } from '../budget/rules.js';
import { duplicateDetail, normalizePair } from '../filters/pair.js';
import { decodeMinhash, minhash, MinhashIndex, nearDuplicateDetail } from '../filters/minhash.js';

export class GlobalDedup {
  private readonly seen = new HashSet64();
  private readonly index: MinhashIndex | undefined;
  private readonly on: boolean;

  /** `analysis`: the analysis config (pairFilter, dedup, minhashThreshold) the records were made with. */
  constructor(analysis: Record<string, unknown>) {
    this.on = dedupApplies(analysis);
    const t =
      typeof analysis.minhashThreshold === 'number' ? analysis.minhashThreshold : optionDefault('minhashThreshold');
    this.index = this.on && analysis.dedup === 'minhash' ? new MinhashIndex(t) : undefined;
  }

  /** The duplicate detail when `r` duplicates an earlier record, else null (and `r` is remembered). */
  check(r: AnalysisRecord): string | null {
    if (!this.on) return null;
    const t0 = performance.now();
    try {
      return this.decide(r);
    } finally {
      addStageTime('dedup', performance.now() - t0);
    }
  }

  private decide(r: AnalysisRecord): string | null {
    if (this.seen.has(r.hash)) return duplicateDetail(r.hash);
    this.seen.add(r.hash);
    if (this.index) {
      // analyses written before signatures were stored: the same signature, computed here
      const sig = r.minhash ? decodeMinhash(r.minhash) : minhash(normalizePair(r));
      const j = this.index.offer(sig);
      if (j !== null) return nearDuplicateDetail(j);
    }
    return null;
  }

  clear(): void {
    this.seen.clear();
  }
}

/** Item modes supervise code items only: a record kept by `--pair-filter off` without usable code is rejected. */
export function itemModeReject(mode: string, r: AnalysisRecord): { reason: string; detail: string } | null {
  return isItemMode(mode) && r.itemReject ? r.itemReject : null;
}
