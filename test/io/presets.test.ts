import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectPreset, parseOciMeta } from '../../src/io/index.js';
import { collect, reasons, tempDir } from './helpers.js';

const j = (o: unknown): string => JSON.stringify(o);

test('detectPreset: each preset from its keys; undefined when none fits', () => {
  assert.equal(
    detectPreset({
      id: 'a',
      input: 'q',
      output: 'a',
      llm_judgement: '{}',
      tests_execution_status: '[]',
      average_test_score: '1',
    }),
    'oci',
  );
  assert.equal(detectPreset({ input: 'q', output: 'a' }), 'oci');
  assert.equal(detectPreset({ instruction: 'q', input: '', output: 'a' }), 'alpaca');
  assert.equal(detectPreset({ instruction: 'q', output: 'a' }), 'alpaca');
  assert.equal(detectPreset({ instruction: 'q', response: 'a' }), 'magicoder');
  assert.equal(detectPreset({ problem: 'q', solution: 'a' }), 'magicoder');
  assert.equal(detectPreset({ messages: [] }), 'messages');
  assert.equal(detectPreset({ conversations: [] }), 'messages');
  assert.equal(detectPreset({ messages: 'not a list', instruction: 'q', response: 'a' }), 'magicoder');
  assert.equal(detectPreset({ text: 'x' }), undefined);
  assert.equal(detectPreset([1, 2]), undefined);
  assert.equal(detectPreset(null), undefined);
});

test('oci: input/output, quality fields and unit_tests kept verbatim in meta', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const judgement = j({
      requirement_conformance: { score: 5, justification: 'ok' },
      logical_correctness: { score: 4, justification: 'ok' },
      edge_case_consideration: { score: 2, justification: 'no' },
    });
    const row = {
      id: 'oci-1',
      input: 'Add two numbers.',
      output: '```python\ndef add(a, b):\n    return a + b\n```',
      domain: 'generic',
      generation_algorithm: 'self-instruct',
      llm_judgement: judgement,
      unit_tests: '["assert add(1, 2) == 3"]',
      tests_execution_status: '["pass", "fail"]',
      average_test_score: '0.5',
    };
    writeFileSync(join(dir, 'a.jsonl'), `${j(row)}\n`);
    const { records, quarantine } = await collect([join(dir, 'a.jsonl')]);
    assert.equal(quarantine.length, 0);
    const r = records[0]!;
    assert.equal(r.id, 'oci-1');
    assert.equal(r.preset, 'oci');
    assert.deepEqual(r.prompt, [{ role: 'user', content: 'Add two numbers.' }]);
    assert.equal(r.response, row.output);
    assert.deepEqual(r.meta, {
      domain: 'generic',
      generation_algorithm: 'self-instruct',
      llm_judgement: judgement,
      unit_tests: row.unit_tests,
      tests_execution_status: row.tests_execution_status,
      average_test_score: '0.5',
    });
    assert.deepEqual(parseOciMeta(r.meta), {
      averageTestScore: 0.5,
      testStatuses: ['pass', 'fail'],
      judgement: { requirement_conformance: 5, logical_correctness: 4, edge_case_consideration: 2 },
    });
    assert.deepEqual(parseOciMeta({ average_test_score: 'n/a', llm_judgement: '{bad', tests_execution_status: 3 }), {});
  } finally {
    cleanup();
  }
});

test('alpaca: instruction + input joined by a blank line; empty input omitted; system field → system', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'alpaca.jsonl');
    writeFileSync(
      f,
      `${[
        j({ instruction: 'Sort the list.', input: '[3, 1, 2]', output: 'sorted([3, 1, 2])' }),
        j({ instruction: 'Say hi.', input: '', output: 'print("hi")', system: 'You are terse.' }),
        j({ instruction: 'No input key.', output: 'pass' }),
        j({ instruction: 'Bad input type.', input: 7, output: 'pass' }),
      ].join('\n')}\n`,
    );
    const { records, quarantine } = await collect([f]);
    assert.deepEqual(
      records.map((r) => r.prompt),
      [
        [{ role: 'user', content: 'Sort the list.\n\n[3, 1, 2]' }],
        [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Say hi.' },
        ],
        [{ role: 'user', content: 'No input key.' }],
      ],
    );
    assert.deepEqual(
      records.map((r) => r.id),
      [`${f}:1`, `${f}:2`, `${f}:3`],
    );
    assert.equal(
      records.every((r) => r.preset === 'alpaca'),
      true,
    );
    assert.equal(quarantine.length, 1);
    assert.equal(quarantine[0]!.reason, 'wrong_type');
    assert.match(quarantine[0]!.error, /"input" must be a string, got number/);
  } finally {
    cleanup();
  }
});

test('magicoder: instruction/response (the shared data shape) and problem/solution', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'm.jsonl');
    writeFileSync(
      f,
      [j({ id: 7, instruction: 'Q', response: 'A', source: 's' }), j({ id: 8, problem: 'P', solution: 'S' })].join(
        '\n',
      ),
    );
    const { records, quarantine } = await collect([f]);
    assert.equal(quarantine.length, 0);
    assert.deepEqual(
      records.map((r) => [r.id, r.prompt[0]!.content, r.response, r.preset]),
      [
        ['7', 'Q', 'A', 'magicoder'],
        ['8', 'P', 'S', 'magicoder'],
      ],
    );
    assert.deepEqual(records[0]!.meta, { source: 's' });
  } finally {
    cleanup();
  }
});

