/**
 * The score definition (src/budget/score-def.ts) against straightforward references written here: percentile
 * ranks by sorting, the shrinkage formula, reach counts recovered from analyze's rounded shares, the rank-mean
 * score, v2's product; and the statement-kind table (src/budget/selection-stats.ts) on real tree-sitter items.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisItem, AnalysisRecord } from '../../src/analysis/format.js';
import { dataflowScore } from '../../src/budget/modes.js';
import {
  RankTable,
  V2,
  codeblockItemScore,
  collectPoolStats,
  flowParts,
  needsPoolStats,
  shrunkU,
  utilityItemScore,
  type ScoreDef,
} from '../../src/budget/score-def.js';
import {
  SelectionStatsBuilder,
  bodyRatio,
  firstShare,
  itemKey,
  jaccard,
  recordStatementKinds,
  statementKindLanguages,
} from '../../src/budget/selection-stats.js';
import { analyzeStructureBatch } from '../../src/structure/native.js';
import { registeredLanguages } from '../../src/structure/languages.js';

const round5 = (x: number) => Math.round(x * 1e5) / 1e5;

function item(over: Partial<AnalysisItem>): AnalysisItem {
  return {
    start: 0,
    end: 1,
    kind: 'simple',
    type: 'expression_statement',
    flags: [],
    u: 1,
    nCore: 1,
    reach: 0,
    bridge: 0,
    core: [],
    ...over,
  };
}

function record(items: AnalysisItem[]): AnalysisRecord {
  return { id: 'r', items } as unknown as AnalysisRecord;
}

/** Reference mid-rank percentile: (values below + half the equal ones) ÷ n, by scanning. */
function refRank(values: number[], v: number): number {
  const below = values.filter((x) => x < v).length;
  const same = values.filter((x) => x === v).length;
  return (below + same / 2) / values.length;
}

test('RankTable: mid-rank percentiles equal a sort-and-count reference', () => {
  const values = [0, 0, 0, 0.1, 0.5, 0.5, 1, 1.25, 2.5, 2.5, 2.5, 7];
  const t = new RankTable();
  for (const v of [...values].reverse()) t.add(v); // order does not matter
  t.freeze();
  for (const v of [...values, 0.3, 3, 100]) assert.equal(t.rank(v), refRank(values, v), `rank of ${v}`);
  assert.equal(new RankTable().freeze().rank(1), 0.5, 'empty pool');
});

test('flow parts: pairs keeps the stored shares; log recovers the counts from the 1e-5-rounded shares', () => {
  const n = 7;
  const d: ScoreDef = { ...V2, lambdaReach: 0.5, lambdaBridge: 0.5, reachNorm: 'log' };
  for (let count = 0; count < n; count++) {
    const between = count * 1.5;
    const it = item({ reach: round5(count / (n - 1)), bridge: round5(between / ((n - 1) * (n - 2))) });
    const [r, b] = flowParts(it, n, d);
    assert.equal(r, Math.log(1 + count), `reach ${count}`);
    assert.ok(Math.abs(b - Math.log(1 + between)) < 1e-4, `bridge ${between}: ${b}`);
    assert.deepEqual(flowParts(it, n, { ...d, reachNorm: 'pairs' }), [it.reach, it.bridge]);
  }
  // a one-item response reaches nothing
  assert.deepEqual(flowParts(item({ reach: 0 }), 1, d), [0, 0]);
});

