/**
 * `codeblock submit slurm` without a cluster: argument routing to analyze / select, the sbatch
 * command lines, array specs, and the deploy/slurm scripts themselves (run with bash under the
 * environment Slurm gives an array task; the codeblock command is replaced by a recorder of its argv).
 * The real cluster run is slurm.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/native.js';
import { CodeblockError } from '../../src/errors.js';
import {
  SLURM_TEMPLATES_DIR,
  fillTemplate,
  formatArraySpec,
  parseArraySpec,
  parseSbatchJobId,
  planSlurm,
  shellQuote,
} from '../../src/deploy/index.js';
import { parseSubmitArgs } from '../../src/cli/commands/submit.js';

const CLI = process.env.CODEBLOCK_BIN ?? join(PACKAGE_ROOT, 'bin', 'codeblock');
const POOL = join(PACKAGE_ROOT, 'examples', 'pool.jsonl');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'cb-submit-'));
}

/** A stand-in for bin/codeblock that prints its argv as JSON (to check what a script would run). */
function recorder(dir: string): string {
  const p = join(dir, 'argv.mjs');
  writeFileSync(p, 'process.stdout.write(JSON.stringify(process.argv.slice(2)));\n');
  return p;
}

function bash(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
): { status: number | null; stdout: string; stderr: string } {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  const r = spawnSync('bash', [script, ...args], { env: { ...base, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('array specs', () => {
  it('parses Slurm index lists, ranges and steps within the shard count', () => {
    assert.deepEqual(parseArraySpec('0-3', 4), [0, 1, 2, 3]);
    assert.deepEqual(parseArraySpec('2', 4), [2]);
    assert.deepEqual(parseArraySpec('5-7,1,3,1', 8), [1, 3, 5, 6, 7]);
    assert.deepEqual(parseArraySpec('0-9:4', 10), [0, 4, 8]);
  });
  it('rejects indices outside 0..N-1 and bad syntax with a clear error', () => {
    for (const bad of ['4', '0-4', '3-1', 'a', '1-', '0-3%2', '', '1,,2', '0-6:0']) {
      assert.throws(() => parseArraySpec(bad, 4), CodeblockError, bad);
    }
    assert.throws(() => parseArraySpec('0', 0), RangeError);
  });
  it('formats indices back to compact ranges (round trip)', () => {
    assert.equal(formatArraySpec([0, 1, 2, 3]), '0-3');
    assert.equal(formatArraySpec([1, 3, 5, 6, 7]), '1,3,5-7');
    for (const spec of ['0-3', '2', '0,2-5,9', '1,3']) assert.equal(formatArraySpec(parseArraySpec(spec, 10)), spec);
  });
});

describe('sbatch plumbing', () => {
  it('reads job ids from sbatch --parsable output', () => {
    assert.equal(parseSbatchJobId('1234\n'), '1234');
    assert.equal(parseSbatchJobId('77;cluster2\n'), '77');
    assert.throws(() => parseSbatchJobId('Submitted batch job 5\n'), CodeblockError);
    assert.throws(() => parseSbatchJobId(''), CodeblockError);
  });

  it('shell-quotes any string so bash reads it back unchanged', () => {
    const nasty = ['plain', 'with space', "it's", '$HOME', '"q"', 'a\\b', '*', 'new\nline', '', '--x=1,2'];
    const line = `printf '%s\\0' ${nasty.map(shellQuote).join(' ')}`;
    const r = spawnSync('bash', ['-c', line], { encoding: 'utf8' });
    assert.deepEqual(r.stdout.split('\0').slice(0, -1), nasty);
  });

  it('routes each option to the pass that reads it, and keeps -o for submit', () => {
    const p = parseSubmitArgs([
      '--shards',
      '4',
      'a.jsonl',
      '-o',
      'out',
      '--budget',
      '0.1',
      '--q=0.5',
      '--workers',
      '2',
      '-c',
      'cfg.yaml',
      '--no-resume',
      'b.jsonl',
      '--format',
      'bin,jsonl',
      '--gpus-per-shard',
      '1',
      '--sbatch-arg',
      '--constraint=a100',
      '--sbatch-arg=--qos=low',
    ]);
    assert.deepEqual(p.inputs, ['a.jsonl', 'b.jsonl']);
    assert.equal(p.out, 'out');
    assert.deepEqual(p.analyze, ['--q=0.5', '--workers', '2', '--config', 'cfg.yaml', '--no-resume']);
    assert.deepEqual(p.select, ['--budget', '0.1', '--workers', '2', '--config', 'cfg.yaml', '--format', 'bin,jsonl']);
    assert.equal(p.own.shards, 4);
    assert.equal(p.own.gpusPerShard, 1);
    assert.deepEqual(p.own.sbatchArg, ['--constraint=a100', '--qos=low']);
  });

  it('rejects options that make no sense for a submission, with hints', () => {
    assert.throws(() => parseSubmitArgs(['--shard', '0/4']), /--shards N/);
    assert.throws(() => parseSubmitArgs(['--budgte', '1']), /did you mean --budget/);
    assert.throws(() => parseSubmitArgs(['--shards', 'x']), /expects an integer/);
    assert.throws(() => parseSubmitArgs(['--print-config']), /unknown option --print-config/);
    assert.throws(() => parseSubmitArgs(['--budget']), /needs a value/);
  });

  it('plans an array over all shards and an afterok select, with resources and GPUs', () => {
    const plan = planSlurm({
      shards: 4,
      inputs: ['pool.jsonl'],
      out: 'out',
      cwd: '/shared/work',
      analyzeOptions: ['--q', '0.5'],
      selectOptions: ['--budget', '0.1'],
      analyze: { partition: 'gpu', cpus: 8, gpus: 1, mem: '32G', time: '4:00:00' },
      select: { partition: 'cpu', cpus: 4 },
      maxParallel: 2,
      sbatchArgs: ['--constraint=a100'],
      node: '/opt/node/bin/node',
      bin: '/opt/codeblock/bin/codeblock',
    });
    assert.deepEqual(plan.tasks, [0, 1, 2, 3]);
    assert.equal(plan.analysisDir, join('out', 'analysis'));
    assert.equal(plan.scriptsDir, '/shared/work/out/slurm');
    assert.deepEqual(plan.analyzeArgs, [
      '--parsable',
      '--array=0-3%2',
      '--job-name=codeblock-analyze',
      '--chdir=/shared/work',
      '--output=/shared/work/out/slurm/logs/analyze-%A_%a.out',
      '--partition=gpu',
      '--time=4:00:00',
      '--mem=32G',
      '--cpus-per-task=8',
      '--gres=gpu:1',
      '--constraint=a100',
      '/shared/work/out/slurm/analyze.sbatch',
      '4',
      'out/analysis',
      'pool.jsonl',
      '--q',
      '0.5',
      '--device',
      'cuda',
    ]);
    assert.deepEqual(plan.selectArgs('123'), [
      '--parsable',
      '--dependency=afterok:123',
      '--kill-on-invalid-dep=yes',
      '--job-name=codeblock-select',
      '--chdir=/shared/work',
      '--output=/shared/work/out/slurm/logs/select-%j.out',
      '--partition=cpu',
      '--cpus-per-task=4',
      '--constraint=a100',
      '/shared/work/out/slurm/select.sbatch',
      'out/analysis',
      'out',
      '--budget',
      '0.1',
    ]);
    assert.match(plan.analyzeScript.text, /^CODEBLOCK_BIN=\$\{CODEBLOCK_BIN:-\/opt\/codeblock\/bin\/codeblock\}$/m);
  });

  it('submits a subset of shards for a redo, and keeps an explicit --device', () => {
    const plan = planSlurm({
      shards: 8,
      inputs: ['p'],
      out: 'o',
      array: '6,2',
      analyze: { gpus: 2 },
      analyzeOptions: ['--device=cpu'],
    });
    assert.deepEqual(plan.tasks, [2, 6]);
    assert.ok(plan.analyzeArgs.includes('--array=2,6'));
    assert.ok(plan.analyzeArgs.includes('--gres=gpu:2'));
    assert.ok(!plan.analyzeArgs.includes('cuda'));
  });
});

describe('deploy/slurm scripts', () => {
  it('analyze.sbatch runs shard <array index>/N with the task CPUs as workers and passes arguments intact', () => {
    const dir = tmp();
    try {
      const env = {
        CODEBLOCK_NODE: process.execPath,
        CODEBLOCK_BIN: recorder(dir),
        SLURM_ARRAY_TASK_ID: '2',
        SLURM_ARRAY_JOB_ID: '9',
        SLURM_CPUS_PER_TASK: '3',
      };
      const r = bash(
        join(SLURM_TEMPLATES_DIR, 'analyze.sbatch'),
        ['4', 'an dir', 'pool one.jsonl', '--budget', '0.1', '--workers', '1'],
        env,
      );
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), [
        'analyze',
        '--shard',
        '2/4',
        '-o',
        'an dir',
        '--no-progress',
        '--workers',
        '3',
        'pool one.jsonl',
        '--budget',
        '0.1',
        '--workers',
        '1',
      ]);
      // Without a CPU count, no --workers is added (codeblock's default applies).
      const r2 = bash(join(SLURM_TEMPLATES_DIR, 'analyze.sbatch'), ['4', 'a', 'p'], {
        ...env,
        SLURM_CPUS_PER_TASK: undefined,
      });
      assert.deepEqual(JSON.parse(r2.stdout), ['analyze', '--shard', '2/4', '-o', 'a', '--no-progress', 'p']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('analyze.sbatch refuses to run outside an array, with an index beyond N, or without inputs', () => {
    const dir = tmp();
    try {
      const env = { CODEBLOCK_NODE: process.execPath, CODEBLOCK_BIN: recorder(dir) };
      const script = join(SLURM_TEMPLATES_DIR, 'analyze.sbatch');
      const cases: Array<[string[], Record<string, string>, RegExp]> = [
        [['4', 'a', 'p'], {}, /not a Slurm array task/],
        [['4', 'a', 'p'], { SLURM_ARRAY_TASK_ID: '4' }, /array index 4 is not a shard of 4/],
        [['4', 'a'], { SLURM_ARRAY_TASK_ID: '0' }, /usage: sbatch --array/],
        [['x', 'a', 'p'], { SLURM_ARRAY_TASK_ID: '0' }, /<N> must be a positive integer/],
        [['0', 'a', 'p'], { SLURM_ARRAY_TASK_ID: '0' }, /<N> must be a positive integer/],
      ];
      for (const [args, extra, msg] of cases) {
        const r = bash(script, args, { ...env, ...extra });
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, msg);
        assert.equal(r.stdout, '', 'codeblock must not have been started');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('select.sbatch runs select over the analysis directory into the output directory', () => {
    const dir = tmp();
    try {
      const env = {
        CODEBLOCK_NODE: process.execPath,
        CODEBLOCK_BIN: recorder(dir),
        SLURM_JOB_ID: '10',
        SLURM_CPUS_PER_TASK: '2',
      };
      const r = bash(join(SLURM_TEMPLATES_DIR, 'select.sbatch'), ['an', 'out dir', '--budget', '0.1'], env);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), [
        'select',
        'an',
        '-o',
        'out dir',
        '--no-progress',
        '--workers',
        '2',
        '--budget',
        '0.1',
      ]);
      assert.equal(bash(join(SLURM_TEMPLATES_DIR, 'select.sbatch'), ['an'], env).status, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('select.sbatch asks Slurm to cancel it when a shard fails (kill-on-invalid-dep)', () => {
    assert.match(
      readFileSync(join(SLURM_TEMPLATES_DIR, 'select.sbatch'), 'utf8'),
      /^#SBATCH --kill-on-invalid-dep=yes$/m,
    );
  });

  it('a filled-in script runs the baked codeblock command, even from a path with spaces and quotes', () => {
    const dir = tmp();
    try {
      const odd = join(dir, "it's a dir");
      spawnSync('mkdir', ['-p', odd]);
      const rec = join(odd, 'argv.mjs');
      writeFileSync(rec, 'process.stdout.write(JSON.stringify(["baked", ...process.argv.slice(2)]));\n');
      const script = join(dir, 'analyze.sbatch');
      writeFileSync(
        script,
        fillTemplate(readFileSync(join(SLURM_TEMPLATES_DIR, 'analyze.sbatch'), 'utf8'), process.execPath, rec),
      );
      const r = bash(script, ['2', 'a', 'p'], { SLURM_ARRAY_TASK_ID: '1' });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), ['baked', 'analyze', '--shard', '1/2', '-o', 'a', '--no-progress', 'p']);
      assert.throws(() => fillTemplate('#!/bin/bash\necho hi\n', 'n', 'b'), /lacks/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('codeblock submit slurm (CLI)', () => {
  const run = (args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((res) => {
      execFile(
        process.execPath,
        [CLI, ...args],
        { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CI: 'true' } },
        (err, stdout, stderr) => {
          const e = err as (Error & { code?: number | string }) | null;
          res({ code: !e ? 0 : typeof e.code === 'number' ? e.code : null, stdout, stderr });
        },
      );
    });

  it('--dry-run writes runnable scripts and prints the two sbatch commands', async () => {
    const dir = tmp();
    try {
      const r = await run(
        [
          'submit',
          'slurm',
          '--shards',
          '3',
          POOL,
          '-o',
          'out',
          '--budget',
          '0.1',
          '--cpus-per-shard',
          '2',
          '--dry-run',
        ],
        dir,
      );
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 2);
      assert.match(
        lines[0]!,
        new RegExp(
          String.raw`^analyze_job=\$\(sbatch --parsable --array=0-2 .*--cpus-per-task=2 ` +
            String.raw`.*analyze\.sbatch 3 out\/analysis \S+pool\.jsonl\)$`,
        ),
      );
      assert.match(
        lines[1]!,
        new RegExp(
          String.raw`^sbatch --parsable --dependency=afterok:"\$analyze_job" --kill-on-invalid-dep=yes ` +
            String.raw`.*select\.sbatch out\/analysis out --budget 0\.1$`,
        ),
      );
      for (const s of ['analyze.sbatch', 'select.sbatch']) {
        const st = statSync(join(dir, 'out', 'slurm', s));
        assert.ok(st.mode & 0o100, `${s} is not executable`);
        assert.equal(
          spawnSync('bash', ['-n', join(dir, 'out', 'slurm', s)]).status,
          0,
          `${s} has a shell syntax error`,
        );
      }
      assert.ok(statSync(join(dir, 'out', 'slurm', 'logs')).isDirectory());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails before queueing anything on a bad option value, a missing input or a shard-count clash', async () => {
    const dir = tmp();
    try {
      const bad = await run(['submit', 'slurm', '--shards', '2', POOL, '-o', 'out', '--budget', '7', '--dry-run'], dir);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^codeblock: .*budget.*\n$/);
      const missing = await run(['submit', 'slurm', '--shards', '2', 'nope.jsonl', '-o', 'out', '--dry-run'], dir);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /input not found: nope\.jsonl/);
      spawnSync('mkdir', ['-p', join(dir, 'out', 'analysis', 'shard-00000-of-00008')]);
      const clash = await run(['submit', 'slurm', '--shards', '2', POOL, '-o', 'out', '--dry-run'], dir);
      assert.notEqual(clash.code, 0);
      assert.match(clash.stderr, /already holds analysis shards of 8/);
      const noShards = await run(['submit', 'slurm', POOL, '-o', 'out'], dir);
      assert.match(noShards.stderr, /needs --shards N/);
      const k8s = await run(['submit', 'k8s'], dir);
      assert.match(k8s.stderr, /deploy\/k8s/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
