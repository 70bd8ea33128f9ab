/**
 * Issue #27, "the pools people have": TRL's prompt-completion layout (standard: strings; conversational: message
 * lists) is auto-detected (the `trl` preset), and `--fields` maps any other field names. Acceptance: copies of
 * ../shared/data/evol-instruct-code-r1.jsonl in those layouts (written here into a temp dir) give the same packs,
 * input_ids and labels, as the original (magicoder layout), with no flag for TRL and with `--fields` for a
 * question/answer copy (JSONL and Parquet).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { loadPacks } from '../../src/index.js';
import { detectPreset } from '../../src/io/index.js';
import { parseFields } from '../../src/io/presets.js';
import { cli, FAST_ANALYZE, SHARED_DATA } from '../helpers/cli.js';
import { collect, reasons, tempDir } from './helpers.js';

const EVOL = join(SHARED_DATA, 'evol-instruct-code-r1.jsonl');
const j = (o: unknown): string => JSON.stringify(o);

interface Rec {
  id: string;
  instruction: string;
  response: string;
  [k: string]: unknown;
}

function original(): Rec[] {
  return readFileSync(EVOL, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Rec);
}

/** Copy with the prompt and response under other names, every other field as it is. */
function relayout(recs: Rec[], f: (ins: string, resp: string) => Record<string, unknown>): string {
  const lines = recs.map(({ instruction, response, ...rest }) => j({ ...rest, ...f(instruction, response) }));
  return `${lines.join('\n')}\n`;
}

/** `codeblock run` (no scorer, bin output) → the packs' input_ids and labels, and the manifest. */
async function packsOf(input: string, out: string, extra: string[] = []) {
  const r = cli(['run', input, '-o', out, '--format', 'bin', ...FAST_ANALYZE, ...extra]);
  assert.equal(r.status, 0, r.stderr);
  const ids: number[] = [];
  const labels: number[] = [];
  for await (const b of loadPacks(out, { batchSize: 16, format: 'bin' })) {
    ids.push(...b.input_ids);
    labels.push(...b.labels);
  }
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  return { ids, labels, counts: manifest.counts, packs: manifest.packing.packs as number };
}

test('TRL layouts (strings, message lists) and --fields copies of evol-instruct-code-r1 give its packs', async () => {
  const { dir, cleanup } = tempDir('codeblock-trl-');
  try {
    const recs = original();
    const std = join(dir, 'trl-standard.jsonl');
    const conv = join(dir, 'trl-conversational.jsonl');
    const qa = join(dir, 'question-answer.jsonl');
    const qaPq = join(dir, 'question-answer.parquet');
    writeFileSync(
      std,
      relayout(recs, (p, c) => ({ prompt: p, completion: c })),
    );
    writeFileSync(
      conv,
      relayout(recs, (p, c) => ({
        prompt: [{ role: 'user', content: p }],
        completion: [{ role: 'assistant', content: c }],
      })),
    );
    writeFileSync(
      qa,
      relayout(recs, (p, c) => ({ question: p, answer: c })),
    );
    parquetWriteFile({
      filename: qaPq,
      columnData: [
        { name: 'id', data: recs.map((r) => r.id), type: 'STRING' },
        { name: 'question', data: recs.map((r) => r.instruction), type: 'STRING' },
        { name: 'answer', data: recs.map((r) => r.response), type: 'STRING' },
      ],
      rowGroupSize: 500,
    });

    const want = await packsOf(EVOL, join(dir, 'out-original'));
    assert.equal(want.counts.input, recs.length);
    assert.ok(want.counts.selected > 100 && want.packs > 10, j(want.counts));
    assert.ok(want.labels.some((l) => l !== -100));
    const runs: [string, string, string[]][] = [
      ['TRL standard', std, []],
      ['TRL conversational', conv, []],
      ['--fields JSONL', qa, ['--fields', 'prompt=question,response=answer']],
      ['--fields Parquet', qaPq, ['--fields', 'prompt=question,response=answer']],
    ];
    for (const [what, input, flags] of runs) {
      const got = await packsOf(input, join(dir, `out-${what.replace(/\W+/g, '-')}`), flags);
      assert.deepEqual(got.counts, want.counts, what);
      assert.equal(got.packs, want.packs, what);
      assert.ok(got.ids.length === want.ids.length && got.ids.every((t, i) => t === want.ids[i]), `${what}: input_ids`);
      assert.ok(
        got.labels.length === want.labels.length && got.labels.every((t, i) => t === want.labels[i]),
        `${what}: labels`,
      );
    }
    // Without the mapping the question/answer copy matches no preset: a wrong input, refused in one line that
    // names the fields found and --fields (src/io/shape.ts), exit 1, no output written.
    const r = cli(['run', qa, '-o', join(dir, 'out-unmapped'), ...FAST_ANALYZE]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /question/);
    assert.match(r.stderr, /--fields/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(!existsSync(join(dir, 'out-unmapped', 'manifest.json')));
  } finally {
    cleanup();
  }
});

test('trl preset: detection, message lists, one-line errors per record', async () => {
  assert.equal(detectPreset({ prompt: 'q', completion: 'a' }), 'trl');
  assert.equal(detectPreset({ prompt: [], completion: [] }), 'trl');
  assert.equal(detectPreset({ prompt: 'q' }), undefined); // TRL prompt-only data has nothing to supervise
  assert.equal(detectPreset({ messages: [], prompt: 'q', completion: 'a' }), 'messages');
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'trl.jsonl');
    const sys = { role: 'system', content: 'be brief' };
    writeFileSync(
      f,
      [
        j({ id: 's', prompt: 'q1', completion: 'a1', system: 'top' }),
        j({
          id: 'c',
          prompt: [sys, { role: 'user', content: 'q2' }],
          completion: [{ role: 'assistant', content: 'a2' }],
        }),
        j({
          id: 'multi',
          prompt: [{ role: 'user', content: 'q3' }],
          completion: [
            { role: 'assistant', content: 'call' },
            { role: 'tool', content: 'out' },
            { role: 'assistant', content: 'a3' },
            { role: 'user', content: 'thanks' },
          ],
        }),
        j({ id: 'mixed', prompt: 'q', completion: [{ role: 'assistant', content: 'a' }] }),
        j({ id: 'noasst', prompt: [{ role: 'user', content: 'q' }], completion: [{ role: 'user', content: 'a' }] }),
        j({ id: 'num', prompt: 'q', completion: 7 }),
        j({ id: 'null', prompt: 'q', completion: null }),
      ].join('\n'),
    );
    const got = await collect([f]);
    const byId = Object.fromEntries(got.records.map((r) => [r.id, r]));
    assert.deepEqual(Object.keys(byId).sort(), ['c', 'multi', 's']);
    assert.deepEqual(byId.s!.prompt, [
      { role: 'system', content: 'top' },
      { role: 'user', content: 'q1' },
    ]);
    assert.equal(byId.s!.response, 'a1');
    assert.equal(byId.s!.preset, 'trl');
    assert.deepEqual(byId.c!.prompt, [sys, { role: 'user', content: 'q2' }]);
    assert.equal(byId.c!.response, 'a2');
    assert.deepEqual(
      byId.multi!.prompt.map((t) => t.content),
      ['q3', 'call', 'out'],
    );
    assert.equal(byId.multi!.response, 'a3');
    assert.equal(byId.multi!.meta.dropped_turns, 1);
    assert.deepEqual(reasons(got.quarantine), { wrong_type: 2, missing_field: 2 });
    const err = Object.fromEntries(got.quarantine.map((q) => [q.id, q.error]));
    assert.match(err.mixed!, /both be strings or both be message lists/);
    assert.equal(err.noasst, 'no assistant turn in "completion" (preset trl)');
    assert.equal(err.num, 'field "completion" must be a string or a list of messages, got number (preset trl)');
    assert.equal(err.null, 'missing field "completion" (preset trl)');
  } finally {
    cleanup();
  }
});

