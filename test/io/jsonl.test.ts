import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync, copyFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { checkInputs, countInput, readRecordBatches } from '../../src/io/index.js';
import { isCodeblockError } from '../../src/errors.js';
import { FIXTURES, SHARED_DATA, collect, reasons, tempDir } from './helpers.js';

const j = (o: unknown): string => JSON.stringify(o);
const rec = (id: string, response = `print(${JSON.stringify(id)})`): string =>
  j({ id, instruction: `task ${id}`, response });

test('mixed file: every non-blank line is exactly one record or one quarantine entry (accounting)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'mixed.jsonl');
    const enc = new TextEncoder();
    const parts: Uint8Array[] = [];
    const line = (s: string | Uint8Array): void => {
      parts.push(typeof s === 'string' ? enc.encode(s) : s);
    };
    line(`\uFEFF${rec('bom-first')}\n`); // 1 BOM on the first line: stripped → record
    line(`${rec('r2')}\r\n`); // 2 CRLF → record
    line('\n'); // 3 blank: not a record
    line('   \t \r\n'); // 4 whitespace only: blank
    line('{"id": "bad", "instruction": \n'); // 5 bad JSON
    line(
      new Uint8Array([...enc.encode('{"id":"u","instruction":"x","response":"'), 0xff, 0xfe, ...enc.encode('"}\n')]),
    ); // 6 invalid UTF-8
    line('[1, 2, 3]\n'); // 7 not an object
    line('"a string"\n'); // 8 not an object
    line(`${j({ id: 'nul', instruction: 'q', response: 'a\u0000b' })}\n`); // 9 NUL via \u0000: a record
    line('{"id":"lone","instruction":"q","response":"x\\ud800y\\udc00z"}\n'); // 10 lone surrogates: a record
    line(`${j({ id: 'empty', instruction: 'q', response: '' })}\n`); // 11 empty response: a record
    line(`${j({ id: 'nofield', instruction: 'q' })}\n`); // 12 missing response
    line(`${j({ id: 'numfield', instruction: 'q', response: 3 })}\n`); // 13 non-string response
    line('{"id":"rawnul","instruction":"q","response":"a\u0000b"}\n'); // 14 raw NUL byte inside a string: invalid JSON
    line(`${rec('emoji', 'x = "😀"  # 🎉 ünïcödé')}\n`); // 15 astral + non-ASCII
    // 16 a BOM at the start of a later line (files joined with cat): dropped too → record
    line(`\uFEFF${rec('bom-later')}\n`);
    line(rec('last-no-newline')); // 17 last line without newline: a record
    writeFileSync(f, Buffer.concat(parts));

    const got = await collect([f]);
    assert.deepEqual(got.fileErrors, []);
    assert.deepEqual(
      got.records.map((r) => [r.id, r.source.line]),
      [
        ['bom-first', 1],
        ['r2', 2],
        ['nul', 9],
        ['lone', 10],
        ['empty', 11],
        ['emoji', 15],
        ['bom-later', 16],
        ['last-no-newline', 17],
      ],
    );
    assert.deepEqual(
      got.quarantine.map((q) => [q.line, q.reason]),
      [
        [5, 'bad_json'],
        [6, 'invalid_utf8'],
        [7, 'not_an_object'],
        [8, 'not_an_object'],
        [12, 'missing_field'],
        [13, 'wrong_type'],
        [14, 'bad_json'],
      ],
    );
    // 17 lines, 2 blank → 15 units; 8 records + 7 quarantined
    assert.equal(got.records.length + got.quarantine.length, 15);
    assert.equal(await countInput([f]), 15);
    // ordinals: 0..14 in input order, quarantined entries included
    const ords = [
      ...got.records.map((r) => [r.source.line, r.ordinal]),
      ...got.quarantine.map((q) => [q.line, q.ordinal]),
    ].sort((a, b) => a[0]! - b[0]!);
    assert.deepEqual(
      ords.map((o) => o[1]),
      Array.from({ length: 15 }, (_, i) => i),
    );

    const byId = new Map(got.records.map((r) => [r.id, r]));
    assert.equal(byId.get('bom-first')!.prompt[0]!.content, 'task bom-first');
    assert.equal(byId.get('nul')!.response, 'a\u0000b');
    // lone surrogates become U+FFFD, one code point each: offsets are unchanged
    assert.equal(byId.get('lone')!.response, 'x\uFFFDy\uFFFDz');
    assert.equal([...byId.get('lone')!.response].length, 5);
    assert.equal(byId.get('emoji')!.response, 'x = "😀"  # 🎉 ünïcödé');
    assert.match(got.quarantine[1]!.error, /invalid UTF-8 at byte 40 of the line/);
    assert.match(got.quarantine[0]!.error, /JSON/);
  } finally {
    cleanup();
  }
});

