import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { DuckDBInstance } from '@duckdb/node-api';
import { checkInputs, countInput, readRecordBatches } from '../../src/io/index.js';
import { collect, reasons, tempDir } from './helpers.js';

function ociColumns(n: number, opts: { nullOutputAt?: number } = {}) {
  const id: string[] = [];
  const input: string[] = [];
  const output: (string | null)[] = [];
  const judgement: string[] = [];
  const score: string[] = [];
  const count: bigint[] = [];
  for (let i = 0; i < n; i++) {
    id.push(`pq-${i}`);
    input.push(`Write f${i} — ünïcode 😀`);
    output.push(i === opts.nullOutputAt ? null : `\`\`\`python\ndef f${i}(x):\n    return x + ${i}\n\`\`\``);
    judgement.push(JSON.stringify({ requirement_conformance: { score: 1 + (i % 5), justification: 'j' } }));
    score.push(String((i % 11) / 10));
    count.push(BigInt(i) * 1_000_000_000n);
  }
  return [
    { name: 'id', data: id, type: 'STRING' as const },
    { name: 'input', data: input, type: 'STRING' as const },
    { name: 'output', data: output, type: 'STRING' as const, nullable: true },
    { name: 'llm_judgement', data: judgement, type: 'STRING' as const },
    { name: 'average_test_score', data: score, type: 'STRING' as const },
    { name: 'big', data: count, type: 'INT64' as const },
  ];
}

test("Parquet happy path (hyparquet-writer, several row groups): a batch per row group, DuckDB's values", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'oci.parquet');
    parquetWriteFile({ filename: f, columnData: ociColumns(250, { nullOutputAt: 77 }), rowGroupSize: 100 });
    const batches: number[] = [];
    for await (const b of readRecordBatches([f])) batches.push(b.length);
    assert.deepEqual(batches, [100, 100, 50], 'read incrementally, one row group at a time');

    const got = await collect([f]);
    assert.equal(got.records.length, 249);
    assert.deepEqual(
      got.quarantine.map((q) => [q.line, q.reason, q.id]),
      [[77, 'missing_field', 'pq-77']],
    );
    assert.equal(await countInput([f]), 250);
    assert.deepEqual((await checkInputs([f]))[0]!.format, 'parquet');

    // independent reader
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = (
      await duck.runAndReadAll(
        `SELECT id, input, output, average_test_score, big FROM read_parquet('${f}') ORDER BY id`,
      )
    ).getRowObjectsJson() as Record<string, unknown>[];
    const byId = new Map(got.records.map((r) => [r.id, r]));
    let compared = 0;
    for (const row of rows) {
      const r = byId.get(row.id as string);
      if (row.output === null) {
        assert.equal(r, undefined);
        continue;
      }
      assert.ok(r, `record ${String(row.id)}`);
      assert.equal(r.prompt[0]!.content, row.input);
      assert.equal(r.response, row.output);
      assert.equal(r.meta.average_test_score, row.average_test_score);
      assert.equal(String(r.meta.big), String(row.big), 'INT64 → number');
      assert.equal(r.preset, 'oci');
      assert.equal(r.source.line, Number((row.id as string).slice(3)), '0-based row');
      compared++;
    }
    assert.equal(compared, 249);
    duck.closeSync();
  } finally {
    cleanup();
  }
});

test('Parquet written by DuckDB with ZSTD compression and a chat column', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'chat.parquet');
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    await duck.run(
      `COPY (SELECT i AS id, [{'role': 'user', 'content': 'q' || i}, {'role': 'assistant', 'content': 'a' || i}] AS \
messages FROM range(3000) t(i))
       TO '${f}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1024)`,
    );
    duck.closeSync();
    const got = await collect([f]);
    assert.deepEqual(got.quarantine, []);
    assert.equal(got.records.length, 3000);
    const r = got.records[2999]!;
    assert.deepEqual(
      [r.id, r.preset, r.prompt, r.response],
      ['2999', 'messages', [{ role: 'user', content: 'q2999' }], 'a2999'],
    );
  } finally {
    cleanup();
  }
});

test('Parquet with the wrong schema: every row quarantined as bad_schema, naming the missing columns', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'wrong.parquet');
    parquetWriteFile({
      filename: f,
      columnData: [
        { name: 'id', data: ['a', 'b', 'c', 'd', 'e'], type: 'STRING' },
        { name: 'question', data: ['1', '2', '3', '4', '5'], type: 'STRING' },
        { name: 'answer', data: ['1', '2', '3', '4', '5'], type: 'STRING' },
      ],
      rowGroupSize: 2,
    });
    const after = join(dir, 'after.jsonl');
    writeFileSync(after, `${JSON.stringify({ instruction: 'q', response: 'a' })}\n`);
    const got = await collect([f, after]);
    assert.deepEqual(
      got.quarantine.map((q) => [q.line, q.reason, q.ordinal]),
      [0, 1, 2, 3, 4].map((i) => [i, 'bad_schema', i]),
    );
    assert.match(got.quarantine[0]!.error, /no preset matches the record's fields \[id, question, answer\]/);
    assert.deepEqual(
      got.records.map((r) => [r.ordinal, r.id]),
      [[5, `${after}:1`]],
    );

    // a preset forced on a file that lacks its columns
    const oci = join(dir, 'oci.parquet');
    parquetWriteFile({ filename: oci, columnData: ociColumns(3) });
    const forced = await collect([oci], { preset: 'magicoder' });
    assert.deepEqual(reasons(forced.quarantine), { bad_schema: 3 });
    assert.match(
      forced.quarantine[0]!.error,
      /lacks columns "instruction\|problem", "response\|solution" needed by preset magicoder/,
    );
    const partial = join(dir, 'partial.parquet');
    parquetWriteFile({
      filename: partial,
      columnData: [
        { name: 'input', data: ['x'], type: 'STRING' },
        { name: 'llm_judgement', data: ['{}'], type: 'STRING' },
      ],
    });
    const p = await collect([partial]);
    assert.match(p.quarantine[0]!.error, /lacks column "output" needed by preset oci/);
  } finally {
    cleanup();
  }
});

test('damaged Parquet: bad footer → file_error; a corrupt row group → its rows quarantined as unreadable', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'ok.parquet');
    parquetWriteFile({ filename: f, columnData: ociColumns(300), rowGroupSize: 100, codec: 'UNCOMPRESSED' });
    const bytes = readFileSync(f);
    const cutFooter = join(dir, 'cut.parquet');
    writeFileSync(cutFooter, bytes.subarray(0, bytes.length - 10));
    const got = await collect([cutFooter]);
    assert.equal(got.fileErrors.length, 1);
    assert.match(got.fileErrors[0]!.error, /not a readable Parquet file/);

    // overwrite the middle of the file (inside row group 2's data pages) with garbage
    const broken = Buffer.from(bytes);
    const mid = Math.floor(bytes.length * 0.45);
    broken.fill(0xff, mid, mid + 64);
    const bf = join(dir, 'broken.parquet');
    writeFileSync(bf, broken);
    const g2 = await collect([bf]);
    // nothing is lost: every row is either a record or a quarantined entry
    assert.equal(g2.records.length + g2.quarantine.length, 300);
    assert.deepEqual(reasons(g2.quarantine), { unreadable: 100 });
    assert.deepEqual(
      g2.quarantine.map((q) => q.line),
      Array.from({ length: 100 }, (_, i) => 100 + i),
    );
    assert.match(g2.quarantine[0]!.error, /cannot decode row group at rows 100\.\.199/);
    assert.equal(g2.records.length, 200);
  } finally {
    cleanup();
  }
});
