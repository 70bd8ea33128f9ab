import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QuarantineWriter, readRecords } from '../../src/io/index.js';
import { tempDir } from './helpers.js';

test('QuarantineWriter: a JSON line per entry {file,line,reason,error,id?,ordinal}; append keeps old', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const input = join(dir, 'in.jsonl');
    writeFileSync(
      input,
      [
        '{bad',
        JSON.stringify({ id: 'x', input: 'q', output: 1 }),
        JSON.stringify({ id: 'y', input: 'q', output: 'ok' }),
      ].join('\n'),
    );
    const out = join(dir, 'quarantine.jsonl');
    const w = new QuarantineWriter(out);
    let records = 0;
    for await (const ev of readRecords([input])) {
      if (ev.type === 'quarantine') w.write(ev.entry);
      else if (ev.type === 'record') records++;
    }
    w.close();
    assert.equal(records, 1);
    assert.equal(w.count, 2);
    assert.deepEqual(Object.fromEntries(w.counts), { bad_json: 1, wrong_type: 1 });
    const lines = readFileSync(out, 'utf8').split('\n');
    assert.equal(lines.pop(), '');
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(Object.keys(rows[0]!), ['file', 'line', 'reason', 'error', 'ordinal']);
    assert.deepEqual(Object.keys(rows[1]!), ['file', 'line', 'reason', 'error', 'id', 'ordinal']);
    assert.deepEqual(
      rows.map((r) => [r.file, r.line, r.reason, r.id, r.ordinal]),
      [
        [input, 1, 'bad_json', undefined, 0],
        [input, 2, 'wrong_type', 'x', 1],
      ],
    );
    const w2 = new QuarantineWriter(out, { append: true });
    w2.write({ file: 'f', line: 9, reason: 'truncated', error: 'e', ordinal: 5 });
    w2.close();
    assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 3);
    assert.throws(() => w2.write({ file: 'f', line: 9, reason: 'truncated', error: 'e', ordinal: 6 }), /closed/);
    new QuarantineWriter(out).close();
    assert.equal(readFileSync(out, 'utf8'), '', 'default mode truncates');
  } finally {
    cleanup();
  }
});
