/**
 * The stage timers (src/util/timings.ts): `CODEBLOCK_TIMINGS=<file>` reports every pipeline stage of
 * a `run`, `CODEBLOCK_TIMINGS=-` prints them on stderr, and neither changes a byte of the outputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliOk, FAST_ANALYZE } from '../helpers/cli.js';
import { treeDigest } from '../helpers/files.js';
import { STAGES, stageTimings, timedIterable, timed, resetStageTimings } from '../../src/util/timings.js';

const work = mkdtempSync(join(tmpdir(), 'cb-timings-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

test('CODEBLOCK_TIMINGS: every stage of a run reported, outputs byte-identical', () => {
  const pool = join(work, 'pool.jsonl');
  cliOk(['gen', '-o', pool, '--records', '300', '--seed', '3']);
  const plain = join(work, 'plain');
  const timedOut = join(work, 'timed');
  const file = join(work, 'timings.json');
  cliOk(['run', pool, '-o', plain, ...FAST_ANALYZE]);
  cliOk(['run', pool, '-o', timedOut, ...FAST_ANALYZE], { env: { CODEBLOCK_TIMINGS: file } });
  assert.deepEqual(treeDigest(timedOut), treeDigest(plain));
  const t = JSON.parse(readFileSync(file, 'utf8')) as {
    format: string;
    stages: Record<string, { seconds: number; calls: number }>;
  };
  assert.equal(t.format, 'codeblock-timings');
  for (const s of [...STAGES, 'select_other']) {
    assert.ok(t.stages[s], `stage ${s} reported`);
    assert.ok(t.stages[s]!.seconds >= 0, s);
  }
  for (const s of ['analyze', 'read', 'filters', 'structure', 'analysis_write', 'select', 'analysis_read', 'write'])
    assert.ok(t.stages[s]!.calls > 0 && t.stages[s]!.seconds > 0, `stage ${s} timed`);
  // the stages of a pass never add up to more than the pass
  const a = t.stages;
  const analyzeParts = ['read', 'filters', 'structure', 'scoring', 'analysis_write'].reduce(
    (x, k) => x + a[k]!.seconds,
    0,
  );
  assert.ok(analyzeParts <= a.analyze!.seconds * 1.001, `${analyzeParts} <= ${a.analyze!.seconds}`);
  const stderr = cliOk(['run', pool, '-o', join(work, 'stderr'), ...FAST_ANALYZE], { env: { CODEBLOCK_TIMINGS: '-' } });
  assert.match(stderr, /codeblock stage timings/);
  assert.match(stderr, /\n {2}structure +\d+\.\d{3} s/);
});

test('timed / timedIterable charge the producer, not the consumer', async () => {
  resetStageTimings();
  const busy = (ms: number) => {
    const t0 = performance.now();
    while (performance.now() - t0 < ms);
  };
  timed('masks', () => busy(20));
  async function* producer() {
    for (let i = 0; i < 3; i++) {
      busy(10);
      yield i;
    }
  }
  const seen: number[] = [];
  for await (const v of timedIterable('pack', producer())) {
    seen.push(v);
    busy(100); // the consumer's time: not the producer's
  }
  assert.deepEqual(seen, [0, 1, 2]);
  const t = stageTimings();
  assert.ok(t.masks.seconds >= 0.02 && t.masks.calls === 1);
  assert.ok(t.pack.seconds >= 0.03 && t.pack.seconds < 0.2, `pack ${t.pack.seconds}`); // the consumer took 0.3 s
  assert.equal(t.pack.calls, 4); // three items and the final done
  resetStageTimings();
  assert.equal(stageTimings().masks.seconds, 0);
});
