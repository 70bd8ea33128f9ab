/**
 * Global budget with flat memory: a score histogram keyed by the float32 bit pattern
 * (2^20 bins, ~0.05% relative width), filled in one pass over every shard, gives the bin where the
 * cumulative cost crosses the budget. Everything above that bin is taken; inside the boundary bin,
 * candidates are taken in record-ordinal order while each brings the spend closer to the budget. The result is
 * exact in tokens (within half an item), deterministic, and needs 8 MB whatever the pool size.
 */

const BITS_DROPPED = 12;
const NBINS = 1 << (32 - BITS_DROPPED - 1); // non-negative float32 only: sign bit is 0
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Monotone bin of a non-negative finite score. */
export function scoreBin(score: number): number {
  if (!(score > 0)) return 0; // 0, negatives (should not occur) and NaN sort lowest
  f32[0] = score;
  const bin = u32[0]! >>> BITS_DROPPED;
  return bin >= NBINS ? NBINS - 1 : bin;
}

/** The smallest score that falls into `bin` (the threshold a cut at that bin stands for). */
export function binLowerEdge(bin: number): number {
  u32[0] = bin << BITS_DROPPED;
  return f32[0]!;
}

export interface BudgetCut {
  /** Candidates with bin > cutBin are taken. */
  cutBin: number;
  /** Tokens still allowed inside `cutBin` (taken in arrival order). */
  boundaryTokens: number;
  /** Total cost available in the histogram. */
  available: number;
}

export class ScoreHistogram {
  private readonly cost = new Float64Array(NBINS);
  total = 0;
  count = 0;

  /** Cost in one bin. */
  binCost(bin: number): number {
    return bin >= 0 && bin < NBINS ? this.cost[bin]! : 0;
  }

  add(score: number, cost: number): void {
    if (cost <= 0) return;
    this.cost[scoreBin(score)]! += cost;
    this.total += cost;
    this.count++;
  }

  /** Where to cut to spend `budget` tokens, taking the highest scores first. */
  cut(budget: number): BudgetCut {
    if (budget <= 0) return { cutBin: NBINS, boundaryTokens: 0, available: this.total };
    let acc = 0;
    for (let b = NBINS - 1; b >= 0; b--) {
      const c = this.cost[b]!;
      if (c === 0) continue;
      if (acc + c >= budget) return { cutBin: b, boundaryTokens: budget - acc, available: this.total };
      acc += c;
    }
    return { cutBin: -1, boundaryTokens: 0, available: this.total };
  }
}

/** Applies a cut while streaming candidates in the same deterministic order as the histogram pass. */
export class BudgetGate {
  private remaining: number;
  constructor(private readonly c: BudgetCut) {
    this.remaining = c.boundaryTokens;
  }

  /**
   * Above the cut: taken. In the boundary bin: taken, in arrival order, when that brings the spend closer to
   * the budget (cost < 2 × the tokens left), so the realized total ends within half an item of the budget.
   */
  take(score: number, cost: number): boolean {
    if (cost <= 0) return false;
    const bin = scoreBin(score);
    if (bin > this.c.cutBin) return true;
    if (bin < this.c.cutBin || this.remaining <= 0 || cost >= 2 * this.remaining) return false;
    this.remaining -= cost;
    return true;
  }
}
