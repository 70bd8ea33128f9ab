import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { PACKAGE_ROOT } from '../../src/native.js';
import { CodeblockError } from '../../src/errors.js';
import { Scorer, itemUtilities, planBatches, LOGPROBS_OUTPUT, type RecordScores } from '../../src/scoring/index.js';

const FIX = join(PACKAGE_ROOT, 'test', 'fixtures', 'scoring');
const TINY = join(FIX, 'tiny-kv');
const DEFAULT = join(PACKAGE_ROOT, 'models', 'default');
const DATA = resolve(PACKAGE_ROOT, '..', 'shared', 'data');
let tmp: string;
let cacheDir: string;
let def: Scorer;
let tiny: Scorer;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'codeblock-scoring-'));
  cacheDir = join(tmp, 'cache');
  def = await Scorer.open(DEFAULT, { cacheDir, threads: 1 });
  tiny = await Scorer.open(TINY, { cacheDir, threads: 1 });
});
after(async () => {
  await def?.close();
  await tiny?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const cps = (s: string) => [...s];

/** log-softmax of the full logits in float64, gathered at the next token: the unfused truth. */
function logprobsFromLogits(logits: Float32Array, dims: readonly number[], rows: number[][], T: number): Float64Array {
  const [B, TT, V] = dims as [number, number, number];
  assert.equal(TT, T);
  const out = new Float64Array(B * (T - 1));
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T - 1; t++) {
      const base = (b * T + t) * V;
      let mx = -Infinity;
      for (let v = 0; v < V; v++) mx = Math.max(mx, logits[base + v]!);
      let s = 0;
      for (let v = 0; v < V; v++) s += Math.exp(logits[base + v]! - mx);
      const next = rows[b]![t + 1] ?? 0;
      out[b * (T - 1) + t] = logits[base + next]! - mx - Math.log(s);
    }
  }
  return out;
}

async function checkFusedEqualsLogSoftmax(scorer: Scorer, rawModel: string, rows: number[][]) {
  const T = Math.max(...rows.map((r) => r.length));
  const fused = await scorer.runBatch(rows, T);
  const raw = await ort.InferenceSession.create(rawModel);
  try {
    const feeds = scorer.buildFeeds(rows, T);
    const out = await raw.run(feeds, ['logits']);
    const t = out.logits as ort.Tensor;
    const truth = logprobsFromLogits(t.data as Float32Array, t.dims, rows, T);
    let maxErr = 0;
    for (let b = 0; b < rows.length; b++) {
      for (let t2 = 0; t2 < rows[b]!.length - 1; t2++) {
        maxErr = Math.max(maxErr, Math.abs(fused[b * (T - 1) + t2]! - truth[b * (T - 1) + t2]!));
      }
    }
    assert.ok(maxErr < 1e-4, `max |fused - logsoftmax(logits)| = ${maxErr}`);
  } finally {
    await raw.release();
  }
}

test('fused head (Node rewrite, KV-cache model with external data) equals log-softmax of the full logits', async () => {
  assert.equal(tiny.model.origin === 'fused' || tiny.model.origin === 'cache-hit', true);
  const rows = [
    [1, 50, 200, 7, 9, 33, 256, 12],
    [5, 6, 7],
    [255, 0, 128, 64, 32],
  ];
  await checkFusedEqualsLogSoftmax(tiny, join(TINY, 'model.onnx'), rows);
});

test('fused head on an opset-12 model (axes as attributes) equals log-softmax of the full logits', async () => {
  const op12 = await Scorer.open(join(FIX, 'tiny-op12'), { cacheDir });
  try {
    assert.equal(op12.model.info.opset, 12);
    await checkFusedEqualsLogSoftmax(op12, join(FIX, 'tiny-op12', 'model.onnx'), [
      [256, 104, 105, 33],
      [256, 10],
    ]);
    const {
      results: [r],
    } = await op12.scoreRecords([{ id: 'x', prompt: '', response: 'abc' }]);
    assert.deepEqual(r!.notes, []); // config bos_token_id gives the first token its context
    assert.ok([...r!.logprob].every(Number.isFinite));
  } finally {
    await op12.close();
  }
});

test('fused head (shipped default model) equals log-softmax of the full logits', async () => {
  assert.equal(def.model.origin, 'shipped');
  const enc = await def.tokenizer.encodeBatch(
    ['def add(a, b):\n    return a + b\n', 'import os\nprint(os.getcwd())', 'x = 1'],
    { addSpecialTokens: false },
  );
  const bos = (JSON.parse(readFileSync(join(DEFAULT, 'config.json'), 'utf8')) as { bos_token_id: number }).bos_token_id;
  const rows = enc.map((e) => [bos, ...e.getIds()]);
  await checkFusedEqualsLogSoftmax(def, join(DEFAULT, 'model.onnx'), rows);
});

