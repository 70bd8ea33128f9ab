/**
 * Pass A's global plan (docs/pipeline.md, "select"): every record's candidates go into two score histograms
 * (items, tokens); `plan()` then splits the budget and finds both cuts so that what pass B will supervise —
 * items, informative NL tokens and end-of-turn tokens — adds up to the budget:
 *
 *   - the NL share is capped at the NL candidates there are; what they cannot take goes to items;
 *   - end-of-turn tokens (`--supervise-eos`) are paid only by samples that get something else, so their cost
 *     depends on the cuts: the planner keeps, per sample with end-of-turn tokens, its best item bin and best
 *     token bin (12 bytes), and solves `eos = eosUnder(cuts(budget − eos))` by bisection (the right side falls
 *     as `eos` grows). Memory: two 8 MB histograms plus 12 bytes per sample.
 */
import { growInt32 } from '../util/grow.js';
import type { RecordCandidates } from './candidates.js';
import { budgetSplit, type BudgetSplit, type SelectKnobs } from './rules.js';
import { ScoreHistogram, scoreBin, type BudgetCut } from './threshold.js';

export interface BudgetPlan {
  split: BudgetSplit;
  itemCut: BudgetCut;
  tokenCut: BudgetCut;
}

/** The best item bin of a record with forced items: above every cut. */
const FORCED = 0x7fffffff;

export class BudgetPlanner {
  readonly itemHist = new ScoreHistogram();
  readonly tokenHist = new ScoreHistogram();
  responseTokens = 0;
  forcedCost = 0;
  private readonly bestItem = growInt32();
  private readonly bestToken = growInt32();
  private readonly eos = growInt32();

  /**
   * One record's candidates (in the order pass B will see them). Returns the highest score bin among its item
   * candidates with a cost (FORCED when it is supervised whatever the cuts: forced items, mode full) and among its
   * token candidates (-1: none).
   */
  add(c: RecordCandidates): { item: number; token: number } {
    this.responseTokens += c.responseTokens;
    for (const f of c.forced) this.forcedCost += f.cost;
    let bi = -1;
    let bt = -1;
    for (const it of c.items) {
      this.itemHist.add(it.score, it.cost);
      if (it.cost > 0) bi = Math.max(bi, scoreBin(it.score));
    }
    const score = c.tokens.score;
    for (let j = 0; j < c.tokens.length; j++) {
      this.tokenHist.add(score[j]!, 1);
      bt = Math.max(bt, scoreBin(score[j]!));
    }
    const item = c.full || c.forced.length ? FORCED : bi;
    const eos = c.eos[1] - c.eos[0];
    if (eos > 0 && !c.full) {
      this.bestItem.push(item);
      this.bestToken.push(bt);
      this.eos.push(eos);
    }
    return { item, token: bt };
  }

  /**
   * Expected end-of-turn tokens of the samples the cuts select: a sample whose best candidate lies above a cut
   * is selected; one whose best lies in a cut's boundary bin is selected with the share of that bin the cut
   * takes (the gate takes the bin's candidates in record order until its tokens run out).
   */
  private eosUnder(itemCut: BudgetCut, tokenCut: BudgetCut): number {
    const bi = this.bestItem.view();
    const bt = this.bestToken.view();
    const eos = this.eos.view();
    const ib = itemCut.cutBin;
    const tb = tokenCut.cutBin;
    const share = (h: ScoreHistogram, c: BudgetCut): number => {
      const inBin = h.binCost(c.cutBin);
      return inBin > 0 ? Math.min(1, Math.max(0, c.boundaryTokens / inBin)) : 0;
    };
    const fi = share(this.itemHist, itemCut);
    const ft = share(this.tokenHist, tokenCut);
    let n = 0;
    for (let r = 0; r < eos.length; r++) {
      const b = bi[r]!;
      const t = bt[r]!;
      const pi = b < 0 ? 0 : b > ib ? 1 : b === ib ? fi : 0;
      const pt = t < 0 ? 0 : t > tb ? 1 : t === tb ? ft : 0;
      n += eos[r]! * (1 - (1 - pi) * (1 - pt));
    }
    return n;
  }

  /** The split and both cuts for `budget` (a fraction of the pool's response tokens). */
  plan(k: SelectKnobs, budget: number): BudgetPlan {
    const at = (eos: number): BudgetPlan => {
      const split = budgetSplit(k, budget, this.responseTokens, this.forcedCost, this.tokenHist.total, eos);
      // a cut that takes everything has cutBin -1: every sample with a candidate is selected
      return { split, itemCut: this.itemHist.cut(split.itemBudget), tokenCut: this.tokenHist.cut(split.nlBudget) };
    };
    if (this.eos.n === 0) return at(0);
    // g(e) = eosUnder(cuts(e)) − e falls as e grows: bisect for its root, keep the side that does not overspend
    let lo = 0;
    let hi = budget * this.responseTokens;
    let best = at(hi);
    const g0 = at(0);
    if (this.eosUnder(g0.itemCut, g0.tokenCut) <= 0) return g0;
    for (let i = 0; i < 48 && hi - lo > 0.5; i++) {
      const mid = (lo + hi) / 2;
      const p = at(mid);
      if (this.eosUnder(p.itemCut, p.tokenCut) > mid) lo = mid;
      else {
        hi = mid;
        best = p;
      }
    }
    return best;
  }
}
