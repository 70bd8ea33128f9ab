/**
 * The Python reader (python/codeblock_sft) against real output: `codeblock analyze` (no scorer) + `select` over
 * ../shared/data/mbpp-markdown.jsonl with --format bin,parquet,samples,jsonl, then /usr/bin/python3 with the
 * package installed the way docs/training.md says (`pip install --no-index --no-build-isolation ./python` into a
 * venv over Debian's numpy and torch). Checked against independent truth: the manifest's counts, the Node loader's
 * packs (read from packs.parquet), samples.parquet as hyparquet reads it, and the documented invariants
 * (seq_lengths sum to each pack's length, positions restart at every boundary, cu_seq_lens_q[-1] = len(input_ids)).
 * Then tools/ablate/test_grad.py's `check_training` trains a few SGD steps through the reader on packed and on
 * per-sample output and compares with the unpacked per-sample loss.
 *
 * Skips (counted, with the reason): no /usr/bin/python3 with numpy + torch (Debian python3-numpy python3-torch,
 * scripts/test-deps.sh), no ../shared/data; the pyarrow parts (packs.parquet, samples.parquet from Python) where
 * pyarrow is not installed (Debian 12 has no python3-pyarrow; then the one-line refusal is asserted instead).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import { loadPacks } from '../../src/loader/index.js';
import { PACKAGE_ROOT } from '../../src/native.js';
import { FORMAT_TABLE } from '../../src/output/formats.js';
import { FAST_ANALYZE, SHARED_DATA, cliOk } from '../helpers/cli.js';

const SYSTEM_PYTHON = '/usr/bin/python3';
const POOL = join(SHARED_DATA, 'mbpp-markdown.jsonl');
const MODEL = join(PACKAGE_ROOT, 'models', 'default');

function missing(): string | false {
  if (!existsSync(SYSTEM_PYTHON)) return `no ${SYSTEM_PYTHON}`;
  const r = spawnSync(SYSTEM_PYTHON, ['-c', 'import numpy, torch, venv, setuptools, wheel'], { encoding: 'utf8' });
  if (r.status !== 0) {
    const last = (r.stderr || '').trim().split('\n').pop() ?? '';
    return (
      `${SYSTEM_PYTHON} lacks numpy/torch/venv/setuptools/wheel (${last}): apt-get install python3-numpy ` +
      'python3-torch python3-venv python3-setuptools python3-wheel'
    );
  }
  if (!existsSync(POOL)) return `no ../shared/data (${SHARED_DATA})`;
  return false;
}
const skip = missing();
if (skip) console.log(`# skipped the Python reader tests: ${skip}`);

let work = '';
let python = '';
let out = '';
let hasPyarrow = false;

interface Manifest {
  counts: { selected: number };
  tokens: { supervised: number };
  packing: { packs: number; tokens: number };
}

/** Run Python source with the venv's python (cwd: the work directory, so only the installed package imports). */
function py(source: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(python, ['-c', source, ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: '', ...env },
    maxBuffer: 256 * 1024 * 1024,
    timeout: 600_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function pyJson<T>(source: string, args: string[] = []): T {
  const r = py(source, args);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

before(() => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'cb-pyreader-'));
  // the install a user does, from a copy (pip builds in the source tree)
  cpSync(join(PACKAGE_ROOT, 'python'), join(work, 'src'), {
    recursive: true,
    filter: (s) => !/(^|\/)(build|__pycache__|[^/]*\.egg-info)$/.test(s),
  });
  const venv = join(work, 'venv');
  let r = spawnSync(SYSTEM_PYTHON, ['-m', 'venv', '--system-site-packages', venv], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  python = join(venv, 'bin', 'python');
  r = spawnSync(python, ['-m', 'pip', 'install', '--no-index', '--no-build-isolation', join(work, 'src')], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(r.status, 0, `pip install:\n${r.stdout}\n${r.stderr}`);
  hasPyarrow = spawnSync(python, ['-c', 'import pyarrow'], { encoding: 'utf8' }).status === 0;
  if (!hasPyarrow) console.log('# pyarrow not installed: packs.parquet / samples.parquet are not read from Python');
  const analysis = join(work, 'analysis');
  cliOk(['analyze', POOL, '-o', analysis, ...FAST_ANALYZE]);
  out = join(work, 'out');
  cliOk([
    'select',
    analysis,
    '-o',
    out,
    '--format',
    'bin,parquet,samples,jsonl',
    '--max-len',
    '512',
    '--no-progress',
    '--workers',
    '1',
  ]);
  // the output the tools/ablate model trains on: its own tokenizer, the harness's template, its context length
  cliOk([
    'select',
    analysis,
    '-o',
    join(work, 'small'),
    '--format',
    'bin,jsonl,samples',
    '--max-len',
    '512',
    '--tokenizer',
    join(MODEL, 'tokenizer.json'),
    '--template',
    join(PACKAGE_ROOT, 'tools', 'ablate', 'plain-eot.jinja'),
    '--no-progress',
    '--workers',
    '1',
  ]);
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** What Python reports of the packs of `out` in `format`. */
const PACKS_SCRIPT = `
import json, sys
import numpy as np
import codeblock_sft
from codeblock_sft.torch import PackDataset, collate_varlen
fmt = sys.argv[2]
ps = codeblock_sft.open_packs(sys.argv[1], format=fmt)
packs = []
for p in codeblock_sft.load_packs(sys.argv[1], format=fmt):
    assert all(p[k].dtype == np.int32 for k in ("input_ids", "labels", "position_ids", "seq_lengths"))
    packs.append({k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in p.items()})
ds = PackDataset(sys.argv[1], format=fmt)
batches = []
for a in range(0, len(ds), 4):
    b = collate_varlen([ds[i] for i in range(a, min(len(ds), a + 4))])
    batches.append(dict(n=int(b["input_ids"].shape[1]), shape=list(b["input_ids"].shape),
                        dtypes={k: str(b[k].dtype) for k in ("input_ids", "labels", "position_ids", "cu_seq_lens_q",
                                                             "cu_seq_lens_k", "seq_lengths")},
                        cu=b["cu_seq_lens_q"].tolist(), cu_k=b["cu_seq_lens_k"].tolist(),
                        max_q=b["max_length_q"], max_k=b["max_length_k"], pos=b["position_ids"][0].tolist(),
                        num_supervised=b["num_supervised"]))
print(json.dumps(dict(file=codeblock_sft.__file__, format=ps.format, num_packs=len(ps), num_samples=ps.num_samples,
                      num_tokens=ps.num_tokens, total_supervised=ps.total_supervised, packs=packs, batches=batches)))
`;

interface PyPacks {
  file: string;
  format: string;
  num_packs: number;
  num_samples: number;
  num_tokens: number;
  total_supervised: number;
  packs: Array<{
    input_ids: number[];
    labels: number[];
    position_ids: number[];
    seq_lengths: number[];
    num_supervised: number;
  }>;
  batches: Array<{
    n: number;
    shape: number[];
    dtypes: Record<string, string>;
    cu: number[];
    cu_k: number[];
    max_q: number;
    max_k: number;
    pos: number[];
    num_supervised: number;
  }>;
}

async function checkPacks(format: 'bin' | 'parquet'): Promise<void> {
  const got = pyJson<PyPacks>(PACKS_SCRIPT, [out, format]);
  assert.ok(got.file.startsWith(join(work, 'venv')), `imported from the venv install, not ${got.file}`);
  assert.equal(got.format, format);
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
  // counts against the manifest
  assert.ok(m.packing.packs >= 8, `a real output (${m.packing.packs} packs)`);
  assert.equal(got.num_packs, m.packing.packs);
  assert.equal(got.packs.length, m.packing.packs);
  assert.equal(got.num_tokens, m.packing.tokens);
  assert.equal(got.num_samples, m.counts.selected);
  assert.equal(got.total_supervised, m.tokens.supervised);
  // the same packs as the Node loader reads from packs.parquet
  const node: Array<{ ids: number[]; labels: number[]; lens: number[] }> = [];
  for await (const b of loadPacks(out, { batchSize: 1, format: 'parquet' }))
    node.push({ ids: Array.from(b.input_ids), labels: Array.from(b.labels), lens: Array.from(b.seq_lengths) });
  assert.equal(node.length, got.packs.length);
  let multi = 0;
  got.packs.forEach((p, i) => {
    assert.deepEqual(p.input_ids, node[i]!.ids, `pack ${i} input_ids`);
    assert.deepEqual(p.labels, node[i]!.labels, `pack ${i} labels`);
    assert.deepEqual(p.seq_lengths, node[i]!.lens, `pack ${i} seq_lengths`);
    // seq_lengths sum to the pack's length; positions restart at 0 at every boundary and count up inside
    assert.equal(
      p.seq_lengths.reduce((a, b) => a + b, 0),
      p.input_ids.length,
    );
    let at = 0;
    for (const len of p.seq_lengths) {
      for (let k = 0; k < len; k++) assert.equal(p.position_ids[at + k], k, `pack ${i} position ${at + k}`);
      at += len;
    }
    if (p.seq_lengths.length > 1) multi++;
    assert.equal(p.num_supervised, p.labels.filter((l) => l !== -100).length);
  });
  assert.ok(multi > 0, 'some pack holds several samples');
  // collate_varlen: transformers' flash-attention kwargs over the concatenated batch
  let total = 0;
  for (const b of got.batches) {
    assert.deepEqual(b.shape, [1, b.n]);
    assert.equal(b.cu.at(-1), b.n, 'cu_seq_lens_q[-1] == len(input_ids)');
    assert.equal(b.cu[0], 0);
    assert.deepEqual(b.cu_k, b.cu);
    assert.deepEqual(b.dtypes, {
      input_ids: 'torch.int64',
      labels: 'torch.int64',
      position_ids: 'torch.int64',
      cu_seq_lens_q: 'torch.int32',
      cu_seq_lens_k: 'torch.int32',
      seq_lengths: 'torch.int32',
    });
    const lens = b.cu.slice(1).map((c, j) => c - b.cu[j]!);
    assert.equal(b.max_q, Math.max(...lens));
    assert.equal(b.max_k, b.max_q);
    for (let j = 0; j < b.pos.length; j++) assert.equal(b.pos[j] === 0, b.cu.includes(j), `restart at ${j}`);
    total += b.num_supervised;
  }
  assert.equal(total, m.tokens.supervised);
}

test('Python reader, bin: packs = the manifest counts = the Node loader, invariants, collate_varlen', { skip }, () =>
  checkPacks('bin'),
);

test('Python reader, parquet: the same packs with pyarrow, a one-line refusal without', { skip }, async (t) => {
  if (hasPyarrow) return checkPacks('parquet');
  const r = py(
    'import sys, codeblock_sft\ntry:\n    codeblock_sft.open_packs(sys.argv[1], format="parquet")\n' +
      'except codeblock_sft.MissingDependencyError as e:\n    print(e)\n    sys.exit(3)',
    [out],
  );
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout, /^reading packs\.parquet needs pyarrow, which is not installed \(pip install pyarrow\);.*\n$/);
  t.skip('pyarrow is not installed: packs.parquet not read from Python (the refusal was checked)');
});

const SAMPLES_SCRIPT = `
import json, sys, codeblock_sft
rows = codeblock_sft.open_samples(sys.argv[1], format=sys.argv[2])
print(json.dumps([dict(id=r["id"], input_ids=r["input_ids"].tolist(), labels=r["labels"].tolist(),
                       attention_mask=r["attention_mask"].tolist()) for r in rows]))
`;

type Rows = Array<{ id: string; input_ids: number[]; labels: number[]; attention_mask: number[] }>;

/** samples.parquet as hyparquet reads it (the truth the Python rows are compared with). */
async function samplesTruth(): Promise<Rows> {
  const rows = (await parquetReadObjects({
    file: new Uint8Array(readFileSync(join(out, 'samples.parquet'))).buffer,
  })) as Rows;
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
  assert.equal(rows.length, m.counts.selected);
  return rows;
}

test('Python reader, per-sample rows: samples.jsonl read from Python = samples.parquet', { skip }, async () => {
  assert.deepEqual(pyJson<Rows>(SAMPLES_SCRIPT, [out, 'jsonl']), await samplesTruth());
});

test('Python reader, per-sample rows: samples.parquet read from Python (pyarrow)', { skip }, async (t) => {
  if (!hasPyarrow) {
    t.skip('pyarrow is not installed: samples.parquet not read from Python');
    return;
  }
  assert.deepEqual(pyJson<Rows>(SAMPLES_SCRIPT, [out, 'samples']), await samplesTruth());
});

test('Python reader: the manifest is checked (missing, digest, size) and refusals are one line', { skip }, () => {
  const dir = join(work, 'tampered');
  cpSync(out, dir, { recursive: true });
  const load = (verify: string) =>
    py(
      'import sys, codeblock_sft\nv = {"False": False}.get(sys.argv[2], sys.argv[2])\ntry:\n' +
        '    print(len(list(codeblock_sft.load_packs(sys.argv[1], format="bin", verify=v))))\n' +
        'except codeblock_sft.Error as e:\n    print(type(e).__name__ + ": " + str(e))\n    sys.exit(3)',
      [dir, verify],
    );
  const packs = (JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest).packing.packs;
  assert.equal(load('digest').stdout.trim(), String(packs));
  // one flipped byte, same size: the digest refuses it, 'size' and False do not
  const data = readFileSync(join(dir, 'packs.cbpk'));
  data[data.length - 5]! ^= 1;
  writeFileSync(join(dir, 'packs.cbpk'), data);
  let r = load('digest');
  assert.equal(r.status, 3);
  assert.match(r.stdout, /^ManifestError: .*packs\.cbpk does not match its sha256 in manifest\.json.*\n$/);
  assert.equal(load('size').stdout.trim(), String(packs));
  assert.equal(load('False').stdout.trim(), String(packs));
  // a truncated file: refused at 'size' too
  truncateSync(join(dir, 'packs.cbpk'), data.length - 8);
  r = load('size');
  assert.equal(r.status, 3);
  assert.match(r.stdout, /^ManifestError: .*packs\.cbpk has \d+ bytes, manifest\.json says \d+.*\n$/);
  // no manifest: refused (verify=False still reads, and then the layout check refuses the truncated file)
  rmSync(join(dir, 'manifest.json'));
  r = load('digest');
  assert.equal(r.status, 3);
  assert.match(r.stdout, /^ManifestError: .* has no manifest\.json: .*\n$/);
  r = load('False');
  assert.equal(r.status, 3);
  assert.match(r.stdout, /^FormatError: .*packs\.cbpk\.idx: bin_bytes \d+, packs\.cbpk size \d+.*\n$/);
});

test("Python reader: its table of format files is src/output/formats.ts's", { skip }, () => {
  const files = pyJson<Record<string, string[]>>(
    'import json, codeblock_sft\nprint(json.dumps({k: list(v) for k, v in codeblock_sft.FORMAT_FILES.items()}))',
  );
  assert.deepEqual(files, Object.fromEntries(FORMAT_TABLE.map((f) => [f.name, [...f.files]])));
  const order = pyJson<string[]>('import json, codeblock_sft\nprint(json.dumps(list(codeblock_sft.PACK_FORMATS)))');
  const byRank = FORMAT_TABLE.filter((f) => f.loader !== null)
    .sort((a, b) => a.loader!.rank - b.loader!.rank)
    .map((f) => f.name);
  assert.deepEqual(order, byRank);
});

interface Training {
  samples: number;
  steps: number;
  per_sample_rows: Record<string, number>;
  losses: Record<string, number[]>;
  max_loss_diff: number;
  skipped?: string;
}
let training: Training | undefined;

test('training through the Python reader: packed = per-sample output = unpacked loss, step by step', { skip }, () => {
  const r = py(
    'import json, sys\nsys.path.insert(0, sys.argv[2])\nimport torch\ntorch.set_num_threads(2)\n' +
      'from test_grad import check_training\nprint(json.dumps(check_training(sys.argv[1], sys.argv[3])))',
    [join(work, 'small'), join(PACKAGE_ROOT, 'tools', 'ablate'), MODEL],
  );
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as Training;
  training = got;
  const m = JSON.parse(readFileSync(join(work, 'small', 'manifest.json'), 'utf8')) as Manifest;
  assert.ok(got.samples > 3, `the trained packs hold ${got.samples} samples`);
  assert.equal(got.steps, 3);
  assert.equal(got.per_sample_rows.jsonl, m.counts.selected);
  const ref = got.losses.unpacked!;
  for (const name of ['packed', 'per_sample_jsonl']) {
    assert.equal(got.losses[name]!.length, 3, name);
    got.losses[name]!.forEach((l, s) =>
      assert.ok(Math.abs(l - ref[s]!) <= 1e-6, `${name} step ${s}: ${l} vs ${ref[s]}`),
    );
  }
  assert.ok(got.max_loss_diff <= 1e-6);
  assert.ok(ref[2]! < ref[0]!, `the loss falls: ${ref.join(' → ')}`);
});

test('training through the Python reader on samples.parquet (pyarrow): the same losses', { skip }, (t) => {
  if (!hasPyarrow) {
    t.skip('pyarrow is not installed: samples.parquet not read from Python (samples.jsonl was trained on)');
    return;
  }
  assert.ok(training, 'the training test ran');
  const m = JSON.parse(readFileSync(join(work, 'small', 'manifest.json'), 'utf8')) as Manifest;
  assert.equal(training.per_sample_rows.samples, m.counts.selected);
  training.losses.per_sample_samples!.forEach((l, s) =>
    assert.ok(Math.abs(l - training!.losses.unpacked![s]!) <= 1e-6, `step ${s}`),
  );
});
