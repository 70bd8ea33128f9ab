/**
 * Item-graph metrics (docs/structure.md), computed in the C++ addon. The structure stage already returns
 * reach/bridge per item; this entry point serves other graphs (ablations, tests).
 *   reach(i)  = |items reachable from i, i excluded| / (n - 1)
 *   bridge(i) = directed betweenness of i (Brandes) / ((n - 1)(n - 2))
 */
import { native } from '../native.js';
import type { GraphMetrics } from './reference.js';

export { referenceGraphMetrics, type GraphMetrics } from './reference.js';

export function graphMetrics(n: number, edges: ReadonlyArray<readonly [number, number]>): GraphMetrics {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`graphMetrics: n must be a non-negative integer, got ${n}`);
  const from = new Int32Array(edges.length);
  const to = new Int32Array(edges.length);
  edges.forEach(([a, b], k) => {
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0 || a >= n || b >= n)
      throw new RangeError(`graphMetrics: edge ${k} (${a}→${b}) out of range for n=${n}`);
    from[k] = a;
    to[k] = b;
  });
  return native().graphMetrics(n, from, to);
}

/** The item score is one function, the codeblock mode's (src/budget/modes.ts). */
export { dataflowScore } from '../budget/modes.js';
