/** run's hand-off between analyze and select's pass A: order, backpressure, and either side's failure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisRecord } from '../../src/analysis/format.js';
import { HandoffStopped, RecordHandoff } from '../../src/pipeline/record-handoff.js';

const rec = (ordinal: number): AnalysisRecord => ({ ordinal, id: `r${ordinal}` }) as unknown as AnalysisRecord;
const part = (from: number, n: number): AnalysisRecord[] => Array.from({ length: n }, (_, i) => rec(from + i));
const tick = (): Promise<void> => new Promise((res) => setImmediate(res));

test('records come out in push order, across parts, and the reader ends at end()', async () => {
  const h = new RecordHandoff(2);
  const got: number[] = [];
  const reader = (async () => {
    for await (const r of h.records()) got.push(r.ordinal);
  })();
  let at = 0;
  for (const n of [3, 0, 5, 1, 4]) {
    await h.push(part(at, n));
    at += n;
  }
  h.end();
  await reader;
  assert.deepEqual(
    got,
    Array.from({ length: at }, (_, i) => i),
  );
  assert.equal(h.pushed, at);
});

test('a full hand-off holds the writer until the reader takes a part', async () => {
  const h = new RecordHandoff(2);
  await h.push(part(0, 2)); // one part waiting: room for another
  let second = false;
  const p = h.push(part(2, 2)).then(() => {
    second = true;
  });
  await tick();
  await tick();
  assert.equal(second, false, 'two parts waiting: the second push waits');
  const it = h.records();
  assert.equal((await it.next()).value?.ordinal, 0); // the reader takes the first part
  await p;
  assert.equal(second, true);
  await it.return(undefined);
});

test("the writer's failure reaches the reader after what came before it", async () => {
  const h = new RecordHandoff(4);
  await h.push(part(0, 3));
  h.fail(new Error('analyze broke'));
  const got: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const r of h.records()) got.push(r.ordinal);
    })(),
    /analyze broke/,
  );
  assert.deepEqual(got, [0, 1, 2]);
});

test('a reader that stops makes the waiting and later pushes throw HandoffStopped', async () => {
  const h = new RecordHandoff(1);
  const waiting = h.push(part(0, 1)); // full at once: waits for the reader
  const it = h.records();
  await it.next();
  await it.return(undefined); // the reader gives up (select failed)
  await waiting.catch(() => undefined);
  await assert.rejects(h.push(part(1, 1)), HandoffStopped);
  // stop() before anything was read wakes a writer that waits
  const h2 = new RecordHandoff(1);
  const w2 = h2.push(part(0, 1));
  h2.stop();
  await assert.rejects(w2, HandoffStopped);
});