test('fused graph is cached on disk keyed by the source sha256', async () => {
  const again = await Scorer.open(TINY, { cacheDir });
  try {
    assert.equal(again.model.origin, 'cache-hit');
    assert.equal(again.model.path, tiny.model.path);
    assert.ok(again.model.path.startsWith(join(cacheDir, 'fused')));
    assert.match(tiny.model.sourceSha256, /^[0-9a-f]{64}$/);
  } finally {
    await again.close();
  }
});

function loadRecords(file: string, n: number): { id: string; prompt: string; response: string }[] {
  const lines = readFileSync(join(DATA, file), 'utf8').split('\n').filter(Boolean).slice(0, n);
  return lines.map((l) => {
    const r = JSON.parse(l) as { id: string; instruction: string; response: string };
    return { id: r.id, prompt: r.instruction, response: r.response };
  });
}

/** Items for the comparison: every line of the response, whole line as core. */
function lineItems(response: string) {
  const items: { core: [number, number][] }[] = [];
  let pos = 0;
  for (const line of response.split('\n')) {
    const n = cps(line).length;
    if (n) items.push({ core: [[pos, pos + n]] });
    pos += n + 1;
  }
  return items;
}

test('a record scored alone and inside a padded batch gives the same utilities (1e-4)', async () => {
  const recs = [
    ...(existsSync(DATA) ? loadRecords('humaneval-markdown.jsonl', 6) : []),
    { id: 'emoji', prompt: 'Print a smiley 😀', response: 'print("😀")\n' },
    { id: 'short', prompt: '', response: 'x = 1' },
    { id: 'crlf', prompt: 'p', response: 'def f():\r\n    return 1\r\n' },
  ];
  for (const [scorer, name] of [
    [def, 'default'],
    [tiny, 'tiny-kv'],
  ] as const) {
    const batched = await Scorer.open(name === 'default' ? DEFAULT : TINY, {
      cacheDir,
      threads: 1,
      maxTokensPerBatch: 2048,
      maxBatchSize: 8,
    });
    try {
      const { results: together, stats } = await batched.scoreRecords(recs);
      assert.ok(stats.paddedPositions > stats.realPositions, 'the batch is actually padded');
      for (let i = 0; i < recs.length; i++) {
        const {
          results: [alone],
        } = await scorer.scoreRecords([recs[i]!]);
        const a = alone!,
          b = together[i]!;
        assert.deepEqual([...a.start], [...b.start]);
        let maxErr = 0;
        for (let k = 0; k < a.logprob.length; k++) {
          if (Number.isNaN(a.logprob[k]!)) {
            assert.ok(Number.isNaN(b.logprob[k]!));
            continue;
          }
          maxErr = Math.max(maxErr, Math.abs(a.logprob[k]! - b.logprob[k]!));
        }
        assert.ok(maxErr < 1e-4, `${name}/${recs[i]!.id}: max log-prob diff ${maxErr}`);
        const items = lineItems(recs[i]!.response);
        for (const reduce of ['mean', 'sum', 'max'] as const) {
          const ua = itemUtilities(a, items, { q: 0.7, reduce }),
            ub = itemUtilities(b, items, { q: 0.7, reduce });
          ua.forEach((u, k) =>
            assert.ok(
              u.utility === ub[k]!.utility || Math.abs(u.utility! - ub[k]!.utility!) < 1e-4,
              `${name}/${recs[i]!.id} item ${k}`,
            ),
          );
        }
      }
    } finally {
      await batched.close();
    }
  }
});

test('response tokens carry code-point spans (emoji, CRLF) that tile the response', async () => {
  const response = 'x = "😀é"\r\nprint(x)  # 𝔘nicode ✓\r\n';
  const {
    results: [r],
  } = await def.scoreRecords([{ id: 'u', prompt: 'say 😀', response }]);
  const chars = cps(response);
  assert.equal(r!.start[0], 0);
  assert.equal(r!.end[r!.end.length - 1], chars.length);
  const covered = new Array(chars.length).fill(false);
  for (let i = 0; i < r!.start.length; i++) {
    assert.ok(r!.start[i]! < r!.end[i]!);
    if (i) assert.ok(r!.start[i]! >= r!.start[i - 1]!);
    for (let c = r!.start[i]!; c < r!.end[i]!; c++) covered[c] = true;
    assert.ok(
      r!.logprob[i]! <= 0 && Number.isFinite(r!.logprob[i]!),
      'every response token is scored (BOS gives the first its context)',
    );
  }
  assert.ok(covered.every(Boolean));
  // tokens that own their span decode to exactly the response's code points there
  for (let i = 0; i < r!.start.length; i++) {
    const shared =
      (i > 0 && r!.start[i - 1] === r!.start[i]) || (i + 1 < r!.start.length && r!.start[i + 1] === r!.start[i]);
    if (shared) continue;
    assert.equal(await def.tokenizer.decode([r!.ids[i]!], false), chars.slice(r!.start[i]!, r!.end[i]!).join(''));
  }
  // the emoji is split into byte tokens that all map to its one code point
  const emoji = chars.indexOf('😀');
  const onEmoji = [...r!.start].filter((s, i) => s === emoji && r!.end[i] === emoji + 1);
  assert.ok(onEmoji.length >= 1);
});

