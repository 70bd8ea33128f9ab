/** Parallel streaming API: order-preserving, identical output whatever the worker count / batch size. */
import { memRecords } from '../helpers/mem-records.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CodeRecord } from '../../src/types.js';
import {
  analyzeStructure,
  analyzeStructureBatch,
  analyzeStructureText,
  itemsLine,
  StructurePool,
  type StructureOutcome,
} from '../../src/structure/index.js';
import { loadSamples } from './truth.js';

function records(n: number): CodeRecord[] {
  const extra = ['plain prose only', '```js\nlet x = 1;\n```', '```python\nx = 1\nprint(x)\n```'];
  const responses = [
    ...loadSamples()
      .slice(0, n)
      .map((s) => s.response),
    ...extra,
  ];
  return memRecords(responses);
}

async function collect(it: AsyncGenerator<StructureOutcome>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const o of it) out.push(o.ok ? { id: o.id, result: o.result } : { id: o.id, reason: o.reason });
  return out;
}

test('same outcomes, same order, for 0 / 1 / 2 workers and any batch size', async () => {
  const recs = records(400);
  // parseTimeoutMs (now wallTimeoutMs): 0 — the wall-clock safety net is the one thing that could differ between
  // runs on a loaded machine
  const inThread = await collect(analyzeStructure(recs, { workers: 0, batchSize: 50, parseTimeoutMs: 0 }));
  const one = await collect(analyzeStructure(recs, { workers: 1, batchSize: 7, parseTimeoutMs: 0 }));
  async function* asyncRecs() {
    for (const r of recs) yield r;
  }
  const two = await collect(analyzeStructure(asyncRecs(), { workers: 2, batchSize: 13, parseTimeoutMs: 0 }));
  assert.equal(inThread.length, recs.length);
  assert.deepEqual(one, inThread);
  assert.deepEqual(two, inThread);
  assert.deepEqual(
    inThread.map((o) => (o as { id: string }).id),
    recs.map((r) => r.id),
  );
  // and the same as the synchronous batch API
  const batch = analyzeStructureBatch(
    recs.map((r) => r.response),
    { parseTimeoutMs: 0 },
  );
  assert.deepEqual(
    inThread.map((o) =>
      'result' in (o as object) ? (o as { result: unknown }).result : (o as { reason: string }).reason,
    ),
    batch.map((b) => (b.ok ? b.result : b.reason)),
  );
  const tail = inThread.slice(-3) as Array<{ reason?: string }>;
  assert.equal(tail[0]!.reason, 'no_code');
  assert.equal(tail[1]!.reason, undefined); // JavaScript is itemized
  assert.equal(tail[2]!.reason, undefined);
});

test('items text from the workers: the JSON of itemsLine of each analyzed outcome, the same rejections', async () => {
  const recs = records(300);
  const want: string[] = [];
  const reasons: Array<string | null> = [];
  for await (const o of analyzeStructure(recs, { workers: 0, batchSize: 64, wallTimeoutMs: 0, workBudget: 30_000 })) {
    if (o.ok) want.push(`${JSON.stringify(itemsLine(o.id, o.result))}\n`);
    reasons.push(o.ok ? null : o.reason);
  }
  assert.ok(want.length > 100 && reasons.some((r) => r === 'work_budget') && reasons.some((r) => r === 'no_code'));
  for (const [workers, batchSize] of [
    [0, 64],
    [2, 13],
  ] as const) {
    let text = '';
    const got: Array<string | null> = [];
    const ids: string[] = [];
    for await (const b of analyzeStructureText(recs, { workers, batchSize, wallTimeoutMs: 0, workBudget: 30_000 })) {
      assert.equal(b.rejected.length, b.records.length);
      text += b.text;
      got.push(...b.rejected);
      ids.push(...b.records.map((r) => r.id));
    }
    assert.equal(text, want.join(''), `${workers} workers`);
    assert.deepEqual(got, reasons, `${workers} workers`);
    assert.deepEqual(
      ids,
      recs.map((r) => r.id),
    );
  }
});

test('a shared pool can be reused; bad records and options are TypeError / RangeError', async () => {
  const pool = new StructurePool({ workers: 1 });
  try {
    const [a] = await pool.run(['```python\nx = 1\n```']);
    assert.ok(a!.ok);
    const out = await collect(analyzeStructure(records(5), { pool }));
    assert.equal(out.length, 8);
    await assert.rejects(collect(analyzeStructure([{ id: 'x' } as unknown as CodeRecord], { pool })), TypeError);
    await assert.rejects(collect(analyzeStructure([], { pool, batchSize: 0 })), RangeError);
    await assert.rejects(collect(analyzeStructure([], { pool, granularity: 'x' as 'block' })), RangeError);
  } finally {
    await pool.destroy();
  }
  assert.throws(() => new StructurePool({ workers: -1 }), RangeError);
});
