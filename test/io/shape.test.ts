/**
 * Input of the wrong shape (issue 26, case 7; docs/reliability.md): an input where no record has the
 * fields of any preset, and an empty input, fail in one line with exit 1; a mixed input keeps its
 * per-record quarantines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { cli, FAST_ANALYZE } from '../helpers/cli.js';

const RESPONSE = '```python\ndef f(x):\n    return x + 1\n```\n';

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected:\n${stderr}`);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  return lines[0]!;
}

test('no record of any preset: CSV, JSONL with question/answer, Parquet of another schema → exit 1, one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-shape-'));
  try {
    const csv = join(dir, 'pool.csv');
    writeFileSync(csv, 'question,answer\n"What is 1+1?","2"\n"Add one","x + 1"\n');
    const qa = join(dir, 'qa.jsonl');
    writeFileSync(
      qa,
      `${JSON.stringify({ question: 'q', answer: RESPONSE })}\n${JSON.stringify({ question: 'r', answer: 'a' })}\n`,
    );
    const pq = join(dir, 'other.parquet');
    parquetWriteFile({
      filename: pq,
      columnData: [
        { name: 'prompt_text', data: ['a', 'b'], type: 'STRING' },
        { name: 'completion', data: [RESPONSE, RESPONSE], type: 'STRING' },
      ],
    });
    const cases: Array<[string, string, string[]]> = [
      ['CSV', csv, ['question', 'answer']],
      ['JSONL question/answer', qa, ['question', 'answer']],
      ['Parquet of another schema', pq, ['prompt_text', 'completion']],
    ];
    for (const [name, file, fields] of cases) {
      for (const cmd of ['analyze', 'run']) {
        const out = join(dir, `out-${cmd}`);
        const r = cli([cmd, file, '-o', out, ...FAST_ANALYZE]);
        assert.equal(r.status, 1, `${name} (${cmd}): exit ${r.status}\n${r.stderr}`);
        const line = oneLine(r.stderr);
        assert.match(line, /^codeblock: none of the \d+ input record\(s\) has the fields of any preset/, name);
        for (const f of fields) assert.ok(line.includes(f), `${name}: names the field ${f}: ${line}`);
        // the fields expected, from the presets table
        for (const e of ['input/output', 'instruction/output', 'instruction/response', 'messages list'])
          assert.ok(line.includes(e), `${name}: names ${e}`);
        assert.match(line, /--preset/);
        assert.match(line, /--fields/);
        rmSync(out, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an explicit --preset whose fields no record has: exit 1, one line naming the missing field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-shape-'));
  try {
    const qa = join(dir, 'qa.jsonl');
    writeFileSync(qa, `${JSON.stringify({ question: 'q', answer: RESPONSE })}\n`);
    const r = cli(['analyze', qa, '-o', join(dir, 'out'), '--preset', 'magicoder', ...FAST_ANALYZE]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(oneLine(r.stderr), /missing field "instruction" \(preset magicoder\).*--preset/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an empty input says so (exit 1, one line), not "run codeblock analyze first"', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-shape-'));
  try {
    for (const [name, body] of [
      ['empty.jsonl', ''],
      ['blank.jsonl', '\n  \n'],
    ] as const) {
      const f = join(dir, name);
      writeFileSync(f, body);
      const r = cli(['run', f, '-o', join(dir, 'out'), ...FAST_ANALYZE]);
      assert.equal(r.status, 1, r.stderr);
      const line = oneLine(r.stderr);
      assert.match(line, /is empty: no records to analyze/);
      assert.ok(line.includes(name));
      assert.doesNotMatch(line, /analyze` first/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a mixed input (some records of a preset) keeps its per-record quarantines and exits 0', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-shape-'));
  try {
    const f = join(dir, 'mixed.jsonl');
    const good = { instruction: 'Add one to x.', response: RESPONSE };
    writeFileSync(
      f,
      [good, { question: 'q', answer: 'a' }, { ...good, instruction: 'Add one to y.' }, { question: 'r' }]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    );
    const out = join(dir, 'out');
    const r = cli(['run', f, '-o', out, ...FAST_ANALYZE]);
    assert.equal(r.status, 0, r.stderr);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.counts.input, 4);
    assert.equal(manifest.counts.quarantined, 2);
    const rejected = Object.values(manifest.counts.rejected as Record<string, number>).reduce((a, b) => a + b, 0);
    assert.equal(manifest.counts.selected + rejected + manifest.counts.quarantined, 4, 'counts add up');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
