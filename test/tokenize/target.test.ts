import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  TargetTokenizer,
  checkRoundTrip,
  cpLength,
  cpSlice,
  resolveBundledTokenizer,
  responseSpanToText,
  ChatTemplate,
  type Encoded,
} from '../../src/tokenize/index.js';
import { CodeblockError } from '../../src/errors.js';

let qwen25: TargetTokenizer;
let qwen3: TargetTokenizer;

before(async () => {
  qwen25 = await TargetTokenizer.load('qwen2.5');
  qwen3 = await TargetTokenizer.load('qwen3');
});

/** Code points of s via the string iterator (independent of src/tokenize/codepoints.ts). */
const cps = (s: string) => Array.from(s);

test('Qwen2.5 chat template renders as HF apply_chat_template (hand-checked strings)', () => {
  const r = qwen25.renderConversation([{ role: 'user', content: 'Add 1 and 2.' }], 'x = 1 + 2');
  assert.equal(
    r.text,
    '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' +
      '<|im_start|>user\nAdd 1 and 2.<|im_end|>\n' +
      '<|im_start|>assistant\nx = 1 + 2<|im_end|>\n',
  );
  assert.equal(cpSlice(r.text, r.responseStart, r.responseEnd), 'x = 1 + 2');
  assert.equal(r.responseOffset, 0);
  // an explicit system message replaces the default one; multi-turn prompts keep every turn
  const r2 = qwen25.renderConversation(
    [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Q1' },
      { role: 'assistant', content: 'A1' },
      { role: 'user', content: 'Q2 😀' },
    ],
    'print("😀")\r\n',
  );
  assert.equal(
    r2.text,
    '<|im_start|>system\nBe terse.<|im_end|>\n<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n' +
      '<|im_start|>user\nQ2 😀<|im_end|>\n<|im_start|>assistant\nprint("😀")\r\n<|im_end|>\n',
  );
  assert.equal(cps(r2.text).slice(r2.responseStart, r2.responseEnd).join(''), 'print("😀")\r\n');
  assert.equal(
    qwen25.chatTemplate!.render([{ role: 'user', content: 'hi' }], true),
    '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' +
      '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n',
  );
});

test('Qwen3 chat template renders as HF apply_chat_template (empty think block on the final turn)', () => {
  const r = qwen3.renderConversation([{ role: 'user', content: 'Add 1 and 2.' }], 'x = 1 + 2');
  assert.equal(
    r.text,
    '<|im_start|>user\nAdd 1 and 2.<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nx = 1 + 2<|im_end|>\n',
  );
  assert.equal(cpSlice(r.text, r.responseStart, r.responseEnd), 'x = 1 + 2');
  // Qwen3's template lstrips leading newlines of the content: the offset mapping accounts for it
  const r2 = qwen3.renderConversation([{ role: 'user', content: 'q' }], '\n\ny = 2');
  assert.equal(
    r2.text,
    '<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\ny = 2<|im_end|>\n',
  );
  assert.equal(r2.responseOffset, 2);
  assert.equal(cpSlice(r2.text, r2.responseStart, r2.responseEnd), 'y = 2');
  // response spans map to text spans; the stripped part is clipped
  const sp = responseSpanToText(r2, 2, 3)!;
  assert.equal(cpSlice(r2.text, sp.start, sp.end), 'y');
  const clipped = responseSpanToText(r2, 0, 3)!;
  assert.equal(cpSlice(r2.text, clipped.start, clipped.end), 'y');
  assert.equal(responseSpanToText(r2, 0, 2), undefined);
  // a response with its own reasoning block is re-framed by the template: refused, not mis-mapped
  assert.throws(
    () => qwen3.renderConversation([{ role: 'user', content: 'q' }], '<think>hm</think>\n\nz = 3'),
    (e: unknown) => e instanceof CodeblockError && e.code === 'E_TEMPLATE',
  );
  // the Qwen3-only added tokens exist in qwen3 and not in qwen2.5
  assert.equal(qwen3.tokenToId('<think>'), 151667);
  assert.equal(qwen25.tokenToId('<think>'), undefined);
  assert.equal(qwen25.vocabSize, 151665);
  assert.equal(qwen25.eosTokenId, 151645);
});

