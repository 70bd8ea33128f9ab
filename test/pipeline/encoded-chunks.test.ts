/**
 * encodedChunks (select's pass A read-ahead): the chunks come back in order with exactly the encodings a
 * one-chunk-at-a-time loop gets, `pick` runs once per chunk in chunk order, and a template error reaches the
 * caller.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { TargetTokenizer } from '../../src/tokenize/index.js';
import { encodedChunks, encodeChunk } from '../../src/pipeline/encoded-chunks.js';
import type { AnalysisRecord } from '../../src/analysis/format.js';
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
