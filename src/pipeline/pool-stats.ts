/**
 * select's pre-pass for a score with pool statistics (src/budget/score-def.ts): every analysis part counted on a
 * worker thread (read, verified, decompressed, parsed and counted there), the counts merged on the main thread.
 * Counts are integers, so the statistics are those of one count over the records in input order, whatever the
 * worker count; a damaged part is refused as the in-order read would, the first in part order.
 */
import { Piscina } from 'piscina';
import type { AnalysisPart } from '../analysis/format.js';
import { orderedRecords } from '../analysis/ordered.js';
import { readsPoolStats, withPoolStats } from '../budget/rules.js';
import type { SelectKnobs } from '../budget/rules.js';
import { PoolCounts, type ScoreDef } from '../budget/score-def.js';
import { CodeblockError } from '../errors.js';
import { addStageTime } from '../util/timings.js';
import type { StatsResult, StatsTask } from './stats-worker.js';

const WORKER_URL = new URL('./stats-worker.js', import.meta.url);

/** The knobs with their pool statistics, counted over `parts` on `workers` threads (0, or one part: in-thread). */
export async function poolStatsOfParts(
  k: SelectKnobs,
  parts: readonly AnalysisPart[],
  workers: number,
): Promise<SelectKnobs> {
  if (!readsPoolStats(k)) return k;
  if (workers < 1 || parts.length < 2) return withPoolStats(k, () => orderedRecords(parts));
  const started = performance.now();
  try {
    const pool = new Piscina({ filename: WORKER_URL.href, minThreads: 1, maxThreads: Math.min(workers, parts.length) });
    try {
      const d: ScoreDef = {
        combine: k.combine,
        rankWithin: k.rankWithin,
        uTransform: k.uTransform,
        reachNorm: k.reachNorm,
        uShrink: k.uShrink,
        lambdaReach: k.lambdaReach,
        lambdaBridge: k.lambdaBridge,
      };
      const count = async (read: StatsTask['read'], uMean: number): Promise<PoolCounts> => {
        const tasks = parts.map((part) => {
          const task: StatsTask = { part, read, d, allowFlagged: k.allowFlagged, uMean };
          const t = pool.run(task) as Promise<StatsResult>;
          t.catch(() => undefined); // awaited below, in part order
          return t;
        });
        const counts = new PoolCounts();
        for (const t of tasks) {
          const r = await t;
          if ('error' in r) throw new CodeblockError(r.error.message, r.error.code);
          counts.merge(r.counts);
        }
        return counts;
      };
      const uMean = d.uShrink > 0 ? (await count('u', 0)).uMean : 0;
      return { ...k, pool: (await count('items', uMean)).stats(uMean) };
    } finally {
      await pool.destroy();
    }
  } finally {
    addStageTime('pool_stats', performance.now() - started);
  }
}
