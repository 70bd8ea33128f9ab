/**
 * encodedChunks (select's pass A read-ahead) and EncodingCache: the chunks come back in order with exactly
 * the encodings a one-chunk-at-a-time loop gets, `pick` runs once per chunk in chunk order, a template error
 * reaches the caller, and the cache hands back pass A's candidates only for what it kept.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { TargetTokenizer } from '../../src/tokenize/index.js';
import { EncodingCache, encodedChunks, encodeChunk } from '../../src/pipeline/encoding-cache.js';
import type { AnalysisRecord } from '../../src/analysis/format.js';
import type { RecordCandidates } from '../../src/budget/candidates.js';
import { CodeblockError } from '../../src/errors.js';

let tok: TargetTokenizer;
before(async () => {
  tok = await TargetTokenizer.load('qwen2.5');
});

const rec = (ordinal: number, response: string): AnalysisRecord =>
  ({ ordinal, id: `r${ordinal}`, prompt: [{ role: 'user', content: `q${ordinal}` }], response }) as AnalysisRecord;

test('encodedChunks: in order, same encodings as one chunk at a time, pick in chunk order', async () => {
  const recs = Array.from({ length: 23 }, (_, i) => rec(i, `x = ${i} # ${'é😀'.repeat(i % 4)}`));
  const chunks = [recs.slice(0, 5), recs.slice(5, 10), recs.slice(10, 11), recs.slice(11, 20), recs.slice(20)];
  for (const ahead of [1, 2, 3]) {
    const picked: number[] = [];
    const pick = (c: AnalysisRecord[]) => {
      picked.push(c[0]!.ordinal);
      return c.filter((r) => r.ordinal % 3 !== 0);
    };
    const seen: number[] = [];
    let k = 0;
    for await (const { chunk, keep, encs } of encodedChunks(tok, chunks, pick, ahead)) {
      assert.equal(chunk, chunks[k]);
      const want = await encodeChunk(
        tok,
        chunks[k]!.filter((r) => r.ordinal % 3 !== 0),
      );
      assert.deepEqual(
        keep.map((r) => r.ordinal),
        chunks[k]!.filter((r) => r.ordinal % 3 !== 0).map((r) => r.ordinal),
      );
      assert.deepEqual(encs, want);
      seen.push(chunk[0]!.ordinal);
      k++;
    }
    assert.deepEqual(seen, [0, 5, 10, 11, 20]);
    assert.deepEqual(picked, [0, 5, 10, 11, 20]);
  }
});

test('encodedChunks: a template error throws at its chunk; stopping early leaves nothing unhandled', async () => {
  const chunks = [[rec(0, 'a = 1')], [rec(1, '')], [rec(2, 'b = 2')]];
  const got: number[] = [];
  await assert.rejects(async () => {
    for await (const { chunk } of encodedChunks(tok, chunks, (c) => c)) got.push(chunk[0]!.ordinal);
  }, CodeblockError);
  assert.deepEqual(got, [0]);
  // the caller breaks out while later chunks (one of them failing) are in flight: no unhandled rejection
  for await (const _ of encodedChunks(tok, chunks, (c) => c)) break;
  await new Promise((r) => setTimeout(r, 50));
});

test('EncodingCache returns pass A candidates for kept records, encodes the rest again', async () => {
  const recs = [rec(0, 'a = 1'), rec(1, 'b = 2'), rec(2, 'c = 3')];
  const encs = await encodeChunk(tok, recs);
  const cands = {
    tokens: { token: new Int32Array(0), score: new Float64Array(0), length: 0 },
    items: [],
    forced: [],
  } as unknown as RecordCandidates;
  const big = new EncodingCache(1 << 20);
  big.offer(0, encs[0]!, cands);
  big.offer(2, encs[2]!);
  const t = await big.take(tok, recs);
  assert.deepEqual(t.encs, encs);
  assert.equal(t.candidates[0], cands);
  assert.equal(t.candidates[1], undefined);
  assert.equal(t.candidates[2], undefined);
  const none = new EncodingCache(0);
  none.offer(0, encs[0]!, cands);
  const u = await none.take(tok, recs);
  assert.deepEqual(u.encs, encs);
  assert.deepEqual(u.candidates, [undefined, undefined, undefined]);
});

test('EncodingCache at its cap keeps the records of highest priority (earlier ones on ties)', async () => {
  const recs = [rec(0, 'a = 1'), rec(1, 'b = 2'), rec(2, 'c = 3'), rec(3, 'd = 4'), rec(4, 'e = 5')];
  const encs = await encodeChunk(tok, recs);
  // every encoding here costs the same: a cap of two and a half of them holds two
  const one = new EncodingCache(1 << 30);
  one.offer(0, encs[0]!);
  const cost = (one as unknown as { bytes: number }).bytes;
  for (const e of encs) assert.equal(e.ids.length, encs[0]!.ids.length, 'same-size encodings');
  const cache = new EncodingCache(Math.floor(2.5 * cost));
  const prio = [1, 5, 3, 0, 5];
  for (let i = 0; i < recs.length; i++) cache.offer(i, encs[i]!, undefined, prio[i]);
  assert.equal(cache.size, 2);
  const cached = (o: number) => (cache as unknown as { map: Map<number, unknown> }).map.has(o);
  // ordinal 2 (priority 3) evicts ordinal 0 (1); ordinal 3 (0) evicts nothing; ordinal 4 (5) evicts ordinal 2
  assert.deepEqual(
    recs.map((r) => cached(r.ordinal)),
    [false, true, false, false, true],
  );
  const t = await cache.take(tok, recs);
  assert.deepEqual(t.encs, encs, 'cached or encoded again: the same encodings');
  assert.equal(cache.size, 0);
  // nothing larger than the cap is ever kept, and a low priority does not evict a higher one
  const small = new EncodingCache(cost - 1);
  small.offer(0, encs[0]!, undefined, 9);
  assert.equal(small.size, 0);
});
