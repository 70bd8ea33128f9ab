/**
 * Length-bucketed batching: deterministic, optimal contiguous split of the length-sorted rows.
 */

export interface BatchPlan {
  /** row indices per batch, longest first */
  batches: number[][];
  /** per batch: padded length T_max */
  lengths: number[];
  /** Σ row lengths */
  realPositions: number;
  /** Σ B × T_max */
  paddedPositions: number;
}

/**
 * Rows are sorted by length (descending, ties by index) and split into contiguous batches by dynamic
 * programming, minimizing Σ B·T_max + overhead·(number of batches) under B·T_max ≤ maxTokensPerBatch and
 * B ≤ maxBatchSize (a row longer than the budget runs alone). `overheadTokens` prices one session.run in
 * token-equivalents, so the plan does not shatter into tiny batches to save a few pad tokens.
 */
export function planBatches(
  rowLengths: readonly number[],
  maxTokensPerBatch: number,
  maxBatchSize: number,
  overheadTokens = 32,
): BatchPlan {
  if (!(Number.isInteger(maxTokensPerBatch) && maxTokensPerBatch > 0))
    throw new RangeError(`maxTokensPerBatch must be a positive integer, got ${maxTokensPerBatch}`);
  if (!(Number.isInteger(maxBatchSize) && maxBatchSize > 0))
    throw new RangeError(`maxBatchSize must be a positive integer, got ${maxBatchSize}`);
  const order = rowLengths.map((_, i) => i).sort((a, b) => rowLengths[b]! - rowLengths[a]! || a - b);
  const n = order.length;
  const len = order.map((i) => rowLengths[i]!);
  const cost = new Float64Array(n + 1).fill(Infinity);
  const from = new Int32Array(n + 1);
  cost[0] = 0;
  for (let i = 1; i <= n; i++) {
    // batch = sorted rows [j, i); its padded length is len[j] (descending order)
    for (let j = i - 1; j >= 0 && i - j <= maxBatchSize; j--) {
      const area = (i - j) * len[j]!;
      if (i - j > 1 && area > maxTokensPerBatch) break;
      const c = cost[j]! + area + overheadTokens;
      if (c < cost[i]!) {
        cost[i] = c;
        from[i] = j;
      }
    }
  }
  const batches: number[][] = [];
  const lengths: number[] = [];
  let real = 0,
    padded = 0;
  for (let i = n; i > 0; i = from[i]!) {
    const j = from[i]!;
    batches.push(order.slice(j, i));
    lengths.push(len[j]!);
    padded += (i - j) * len[j]!;
  }
  batches.reverse();
  lengths.reverse();
  for (const l of len) real += l;
  return { batches, lengths, realPositions: real, paddedPositions: padded };
}