test('--fields: the grammar, checked in one place; a record without a mapped field is quarantined', async () => {
  assert.deepEqual(parseFields('prompt=question,response=answer'), { prompt: 'question', response: 'answer' });
  assert.deepEqual(parseFields(' messages = dialog , id=uid'), { messages: 'dialog', id: 'uid' });
  assert.equal(parseFields(undefined), undefined);
  const bad: [string, RegExp][] = [
    ['prompt', /"prompt" is not ROLE=FIELD/],
    ['question=prompt,response=answer', /unknown role "question" \(roles: prompt, response, messages, system, id\)/],
    ['prompt=,response=a', /role "prompt" needs a field name/],
    ['prompt=a,prompt=b,response=c', /role "prompt" given twice/],
    ['prompt=a,response=a', /field "a" given for two roles/],
    ['prompt=q', /"prompt" and "response" go together/],
    ['messages=m,prompt=q,response=a', /"messages" excludes "prompt" and "response"/],
  ];
  for (const [spec, re] of bad) assert.throws(() => parseFields(spec), re, spec);

  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'qa.jsonl');
    writeFileSync(
      f,
      [
        j({ uid: 'a', question: 'q1', answer: 'a1', prompt: 'not this one' }),
        j({ uid: 'b', question: 'q2' }),
        j({ uid: 'c', dialog: [] }),
      ].join('\n'),
    );
    const got = await collect([f], { fields: 'prompt=question,response=answer,id=uid' });
    assert.deepEqual(
      got.records.map((r) => [r.id, r.preset, r.prompt, r.response]),
      [['a', 'trl', [{ role: 'user', content: 'q1' }], 'a1']],
    );
    assert.deepEqual(
      got.quarantine.map((q) => [q.id, q.reason, q.error]),
      [
        ['b', 'missing_field', 'missing field "answer" (--fields prompt=question,response=answer,id=uid)'],
        ['c', 'missing_field', 'missing field "question", "answer" (--fields prompt=question,response=answer,id=uid)'],
      ],
    );
    // messages-like fields: a renamed chat list reads as the messages preset
    const m = join(dir, 'dialog.jsonl');
    writeFileSync(
      m,
      j({
        dialog: [
          { from: 'human', value: 'hi' },
          { from: 'gpt', value: 'yo' },
        ],
      }),
    );
    const got2 = await collect([m], { fields: 'messages=dialog' });
    assert.equal(got2.records[0]!.preset, 'messages');
    assert.equal(got2.records[0]!.response, 'yo');

    // CLI: a bad mapping, or one that contradicts --preset, is one line and exit 2, before any work
    const out = join(dir, 'out');
    for (const flags of [
      ['--fields', 'prompt=question'],
      ['--fields', 'prompt=question,response=answer', '--preset', 'oci'],
    ]) {
      const r = cli(['run', f, '-o', out, ...FAST_ANALYZE, ...flags]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^codeblock: --fields[: ]/);
    }
    // Parquet: a mapped column the file lacks fails the schema check for every row
    const pq = join(dir, 'qa.parquet');
    parquetWriteFile({ filename: pq, columnData: [{ name: 'question', data: ['q'], type: 'STRING' }] });
    const got3 = await collect([pq], { fields: 'prompt=question,response=answer' });
    assert.equal(got3.quarantine.length, 1);
    assert.match(got3.quarantine[0]!.error, /lacks column "answer" named by --fields prompt=question,response=answer/);
  } finally {
    cleanup();
  }
});
