/**
 * RejectSpill (select's pass-B rejections on disk): what comes back is exactly the rejected.jsonl lines of the
 * pushed rejections in ordinal order, for any read size (a line, or a multi-byte character, cut across reads),
 * with the reason counts; chunks out of order and a truncated file are internal errors, never silent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RejectSpill } from '../../src/pipeline/reject-spill.js';
import { outcomeJsonLine, type OutcomeLine } from '../../src/pipeline/outcomes.js';

const work = mkdtempSync(join(tmpdir(), 'cb-reject-spill-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function rejections(n: number, seed: number): OutcomeLine[] {
  let s = seed;
  const rnd = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  const ids = ['r', 'é', '😀', 'x"q', 'a\\b', '中文'];
  return Array.from({ length: n }, (_, i) => ({
    id: `${ids[Math.floor(rnd() * ids.length)]}-${i}`.repeat(1 + Math.floor(rnd() * 5)),
    ordinal: i * 3 + Math.floor(rnd() * 3),
    file: rnd() < 0.5 ? 'pool.jsonl' : 'dir/ü.jsonl',
    line: i + 1,
    reason: rnd() < 0.6 ? 'no_supervision' : 'duplicate',
    detail: rnd() < 0.5 ? 'no item or token of this sample scored above the global threshold' : 'duplicate of 😀',
  }));
}

test('RejectSpill gives back every line in ordinal order, whatever the read size', () => {
  const all = rejections(500, 7);
  for (const readChunk of [1, 7, 64, 1000, 1 << 20]) {
    const spill = new RejectSpill(join(work, `s-${readChunk}.spill`), readChunk);
    // chunks of pass B: ascending between chunks, any order inside one
    for (let c = 0; c < all.length; c += 37) {
      const chunk = all.slice(c, c + 37);
      for (const o of [...chunk].reverse()) spill.push(o);
      spill.flush();
    }
    spill.flush(); // nothing pending: no-op
    const back = [...spill.read()];
    spill.close();
    assert.deepEqual(
      back.map(([o]) => o),
      all.map((o) => o.ordinal),
      `ordinals, read size ${readChunk}`,
    );
    assert.deepEqual(
      back.map(([, l]) => l),
      all.map(outcomeJsonLine),
      `lines, read size ${readChunk}`,
    );
    const want: Record<string, number> = {};
    for (const o of all) want[o.reason] = (want[o.reason] ?? 0) + 1;
    assert.deepEqual(spill.counts, want);
  }
});

test('RejectSpill: empty, out-of-order chunks and a truncated file', () => {
  const empty = new RejectSpill(join(work, 'empty.spill'), 8);
  assert.deepEqual([...empty.read()], []);
  empty.close();
  const [a, b] = rejections(2, 3);
  const bad = new RejectSpill(join(work, 'order.spill'));
  bad.push(b!);
  bad.flush();
  bad.push(a!);
  assert.throws(() => bad.flush(), /internal: rejections out of order/);
  bad.close();
  const path = join(work, 'cut.spill');
  const cut = new RejectSpill(path, 16);
  for (const o of rejections(20, 5)) cut.push(o);
  cut.flush();
  const lines = [...cut.read()].length;
  assert.equal(lines, 20);
  cut.close();
  // the file loses its tail: the reader refuses instead of dropping the last record
  const spill = new RejectSpill(join(work, 'cut2.spill'), 16);
  for (const o of rejections(20, 5)) spill.push(o);
  spill.flush();
  truncateSync(join(work, 'cut2.spill'), 100);
  assert.throws(() => [...spill.read()], /internal: (truncated rejection spill|short read)/);
  spill.close();
});
