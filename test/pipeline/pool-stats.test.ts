/**
 * select's pool-statistics pre-pass on worker threads (src/pipeline/pool-stats.ts): the statistics counted part by
 * part on workers and merged equal the in-order count on the main thread (collectPoolStats), for the default score
 * (shrinkage: two reads) and for rank-within pool without shrinkage; a damaged part is refused in one line naming
 * the first damaged part in part order, as the in-order read does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAnalysis } from '../../src/analysis/integrity.js';
import { orderedRecords } from '../../src/analysis/ordered.js';
import { knobsOf, withPoolStats } from '../../src/budget/rules.js';
import { resolveConfig } from '../../src/config/index.js';
import { CodeblockError } from '../../src/errors.js';
import { poolStatsOfParts } from '../../src/pipeline/pool-stats.js';
import type { PoolStats } from '../../src/budget/score-def.js';
import { cliOk, FAST_ANALYZE, SHARED_DATA } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'cb-poolstats-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const analysis = join(work, 'a');

/** Everything a score reads of the statistics, as plain data. */
function view(p: PoolStats | undefined) {
  assert.ok(p, 'pool statistics counted');
  const probes = [0, 0.1, 0.5, 0.9, 1, 1.5, 3];
  return {
    uMean: p.uMean,
    items: p.items,
    strata: [...p.strata.keys()].sort().map((key) => {
      const st = p.strata.get(key)!;
      return {
        key,
        n: [st.u.n, st.flow.n],
        q: [0.05, 0.25, 0.5, 0.75, 0.95].map((x) => [st.u.quantile(x), st.flow.quantile(x)]),
        r: probes.map((v) => [st.u.rank(v), st.flow.rank(v)]),
      };
    }),
  };
}

test('setup: an analysis of several parts (../shared/data)', () => {
  cliOk([
    'analyze',
    join(SHARED_DATA, 'mbpp-markdown.jsonl'),
    join(SHARED_DATA, 'evol-instruct-code-r1.jsonl'),
    '-o',
    analysis,
    ...FAST_ANALYZE,
  ]);
  assert.ok(openAnalysis([analysis]).parts.length >= 3);
});

for (const [name, over] of [
  ['the default score (fisher within kinds, shrinkage)', {}],
  ['rank-mean over the pool, no shrinkage', { scoreCombine: 'rank-mean', rankWithin: 'pool', uShrink: 0 }],
] as const) {
  test(`workers count the same statistics as one in-order count: ${name}`, async () => {
    const { parts } = openAnalysis([analysis]);
    const k = knobsOf(resolveConfig('select', over as never), 0.7);
    const inThread = await withPoolStats(k, () => orderedRecords(parts));
    assert.ok(inThread.pool && inThread.pool.items > 1000, 'a real pool');
    for (const workers of [1, 2, 3]) {
      const onWorkers = await poolStatsOfParts(k, parts, workers);
      assert.deepEqual(view(onWorkers.pool), view(inThread.pool), `${workers} workers`);
    }
  });
}

test('a damaged part: one CodeblockError naming the first damaged part in part order', async () => {
  const { parts } = openAnalysis([analysis]);
  const k = knobsOf(resolveConfig('select', {}), 0.7);
  const shard = parts[0]!.dir;
  const files = readdirSync(shard).filter((f) => f.endsWith('.records.jsonl.gz'));
  assert.ok(files.length >= 3);
  writeFileSync(join(shard, files[2]!), 'not gzip'); // the last part first, then the second
  writeFileSync(join(shard, files[1]!), 'not gzip');
  const err = await poolStatsOfParts(k, parts, 2).then(
    () => assert.fail('a damaged part was counted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof CodeblockError, String(err));
  assert.match(err.message, new RegExp(`part 1 in .*: ${files[1]!.replace(/\./g, '\\.')} has \\d+ bytes`));
  const inOrder = await withPoolStats(k, () => orderedRecords(parts)).then(
    () => assert.fail('a damaged part was read'),
    (e: unknown) => e as Error,
  );
  assert.equal(err.message, inOrder.message);
});