test('messages: last assistant turn is the response, earlier turns the prompt; ShareGPT; errors', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'chat.jsonl');
    writeFileSync(
      f,
      [
        j({
          id: 'c1',
          messages: [
            { role: 'system', content: 'S' },
            { role: 'user', content: 'U1' },
            { role: 'assistant', content: 'A1' },
            { role: 'user', content: 'U2' },
            { role: 'assistant', content: 'A2' },
          ],
        }),
        j({
          id: 'c2',
          messages: [
            { role: 'user', content: 'U' },
            { role: 'assistant', content: 'A' },
            { role: 'user', content: 'thanks' },
          ],
        }),
        j({
          id: 'c3',
          conversations: [
            { from: 'human', value: 'H' },
            { from: 'gpt', value: 'G' },
          ],
        }),
        j({ id: 'c4', messages: [{ role: 'user', content: 'only a question' }] }),
        j({
          id: 'c5',
          messages: [
            { role: 'user', content: 'U' },
            { role: 'assistant', content: null },
          ],
        }),
        j({
          id: 'c6',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'part1 ' },
                { type: 'text', text: 'part2' },
              ],
            },
            { role: 'assistant', content: 'A' },
          ],
        }),
        j({ id: 'c7', messages: 'hello' }),
        j({
          id: 'c8',
          messages: [
            { role: 'user', content: 1 },
            { role: 'assistant', content: 'A' },
          ],
        }),
      ].join('\n'),
    );
    const { records, quarantine } = await collect([f]);
    assert.deepEqual(
      records.map((r) => r.id),
      ['c1', 'c2', 'c3', 'c6'],
    );
    assert.deepEqual(records[0]!.prompt, [
      { role: 'system', content: 'S' },
      { role: 'user', content: 'U1' },
      { role: 'assistant', content: 'A1' },
      { role: 'user', content: 'U2' },
    ]);
    assert.equal(records[0]!.response, 'A2');
    assert.equal(records[1]!.response, 'A');
    assert.deepEqual(records[1]!.meta, { dropped_turns: 1 });
    assert.deepEqual(records[2]!.prompt, [{ role: 'user', content: 'H' }]);
    assert.equal(records[2]!.response, 'G');
    assert.equal(records[3]!.prompt[0]!.content, 'part1 part2');
    assert.deepEqual(
      quarantine.map((q) => [q.id, q.reason]),
      [
        ['c4', 'missing_field'],
        ['c5', 'missing_field'],
        ['c7', 'wrong_type'],
        ['c8', 'wrong_type'],
      ],
    );
    assert.match(quarantine[0]!.error, /no assistant turn/);
  } finally {
    cleanup();
  }
});

test('auto-detection is per file from the first good record; an explicit preset overrides it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    // a: first line unrecognizable (quarantined, detection continues), then magicoder; a later alpaca-shaped row fails
    // magicoder
    writeFileSync(
      a,
      [j({ text: 'what' }), j({ instruction: 'Q', response: 'A' }), j({ instruction: 'Q2', output: 'O2' })].join('\n'),
    );
    writeFileSync(b, [j({ input: 'I', output: 'O' })].join('\n'));
    const auto = await collect([a, b]);
    assert.deepEqual(
      auto.records.map((r) => r.preset),
      ['magicoder', 'oci'],
    );
    assert.deepEqual(
      auto.quarantine.map((q) => [q.line, q.reason]),
      [
        [1, 'missing_field'],
        [3, 'missing_field'],
      ],
    );
    assert.match(auto.quarantine[0]!.error, /no preset matches the record's fields \[text\]/);
    assert.match(auto.quarantine[1]!.error, /missing field "response" \(preset magicoder\)/);

    // override: alpaca on file a → line 2 lacks output, line 3 is fine; file b lacks instruction
    const forced = await collect([a, b], { preset: 'alpaca' });
    assert.deepEqual(
      forced.records.map((r) => [r.source.line, r.preset, r.response]),
      [[3, 'alpaca', 'O2']],
    );
    assert.deepEqual(reasons(forced.quarantine), { missing_field: 3 });
    await assert.rejects(collect([a], { preset: 'sharegpt' as never }), /unknown preset "sharegpt"/);
  } finally {
    cleanup();
  }
});

test('missing and non-string required fields, and ids', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'fields.jsonl');
    writeFileSync(
      f,
      [
        j({ id: 'ok', input: 'I', output: 'O' }),
        j({ id: 'no-out', input: 'I', llm_judgement: '{}' }),
        j({ id: 'num-out', input: 'I', output: 42 }),
        j({ id: 'null-out', input: 'I', output: null }),
        j({ id: 'arr-in', input: ['I'], output: 'O' }),
        j({ id: { nested: 1 }, input: 'I', output: 'O' }),
        j({ id: 12.5, input: 'I', output: 'O' }),
        j({ id: '', input: 'I', output: 'O' }),
        j({ input: 'I', output: '' }),
      ].join('\n'),
    );
    const { records, quarantine } = await collect([f]);
    assert.deepEqual(
      records.map((r) => r.id),
      ['ok', '12.5', `${f}:8`, `${f}:9`],
    );
    assert.equal(records[3]!.response, '', 'an empty response is a record (the empty filter rejects it later)');
    assert.deepEqual(
      quarantine.map((q) => [q.id, q.line, q.reason]),
      [
        ['no-out', 2, 'missing_field'],
        ['num-out', 3, 'wrong_type'],
        ['null-out', 4, 'missing_field'],
        ['arr-in', 5, 'wrong_type'],
        [undefined, 6, 'wrong_type'],
      ],
    );
    assert.match(quarantine[1]!.error, /field "output" must be a string, got number \(preset oci\)/);
    assert.match(quarantine[3]!.error, /field "input" must be a string, got array/);
    assert.match(quarantine[4]!.error, /field "id" must be a string or a number, got object/);
  } finally {
    cleanup();
  }
});
