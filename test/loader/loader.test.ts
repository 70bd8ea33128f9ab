import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import {
  loadPacks,
  permutation,
  countPacks,
  openPackSource,
  type LoadPacksOptions,
  type PackBatch,
} from '../../src/loader/index.js';
import { BinSource, ParquetSource } from '../../src/output/sources.js';
import { CodeblockError } from '../../src/errors.js';
import type { Pack } from '../../src/types.js';
import { makePacks, writeOutputDir } from '../output/packs-fixture.js';
import { writeManifest } from '../../src/output/manifest.js';
import { createHash } from 'node:crypto';
import collect, { type WorkerSummary } from './loader-worker.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const WORKER = join(HERE, 'loader-worker.js');

let dir = '';
let packs: Pack[] = [];
const N = 23;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'cb-load-'));
  packs = makePacks(42, N);
  writeOutputDir(dir, packs, ['parquet', 'bin'], { rowGroupPacks: 5 });
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function all(opts: LoadPacksOptions): Promise<PackBatch[]> {
  const out: PackBatch[] = [];
  for await (const b of loadPacks(dir, opts)) out.push(b);
  return out;
}

/** Expected batch from the source packs (independent of the loader's assembly). */
function expectBatch(b: PackBatch) {
  const sel = Array.from(b.packIndices, (i) => packs[i]!);
  assert.deepEqual(
    Array.from(b.input_ids),
    sel.flatMap((p) => Array.from(p.inputIds)),
  );
  assert.deepEqual(
    Array.from(b.labels),
    sel.flatMap((p) => Array.from(p.labels)),
  );
  assert.deepEqual(
    Array.from(b.position_ids),
    sel.flatMap((p) => Array.from(p.positionIds)),
  );
  assert.deepEqual(
    Array.from(b.seq_lengths),
    sel.flatMap((p) => Array.from(p.seqLens)),
  );
  const cu = [0];
  for (const l of b.seq_lengths) cu.push(cu[cu.length - 1]! + l);
  // transformers' flash-attention kwargs: int32 boundaries, the longest sample
  assert.ok(b.cu_seq_lens_q instanceof Int32Array && b.cu_seq_lens_k instanceof Int32Array);
  assert.deepEqual(Array.from(b.cu_seq_lens_q), cu);
  assert.deepEqual(Array.from(b.cu_seq_lens_k), cu);
  assert.equal(b.cu_seq_lens_q.at(-1), b.input_ids.length);
  const longest = Math.max(...sel.flatMap((p) => Array.from(p.seqLens)));
  assert.equal(b.max_length_q, longest);
  assert.equal(b.max_length_k, longest);
  assert.deepEqual(
    Array.from(b.num_supervised),
    sel.map((p) => p.numSupervised),
  );
  assert.equal(
    b.total_supervised,
    sel.reduce((a, p) => a + p.numSupervised, 0),
  );
  assert.equal(b.pack_offsets[b.pack_offsets.length - 1], b.input_ids.length);
}

test('in order: every pack once, batches of batchSize, arrays equal the written packs (bin and parquet)', async () => {
  assert.equal(await countPacks(dir), N);
  for (const format of ['bin', 'parquet'] as const) {
    const batches = await all({ batchSize: 4, format });
    assert.deepEqual(
      batches.map((b) => b.packIndices.length),
      [4, 4, 4, 4, 4, 3],
    );
    assert.deepEqual(
      batches.flatMap((b) => Array.from(b.packIndices)),
      Array.from({ length: N }, (_, i) => i),
    );
    assert.deepEqual(
      batches.map((b) => b.position),
      [4, 8, 12, 16, 20, 23],
    );
    batches.forEach(expectBatch);
    assert.deepEqual((await all({ batchSize: 4, format, dropLast: true })).length, 5);
  }
});