test('shrinkage, rank-mean and v2 follow their formulas; pool statistics skip flagged items', async () => {
  const items = [
    item({ u: 1.2, nCore: 1, reach: 1, bridge: 0 }),
    item({ u: 0.4, nCore: 10, reach: 0.5, bridge: 0.5 }),
    item({ u: 0.8, nCore: 3, reach: 0, bridge: 0 }),
    item({ u: 5, nCore: 2, flags: ['ERROR'] }), // not selectable: not in the pool
    item({ u: 0, nCore: 0 }), // no core tokens: in the tables, not in the mean
  ];
  const rec = record(items);
  const d: ScoreDef = {
    combine: 'rank-mean',
    rankWithin: 'pool',
    uTransform: 'pct',
    reachNorm: 'log',
    uShrink: 2,
    lambdaReach: 0.5,
    lambdaBridge: 0.25,
  };
  assert.ok(needsPoolStats(d));
  assert.ok(!needsPoolStats({ ...d, ...V2 }));
  const pool = await collectPoolStats(
    async function* () {
      yield rec;
    },
    d,
    false,
  );
  const mean = (1.2 + 0.4 + 0.8) / 3;
  assert.ok(Math.abs(pool.uMean - mean) < 1e-12, `mean ${pool.uMean}`);
  assert.equal(pool.items, 4);
  const shrunk = (it: AnalysisItem) => (it.nCore * it.u + 2 * mean) / (it.nCore + 2);
  const n = items.length;
  const flow = (it: AnalysisItem) =>
    0.5 * Math.log1p(Math.round(it.reach * (n - 1))) + 0.25 * Math.log1p(it.bridge * (n - 1) * (n - 2));
  const pooled = [0, 1, 2, 4].map((i) => items[i]!);
  const us = pooled.map(shrunk);
  const fs = pooled.map(flow);
  for (const i of [0, 1, 2, 4]) {
    const it = items[i]!;
    assert.ok(Math.abs(shrunkU(it, d, pool) - shrunk(it)) < 1e-12);
    const want = (refRank(us, shrunk(it)) + refRank(fs, flow(it))) / 2;
    assert.ok(Math.abs(codeblockItemScore(rec, i, d, pool) - want) < 1e-12, `item ${i}`);
    assert.equal(utilityItemScore(rec, i, d, pool), refRank(us, shrunk(it)));
  }
  // v2: U·(1 + λr·Reach + λb·Bridge), no pool
  const v2: ScoreDef = { ...d, ...V2 };
  for (let i = 0; i < n; i++) {
    const it = items[i]!;
    assert.equal(codeblockItemScore(rec, i, v2), dataflowScore(it.u, it.reach, it.bridge, 0.5, 0.25));
    assert.equal(utilityItemScore(rec, i, v2), it.u);
  }
  // a definition that needs the pool refuses to score without it
  assert.throws(() => codeblockItemScore(rec, 0, d), /pool statistics/);
});

test('statement kinds: real Python items get their kinds; every registered language has a table', () => {
  const src = [
    'import os',
    'from math import sqrt',
    'def f(x):',
    '    y = x + 1',
    '    y += 2',
    '    if y > 3:',
    '        print(y)',
    '    elif y < 0:',
    '        raise ValueError()',
    '    else:',
    '        pass',
    '    for i in range(3):',
    '        os.remove(i)',
    '    while y:',
    '        y -= 1',
    '    return y',
    'class A:',
    '    z: int = 0',
  ].join('\n');
  const response = `Here:\n\`\`\`python\n${src}\n\`\`\`\n`;
  const [o] = analyzeStructureBatch([response]);
  assert.ok(o && 'result' in o && o.result, 'parsed');
  const res = (o as unknown as { result: { items: AnalysisItem[]; segments: AnalysisRecord['segments'] } }).result;
  const rec = { response, segments: res.segments, items: res.items };
  const kinds = recordStatementKinds(rec);
  const want = [
    'import',
    'import',
    'def',
    'assignment',
    'assignment',
    'condition',
    'call',
    'condition',
    'other',
    'condition',
    'other',
    'loop',
    'call',
    'condition',
    'assignment',
    'return',
    'def',
    'assignment',
  ];
  const texts = rec.items.map((it) => Array.from(response).slice(it.start, it.end).join('').split('\n')[0]);
  assert.deepEqual(
    kinds.map((k, i) => `${texts[i]} → ${k}`),
    want.map((k, i) => `${texts[i]} → ${k}`),
  );
  // first item share and body ratio on a hand count
  const b = new SelectionStatsBuilder();
  b.add(rec, [0, 6, 15]); // import os (first), print(y), return y
  const s = b.finish();
  assert.equal(firstShare(s), 1 / 3);
  const poolBodies = want.filter((k) => k === 'return' || k === 'condition' || k === 'call').length / want.length;
  assert.ok(Math.abs(bodyRatio(s) - 2 / 3 / poolBodies) < 1e-12);
  const names = registeredLanguages()
    .filter((l) => !l.testOnly && !l.hostOnly) // a host-only language (HTML) has no items, so no kinds
    .map((l) => l.name);
  for (const l of names) assert.ok(statementKindLanguages().includes(l), `${l} has a statement-kind table`);
});

