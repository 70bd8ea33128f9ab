import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { OutputWriter, ParquetPackWriter, parseBinIndex, FILE_NAMES, type SampleRow } from '../../src/output/index.js';
import { loadPacks } from '../../src/loader/index.js';
import { CodeblockError } from '../../src/errors.js';
import type { Pack } from '../../src/types.js';
import { makePacks, writeOutputDir } from './packs-fixture.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'cb-out-'));
}

function writeAll(dir: string, packs: Pack[], formats: ('parquet' | 'bin' | 'jsonl')[], rowGroupPacks = 4) {
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
        'seq_lens:INTEGER[]',
        'num_supervised:BIGINT',
        'sample_ids:VARCHAR[]',
      ],
    );
    const rows = await duck<{
      input_ids: number[];
      labels: number[];
      position_ids: number[];
      seq_lens: number[];
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
      assert.deepEqual(row.seq_lens, Array.from(p.seqLens));
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
    assert.deepEqual(readdirSync(a).sort(), ['packs.bin', 'packs.idx', 'packs.parquet']);
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

test('bin/idx: numpy (/usr/bin/python3) memmaps the files with the documented layout and gets the same packs', () => {
  const dir = tmp();
  try {
    const packs = makePacks(21, 12);
    writeAll(dir, packs, ['bin']);
    // The reader below is the snippet of docs/formats.md.
    const script = `
import json, sys
import numpy as np

def load_codeblock_bin(prefix):
    idx = np.fromfile(prefix + ".idx", dtype=np.uint8)
    assert bytes(idx[:8]) == b"CBLKIDX\\x00", "bad magic"
    version, header_bytes = (int(x) for x in np.frombuffer(idx[8:16], dtype="<u4"))
    assert version == 1
    num_packs, num_tokens, num_samples = (int(x) for x in np.frombuffer(idx[16:40], dtype="<u8"))
    max_len, layout = (int(x) for x in np.frombuffer(idx[40:48], dtype="<u4"))
    pos = header_bytes
    token_offsets = np.frombuffer(idx, dtype="<u8", count=num_packs + 1, offset=pos); pos += 8 * (num_packs + 1)
    sample_offsets = np.frombuffer(idx, dtype="<u8", count=num_packs + 1, offset=pos); pos += 8 * (num_packs + 1)
    seq_lens = np.frombuffer(idx, dtype="<i4", count=num_samples, offset=pos); pos += 4 * num_samples; pos += (-pos) % 8
    num_supervised = np.frombuffer(idx, dtype="<i4", count=num_packs, offset=pos)
    data = np.memmap(prefix + ".bin", dtype="<i4", mode="r")
    assert data.shape[0] == 2 * num_tokens
    packs = []
    for i in range(num_packs):
        a, b = int(token_offsets[i]), int(token_offsets[i + 1])
        n = b - a
        input_ids = data[2 * a : 2 * a + n]
        labels = data[2 * a + n : 2 * a + 2 * n]
        sl = seq_lens[int(sample_offsets[i]) : int(sample_offsets[i + 1])]
        position_ids = np.concatenate([np.arange(l, dtype=np.int32) for l in sl])
        packs.append(dict(input_ids=input_ids, labels=labels, position_ids=position_ids, seq_lens=sl,
                          num_supervised=int(num_supervised[i])))
    return max_len, packs

max_len, packs = load_codeblock_bin(sys.argv[1])
for p in packs:
    assert int((p["labels"] != -100).sum()) == p["num_supervised"]
print(json.dumps(dict(max_len=max_len, packs=[{k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in p.items()} \
for p in packs])))
`;
    const scriptPath = join(dir, 'read.py');
    writeFileSync(scriptPath, script);
    const out = JSON.parse(
      execFileSync('/usr/bin/python3', [scriptPath, join(dir, 'packs')], { encoding: 'utf8' }),
    ) as {
      max_len: number;
      packs: {
        input_ids: number[];
        labels: number[];
        position_ids: number[];
        seq_lens: number[];
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
      assert.deepEqual(q.seq_lens, Array.from(p.seqLens));
      assert.equal(q.num_supervised, p.numSupervised);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bin/idx: a corrupt or truncated pair is a clear CodeblockError', async () => {
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