test('offsets are Unicode code points into the whole templated text (emoji, astral letters, CRLF)', async () => {
  const response = 'def f(𝒳):\r\n    return "😀 ok"  # café\r\n';
  const r = qwen25.renderConversation([{ role: 'user', content: 'Write 😀 code' }], response);
  const [e] = await qwen25.encodeBatch([r.text]);
  const chars = cps(r.text);
  assert.equal(cpLength(r.text), chars.length);
  const n = e!.ids.length;
  assert.equal(e!.offsets.length, 2 * n);
  let prevEnd = 0;
  for (let i = 0; i < n; i++) {
    const s = e!.offsets[2 * i]!;
    const t = e!.offsets[2 * i + 1]!;
    assert.ok(s >= 0 && s <= t && t <= chars.length, `token ${i} [${s},${t}) within text`);
    assert.ok(s >= prevEnd || s === e!.offsets[2 * i - 2], `token ${i} does not go back`);
    prevEnd = t;
  }
  // the tokens cover the text end to end, and each token's slice of the code points decodes to itself
  assert.equal(e!.offsets[2 * n - 1], chars.length);
  const byText = new Map<string, number>();
  for (let i = 0; i < n; i++) byText.set(chars.slice(e!.offsets[2 * i]!, e!.offsets[2 * i + 1]!).join(''), i);
  assert.ok(byText.has('\r\n'), 'CRLF is one token spanning two code points');
  assert.ok(byText.has(' 😀') || byText.has('😀'), 'the emoji is one code point in the offsets');
  // 𝒳 is split by byte-level BPE into two tokens carrying the same one-code-point range
  const x = chars.indexOf('𝒳');
  const onX = [];
  for (let i = 0; i < n; i++) if (e!.offsets[2 * i] === x && e!.offsets[2 * i + 1] === x + 1) onX.push(i);
  assert.equal(onX.length, 2);
  // decoding everything gives the text back (Qwen normalizer is NFC; this text is already NFC)
  assert.equal(await qwen25.decode(e!.ids), r.text);
  // one tokenization of the whole conversation: the response tokens are the ones inside its range
  const inResp = [];
  for (let i = 0; i < n; i++)
    if (e!.offsets[2 * i]! >= r.responseStart && e!.offsets[2 * i + 1]! <= r.responseEnd) inResp.push(e!.ids[i]!);
  assert.equal(await qwen25.decode(inResp), response);
});

/** TS reference of the boundary rule (strict majority of code points, first token never). */
function majorityLabels(enc: Encoded, spans: { start: number; end: number }[]): Int32Array {
  const labels = new Int32Array(enc.ids.length).fill(-100);
  for (let i = 1; i < enc.ids.length; i++) {
    const s = enc.offsets[2 * i]!;
    const e = enc.offsets[2 * i + 1]!;
    let inside = 0;
    for (let k = s; k < e; k++) if (spans.some((sp) => k >= sp.start && k < sp.end)) inside++;
    if (e > s && 2 * inside > e - s) labels[i] = enc.ids[i]!;
  }
  return labels;
}

