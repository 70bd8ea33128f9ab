/**
 * analyze writes each analysis record with one JSON.stringify call, its keys built in sorted order at every
 * level (src/pipeline/analyze.ts commitPart). The files must still hold exactly what stableStringify writes —
 * the canonical form select, resume and the integrity check rely on. Every line of real analyses (the LM
 * scorer with --ifd and MinHash signatures; --pair-filter off with deferred item rejections; prompts with
 * system turns) is held to stableStringify(JSON.parse(line)), so a field added out of order fails here. And
 * sortedMessage, which orders the prompt's messages, against the plain definition.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sortedMessage, stableStringify } from '../../src/analysis/format.js';
import type { ChatMessage } from '../../src/types.js';
import { SHARED_DATA, cliOk } from '../helpers/cli.js';

let work = '';
before(() => {
  work = mkdtempSync(join(tmpdir(), 'cb-canonical-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

function head(file: string, n: number): string {
  const lines = readFileSync(join(SHARED_DATA, file), 'utf8').split('\n').filter(Boolean).slice(0, n);
  const out = join(work, `head-${n}-${file}`);
  writeFileSync(out, `${lines.join('\n')}\n`);
  return out;
}

/** Every records line of an analysis directory. */
function recordLines(dir: string): string[] {
  const lines: string[] = [];
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.records.jsonl.gz')) continue;
    const text = gunzipSync(readFileSync(join(e.parentPath ?? e.path, e.name))).toString('utf8');
    lines.push(...text.split('\n').filter(Boolean));
  }
  return lines;
}

function assertCanonical(dir: string, expect: (rec: Record<string, unknown>) => void): number {
  const lines = recordLines(dir);
  assert.ok(lines.length > 0, `no records in ${dir}`);
  for (const line of lines) {
    const rec = JSON.parse(line) as Record<string, unknown>;
    assert.equal(line, stableStringify(rec), `not canonical: ${line.slice(0, 160)}`);
    expect(rec);
  }
  return lines.length;
}

test('LM-scored analysis with --ifd and MinHash: every line canonical', () => {
  const out = join(work, 'scored');
  cliOk(['analyze', head('humaneval-markdown.jsonl', 40), '-o', out, '--ifd', '--dedup', 'minhash', '--no-progress']);
  let withIfd = 0;
  let withMinhash = 0;
  const n = assertCanonical(out, (r) => {
    if ('ifd' in r) withIfd++;
    if (typeof r.minhash === 'string') withMinhash++;
  });
  assert.equal(withIfd, n, 'every record carries its IFD');
  assert.equal(withMinhash, n, 'every record carries its MinHash signature');
});

test('--pair-filter off (item rejections kept on the record): every line canonical', () => {
  const out = join(work, 'unfiltered');
  cliOk(['analyze', head('evol-instruct-code-r1.jsonl', 300), '-o', out, '--pair-filter', 'off']);
  cliOk(['analyze', head('evol-instruct-code-r1.jsonl', 300), '-o', out, '--pair-filter', 'off', '--resume']);
  let rejected = 0;
  assertCanonical(out, (r) => {
    if (r.itemReject) rejected++;
  });
  assert.ok(rejected > 0, 'the pool has records item modes reject (prose-only answers)');
});

test('sortedMessage orders keys as stableStringify does, nested values included', () => {
  const cases: ChatMessage[] = [
    { role: 'user', content: 'hi' },
    { content: 'already sorted', role: 'assistant' },
    { role: 'tool', content: 'x', name: 'f', tool_call_id: '7' } as ChatMessage,
    { role: 'user', content: 'y', meta: { z: 1, a: [{ q: 1, b: 2 }] } } as unknown as ChatMessage,
  ];
  for (const m of cases) {
    const s = sortedMessage(m);
    assert.equal(JSON.stringify(s), stableStringify(m));
    assert.deepEqual(JSON.parse(JSON.stringify(s)), JSON.parse(stableStringify(m)));
  }
});
