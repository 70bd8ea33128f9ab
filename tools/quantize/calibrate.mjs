#!/usr/bin/env node
// Activation ranges for the static int8 model (tools/quantize/README.md): runs the fp32 default model, with every
// quantized MatMul input exposed as an output (quantize.py --calib-model), over the held-out ("val") files of the
// model's training corpus (tools/train/filelist.txt) that this machine has with the listed sha256, and writes
// tools/quantize/calibration.json: per tensor [min, max], the files used and the model's sha256.
// ../shared/data (the agreement sample) is never read. Usage: node tools/quantize/calibrate.mjs [SRC_DIR]
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const { Tokenizer } = require('tokenizers');
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = resolve(process.argv[2] ?? join(ROOT, 'models', 'default'));
const ROW = 512; // tokens per row: windows of each file, BOS first
const PER_FILE = 2048; // tokens per file at most, so every source of the corpus counts
const MAX_TOKENS = 262144;

const sha = (b) => createHash('sha256').update(b).digest('hex');
const tmp = mkdtempSync(join(tmpdir(), 'codeblock-calib-'));
try {
  const calibModel = join(tmp, 'calib.onnx');
  const names = JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      [join(ROOT, 'tools/quantize/quantize.py'), src, tmp, '--calib-model', calibModel],
      {
        encoding: 'utf8',
      },
    ).trim(),
  );
  const files = [];
  for (const line of readFileSync(join(ROOT, 'tools/train/filelist.txt'), 'utf8').split('\n')) {
    const [split, prefix, source, path] = line.split('\t');
    if (split !== 'val' || !path || !existsSync(path)) continue;
    const bytes = readFileSync(path);
    if (!sha(bytes).startsWith(prefix)) continue;
    files.push({ source, path, sha256: prefix, text: bytes.toString('utf8') });
  }
  const tok = Tokenizer.fromFile(join(src, 'tokenizer.json'));
  const cfg = JSON.parse(readFileSync(join(src, 'config.json'), 'utf8'));
  const rows = [];
  let total = 0;
  for (const f of files) {
    if (total >= MAX_TOKENS) break;
    const ids = (await tok.encode(f.text)).getIds();
    for (let i = 0; i + 16 < ids.length && i < PER_FILE && total < MAX_TOKENS; i += ROW - 1) {
      const row = [cfg.bos_token_id, ...ids.slice(i, i + ROW - 1)];
      rows.push(row);
      total += row.length;
    }
    f.used = true;
  }
  const session = await ort.InferenceSession.create(calibModel, { intraOpNumThreads: 2, interOpNumThreads: 1 });
  const ranges = Object.fromEntries(names.map((n) => [n, [Infinity, -Infinity]]));
  for (const row of rows) {
    const T = row.length;
    const i64 = (f) =>
      new ort.Tensor(
        'int64',
        BigInt64Array.from({ length: T }, (_, i) => BigInt(f(i))),
        [1, T],
      );
    const out = await session.run(
      { input_ids: i64((i) => row[i]), attention_mask: i64(() => 1), position_ids: i64((i) => i) },
      names,
    );
    for (const n of names) {
      const r = ranges[n];
      for (const v of out[n].data) {
        if (v < r[0]) r[0] = v;
        if (v > r[1]) r[1] = v;
      }
    }
  }
  await session.release();
  const result = {
    about: 'activation ranges of models/default for tools/quantize/quantize.py (written by calibrate.mjs)',
    source_sha256: sha(readFileSync(join(src, 'model.onnx'))),
    rows: rows.length,
    tokens: total,
    files: files.filter((f) => f.used).map((f) => `${f.sha256} ${f.source} ${f.path}`),
    ranges,
  };
  writeFileSync(join(ROOT, 'tools/quantize/calibration.json'), `${JSON.stringify(result, null, 1)}\n`);
  console.log(
    `${names.length} tensors calibrated on ${total} tokens (${rows.length} rows, ${result.files.length} files)`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
