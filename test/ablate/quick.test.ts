/**
 * The ablation harness (issue #17) end to end at smoke size: `tools/ablate/run.py --quick` analyzes the first
 * 160 records (its `--pool-records` default) of the experiment's own pool
 * (../shared/data/evol-instruct-code-r1.jsonl) with the reference LM, selects every arm with the default model's
 * tokenizer, runs the float64 packed-vs-unpacked gradient check on those packs, fine-tunes each arm for 2 seeds
 * (lr 2e-4) and evaluates code-token NLL on MBPP and HumanEval; it exits non-zero unless the harness learns
 * (tools/ablate/run.py's docstring). This test asserts exit 0 and the shape of results.json. Skipped (with the
 * reason) when /usr/bin/python3 has no torch / onnx / numpy (Debian: python3-torch python3-onnx python3-numpy;
 * scripts/test-deps.sh installs them) or ../shared/data is absent. (The example pool is too unlike the eval
 * sets: with the retrained default model a 16-step fine-tune on it raises their NLL, so it cannot show that the
 * harness learns.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { PACKAGE_ROOT } from '../../src/native.js';
import { SHARED_DATA } from '../helpers/cli.js';

const PYTHON = '/usr/bin/python3';
const RUN = join(PACKAGE_ROOT, 'tools', 'ablate', 'run.py');
const ARMS = [
  'full',
  'full-short',
  'full-pf-off',
  'codeblock',
  'codeblock-pf-off',
  'items-no-dataflow',
  'random-items',
  'token-gce',
  'random-tokens',
];

function missingPython(): string | false {
  if (!existsSync(PYTHON)) return `no ${PYTHON}`;
  const r = spawnSync(PYTHON, ['-c', 'import torch, onnx, numpy'], { encoding: 'utf8' });
  if (r.status === 0) return false;
  const last = (r.stderr || '').trim().split('\n').pop() ?? '';
  return `${PYTHON} cannot import torch, onnx and numpy (${last}): apt-get install python3-torch python3-onnx`;
}

const POOL = join(SHARED_DATA, 'evol-instruct-code-r1.jsonl');
const MBPP = join(SHARED_DATA, 'mbpp-markdown.jsonl');
const HUMANEVAL = join(SHARED_DATA, 'humaneval-markdown.jsonl');

const skip =
  missingPython() ||
  ([POOL, MBPP, HUMANEVAL].every((f) => existsSync(f)) ? false : `no ../shared/data (${SHARED_DATA})`);
if (skip) console.log(`# skipped tools/ablate --quick: ${skip}`);

interface Stat {
  mean: number;
  std: number;
  n: number;
}
interface Run {
  seed: number;
  steps: number;
  loss_curve: number[];
  nll: Record<string, number>;
}
interface Arm {
  steps: number;
  runs: Run[];
  nll: Record<string, Stat>;
  vs_full: Record<string, { mean_diff: number; n: number } | null> | null;
  data: { supervised: number; packs: number };
}
interface Results {
  quick: boolean;
  sizes: { seeds: number[]; full_steps: number; sparse_steps: number };
  checks: { grad_full: { grad_max_diff_unpacked: number; grad_max_diff_micro: number }; logprobs: object };
  eval: Record<string, { samples: number; code_tokens: number }>;
  untrained: Record<string, number>;
  arms: Record<string, Arm>;
  quick_checks: { failures: string[] };
}

test('tools/ablate/run.py --quick learns, passes its gradient check and writes results.json', {
  skip,
  timeout: 600_000,
}, () => {
  const out = mkdtempSync(join(tmpdir(), 'cb-ablate-'));
  try {
    const args = [RUN, '--quick', '--pool', POOL, '--out', join(out, 'run'), '--eval', MBPP, '--eval', HUMANEVAL];
    const t0 = Date.now();
    const r = spawnSync(PYTHON, args, {
      cwd: PACKAGE_ROOT,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', OMP_NUM_THREADS: '1' },
      timeout: 580_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(r.status, 0, `run.py --quick exited ${r.status}:\n${r.stderr.slice(-6000)}`);
    console.log(`# tools/ablate --quick: ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const res = JSON.parse(readFileSync(join(out, 'run', 'results.json'), 'utf8')) as Results;
    assert.equal(res.quick, true);
    assert.deepEqual(res.quick_checks.failures, []);
    assert.deepEqual(Object.keys(res.arms), ARMS);
    assert.ok(res.checks.grad_full.grad_max_diff_unpacked <= 1e-5);
    assert.ok(res.checks.grad_full.grad_max_diff_micro <= 1e-5);
    const sets = Object.keys(res.eval);
    assert.ok(sets.length >= 1);
    for (const s of sets) {
      assert.ok(res.eval[s]!.samples > 0 && res.eval[s]!.code_tokens > 0, s);
      assert.ok(Number.isFinite(res.untrained[s]), s);
    }
    const seeds = res.sizes.seeds;
    assert.ok(seeds.length >= 2);
    for (const [name, arm] of Object.entries(res.arms)) {
      assert.equal(
        arm.steps,
        name === 'full' || name === 'full-pf-off' ? res.sizes.full_steps : res.sizes.sparse_steps,
      );
      assert.deepEqual(
        arm.runs.map((x) => x.seed),
        seeds,
        name,
      );
      assert.ok(arm.data.supervised > 0 && arm.data.packs > 0, name);
      for (const run of arm.runs) {
        assert.equal(run.loss_curve.length, arm.steps, name);
        for (const s of sets) assert.ok(Number.isFinite(run.nll[s]), `${name} seed ${run.seed} ${s}`);
      }
      for (const s of sets) {
        assert.equal(arm.nll[s]!.n, seeds.length);
        if (name === 'full') assert.equal(arm.vs_full, null);
        else assert.equal(arm.vs_full![s]!.n, seeds.length, `${name} paired over every seed`);
      }
    }
    for (const f of ['ablation.md', join('img', 'ablation-nll.svg'), join('img', 'ablation-loss.svg')])
      assert.ok(existsSync(join(out, 'run', f)), f);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
