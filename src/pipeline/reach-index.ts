/**
 * select's reach index (docs/pipeline.md): what pass A learns per sample so that pass B can reject, without reading
 * its encoding back, a sample no cut can reach. bench/mask_pack.ts uses it as select does.
 */
import type { BudgetCut } from '../budget/threshold.js';
import { growFloat64, growInt32 } from '../util/grow.js';

/**
 * Per sample of pass A (in pass A's order, which pass B repeats): the highest score bin among its item and token
 * candidates (BudgetPlanner.add), so pass B can reject a sample that no cut can reach without reading its
 * encoding back (most samples of a large pool at a 2 % budget). 16 bytes per sample.
 */
export class ReachIndex {
  private readonly ords = growFloat64();
  private readonly itemBin = growInt32();
  private readonly tokenBin = growInt32();
  private next = 0;

  /** `best`: the planner's bins (-1 none; FORCED: supervised whatever the cuts). */
  add(ordinal: number, best: { item: number; token: number }): void {
    this.ords.push(ordinal);
    this.itemBin.push(best.item);
    this.tokenBin.push(best.token);
  }

  /**
   * Whether `ordinal`, the next sample pass B sees, gets nothing under these cuts: every candidate's bin is below
   * its gate's cut bin, where BudgetGate.take refuses without spending anything (so skipping it changes no later
   * decision). False when the index does not know the sample.
   */
  unreachable(ordinal: number, itemCut: BudgetCut, tokenCut: BudgetCut): boolean {
    const j = this.next;
    if (j >= this.ords.n || this.ords.a[j] !== ordinal) return false;
    this.next++;
    return this.itemBin.a[j]! < itemCut.cutBin && this.tokenBin.a[j]! < tokenCut.cutBin;
  }
}
