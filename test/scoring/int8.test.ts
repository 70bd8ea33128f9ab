/**
 * The int8 CPU model (models/default/model.int8.onnx, tools/quantize; docs/scoring.md "The int8 CPU model"),
 * against the fp32 default it was made from: it is what the quantizer makes, it agrees with fp32 on real records
 * within the documented bound, its fused head is its own logits' log-softmax, a record's scores do not depend on
 * its batch, and `analyze` uses it on the CPU by default, records which model it used, and writes the same bytes
 * whatever the worker count. Records: ../shared/data (real pairs).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as ort from 'onnxruntime-node';
import { PACKAGE_ROOT } from '../../src/native.js';
import { EMBEDDED_MODELS, LOGPROBS_OUTPUT, Scorer, type ScoreInput } from '../../src/scoring/index.js';
import { cli } from '../helpers/cli.js';

const DATA = resolve(PACKAGE_ROOT, '..', 'shared', 'data');
const records = (file: string, n: number): ScoreInput[] =>
  readFileSync(join(DATA, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, n)
    .map((l) => {
      const r = JSON.parse(l) as Record<string, unknown>;
      return { id: String(r.id), prompt: String(r.instruction), response: String(r.response) };
    });

let work = '';
let fp32: Scorer;
let int8: Scorer;
before(async () => {
  work = mkdtempSync(join(tmpdir(), 'cb-int8-'));
  fp32 = await Scorer.open(EMBEDDED_MODELS.fp32.dir, { threads: 1, modelFile: EMBEDDED_MODELS.fp32.file });
  int8 = await Scorer.open(EMBEDDED_MODELS.int8.dir, { threads: 1, modelFile: EMBEDDED_MODELS.int8.file });
});
after(async () => {
  await fp32?.close();
  await int8?.close();
  rmSync(work, { recursive: true, force: true });
});

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('models/default/model.int8.onnx is what tools/quantize/quantize.py makes of model.onnx', (t) => {
  const py = '/usr/bin/python3';
  if (!existsSync(py) || spawnSync(py, ['-c', 'import onnx, numpy'], { stdio: 'ignore' }).status !== 0) {
    t.skip('needs /usr/bin/python3 with python3-onnx and python3-numpy');
    return;
  }
  const out = join(work, 'model.int8.onnx');
  const shipped = join(EMBEDDED_MODELS.int8.dir, EMBEDDED_MODELS.int8.file);
  const r = spawnSync(py, [join(PACKAGE_ROOT, 'tools/quantize/quantize.py'), EMBEDDED_MODELS.fp32.dir, out], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(sha256(readFileSync(out)), sha256(readFileSync(shipped)));
  const recipe = JSON.parse(readFileSync(shipped.replace(/\.onnx$/, '.json'), 'utf8'));
  assert.deepEqual(JSON.parse(readFileSync(out.replace(/\.onnx$/, '.json'), 'utf8')), recipe);
  assert.equal(recipe.source_sha256, fp32.model.sourceSha256);
});

test('int8 agrees with fp32 on real records: mean |Δ log p| ≤ 0.05, per-record mean NLL ranked alike', async () => {
  const recs = [...records('humaneval-markdown.jsonl', 30), ...records('mbpp-markdown.jsonl', 30)];
  const a = (await fp32.scoreRecords(recs)).results;
  const b = (await int8.scoreRecords(recs)).results;
  let sum = 0,
    n = 0,
    differ = 0;
  const nllA: number[] = [],
    nllB: number[] = [];
  a.forEach((ra, i) => {
    const rb = b[i]!;
    assert.deepEqual([...rb.ids], [...ra.ids]); // same tokenizer, same tokens
    let sa = 0,
      sb = 0,
      k = 0;
    ra.logprob.forEach((x, j) => {
      const y = rb.logprob[j]!;
      if (!Number.isFinite(x)) return;
      assert.ok(Number.isFinite(y));
      sum += Math.abs(x - y);
      n++;
      if (x !== y) differ++;
      sa -= x;
      sb -= y;
      k++;
    });
    nllA.push(sa / k);
    nllB.push(sb / k);
  });
  assert.ok(n > 5000, `${n} tokens`);
  const mean = sum / n;
  assert.ok(mean <= 0.05, `mean |Δ log p| = ${mean}`);
  // the int8 model really is another model (quantized arithmetic), not the fp32 one under another name
  assert.ok(differ > n / 2, `${differ} of ${n} log-probs differ`);
  const rank = (xs: number[]) => {
    const o = xs.map((_, i) => i).sort((i, j) => xs[i]! - xs[j]!);
    const r: number[] = [];
    o.forEach((i, p) => {
      r[i] = p;
    });
    return r;
  };
  const [ra, rb] = [rank(nllA), rank(nllB)];
  const m = (ra.length - 1) / 2;
  let num = 0,
    den = 0;
  ra.forEach((x, i) => {
    num += (x - m) * (rb[i]! - m);
    den += (x - m) ** 2;
  });
  assert.ok(num / den >= 0.99, `Spearman of per-record mean NLL = ${num / den}`);
});

test("int8's fused head is the log-softmax of its own logits (float64, 1e-4)", async () => {
  const recs = records('humaneval-markdown.jsonl', 2);
  const prep = await int8.prepare(recs);
  const rows = prep.rows.map((r) => r.ids);
  const T = Math.max(...rows.map((r) => r.length));
  const session = await ort.InferenceSession.create(join(EMBEDDED_MODELS.int8.dir, EMBEDDED_MODELS.int8.file), {
    intraOpNumThreads: 1,
  });
  try {
    const out = await session.run(int8.buildFeeds(rows, T), ['logits', LOGPROBS_OUTPUT]);
    const logits = out.logits!.data as Float32Array;
    const fused = out[LOGPROBS_OUTPUT]!.data as Float32Array;
    const V = out.logits!.dims[2]!;
    let worst = 0;
    rows.forEach((ids, b) => {
      for (let t = 0; t + 1 < ids.length; t++) {
        const base = (b * T + t) * V;
        let mx = -Infinity,
          s = 0;
        for (let v = 0; v < V; v++) mx = Math.max(mx, logits[base + v]!);
        for (let v = 0; v < V; v++) s += Math.exp(logits[base + v]! - mx);
        const want = logits[base + ids[t + 1]!]! - mx - Math.log(s);
        worst = Math.max(worst, Math.abs(fused[b * (T - 1) + t]! - want));
      }
    });
    assert.ok(worst < 1e-4, `fused vs float64 log-softmax: ${worst}`);
  } finally {
    await session.release();
  }
});

test('int8: a record scores alike alone and in a padded batch; the same call twice gives the same bits', async () => {
  const recs = records('mbpp-markdown.jsonl', 12);
  const together = (await int8.scoreRecords(recs)).results;
  const again = (await int8.scoreRecords(recs)).results;
  together.forEach((r, i) => assert.deepEqual(Buffer.from(r.logprob.buffer), Buffer.from(again[i]!.logprob.buffer)));
  for (const i of [0, 5, 11]) {
    const alone = (await int8.scoreRecords([recs[i]!])).results[0]!;
    let worst = 0;
    alone.logprob.forEach((x, j) => {
      if (Number.isFinite(x)) worst = Math.max(worst, Math.abs(x - together[i]!.logprob[j]!));
    });
    // static activation scales: each element is quantized on its own, so batch mates and padding cannot move a
    // row's integer products; only the fp32 attention's rounding differs (the fp32 model's bound, scorer.test.ts)
    assert.ok(worst < 1e-4, `${recs[i]!.id}: alone vs batched ${worst}`);
  }
});

test('analyze: int8 on cpu by default, recorded with its sha256; fp32 on request; same bytes, 1 or 2 workers', () => {
  const pool = join(work, 'pool.jsonl');
  const lines = readFileSync(join(DATA, 'humaneval-markdown.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 24);
  writeFileSync(pool, `${lines.join('\n')}\n`);
  const run = (name: string, extra: string[]) => {
    const out = join(work, name);
    const r = cli(['analyze', pool, '-o', out, '--no-progress', ...extra]);
    assert.equal(r.status, 0, r.stderr);
    const dir = join(out, readdirSync(out).find((d) => d.startsWith('shard-'))!);
    const marker = JSON.parse(readFileSync(join(dir, 'part-000000.json'), 'utf8'));
    const recs = gunzipSync(readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.records.jsonl.gz'))!)));
    return { marker, recs };
  };
  const w1 = run('w1', ['--workers', '1']);
  const w2 = run('w2', ['--workers', '2']);
  const f = run('fp32', ['--workers', '1', '--embedded-model', 'fp32']);
  assert.equal(w1.marker.config.model, 'default-int8');
  assert.equal(w1.marker.config.modelSha256, int8.model.sourceSha256);
  assert.equal(f.marker.config.model, 'default');
  assert.equal(f.marker.config.modelSha256, fp32.model.sourceSha256);
  assert.notEqual(w1.marker.configHash, f.marker.configHash); // a resume never mixes the two models' parts
  assert.ok(w1.recs.equals(w2.recs), 'int8 analysis records differ between 1 and 2 workers');
  assert.ok(!w1.recs.equals(f.recs), 'int8 and fp32 analyses are identical: the int8 model did not run');
});

test('--embedded-model refuses what it cannot do, in one line', () => {
  const pool = join(work, 'pool.jsonl');
  for (const [args, msg] of [
    [
      ['--embedded-model', 'int8', '--model', EMBEDDED_MODELS.fp32.dir],
      /--embedded-model int8 chooses the embedded model, but --model gives another/,
    ],
    [['--embedded-model', 'int8', '--device', 'cuda'], /--embedded-model int8 runs on the cpu only/],
  ] as const) {
    const r = cli(['analyze', pool, '-o', join(work, 'refused'), '--no-progress', ...args]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(!existsSync(join(work, 'refused')));
  }
});
