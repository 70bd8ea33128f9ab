/**
 * The Parquet writer's direct row-group path (src/output/parquet.ts writeRowGroup) against hyparquet-writer's
 * generic Dremel path, its reference: seeded random packs, several row-group sizes, byte-identical files. A
 * hyparquet read of the fast file gives back every pack.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import { ParquetPackWriter } from '../../src/output/index.js';
import { SampleParquetWriter } from '../../src/output/samples.js';
import type { SampleRow } from '../../src/output/types.js';
import type { Pack } from '../../src/types.js';
import { mulberry32 } from '../../src/util/random.js';

function randomPacks(seed: number, n: number): Pack[] {
  const rnd = mulberry32(seed);
  const packs: Pack[] = [];
  for (let p = 0; p < n; p++) {
    const samples = 1 + Math.floor(rnd() * 6);
    const seqLens = Int32Array.from({ length: samples }, () => 1 + Math.floor(rnd() * 400));
    const len = seqLens.reduce((a, b) => a + b, 0);
    const inputIds = Int32Array.from({ length: len }, () => Math.floor(rnd() ** 3 * 151_000));
    const labels = new Int32Array(len).fill(-100);
    let sup = 0;
    for (let t = 1; t < len; t++)
      if (rnd() < 0.05) {
        labels[t] = inputIds[t]!;
        sup++;
      }
    const positionIds = new Int32Array(len);
    let at = 0;
    for (const l of seqLens) for (let i = 0; i < l; i++) positionIds[at++] = i;
    const sampleIds = Array.from({ length: samples }, (_, i) => `s${seed}-${p}-${i}${rnd() < 0.1 ? '-ü✓' : ''}`);
    packs.push({ inputIds, labels, positionIds, seqLens, numSupervised: sup, sampleIds });
  }
  return packs;
}

function write(path: string, packs: Pack[], rowGroupPacks: number, generic: boolean, validate = true): Buffer {
  const kvMetadata = [{ key: 'k', value: 'v' }];
  const w = new ParquetPackWriter(path, { rowGroupPacks, generic, kvMetadata, validate });
  for (const p of packs) w.write(p);
  w.close();
  return readFileSync(path);
}

test('parquet: the direct row-group path writes the bytes of the generic Dremel path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-pq-fast-'));
  try {
    let compared = 0;
    for (const [seed, n, rg] of [
      [1, 1, 256],
      [2, 40, 7],
      [3, 300, 256],
      [4, 64, 64],
      [5, 0, 3],
    ] as const) {
      const packs = randomPacks(seed, n);
      const fast = write(join(dir, `f${seed}.parquet`), packs, rg, false);
      const generic = write(join(dir, `g${seed}.parquet`), packs, rg, true);
      assert.ok(fast.equals(generic), `seed ${seed}: ${fast.length} vs ${generic.length} bytes differ`);
      compared++;
      if (n === 0) continue;
      const rows = (await parquetReadObjects({
        file: new Uint8Array(fast).buffer,
      })) as Array<{ input_ids: number[]; labels: number[]; sample_ids: string[]; num_supervised: bigint }>;
      assert.equal(rows.length, n);
      for (let i = 0; i < n; i++) {
        assert.deepEqual(rows[i]!.input_ids, Array.from(packs[i]!.inputIds));
        assert.deepEqual(rows[i]!.labels, Array.from(packs[i]!.labels));
        assert.deepEqual(rows[i]!.sample_ids, packs[i]!.sampleIds);
        assert.equal(Number(rows[i]!.num_supervised), packs[i]!.numSupervised);
      }
    }
    assert.equal(compared, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parquet: a row group with an empty list (no valid pack has one) takes the generic path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-pq-fast-'));
  try {
    const packs = randomPacks(9, 5);
    packs[2] = { ...packs[2]!, sampleIds: [] };
    const fast = write(join(dir, 'f.parquet'), packs, 256, false, false);
    const generic = write(join(dir, 'g.parquet'), packs, 256, true, false);
    assert.ok(fast.equals(generic));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parquet: samples.parquet, direct path = generic path byte for byte, and reads back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-pq-fast-'));
  try {
    let compared = 0;
    for (const [seed, n, rg] of [
      [11, 1, 256],
      [12, 50, 7],
      [13, 300, 256],
    ] as const) {
      const rows: SampleRow[] = randomPacks(seed, n).map((p, i) => ({
        id: p.sampleIds[0]!,
        text: 'x'.repeat(p.inputIds.length),
        inputIds: p.inputIds,
        labels: p.labels,
        offsets: Int32Array.from({ length: 2 * p.inputIds.length }, (_, k) => (k + 1) >> 1),
        selected: i % 2 ? [] : [{ start: 0, end: 1, kind: 'item' as const, score: 0.5 }],
      }));
      const files = [false, true].map((generic) => {
        const path = join(dir, `s${seed}-${generic}.parquet`);
        const w = new SampleParquetWriter(path, { rowGroupRows: rg, generic });
        for (const r of rows) w.write(r);
        w.close();
        return readFileSync(path);
      });
      assert.ok(files[0]!.equals(files[1]!), `seed ${seed}: ${files[0]!.length} vs ${files[1]!.length} bytes differ`);
      compared++;
      const back = (await parquetReadObjects({ file: new Uint8Array(files[0]!).buffer })) as Array<{
        input_ids: number[];
        labels: number[];
        attention_mask: number[];
        id: string;
      }>;
      assert.equal(back.length, n);
      back.forEach((b, i) => {
        assert.equal(b.id, rows[i]!.id);
        assert.deepEqual(b.input_ids, Array.from(rows[i]!.inputIds));
        assert.deepEqual(b.labels, Array.from(rows[i]!.labels));
        assert.equal(b.attention_mask.length, b.input_ids.length);
        assert.ok(b.attention_mask.every((m) => m === 1));
      });
    }
    assert.equal(compared, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
