/**
 * SpillFile (the file under select's spills): appends come back byte for byte from the positions append
 * returned, in any order of reads, across seeded random sizes; a read past the end, or of a file cut short
 * under it, is an internal error (never zeros or stale bytes); close is idempotent.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpillFile } from '../../src/util/spill-file.js';
import { mulberry32 } from '../../src/util/random.js';

const dir = mkdtempSync(join(tmpdir(), 'cb-spillfile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('appended chunks read back exactly, in any order', () => {
  const rand = mulberry32(7);
  const f = new SpillFile(join(dir, 'a.spill'));
  const chunks: { at: number; bytes: Uint8Array }[] = [];
  let total = 0;
  for (let i = 0; i < 300; i++) {
    const n = Math.floor(rand() * 5000);
    const src = new Uint8Array(n + 16);
    for (let j = 0; j < src.length; j++) src[j] = Math.floor(rand() * 256);
    const off = Math.floor(rand() * 16);
    const at = f.append(src, off, n);
    assert.equal(at, total, 'append returns the position the chunk starts at');
    total += n;
    chunks.push({ at, bytes: src.slice(off, off + n) });
  }
  assert.equal(f.size, total);
  assert.equal(statSync(join(dir, 'a.spill')).size, total);
  const order = chunks.map((_, i) => i).sort(() => rand() - 0.5);
  for (const i of order) {
    const { at, bytes } = chunks[i]!;
    const out = new Uint8Array(bytes.length + 3).fill(0xee);
    f.readAt(out, 3, bytes.length, at);
    assert.deepEqual(out.subarray(3), bytes, `chunk ${i}`);
    assert.deepEqual([...out.subarray(0, 3)], [0xee, 0xee, 0xee], 'bytes before the offset untouched');
  }
  f.close();
  f.close(); // idempotent
});

test('a read past the end, or of a file cut short, is an internal error', () => {
  const path = join(dir, 'b.spill');
  const f = new SpillFile(path);
  f.append(Buffer.from('0123456789'));
  const out = Buffer.alloc(8);
  assert.throws(() => f.readAt(out, 0, 8, 5), /internal: read past the end/);
  f.readAt(out, 0, 8, 2);
  assert.equal(out.toString(), '23456789');
  truncateSync(path, 4); // the file shrank under the spill (disk trouble, another process)
  assert.throws(() => f.readAt(out, 0, 8, 2), /internal: short read/);
  f.close();
});
