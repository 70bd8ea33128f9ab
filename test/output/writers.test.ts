import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  OutputWriter,
  ParquetPackWriter,
  parseBinIndex,
  FILE_NAMES,
  type OutputFormat,
  type SampleRow,
} from '../../src/output/index.js';
import { loadPacks } from '../../src/loader/index.js';
import { CodeblockError } from '../../src/errors.js';
import type { Pack } from '../../src/types.js';
import { makePacks, writeOutputDir } from './packs-fixture.js';
import { PACKAGE_ROOT } from '../../src/native.js';

const PYTHON = '/usr/bin/python3';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'cb-out-'));
}

function writeAll(dir: string, packs: Pack[], formats: OutputFormat[], rowGroupPacks = 4) {
  const w = new OutputWriter(dir, { formats, maxLen: 64, rowGroupPacks });
  for (const p of packs) w.writePack(p);
  return w.close();
}

async function duck<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    const r = await conn.runAndReadAll(sql);
    return r.getRowObjectsJS() as T[];
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

test('parquet: DuckDB reads back every column of every pack, in order, with standard LIST types', async () => {
  const dir = tmp();
  try {
    const packs = makePacks(11, 10);
    const summary = writeAll(dir, packs, ['parquet'], 3);
    assert.deepEqual(
      summary.files.map((f) => f.path),
      ['packs.parquet'],
    );
    assert.equal(summary.packs, 10);
    const file = join(dir, FILE_NAMES.parquet);
    const types = await duck<{ column_name: string; column_type: string }>(
      `DESCRIBE SELECT * FROM read_parquet('${file}')`,
    );
    assert.deepEqual(
      types.map((t) => `${t.column_name}:${t.column_type}`),
      [
        'input_ids:INTEGER[]',
        'labels:INTEGER[]',
        'position_ids:INTEGER[]',
        'seq_lengths:INTEGER[]',
        'num_supervised:BIGINT',
        'sample_ids:VARCHAR[]',
      ],
    );
    const rows = await duck<{
      input_ids: number[];
      labels: number[];
      position_ids: number[];
      seq_lengths: number[];
      num_supervised: bigint;
      sample_ids: string[];
      rn: bigint;
    }>(`SELECT *, file_row_number AS rn FROM read_parquet('${file}', file_row_number = true) ORDER BY file_row_number`);
    assert.equal(rows.length, packs.length);
    rows.forEach((row, i) => {
      const p = packs[i]!;
      assert.deepEqual(row.input_ids, Array.from(p.inputIds));
      assert.deepEqual(row.labels, Array.from(p.labels));
      assert.deepEqual(row.position_ids, Array.from(p.positionIds));
      assert.deepEqual(row.seq_lengths, Array.from(p.seqLens));
      assert.equal(Number(row.num_supervised), p.numSupervised);
      assert.deepEqual(row.sample_ids, p.sampleIds);
    });
    // streamed as row groups of 3 packs: 3 + 3 + 3 + 1
    const groups = await duck<{ row_group_id: bigint; row_group_num_rows: bigint }>(
      `SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata('${file}') ORDER BY row_group_id`,
    );
    assert.deepEqual(
      groups.map((g) => Number(g.row_group_num_rows)),
      [3, 3, 3, 1],
    );
    // the supervised count agrees with the labels, as DuckDB computes it
    const check = await duck<{ bad: bigint }>(
      `SELECT count(*) AS bad FROM read_parquet('${file}') WHERE num_supervised != len(list_filter(labels, x -> ` +
        'x != -100))',
    );
    assert.equal(Number(check[0]!.bad), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parquet: row groups are encoded and handed to the file as packs arrive (bounded memory)', () => {
  const dir = tmp();
  try {
    const w = new ParquetPackWriter(join(dir, 'p.parquet'), { rowGroupPacks: 3 });
    const packs = makePacks(9, 7);
    w.write(packs[0]!);
    w.write(packs[1]!);
    assert.equal(w.bytesWritten, 0, 'nothing encoded before a row group is full');
    w.write(packs[2]!);
    const afterOne = w.bytesWritten;
    assert.ok(afterOne > 100, 'first row group flushed');
    for (const p of packs.slice(3, 6)) w.write(p);
    assert.ok(w.bytesWritten > afterOne, 'second row group flushed');
    w.write(packs[6]!);
    const f = w.close();
    assert.ok(f.bytes > w.bytesWritten - 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parquet: an empty output is a valid file with zero rows', async () => {
  const dir = tmp();
  try {
    writeAll(dir, [], ['parquet']);
    const rows = await duck<{ n: bigint }>(
      `SELECT count(*) AS n FROM read_parquet('${join(dir, FILE_NAMES.parquet)}')`,
    );
    assert.equal(Number(rows[0]!.n), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('outputs are byte-identical for identical input, summary sha256 matches the file, no temp files remain', () => {
  const a = tmp();
  const b = tmp();
  try {
    const packs = makePacks(5, 9);
    const sa = writeAll(a, packs, ['parquet', 'bin']);
    const sb = writeAll(b, makePacks(5, 9), ['bin', 'parquet']);
    assert.deepEqual(sa.files, sb.files);
    for (const f of sa.files) {
      const bytes = readFileSync(join(a, f.path));
      assert.equal(createHash('sha256').update(bytes).digest('hex'), f.sha256);
      assert.equal(bytes.length, f.bytes);
      assert.deepEqual(bytes, readFileSync(join(b, f.path)));
    }
    assert.deepEqual(readdirSync(a).sort(), ['packs.cbpk', 'packs.cbpk.idx', 'packs.parquet']);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test('a bad pack is refused with a clear error and abort leaves no file behind', () => {
  const dir = tmp();
  try {
    const w = new OutputWriter(dir, { formats: ['parquet', 'bin', 'jsonl'], maxLen: 64 });
    const [p] = makePacks(3, 1);
    assert.throws(() => w.writePack({ ...p!, numSupervised: p!.numSupervised + 1 }), RangeError);
    assert.throws(() => w.writePack({ ...p!, labels: p!.labels.slice(1) }), RangeError);
    assert.throws(() => w.writePack({ ...p!, inputIds: Array.from(p!.inputIds) as unknown as Int32Array }), TypeError);
    const shifted = p!.labels.slice();
    shifted[0] = 7; // a label that is neither -100 nor its input id
    assert.throws(() => w.writePack({ ...p!, labels: shifted }), /neither -100/);
    assert.throws(
      () => w.writePack({ ...p!, seqLens: Int32Array.from([p!.inputIds.length + 1]), sampleIds: ['x'] }),
      RangeError,
    );
    const big = makePacks(4, 1, 128).find((q) => q.inputIds.length > 64);
    if (big) assert.throws(() => w.writePack(big), /max_len/);
    assert.ok(
      readdirSync(dir).some((f) => f.includes('.tmp-')),
      'temp files exist while writing',
    );
    w.abort();
    assert.deepEqual(readdirSync(dir), []);
    assert.throws(() => new OutputWriter(dir, { formats: ['csv' as 'bin'], maxLen: 8 }), RangeError);
    assert.throws(() => new OutputWriter(dir, { formats: ['bin'], maxLen: 0 }), RangeError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bin: the Python reader (python/codeblock_sft, numpy) memmaps the files and gets the same packs', (t) => {
  const probe = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    t.skip(`${PYTHON} has no numpy (apt-get install python3-numpy)`);
    return;
  }
  const dir = tmp();
  try {
    const packs = makePacks(21, 12);
    writeAll(dir, packs, ['bin']);
    // OutputWriter alone writes no manifest: verify=False (the manifest checks are test/python/reader.test.ts's)
    const script = `
import json, sys
import codeblock_sft
ps = codeblock_sft.open_packs(sys.argv[1], format="bin", verify=False, validate=True)
out = [{k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in p.items()} for p in ps]
print(json.dumps(dict(max_len=ps.max_len, packs=out)))
`;
    const r = spawnSync(PYTHON, ['-c', script, dir], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: join(PACKAGE_ROOT, 'python') },
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      max_len: number;
      packs: {
        input_ids: number[];
        labels: number[];
        position_ids: number[];
        seq_lengths: number[];
        num_supervised: number;
      }[];
    };
    assert.equal(out.max_len, 64);
    assert.equal(out.packs.length, packs.length);
    out.packs.forEach((q, i) => {
      const p = packs[i]!;
      assert.deepEqual(q.input_ids, Array.from(p.inputIds));
      assert.deepEqual(q.labels, Array.from(p.labels));
      assert.deepEqual(q.position_ids, Array.from(p.positionIds));
      assert.deepEqual(q.seq_lengths, Array.from(p.seqLens));
      assert.equal(q.num_supervised, p.numSupervised);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bin: a corrupt or truncated packs.cbpk / packs.cbpk.idx pair is a clear CodeblockError', async () => {
  const dir = tmp();
  try {
    writeOutputDir(dir, makePacks(8, 5), ['bin']);
    const idx = readFileSync(join(dir, FILE_NAMES.idx));
    assert.equal(parseBinIndex(idx).numPacks, 5);
    assert.throws(() => parseBinIndex(idx.subarray(0, idx.length - 8)), CodeblockError);
    const bad = Buffer.from(idx);
    bad.write('NOTMAGIC', 0, 'latin1');
    assert.throws(() => parseBinIndex(bad), /bad magic/);
    truncateSync(join(dir, FILE_NAMES.bin), 16);
    await assert.rejects(async () => {
      for await (const _ of loadPacks(dir, { batchSize: 2 })) void _;
    }, CodeblockError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('jsonl: one line per sample with the documented keys, offsets as [s,e] pairs of code points', () => {
  const dir = tmp();
  try {
    const w = new OutputWriter(dir, { formats: ['jsonl'], maxLen: 64 });
    assert.equal(w.wantsSamples, true);
    const text = 'héllo 😀\r\nwörld';
    const row: SampleRow = {
      id: 'a:1',
      text,
      inputIds: Int32Array.from([5, 6, 7]),
      labels: Int32Array.from([-100, 6, -100]),
      offsets: Int32Array.from([0, 5, 5, 8, 8, 14]),
      selected: [{ start: 5, end: 8, kind: 'item', score: 0.25 }],
    };
    w.writeSample(row);
    w.writeSample({ ...row, id: 'a:2', selected: [] });
    assert.throws(() => w.writeSample({ ...row, offsets: Int32Array.from([0, 1]) }), RangeError);
    assert.throws(() => w.writeSample({ ...row, offsets: Int32Array.from([0, 5, 5, 8, 8, 15]) }), /outside its text/);
    assert.throws(() => w.writeSample({ ...row, labels: Int32Array.from([-100, 7, -100]) }), /neither -100/);
    assert.throws(
      () => w.writeSample({ ...row, selected: [{ start: 3, end: 1, kind: 'item', score: 0 }] }),
      RangeError,
    );
    const s = w.close();
    assert.equal(s.jsonlSamples, 2);
    const lines = readFileSync(join(dir, FILE_NAMES.jsonl), 'utf8').split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[2], '');
    const o = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(o), ['id', 'text', 'input_ids', 'labels', 'num_supervised', 'offsets', 'selected']);
    assert.deepEqual(o, {
      id: 'a:1',
      text,
      input_ids: [5, 6, 7],
      labels: [-100, 6, -100],
      num_supervised: 1,
      offsets: [
        [0, 5],
        [5, 8],
        [8, 14],
      ],
      selected: [{ start: 5, end: 8, kind: 'item', score: 0.25 }],
    });
    // code point offsets: [5,8) is " 😀\r" sliced by code points (Array.from iterates code points)
    assert.equal(Array.from(text).slice(5, 8).join(''), ' 😀\r');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('samples: one Parquet row per sample (input_ids, labels, attention_mask, id) = samples.jsonl', async () => {
  const dir = tmp();
  try {
    const w = new OutputWriter(dir, { formats: ['samples', 'jsonl'], maxLen: 64, rowGroupPacks: 2 });
    assert.equal(w.wantsSamples, true);
    const text = 'héllo 😀\r\nwörld';
    const rows: SampleRow[] = [];
    for (let i = 0; i < 5; i++) {
      const n = 3 + i;
      const inputIds = Int32Array.from({ length: n }, (_, k) => 1000 * i + k);
      const labels = inputIds.map((v, k) => (k > 0 && (k + i) % 2 === 0 ? v : -100));
      const offsets = new Int32Array(2 * n);
      for (let k = 0; k < n; k++) {
        offsets[2 * k] = Math.min(k, 14);
        offsets[2 * k + 1] = Math.min(k + 1, 14);
      }
      rows.push({ id: `r:${i}${i === 3 ? '-ünï' : ''}`, text, inputIds, labels, offsets, selected: [] });
    }
    for (const r of rows) w.writeSample(r);
    assert.throws(() => w.writeSample({ ...rows[0]!, labels: Int32Array.from([-100, 7, -100]) }), /neither -100/);
    const s = w.close();
    assert.deepEqual(
      s.files.map((f) => f.path),
      ['samples.jsonl', 'samples.parquet'],
    );
    assert.equal(s.jsonlSamples, 5, 'samples.parquet rows are not counted as jsonl lines');
    const file = join(dir, FILE_NAMES.samples);
    const types = await duck<{ column_name: string; column_type: string }>(
      `DESCRIBE SELECT * FROM read_parquet('${file}')`,
    );
    assert.deepEqual(
      types.map((t) => `${t.column_name}:${t.column_type}`),
      ['input_ids:INTEGER[]', 'labels:INTEGER[]', 'attention_mask:INTEGER[]', 'id:VARCHAR'],
    );
    const got = await duck<{ input_ids: number[]; labels: number[]; attention_mask: number[]; id: string }>(
      `SELECT * FROM read_parquet('${file}', file_row_number = true) ORDER BY file_row_number`,
    );
    const lines = readFileSync(join(dir, FILE_NAMES.jsonl), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; input_ids: number[]; labels: number[] });
    assert.equal(got.length, 5);
    got.forEach((row, i) => {
      assert.equal(row.id, rows[i]!.id);
      assert.equal(row.id, lines[i]!.id);
      assert.deepEqual(row.input_ids, lines[i]!.input_ids);
      assert.deepEqual(row.labels, lines[i]!.labels);
      assert.deepEqual(row.labels, Array.from(rows[i]!.labels));
      assert.deepEqual(row.attention_mask, new Array(rows[i]!.inputIds.length).fill(1));
    });
    const groups = await duck<{ n: bigint }>(
      `SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata('${file}')`,
    );
    assert.equal(Number(groups[0]!.n), 3, 'rowGroupPacks rows per row group');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