test('jaccard: |A∩B| / |A∪B| by (record id, item)', () => {
  const a = new Set([itemKey('r1', 0), itemKey('r1', 1), itemKey('r2', 0)]);
  const b = new Set([itemKey('r1', 1), itemKey('r2', 0), itemKey('r2', 1), itemKey('r10', 0)]);
  assert.equal(jaccard(a, b), 2 / 5);
  assert.equal(jaccard(a, a), 1);
  assert.equal(jaccard(new Set(), new Set()), 1);
  assert.equal(jaccard(a, new Set()), 0);
  assert.notEqual(itemKey('r1', 10), itemKey('r11', 0));
});

test('fisher within kinds: −ln(1 − pU) − ln(1 − pF), ranks among items of the same statement kind', async () => {
  // one Python response: three assignments, two returns, one def header (kinds from the node types and text)
  const lines = ['def f(a):', 'x = a', 'y = x + 1', 'z = y * 2', 'return z', 'return y'];
  const response = lines.join('\n');
  const types = [
    'function_definition',
    'expression_statement',
    'expression_statement',
    'expression_statement',
    'return_statement',
    'return_statement',
  ];
  const us = [1.1, 0.9, 1.3, 0.7, 1.25, 0.6];
  const nCores = [3, 2, 5, 4, 1, 6];
  const reach = [5, 3, 2, 1, 0, 0];
  let at = 0;
  const items = lines.map((l, i) => {
    const it = item({
      start: at,
      end: at + l.length,
      type: types[i]!,
      u: us[i]!,
      nCore: nCores[i]!,
      reach: round5(reach[i]! / 5),
    });
    at += l.length + 1;
    return it;
  });
  const rec = {
    id: 'k',
    response,
    segments: [{ start: 0, end: response.length, lang: 'python' }],
    items,
  } as unknown as AnalysisRecord;
  const d: ScoreDef = {
    combine: 'fisher',
    rankWithin: 'kind',
    uTransform: 'pct',
    reachNorm: 'log',
    uShrink: 0,
    lambdaReach: 0.5,
    lambdaBridge: 0.5,
  };
  const pool = await collectPoolStats(
    async function* () {
      yield rec;
    },
    d,
    false,
  );
  assert.deepEqual([...pool.strata.keys()].sort(), ['assignment', 'def', 'return']);
  const kind = ['def', 'assignment', 'assignment', 'assignment', 'return', 'return'];
  const flow = reach.map((r) => 0.5 * Math.log1p(r));
  for (let i = 0; i < items.length; i++) {
    const same = kind.map((k, j) => (k === kind[i] ? j : -1)).filter((j) => j >= 0);
    const pU = refRank(
      same.map((j) => us[j]!),
      us[i]!,
    );
    const pF = refRank(
      same.map((j) => flow[j]!),
      flow[i]!,
    );
    const want = -Math.log(1 - pU) - Math.log(1 - pF);
    assert.ok(
      Math.abs(codeblockItemScore(rec, i, d, pool) - want) < 1e-9,
      `item ${i}: ${codeblockItemScore(rec, i, d, pool)} vs ${want}`,
    );
    assert.ok(Math.abs(utilityItemScore(rec, i, d, pool) + Math.log(1 - pU)) < 1e-9);
  }
  // the better return outranks the assignment that is last of its kind on both parts
  assert.ok(codeblockItemScore(rec, 4, d, pool) > codeblockItemScore(rec, 3, d, pool));
});