test('a real 50 MB line is quarantined as line_too_long at the default 32 MiB limit; the rest is read', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'big.jsonl');
    const fd = openSync(f, 'w');
    writeSync(fd, `${rec('before')}\n`);
    writeSync(fd, '{"id":"huge","instruction":"q","response":"');
    const block = Buffer.alloc(1 << 20, 'x');
    for (let i = 0; i < 50; i++) writeSync(fd, block);
    writeSync(fd, '"}\n');
    writeSync(fd, `${rec('after')}\n`);
    closeSync(fd);
    const got = await collect([f]);
    assert.deepEqual(
      got.records.map((r) => r.id),
      ['before', 'after'],
    );
    assert.equal(got.quarantine.length, 1);
    const q = got.quarantine[0]!;
    assert.equal(q.reason, 'line_too_long');
    assert.equal(q.line, 2);
    assert.equal(q.ordinal, 1);
    assert.match(q.error, new RegExp(`line is ${(50 << 20) + 45} bytes, over the limit of ${32 * 1024 * 1024} bytes`));
    // a smaller knob catches a smaller line, and a line under the knob is read whole
    const small = join(dir, 'small.jsonl');
    writeFileSync(small, `${rec('a', 'y'.repeat(5000))}\n${rec('b', 'z'.repeat(100))}\n`);
    const got2 = await collect([small], { maxLineBytes: 4096 });
    assert.deepEqual(
      got2.records.map((r) => r.id),
      ['b'],
    );
    assert.deepEqual(
      got2.quarantine.map((x) => [x.line, x.reason]),
      [[1, 'line_too_long']],
    );
    await assert.rejects(collect([small], { maxLineBytes: 0 }), RangeError);
  } finally {
    cleanup();
  }
});

function lines(n: number, prefix: string): string {
  let s = '';
  for (let i = 0; i < n; i++)
    s += `${rec(`${prefix}${i}`, `def f${i}(x):\n    return x * ${i}  # ${'pad '.repeat(i % 40)}`)}\n`;
  return s;
}

test('.jsonl.gz: read in full; multi-member gzip; truncated gzip keeps the records before the damage', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const text = lines(2000, 'g');
    const gz = gzipSync(text);
    const full = join(dir, 'pool.jsonl.gz');
    writeFileSync(full, gz);
    const ok = await collect([full]);
    assert.equal(ok.records.length, 2000);
    assert.deepEqual(ok.fileErrors, []);

    // magic bytes beat a wrong name: gzip content named .jsonl is still read as gzip
    const misnamed = join(dir, 'misnamed.jsonl');
    writeFileSync(misnamed, gzipSync(lines(4, 'm')));
    assert.deepEqual(
      (await collect([misnamed])).records.map((r) => r.id),
      ['m0', 'm1', 'm2', 'm3'],
    );

    const multi = join(dir, 'multi.jsonl.gz');
    writeFileSync(multi, Buffer.concat([gzipSync(lines(3, 'a')), gzipSync(lines(2, 'b'))]));
    assert.deepEqual(
      (await collect([multi])).records.map((r) => r.id),
      ['a0', 'a1', 'a2', 'b0', 'b1'],
    );

    const cut = join(dir, 'cut.jsonl.gz');
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const after = join(dir, 'after.jsonl');
    writeFileSync(after, `${rec('next-file')}\n`);
    const got = await collect([cut, after]);
    assert.equal(got.fileErrors.length, 1);
    assert.equal(got.fileErrors[0]!.file, cut);
    assert.match(got.fileErrors[0]!.error, /gzip stream damaged or truncated/);
    // records before the damage are kept, in order, and match the original
    const kept = got.records.filter((r) => r.source.file === cut);
    // independent truth: every complete line zlib can recover from the prefix (sync flush, no trailer check)
    const recoverable = gunzipSync(gz.subarray(0, Math.floor(gz.length * 0.6)), {
      finishFlush: zlibConstants.Z_SYNC_FLUSH,
    });
    const completeLines = recoverable.toString('utf8').split('\n').length - 1;
    assert.ok(completeLines > 500 && completeLines < 2000);
    assert.equal(kept.length, completeLines);
    assert.deepEqual(
      kept.map((r) => r.id),
      Array.from({ length: kept.length }, (_, i) => `g${i}`),
    );
    // the partial tail (if any) is quarantined as truncated, right after the last kept record
    assert.ok(got.quarantine.length <= 1);
    if (got.quarantine.length === 1) {
      assert.equal(got.quarantine[0]!.reason, 'truncated');
      assert.equal(got.quarantine[0]!.line, kept.length + 1);
    }
    // the next file is read normally, ordinals continue
    const next = got.records.find((r) => r.id === 'next-file')!;
    assert.equal(next.ordinal, kept.length + got.quarantine.length);
    assert.equal(got.order.at(-1), 'r');
  } finally {
    cleanup();
  }
});

