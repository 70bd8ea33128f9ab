/** Reach and bridge: the C++ implementation vs an independent TypeScript reference, on hand-built and random graphs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dataflowScore, graphMetrics, referenceGraphMetrics } from '../../src/graph/index.js';

function close(a: ArrayLike<number>, b: ArrayLike<number>, msg: string): void {
  assert.equal(a.length, b.length, msg);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-12, `${msg}[${i}]: ${a[i]} vs ${b[i]}`);
}

test('hand-built graphs: known values', () => {
  // chain 0→1→2→3: betweenness(1) = 2 (pairs 0→2, 0→3), (2) = 2; norm (n-1)(n-2) = 6
  let m = graphMetrics(4, [
    [0, 1],
    [1, 2],
    [2, 3],
  ]);
  close(m.reach, [1, 2 / 3, 1 / 3, 0], 'chain reach');
  close(m.bridge, [0, 2 / 6, 2 / 6, 0], 'chain bridge');
  // diamond 0→1→3, 0→2→3: two shortest paths 0⇝3, each middle node carries half
  m = graphMetrics(4, [
    [0, 1],
    [0, 2],
    [1, 3],
    [2, 3],
  ]);
  close(m.reach, [1, 1 / 3, 1 / 3, 0], 'diamond reach');
  close(m.bridge, [0, 0.5 / 6, 0.5 / 6, 0], 'diamond bridge');
  // star: hub 0 → leaves: no betweenness; in-star leaves → hub → out leaves: hub carries all pairs
  m = graphMetrics(5, [
    [1, 0],
    [2, 0],
    [0, 3],
    [0, 4],
  ]);
  close(m.bridge, [4 / 12, 0, 0, 0, 0], 'bow-tie bridge');
  close(m.reach, [0.5, 0.75, 0.75, 0, 0], 'bow-tie reach');
  // directed cycle of 3: every node lies on one shortest path (the pair it separates)
  m = graphMetrics(3, [
    [0, 1],
    [1, 2],
    [2, 0],
  ]);
  close(m.reach, [1, 1, 1], 'cycle reach');
  close(m.bridge, [0.5, 0.5, 0.5], 'cycle bridge');
  // duplicates and self-loops are ignored; tiny graphs normalize to 0
  close(
    graphMetrics(2, [
      [0, 1],
      [0, 1],
      [1, 1],
    ]).reach,
    [1, 0],
    'dup reach',
  );
  close(graphMetrics(1, []).reach, [0], 'single');
  assert.equal(graphMetrics(0, []).reach.length, 0);
});

test('native equals the TypeScript reference on random graphs', () => {
  fc.assert(
    fc.property(
      fc
        .integer({ min: 0, max: 30 })
        .chain((n) =>
          fc.tuple(
            fc.constant(n),
            n === 0
              ? fc.constant([] as Array<[number, number]>)
              : fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 90 }),
          ),
        ),
      ([n, edges]) => {
        const a = graphMetrics(n, edges);
        const b = referenceGraphMetrics(n, edges);
        close(a.reach, b.reach, 'reach');
        close(a.bridge, b.bridge, 'bridge');
      },
    ),
    { numRuns: 300, seed: 42 },
  );
});

test('bad input is a RangeError; dataflowScore follows DESIGN §6', () => {
  assert.throws(() => graphMetrics(2, [[0, 2]]), RangeError);
  assert.throws(() => graphMetrics(-1, []), RangeError);
  assert.throws(() => graphMetrics(1.5, []), RangeError);
  assert.equal(dataflowScore(2, 0.5, 0.25, 0.5, 0.5), 2 * (1 + 0.25 + 0.125));
  assert.equal(dataflowScore(2, 0.5, 0.25, 0, 0), 2);
});
