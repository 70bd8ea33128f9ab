/**
 * EncodingSpill (select's pass-A encodings on disk for pass B): what comes back equals what the tokenizer made —
 * ids, offsets (the compact int16/uint16 form and the int32 fallback) and the conversation rendered again — for
 * real text with multi-byte characters, CRLF and long lines, for any subsequence of the spilled records, across
 * write-buffer flushes; out-of-order use is an internal error, never a wrong answer.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TargetTokenizer } from '../../src/tokenize/index.js';
import { encodeChunk } from '../../src/pipeline/encoded-chunks.js';
import { EncodingSpill } from '../../src/pipeline/encoding-spill.js';
import type { AnalysisRecord } from '../../src/analysis/format.js';
import { mulberry32 } from '../../src/util/random.js';

let tok: TargetTokenizer;
let dir: string;
before(async () => {
  tok = await TargetTokenizer.load('qwen2.5');
  dir = mkdtempSync(join(tmpdir(), 'cb-encspill-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const DATA = resolve(process.cwd(), '..', 'shared', 'data', 'evol-instruct-code-r1.jsonl');

const rec = (ordinal: number, prompt: string, response: string): AnalysisRecord =>
  ({ ordinal, id: `r${ordinal}`, prompt: [{ role: 'user', content: prompt }], response }) as AnalysisRecord;

function records(): AnalysisRecord[] {
  const out: AnalysisRecord[] = [
    rec(0, 'q', 'x = 1  # é😀\r\nprint(x)\n'),
    rec(1, 'emoji', '😀'.repeat(300)),
    rec(2, 'long line', `s = "${'a'.repeat(70_000)}"`), // one token's gap or length may pass 16 bits
    rec(3, 'empty-ish', ' '),
  ];
  if (existsSync(DATA)) {
    const lines = readFileSync(DATA, 'utf8').split('\n').filter(Boolean).slice(0, 300);
    lines.forEach((l, i) => {
      const j = JSON.parse(l) as Record<string, unknown>;
      const prompt = String(j.instruction ?? j.prompt ?? j.input ?? '');
      const response = String(j.output ?? j.response ?? j.completion ?? '');
      if (response.trim()) out.push(rec(10 + 3 * i, prompt, response));
    });
  }
  return out;
}

test('EncodingSpill gives back every encoding exactly, for any subsequence, compact or wide', async () => {
  const recs = records();
  const encs = await encodeChunk(tok, recs);
  const spill = new EncodingSpill(join(dir, 'a.spill'));
  for (let i = 0; i < recs.length; i++) spill.push(recs[i]!.ordinal, encs[i]!);
  assert.equal(spill.size, recs.length);
  const tokens = encs.reduce((a, e) => a + e.ids.length, 0);
  // 8 bytes per token, 12 for a sample whose offsets need int32
  assert.ok(spill.bytes >= 8 * tokens && spill.bytes <= 12 * tokens, `${spill.bytes} bytes for ${tokens} tokens`);
  const wide = encs.some((e) => {
    for (let t = 0; t < e.ids.length; t++) if (e.offsets[2 * t + 1]! - e.offsets[2 * t]! > 65535) return true;
    return false;
  });
  const rnd = mulberry32(7);
  const want: number[] = [];
  for (let i = 0; i < recs.length; i++) if (i < 4 || rnd() < 0.4) want.push(i);
  // taken in chunks of varying size, skipping the others (as pass B skips unreachable samples)
  let at = 0;
  while (at < want.length) {
    const n = 1 + Math.floor(rnd() * 40);
    const idx = want.slice(at, at + n);
    const got = spill.take(
      tok,
      idx.map((i) => recs[i]!),
    );
    for (let j = 0; j < idx.length; j++) assert.deepEqual(got[j], encs[idx[j]!], `record ${recs[idx[j]!]!.ordinal}`);
    at += n;
  }
  spill.close();
  assert.ok(statSync(join(dir, 'a.spill')).size === spill.bytes);
  if (!wide) assert.ok(spill.bytes < 12 * tokens, 'compact offsets used');
  assert.ok(recs.length > 200 || !existsSync(DATA), `${recs.length} records`);
});

test('EncodingSpill: offsets beyond 16 bits (gap, length) and overlapping tokens take the int32 form', () => {
  const spill = new EncodingSpill(join(dir, 'w.spill'));
  const r = [rec(1, 'a', 'x'), rec(2, 'b', 'y'), rec(3, 'c', 'z')];
  const encs = [
    // gaps +99,999 and −100,002
    { ids: Int32Array.from([1, 2, 3]), offsets: Int32Array.from([0, 1, 100_000, 100_002, 5, 6]) },
    { ids: Int32Array.from([4, 5]), offsets: Int32Array.from([0, 70_000, 70_000, 70_001]) }, // length 70,000
    { ids: Int32Array.from([6, 7, 8]), offsets: Int32Array.from([0, 3, 1, 2, 2, 2]) }, // overlap, empty token
  ];
  encs.forEach((e, i) => spill.push(r[i]!.ordinal, e));
  assert.equal(spill.bytes, 12 * 3 + 12 * 2 + 8 * 3);
  const got = spill.take(tok, r);
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(got[i]!.ids, encs[i]!.ids);
    assert.deepEqual(got[i]!.offsets, encs[i]!.offsets);
    assert.equal(got[i]!.text, tok.renderConversation(r[i]!.prompt, r[i]!.response).text);
  }
  spill.close();
});

test('EncodingSpill refuses out-of-order pushes and records it never had', async () => {
  const recs = [rec(5, 'a', 'a = 1'), rec(9, 'b', 'b = 2')];
  const encs = await encodeChunk(tok, recs);
  const spill = new EncodingSpill(join(dir, 'b.spill'));
  spill.push(5, encs[0]!);
  assert.throws(() => spill.push(5, encs[1]!), /out of order/);
  spill.push(9, encs[1]!);
  assert.throws(() => spill.take(tok, [rec(7, 'c', 'c = 3')]), /no spilled encoding for record 7/);
  spill.close();
});