test('round-trip helper: supervised tokens decode to the selected text; mask errors are reported', async () => {
  const response = 'Here:\n```python\nvalue = compute(𝒳, "😀")\r\nprint(value)\n```\n';
  const r = qwen25.renderConversation([{ role: 'user', content: 'go' }], response);
  const [enc] = await qwen25.encodeBatch([r.text]);
  const stmt = 'value = compute(𝒳, "😀")\r\n';
  const at = cps(response).join('').indexOf(stmt); // UTF-16 index → code point index below
  const start = r.responseStart + cpLength(response.slice(0, at));
  const spans = [{ start, end: start + cpLength(stmt) }];
  const labels = majorityLabels(enc!, spans);
  const res = await checkRoundTrip(qwen25, { text: r.text, ids: enc!.ids, offsets: enc!.offsets, labels, spans });
  assert.deepEqual(res.problems, []);
  assert.equal(res.ok, true);
  assert.ok(res.supervised > 0);
  assert.equal(res.runs.map((x) => x.decoded).join(''), res.runs.map((x) => x.expected).join(''));
  assert.ok(
    res.runs
      .map((x) => x.decoded)
      .join('')
      .includes('compute(𝒳, "😀")'),
  );
  // drop one supervised token → reported as a token with a majority that is not supervised
  const holes = labels.slice();
  const firstSup = holes.findIndex((v) => v !== -100);
  holes[firstSup + 1] = -100;
  const bad = await checkRoundTrip(qwen25, {
    text: r.text,
    ids: enc!.ids,
    offsets: enc!.offsets,
    labels: holes,
    spans,
  });
  assert.equal(bad.ok, false);
  assert.match(bad.problems.join('\n'), /not supervised/);
  // supervise the first token of the sample → reported
  const first = labels.slice();
  first[0] = enc!.ids[0]!;
  assert.match(
    (
      await checkRoundTrip(qwen25, { text: r.text, ids: enc!.ids, offsets: enc!.offsets, labels: first, spans })
    ).problems.join('\n'),
    /first token/,
  );
  // supervise half of a split character → it cannot decode to the text it covers
  const xAt = cps(r.text).indexOf('𝒳');
  const halves = [];
  for (let i = 0; i < enc!.ids.length; i++) if (enc!.offsets[2 * i] === xAt) halves.push(i);
  const split = new Int32Array(enc!.ids.length).fill(-100);
  split[halves[1]!] = enc!.ids[halves[1]!]!;
  const sres = await checkRoundTrip(qwen25, {
    text: r.text,
    ids: enc!.ids,
    offsets: enc!.offsets,
    labels: split,
    spans: [{ start: xAt, end: xAt + 1 }],
  });
  assert.match(sres.problems.join('\n'), /decode to/);
  // a shifted label (the next token's id) is caught
  const shifted = labels.slice();
  shifted[firstSup] = enc!.ids[firstSup + 1]!;
  assert.match(
    (
      await checkRoundTrip(qwen25, { text: r.text, ids: enc!.ids, offsets: enc!.offsets, labels: shifted, spans })
    ).problems.join('\n'),
    /neither -100/,
  );
});

test('round-trip modulo NFC: a decomposed accent composed by the normalizer still round-trips', async () => {
  const text = 'x = "cafe\u0301" + y';
  const enc = await qwen25.encode(text);
  const chars = cps(text);
  const accent = chars.indexOf('\u0301');
  // the normalizer composes e + U+0301 into é: the combining mark gets no offset of its own
  for (let i = 0; i < enc.ids.length; i++)
    assert.ok(!(enc.offsets[2 * i]! <= accent && accent < enc.offsets[2 * i + 1]!));
  // select up to and including the accent: the run ends on the token before the uncovered mark
  const spans = [{ start: 0, end: accent + 1 }];
  const labels = majorityLabels(enc, spans);
  const res = await checkRoundTrip(qwen25, { text, ids: enc.ids, offsets: enc.offsets, labels, spans });
  assert.deepEqual(res.problems, []);
  assert.equal(res.runs.length, 1);
  assert.equal(res.runs[0]!.charEnd, accent + 1);
  assert.equal(res.runs[0]!.decoded, qwen25.normalize(cpSlice(text, res.runs[0]!.charStart, accent + 1)));
  assert.ok(res.runs[0]!.decoded.endsWith('caf\u00e9'));
});

test('template none: prompt turns + "\\n" + response, no chat markup', async () => {
  const plain = await TargetTokenizer.load('qwen2.5', { template: 'none' });
  const r = plain.renderConversation([{ role: 'user', content: 'Q 😀' }], 'A\r\n');
  assert.equal(r.text, 'Q 😀\nA\r\n');
  assert.equal(r.responseStart, 4);
  assert.equal(r.responseEnd, 7);
  assert.equal(plain.description.template, 'none');
  assert.equal(plain.renderConversation([], 'only').text, 'only');
});