test('context overflow: prompt cut from the left, long responses windowed or rejected — never silent', async () => {
  // tiny-kv: byte tokenizer (1 token per ASCII char), context 64, no BOS
  const prompt = `${'p'.repeat(37)}abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-+`;
  const response = 'def f(x):\n    y1';
  assert.equal(response.length, 16);
  const {
    results: [t],
  } = await tiny.scoreRecords([{ id: 't', prompt, response }]);
  assert.deepEqual(t!.notes, ['prompt_truncated']);
  assert.equal(t!.promptTokens, 64 - 16);
  assert.equal(t!.promptTokensDropped, prompt.length + 1 - 48);
  const kept = prompt.slice(prompt.length - 47); // + "\n" = 48 tokens
  const {
    results: [ref],
  } = await tiny.scoreRecords([{ id: 'ref', prompt: kept, response }]);
  assert.deepEqual([...t!.logprob], [...ref!.logprob]);

  const long = 'for i in range(10):\n    print(i * i)\n'.repeat(5); // 185 tokens > 64
  const {
    results: [w],
  } = await tiny.scoreRecords([{ id: 'w', prompt: 'go', response: long }]);
  assert.ok(w!.notes.includes('response_windowed'));
  assert.equal(w!.logprob.length, long.length);
  assert.ok([...w!.logprob].every(Number.isFinite));
  // tokens of the first window equal scoring the response prefix that fits
  const {
    results: [head],
  } = await tiny.scoreRecords([{ id: 'h', prompt: 'go', response: long.slice(0, 61) }]);
  for (let k = 0; k < 61; k++) assert.ok(Math.abs(head!.logprob[k]! - w!.logprob[k]!) < 1e-4);

  const strict = await Scorer.open(TINY, { cacheDir, overflow: 'reject' });
  try {
    const {
      results: [x],
    } = await strict.scoreRecords([{ id: 'x', prompt: 'go', response: long }]);
    assert.equal(x!.status, 'context_overflow');
    assert.equal(x!.logprob.length, 0);
  } finally {
    await strict.close();
  }
});

test('padding stays under 10% of scored positions on real data', async (t) => {
  if (!existsSync(DATA)) return t.skip('shared data not present');
  const recs = [...loadRecords('evol-instruct-code-r1.jsonl', 400), ...loadRecords('mbpp-markdown.jsonl', 100)];
  const enc = await def.tokenizer.encodeBatch(
    recs.map((r) => def.renderText(r.prompt, r.response).text),
    { addSpecialTokens: true },
  );
  const lens = enc.map((e) => Math.min(1 + e.getLength(), def.contextLength));
  const plan = planBatches(lens, 16384, 64);
  const pad = (plan.paddedPositions - plan.realPositions) / plan.paddedPositions;
  assert.ok(pad <= 0.1, `padding fraction ${pad}`);
  const { stats } = await def.scoreRecords(loadRecords('humaneval-markdown.jsonl', 64));
  assert.ok(stats.paddingFraction <= 0.1, `padding fraction ${stats.paddingFraction}`);
  assert.equal(stats.scoredTokens, stats.scoredTokens | 0);
  // no maxTokensPerBatch: the device's default (cpu: 1024 padded tokens per session.run, longer rows alone)
  assert.ok(stats.batches > 1 && stats.paddedPositions <= 1024 * stats.batches, JSON.stringify(stats));
});

test('double buffering: batches in flight change nothing; the session thread keeps the event loop free', async (t) => {
  if (!existsSync(DATA)) return t.skip('shared data not present');
  const recs = loadRecords('evol-instruct-code-r1.jsonl', 48);
  const one = await Scorer.open(DEFAULT, { cacheDir, threads: 1, pipelineDepth: 1, maxTokensPerBatch: 2048 });
  const two = await Scorer.open(DEFAULT, { cacheDir, threads: 1, pipelineDepth: 2, maxTokensPerBatch: 2048 });
  try {
    const a = await one.scoreRecords(recs);
    let ticks = 0;
    const iv = setInterval(() => ticks++, 5);
    const b = await two.scoreRecords(recs);
    clearInterval(iv);
    assert.ok(b.stats.batches >= 4, `several batches (${b.stats.batches})`);
    for (let i = 0; i < recs.length; i++) {
      // bit-identical: the same batches reach the same session options, whatever overlaps them
      assert.deepEqual(Buffer.from(b.results[i]!.logprob.buffer), Buffer.from(a.results[i]!.logprob.buffer));
    }
    for (const st of [a.stats, b.stats]) {
      assert.ok(st.busyMs > 0 && st.busyMs <= st.wallMs * 1.001, `busy ${st.busyMs} ≤ wall ${st.wallMs}`);
    }
    // the session computes on its own thread: timers fire while batches run
    assert.ok(ticks >= Math.floor(b.stats.wallMs / 5 / 4), `${ticks} timer ticks in ${b.stats.wallMs} ms`);
  } finally {
    await one.close();
    await two.close();
  }
});