test('shuffle: a seeded permutation — deterministic, complete, differs by seed/epoch; bin, parquet agree', async () => {
  const a = await all({ batchSize: 5, shuffle: true, seed: 7 });
  const b = await all({ batchSize: 5, shuffle: true, seed: 7 });
  const order = a.flatMap((x) => Array.from(x.packIndices));
  assert.deepEqual(
    order,
    b.flatMap((x) => Array.from(x.packIndices)),
  );
  assert.deepEqual(
    [...order].sort((x, y) => x - y),
    Array.from({ length: N }, (_, i) => i),
  );
  assert.notDeepEqual(
    order,
    Array.from({ length: N }, (_, i) => i),
  );
  const otherSeed = (await all({ batchSize: 5, shuffle: true, seed: 8 })).flatMap((x) => Array.from(x.packIndices));
  const otherEpoch = (await all({ batchSize: 5, shuffle: true, seed: 7, epoch: 1 })).flatMap((x) =>
    Array.from(x.packIndices),
  );
  assert.notDeepEqual(order, otherSeed);
  assert.notDeepEqual(order, otherEpoch);
  a.forEach(expectBatch);
  const pq = await all({ batchSize: 5, shuffle: true, seed: 7, format: 'parquet' });
  assert.deepEqual(
    pq.map((x) => Array.from(x.input_ids)),
    a.map((x) => Array.from(x.input_ids)),
  );
  // a cache smaller than one row group (evicts on every miss) gives the same batches
  const tiny = await all({ batchSize: 5, shuffle: true, seed: 7, format: 'parquet', parquetCacheTokens: 1 });
  assert.deepEqual(
    tiny.map((x) => Array.from(x.input_ids)),
    a.map((x) => Array.from(x.input_ids)),
  );
  // permutation is uniform-ish: over many seeds every pack visits position 0
  const firsts = new Set<number>();
  for (let s = 0; s < 400; s++) firsts.add(permutation(N, true, s)[0]!);
  assert.equal(firsts.size, N);
});

test('resume: starting from any batch position yields exactly the remaining batches', async () => {
  const full = await all({ batchSize: 3, shuffle: true, seed: 99, epoch: 2 });
  for (let k = 0; k <= full.length; k++) {
    const start = k === 0 ? 0 : full[k - 1]!.position;
    const rest = await all({ batchSize: 3, shuffle: true, seed: 99, epoch: 2, start });
    assert.equal(rest.length, full.length - k);
    rest.forEach((b, j) => {
      assert.deepEqual(Array.from(b.packIndices), Array.from(full[k + j]!.packIndices));
      assert.deepEqual(Array.from(b.input_ids), Array.from(full[k + j]!.input_ids));
      assert.equal(b.position, full[k + j]!.position);
      assert.equal(b.batchIndex, full[k + j]!.batchIndex);
    });
  }
  // a position that is not on a batch boundary continues from exactly that pack
  const order = full.flatMap((b) => Array.from(b.packIndices));
  const odd = await all({ batchSize: 3, shuffle: true, seed: 99, epoch: 2, start: 4 });
  assert.deepEqual(
    odd.flatMap((b) => Array.from(b.packIndices)),
    order.slice(4),
  );
});

