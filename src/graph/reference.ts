import type { GraphMetrics } from '../addon.js';
export type { GraphMetrics } from '../addon.js';
export function referenceGraphMetrics(n: number, edges: ReadonlyArray<readonly [number, number]>): GraphMetrics {
  const succ: Array<Set<number>> = Array.from({ length: n }, () => new Set<number>());
  for (const [a, b] of edges) if (a !== b) succ[a]!.add(b);
  const reach = new Float64Array(n);
  const bc = new Float64Array(n);
  let work = 0;
  for (let s = 0; s < n; s++) {
    const stack: number[] = [];
    const pred: number[][] = Array.from({ length: n }, () => []);
    const sigma = new Array<number>(n).fill(0);
    const dist = new Array<number>(n).fill(-1);
    sigma[s] = 1;
    dist[s] = 0;
    const queue = [s];
    let head = 0;
    while (head < queue.length) {
      const v = queue[head++]!;
      stack.push(v);
      for (const w of succ[v]!) {
        if (dist[w]! < 0) {
          queue.push(w);
          dist[w] = dist[v]! + 1;
        }
        if (dist[w] === dist[v]! + 1) {
          sigma[w]! += sigma[v]!;
          pred[w]!.push(v);
        }
      }
    }
    reach[s] = n > 1 ? (stack.length - 1) / (n - 1) : 0;
    if (succ[s]!.size > 0) for (const v of stack) work += 2 * (1 + succ[v]!.size);
    const delta = new Array<number>(n).fill(0);
    while (stack.length > 0) {
      const w = stack.pop()!;
      for (const v of pred[w]!) delta[v]! += (sigma[v]! / sigma[w]!) * (1 + delta[w]!);
      if (w !== s) bc[w]! += delta[w]!;
    }
  }
  const bridge = new Float64Array(n);
  if (n > 2) for (let i = 0; i < n; i++) bridge[i] = bc[i]! / ((n - 1) * (n - 2));
  return { reach, bridge, work };
}