test('tokenizer.json path + template file; strftime_now is pinned; errors are one-line CodeblockErrors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-tok-'));
  try {
    const preset = resolveBundledTokenizer('qwen3');
    const tj = join(dir, 'tokenizer.json');
    copyFileSync(preset.tokenizerJson, tj);
    // no tokenizer_config.json beside it: 'auto' cannot find a template
    await assert.rejects(
      () => TargetTokenizer.load(tj),
      (e: unknown) => e instanceof CodeblockError && /--template none/.test(e.message),
    );
    const jinja = join(dir, 't.jinja');
    writeFileSync(
      jinja,
      "{{ strftime_now('%d %b %Y') }}|{% for m in messages %}<{{ m.role }}>{{ m.content | trim }}</{{ m.role " +
        '}}>{% endfor %}',
    );
    const tok = await TargetTokenizer.load(dir, { template: jinja });
    const r = tok.renderConversation([{ role: 'user', content: 'hi' }], '  padded answer\n');
    assert.equal(r.text, '26 Jul 2024|<user>hi</user><assistant>padded answer</assistant>');
    assert.equal(r.responseOffset, 2);
    assert.equal(cpSlice(r.text, r.responseStart, r.responseEnd), 'padded answer');
    const dated = new ChatTemplate("{{ strftime_now('%Y-%m-%d') }}", { templateDate: '2025-01-31' });
    assert.equal(dated.render([]), '2025-01-31');
    // bad inputs
    await assert.rejects(() => TargetTokenizer.load('no-such-preset-or-file'), CodeblockError);
    const garbage = join(dir, 'bad', 'tokenizer.json');
    rmSync(join(dir, 'bad'), { recursive: true, force: true });
    writeFileSync(join(dir, 'bad.json'), '{"not": "a tokenizer"}');
    await assert.rejects(() => TargetTokenizer.load(join(dir, 'bad.json'), { template: 'none' }), CodeblockError);
    void garbage;
    await assert.rejects(() => TargetTokenizer.load(tj, { template: join(dir, 'missing.jinja') }), CodeblockError);
    assert.throws(() => new ChatTemplate('{% if %}'), CodeblockError);
    assert.throws(() => tok.renderConversation([{ role: 'user', content: 'q' }], ''), CodeblockError);
    assert.throws(() => tok.renderConversation('q' as never, 'a'), TypeError);
    await assert.rejects(() => tok.encodeBatch([1 as never]), TypeError);
    const failing = new ChatTemplate("{{ raise_exception('no system role') }}");
    assert.throws(() => failing.render([]), /no system role/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('renderAndEncode batches conversations; identical input gives identical ids', async () => {
  const convs = [
    { prompt: [{ role: 'user', content: 'a' }], response: 'b = 1' },
    { prompt: [{ role: 'user', content: 'c 😀' }], response: 'd = "😀"\r\n' },
  ];
  const one = await qwen25.renderAndEncode(convs);
  const two = await qwen25.renderAndEncode(convs);
  assert.equal(one.length, 2);
  assert.deepEqual(one, two);
  for (const c of one) assert.equal(c.offsets.length, 2 * c.ids.length);
  assert.deepEqual(await qwen25.encodeBatch([]), []);
  // settle: a conversation the template cannot frame is returned as { error } in its slot
  const settled = await qwen3.renderAndEncode(
    [convs[0]!, { prompt: [{ role: 'user', content: 'q' }], response: '<think>r</think>\n\nx = 1' }, convs[1]!],
    { settle: true },
  );
  assert.ok('error' in settled[1]! && settled[1].error.code === 'E_TEMPLATE');
  assert.deepEqual(settled[2], (await qwen3.renderAndEncode([convs[1]!]))[0]);
  await assert.rejects(() => qwen3.renderAndEncode([{ prompt: [], response: '<think>r</think>x' }]), CodeblockError);
});

test('the tokenizer loads and encodes identically inside a worker thread', async () => {
  const src = `
    import { parentPort, workerData } from 'node:worker_threads';
    const { TargetTokenizer } = await \
import(${JSON.stringify(new URL('../../src/tokenize/index.js', import.meta.url).href)});
    const tok = await TargetTokenizer.load('qwen2.5');
    const r = tok.renderConversation(workerData.prompt, workerData.response);
    const e = await tok.encode(r.text);
    parentPort.postMessage({ text: r.text, ids: Array.from(e.ids), offsets: Array.from(e.offsets) });
  `;
  const prompt = [{ role: 'user', content: 'q 😀' }];
  const response = 'x = "𝒳"\r\n';
  const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(src)}`), {
    workerData: { prompt, response },
  });
  const got = await new Promise<{ text: string; ids: number[]; offsets: number[] }>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  await w.terminate();
  const r = qwen25.renderConversation(prompt, response);
  const e = await qwen25.encode(r.text);
  assert.deepEqual(got, { text: r.text, ids: Array.from(e.ids), offsets: Array.from(e.offsets) });
});
