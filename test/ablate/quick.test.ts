/**
 * The ablation harness (issues #17, #29) end to end at smoke size: `tools/ablate/run.py --quick` splits the first
 * 160 records of the experiment's own pool (../shared/data/evol-instruct-code-r1.jsonl) into train / val / test,
 * analyzes train with the scorer (models/default) and with the trained model (tools/ablate/second-model, for
 * their distance), selects every arm (plus one extra arm given by `--arm`), runs the float64 packed-vs-unpacked
 * gradient check on those packs, fine-tunes the second model per arm × 2 lrs × 2 seeds, chooses each arm's lr on
 * the val slice and evaluates code-token NLL (overall and per statement kind) on the test slice, MBPP and
 * HumanEval; it exits non-zero unless the harness learns (tools/ablate/run.py's docstring). This test asserts
 * exit 0 and the shape and internal consistency of results.json (lr choice, pairing, Holm ≥ raw p, kind counts).
 * Skipped (with the reason) when /usr/bin/python3 has no torch / onnx / numpy (Debian: python3-torch
 * python3-onnx python3-numpy; scripts/test-deps.sh installs them) or ../shared/data is absent.
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
// run.py's DEFAULT_ARMS, plus one extra arm from the command line (--arm): an arm is one table entry or one flag
const ARMS = ['full', 'full-short', 'codeblock', 'items-no-dataflow', 'random-items', 'cb-budget'];
const KINDS = ['def', 'import', 'assign', 'condition', 'return', 'call', 'loop', 'other', 'unparsed'];

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
  lr: number;
  steps: number;
  loss_curve: number[];
  nll: Record<string, number>;
  nll_kind: Record<string, Record<string, number>>;
}
interface Arm {
  steps: number;
  select: string[];
  chosen_lr: number;
  grid: Record<string, { lr: number; nll: Record<string, Stat> }>;
  grid_runs: Record<string, Run[]>;
  runs: Run[];
  nll: Record<string, Stat>;
  data: { supervised: number; packs: number };
}
interface Comparison {
  a: string;
  b: string;
  set: string;
  n: number;
  p: number | null;
  p_holm: number | null;
  rejected: boolean;
}
interface Results {
  quick: boolean;
  sizes: { seeds: number[]; lrs: number[]; full_steps: number; sparse_steps: number };
  split: { counts: { train: number; val: number; test: number } };
  checks: { grad_full: { grad_max_diff_unpacked: number; grad_max_diff_micro: number }; logprobs: object };
  eval: Record<string, { samples: number; code_tokens: number; kind_tokens: Record<string, number> }>;
  test_sets: string[];
  untrained: Record<string, number>;
  scorer: { same_as_trained: boolean };
  distance: { tokens: number; items: number; logp_spearman: number; u_spearman: number } | null;
  arms: Record<string, Arm>;
  comparisons: Comparison[];
  quick_checks: { failures: string[] };
}

test('tools/ablate/run.py --quick learns, passes its gradient check and writes results.json', {
  skip,
  timeout: 600_000,
}, () => {
  const out = mkdtempSync(join(tmpdir(), 'cb-ablate-'));
  try {
    const args = [
      RUN,
      '--quick',
      '--pool',
      POOL,
      '--out',
      join(out, 'run'),
      '--eval',
      MBPP,
      '--eval',
      HUMANEVAL,
      // the default arms less codeblock-v2 (the full run's comparison of score definitions): the smoke run's cost
      '--arms',
      ARMS.filter((x) => x !== 'cb-budget').join(','),
      '--arm',
      'cb-budget=--mode codeblock --budget 0.05',
    ];
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
    // the pool is split three ways; val chooses the lr, test (and the eval files) report
    const c = res.split.counts;
    assert.ok(c.train > 0 && c.val > 0 && c.test > 0 && c.train + c.val + c.test === 160, JSON.stringify(c));
    assert.deepEqual(res.test_sets, ['pool-test', 'mbpp-markdown', 'humaneval-markdown']);
    for (const s of ['pool-val', ...res.test_sets]) {
      assert.ok(res.eval[s]!.samples > 0 && res.eval[s]!.code_tokens > 0, s);
      assert.ok(Number.isFinite(res.untrained[s]), s);
      // every code token has a statement kind, and the kinds add up to the code tokens
      const kt = res.eval[s]!.kind_tokens;
      assert.deepEqual(Object.keys(kt), KINDS);
      assert.equal(
        Object.values(kt).reduce((x, y) => x + y, 0),
        res.eval[s]!.code_tokens,
        s,
      );
    }
    // MBPP is Python: every code token is classified by ast (none unparsed), and defs and returns occur
    const mk = res.eval['mbpp-markdown']!.kind_tokens;
    assert.equal(mk.unparsed, 0);
    assert.ok(mk.def! > 0 && mk.return! > 0 && mk.assign! > 0, JSON.stringify(mk));
    // the trained model is not the scorer, and their distance is measured
    assert.equal(res.scorer.same_as_trained, false);
    assert.ok(res.distance && res.distance.tokens > 0 && res.distance.items > 0);
    assert.ok(res.distance.logp_spearman > 0 && res.distance.logp_spearman < 1, String(res.distance.logp_spearman));
    const seeds = res.sizes.seeds;
    const lrs = res.sizes.lrs;
    assert.ok(seeds.length >= 2 && lrs.length >= 2);
    assert.deepEqual(res.arms['cb-budget']!.select, ['--mode', 'codeblock', '--budget', '0.05']);
    assert.ok(res.arms['cb-budget']!.data.supervised > res.arms.codeblock!.data.supervised);
    for (const [name, arm] of Object.entries(res.arms)) {
      assert.equal(arm.steps, name === 'full' ? res.sizes.full_steps : res.sizes.sparse_steps);
      assert.ok(arm.data.supervised > 0 && arm.data.packs > 0, name);
      // every lr of the grid ran every seed; the chosen lr has the lowest mean val NLL
      assert.deepEqual(Object.keys(arm.grid_runs).length, lrs.length, name);
      for (const runs of Object.values(arm.grid_runs)) {
        assert.deepEqual(
          runs.map((x) => x.seed),
          seeds,
          name,
        );
        for (const run of runs) {
          assert.equal(run.loss_curve.length, arm.steps, name);
          for (const s of res.test_sets) assert.ok(Number.isFinite(run.nll[s]), `${name} seed ${run.seed} ${s}`);
        }
      }
      const val = Object.values(arm.grid).map((g) => [g.nll['pool-val']!.mean, g.lr] as const);
      const best = val.reduce((x, y) => (y[0] < x[0] ? y : x));
      assert.equal(arm.chosen_lr, best[1], name);
      assert.ok(arm.runs.every((r) => r.lr === arm.chosen_lr));
      for (const s of res.test_sets) assert.equal(arm.nll[s]!.n, seeds.length);
    }
    // the family: every comparison paired over every seed; Holm's p is never below the raw p
    assert.ok(res.comparisons.length >= 3 * 5);
    for (const cmp of res.comparisons) {
      assert.equal(cmp.n, seeds.length, `${cmp.a}-${cmp.b} ${cmp.set}`);
      if (cmp.p !== null) assert.ok(cmp.p_holm !== null && cmp.p_holm >= cmp.p - 1e-12);
    }
    assert.ok(res.comparisons.some((x) => x.a === 'cb-budget' && x.b === 'codeblock'));
    for (const f of ['ablation.md', join('img', 'ablation-nll.svg'), join('img', 'ablation-loss.svg')])
      assert.ok(existsSync(join(out, 'run', f)), f);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