test('bad options and missing inputs are clear errors', async () => {
  await assert.rejects(() => all({ batchSize: 0 }), RangeError);
  await assert.rejects(() => all({ batchSize: 2, start: -1 }), RangeError);
  await assert.rejects(() => all({ batchSize: 2, start: N + 1 }), RangeError);
  await assert.rejects(() => all({ batchSize: 2, shuffle: true, seed: 1.5 }), RangeError);
  const empty = mkdtempSync(join(tmpdir(), 'cb-load-empty-'));
  try {
    await assert.rejects(async () => {
      for await (const _ of loadPacks(empty, { batchSize: 1 })) void _;
    }, CodeblockError);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('the formats table picks the format: bin when there, else parquet; a non-pack format is refused', async () => {
  const only = mkdtempSync(join(tmpdir(), 'cb-load-pq-'));
  try {
    writeOutputDir(only, packs, ['parquet', 'samples'], { rowGroupPacks: 5 });
    // both present: bin (rank 0) is read; parquet alone: parquet
    const both = await openPackSource(dir);
    const one = await openPackSource(only);
    assert.ok(both instanceof BinSource && one instanceof ParquetSource);
    await both.close();
    await one.close();
    const viaBin = await all({ batchSize: 23 });
    assert.equal(viaBin[0]!.packIndices.length, N);
    const parquetOnly: PackBatch[] = [];
    for await (const b of loadPacks(only, { batchSize: 23 })) parquetOnly.push(b);
    assert.deepEqual(Array.from(parquetOnly[0]!.input_ids), Array.from(viaBin[0]!.input_ids));
    await assert.rejects(async () => {
      for await (const _ of loadPacks(only, { batchSize: 1, format: 'bin' })) void _;
    }, CodeblockError);
    await assert.rejects(async () => {
      // biome-ignore lint/suspicious/noExplicitAny: a format the loader does not read, as a JS caller could pass it
      for await (const _ of loadPacks(only, { batchSize: 1, format: 'samples' as any })) void _;
    }, /format must be 'parquet' or 'bin'/);
  } finally {
    rmSync(only, { recursive: true, force: true });
  }
});

test('a packs.parquet written before seq_lengths (column seq_lens) still loads', async () => {
  const old = mkdtempSync(join(tmpdir(), 'cb-load-old-'));
  try {
    const { ParquetWriter } = await import('hyparquet-writer');
    const { ByteWriter } = await import('hyparquet-writer');
    const { PARQUET_SCHEMA } = await import('../../src/output/parquet.js');
    const schema = PARQUET_SCHEMA.map((e) => (e.name === 'seq_lengths' ? { ...e, name: 'seq_lens' } : e));
    const bw = new ByteWriter();
    const pw = new ParquetWriter({ writer: bw, schema, codec: 'SNAPPY' });
    pw.write({
      columnData: [
        { name: 'input_ids', data: packs.map((p) => Array.from(p.inputIds)) },
        { name: 'labels', data: packs.map((p) => Array.from(p.labels)) },
        { name: 'position_ids', data: packs.map((p) => Array.from(p.positionIds)) },
        { name: 'seq_lens', data: packs.map((p) => Array.from(p.seqLens)) },
        { name: 'num_supervised', data: packs.map((p) => BigInt(p.numSupervised)) },
        { name: 'sample_ids', data: packs.map((p) => [...p.sampleIds]) },
      ],
    });
    pw.finish();
    const bytes = new Uint8Array(bw.getBuffer());
    writeFileSync(join(old, 'packs.parquet'), bytes);
    // its manifest, as select wrote it then (readers check the files against it)
    const file = {
      path: 'packs.parquet',
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
    writeManifest(old, {
      version: 'test',
      config: {},
      counts: { input: 0, selected: 0, rejected: {}, quarantined: 0 },
      tokens: { response: 0, supervised: 0, supervised_code: 0, supervised_nl: 0 },
      packing: { packs: packs.length, max_len: 64, tokens: 0 },
      files: [file],
    });
    const got: PackBatch[] = [];
    for await (const b of loadPacks(old, { batchSize: 7 })) got.push(b);
    assert.deepEqual(
      got.flatMap((b) => Array.from(b.seq_lengths)),
      packs.flatMap((p) => Array.from(p.seqLens)),
    );
  } finally {
    rmSync(old, { recursive: true, force: true });
  }
});

function runRawWorker(options: LoadPacksOptions): Promise<WorkerSummary> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { workerData: { mode: 'raw', dir, options } });
    w.once('message', (m: { ok: boolean; result?: WorkerSummary; error?: string }) => {
      void w.terminate();
      if (m.ok) resolve(m.result!);
      else reject(new Error(m.error));
    });
    w.once('error', reject);
  });
}

test('works in a worker_threads Worker and a piscina worker, with the same batches as the main thread', async () => {
  const options: LoadPacksOptions = { batchSize: 4, shuffle: true, seed: 3, start: 8 };
  const main = await collect({ dir, options });
  assert.deepEqual(await runRawWorker(options), main);
  const pool = new Piscina({ filename: WORKER, maxThreads: 2, minThreads: 1 });
  try {
    const results = (await Promise.all([
      pool.run({ dir, options }),
      pool.run({ dir, options: { ...options, format: 'parquet' } }),
    ])) as WorkerSummary[];
    assert.deepEqual(results[0], main);
    assert.deepEqual(results[1], main);
  } finally {
    await pool.destroy();
  }
});