test('.jsonl.zst (fzstd streaming): full read; truncated zst keeps records before the damage', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const fixture = join(FIXTURES, 'magicoder-1200.jsonl.zst');
    const ok = await collect([fixture]);
    assert.equal(ok.records.length, 1200);
    assert.deepEqual(ok.fileErrors, []);
    assert.equal(ok.records[1199]!.id, 'z1199');
    assert.equal(await countInput([fixture]), 1200);

    const bytes = readFileSync(fixture);
    const cut = join(dir, 'cut.jsonl.zst');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    const got = await collect([cut]);
    assert.equal(got.fileErrors.length, 1);
    assert.match(got.fileErrors[0]!.error, /zstd stream damaged or truncated/);
    // zstd decodes whole blocks (≤128 KiB): the blocks before the cut are delivered
    assert.ok(got.records.length >= 300 && got.records.length < 1200, `kept ${got.records.length}`);
    assert.deepEqual(
      got.records.map((r) => r.id),
      Array.from({ length: got.records.length }, (_, i) => `z${i}`),
    );
    assert.deepEqual(reasons(got.quarantine), got.quarantine.length ? { truncated: 1 } : {});

    // magic-byte detection when the name says nothing
    const noext = join(dir, 'pool.data');
    copyFileSync(fixture, noext);
    assert.equal((await collect([noext])).records.length, 1200);
  } finally {
    cleanup();
  }
});

test('missing or unreadable files: file_error from the reader, E_INPUT from checkInputs', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const good = join(dir, 'good.jsonl');
    writeFileSync(good, `${rec('a')}\n`);
    const missing = join(dir, 'nope.jsonl');
    const got = await collect([missing, good]);
    assert.equal(got.fileErrors.length, 1);
    assert.match(got.fileErrors[0]!.error, /ENOENT|no such file/);
    assert.deepEqual(
      got.records.map((r) => [r.id, r.ordinal]),
      [['a', 0]],
    );

    const expectInputError = async (paths: string[], re: RegExp): Promise<void> => {
      await assert.rejects(checkInputs(paths), (e: unknown) => {
        assert.ok(isCodeblockError(e), String(e));
        assert.equal(e.code, 'E_INPUT');
        assert.match(e.message, re);
        assert.equal(e.message.includes('\n'), false, 'one line');
        return true;
      });
    };
    await expectInputError([good, missing], /cannot read input ".*nope\.jsonl": no such file/);
    await expectInputError([dir], /is a directory/);
    await expectInputError([], /no input files/);
    const fakeGz = join(dir, 'fake.jsonl.gz');
    writeFileSync(fakeGz, 'not gzip');
    await expectInputError([fakeGz], /first bytes are not gzip/);
    const fakePq = join(dir, 'fake.parquet');
    writeFileSync(fakePq, 'PAR1 this is not parquet');
    await expectInputError([fakePq], /not a readable Parquet file/);
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked.jsonl');
      writeFileSync(locked, rec('x'));
      chmodSync(locked, 0o000);
      await expectInputError([locked], /permission denied/);
    }
    const info = await checkInputs([good, join(FIXTURES, 'magicoder-1200.jsonl.zst')]);
    assert.deepEqual(
      info.map((i) => i.format),
      ['jsonl', 'jsonl.zst'],
    );
  } finally {
    cleanup();
  }
});

test('ordinals are global across files and batches; abort stops the read', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl.gz');
    writeFileSync(a, `${lines(50, 'a')}oops\n`);
    writeFileSync(b, gzipSync(lines(30, 'b')));
    const got = await collect([a, b]);
    assert.equal(got.records.length, 80);
    assert.equal(got.quarantine.length, 1);
    const all = [...got.records.map((r) => r.ordinal), ...got.quarantine.map((q) => q.ordinal)].sort((x, y) => x - y);
    assert.deepEqual(
      all,
      Array.from({ length: 81 }, (_, i) => i),
    );
    assert.equal(got.records.find((r) => r.id === 'b0')!.ordinal, 51);

    const ac = new AbortController();
    const it = readRecordBatches([a, b], { signal: ac.signal });
    await it.next();
    ac.abort(new Error('stop'));
    await assert.rejects(async () => {
      for await (const _ of it) void _;
    }, /stop/);
  } finally {
    cleanup();
  }
});

test('shared data (magicoder shape) reads without loss', async () => {
  const files = ['evol-instruct-code-r1.jsonl', 'mbpp-markdown.jsonl', 'humaneval-markdown.jsonl'].map((f) =>
    join(SHARED_DATA, f),
  );
  const got = await collect(files);
  assert.deepEqual(got.fileErrors, []);
  assert.deepEqual(got.quarantine, []);
  assert.equal(got.records.length, 1966 + 974 + 164);
  assert.equal(
    got.records.every((r) => r.preset === 'magicoder'),
    true,
  );
  assert.equal(new Set(got.records.map((r) => r.id)).size, got.records.length);
  // the record's own id is used, and the original fields stay in meta
  const mbpp = got.records.find((r) => r.id === 'mbpp-1')!;
  assert.ok(Array.isArray(mbpp.meta.test_list));
});