test('ifd = mean NLL with the prompt / mean NLL without it', async () => {
  const recs = [
    { id: 'a', prompt: 'Write a function that adds two numbers.', response: 'def add(a, b):\n    return a + b\n' },
    { id: 'e', prompt: 'x', response: '' },
  ];
  const got = await def.ifd(recs);
  const {
    results: [c],
  } = await def.scoreRecords([recs[0]!]);
  const {
    results: [u],
  } = await def.scoreRecords([{ ...recs[0]!, prompt: '' }]);
  const mean = (a: Float32Array) => -[...a].reduce((x, y) => x + y, 0) / a.length;
  assert.ok(Math.abs(got[0]!.conditioned! - mean(c!.logprob)) < 1e-9);
  assert.ok(Math.abs(got[0]!.ifd! - mean(c!.logprob) / mean(u!.logprob)) < 1e-9);
  assert.deepEqual(got[1], { id: 'e', conditioned: null, unconditioned: null, ifd: null });
});

test('corrupt model, wrong inputs, missing files and bad options give clear errors', async () => {
  const bad = join(tmp, 'corrupt');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(bad);
  copyFileSync(join(TINY, 'tokenizer.json'), join(bad, 'tokenizer.json'));
  copyFileSync(join(TINY, 'config.json'), join(bad, 'config.json'));
  const isErr = (code: string, re?: RegExp) => (e: unknown) =>
    e instanceof CodeblockError && e.code === code && (!re || re.test(e.message));
  writeFileSync(join(bad, 'model.onnx'), Buffer.from('this is not an onnx model at all, just text \xff\xfe'));
  await assert.rejects(Scorer.open(bad, { cacheDir }), isErr('E_MODEL', /not a valid ONNX model|cannot load/));
  writeFileSync(join(bad, 'model.onnx'), readFileSync(join(DEFAULT, 'model.onnx')).subarray(0, 5000));
  await assert.rejects(
    Scorer.open(bad, { cacheDir }),
    (e: unknown) => e instanceof CodeblockError && /E_MODEL/.test(e.code),
  );
  await assert.rejects(Scorer.open(join(FIX, 'wrong-inputs'), { cacheDir }), isErr('E_MODEL_INPUTS', /input_ids/));
  await assert.rejects(Scorer.open(join(tmp, 'nope'), { cacheDir }), isErr('E_MODEL', /does not exist/));
  rmSync(join(bad, 'model.onnx'));
  await assert.rejects(Scorer.open(bad, { cacheDir }), isErr('E_MODEL', /no model.onnx/));
  await assert.rejects(Scorer.open(TINY, { device: 'tpu' as never }), RangeError);
  await assert.rejects(Scorer.open(TINY, { maxTokensPerBatch: 0 }), RangeError);
  await assert.rejects(tiny.scoreRecords([{ id: 'x', prompt: 'a', response: 3 as never }]), TypeError);
});

test('device cuda either works or fails with one clear error', async () => {
  try {
    const s = await Scorer.open(TINY, { cacheDir, device: 'cuda' });
    await s.close();
  } catch (e) {
    assert.ok(e instanceof CodeblockError && e.code === 'E_CUDA', String(e));
    assert.match(e.message, /CUDA execution provider unavailable/);
    assert.ok(!e.message.includes('\n'));
  }
});

test('a second, differently shaped causal LM works through the same API', async () => {
  const recs = [{ id: 'a', prompt: 'Write f', response: 'def f():\n    return 42\n' }];
  const [d, k] = [
    (await def.scoreRecords(recs)).results[0]!,
    (await tiny.scoreRecords(recs)).results[0]!,
  ] as RecordScores[];
  assert.ok(d!.logprob.length < k!.logprob.length, 'BPE vs byte tokenizer');
  assert.equal(k!.end[k!.end.length - 1], recs[0]!.response.length);
  assert.deepEqual(
    tiny.info.inputs.filter((n) => n.startsWith('past')),
    ['past_key_values.0.key', 'past_key_values.0.value'],
  );
  assert.ok(!tiny.info.inputs.includes('position_ids'));
  assert.equal(LOGPROBS_OUTPUT, 'codeblock_logprobs');
});
