/**
 * select's pool-statistics worker: one analysis part per task, read, verified and parsed here, its items counted
 * (src/budget/score-def.ts `PoolCounts`). The main thread merges the counts (src/pipeline/pool-stats.ts).
 */
import { readPartsRecords, type AnalysisPart } from '../analysis/format.js';
import { PoolCounts, type PoolCountsData, type ScoreDef } from '../budget/score-def.js';
import { CodeblockError, type ErrorCode } from '../errors.js';

export interface StatsTask {
  part: AnalysisPart;
  /** 'u': the U sum of the shrinkage target; 'items': the strata's bins (with `uMean`). */
  read: 'u' | 'items';
  d: ScoreDef;
  allowFlagged: boolean;
  uMean: number;
}

/** The counts, or the one-line refusal a damaged part gives (a CodeblockError does not cross threads as one). */
export type StatsResult = { counts: PoolCountsData } | { error: { message: string; code: ErrorCode } };

export async function countPart(task: StatsTask): Promise<StatsResult> {
  const counts = new PoolCounts();
  try {
    for await (const r of readPartsRecords([task.part])) {
      if (task.read === 'u') counts.addU(r, task.allowFlagged);
      else counts.addItems(r, task.d, task.allowFlagged, task.uMean);
    }
  } catch (e) {
    if (e instanceof CodeblockError) return { error: { message: e.message, code: e.code } };
    throw e;
  }
  return { counts: counts.toJSON() };
}

export default countPart;
