import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { resolveConfig, parseShard } from '../../src/config/index.js';
import { CodeblockError } from '../../src/errors.js';

const SUBCOMMANDS = ['run', 'analyze', 'select', 'items', 'inspect', 'bench'];

function oneLineError(r: { stderr: string }): void {
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^codeblock: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

test('--help lists every subcommand; --version prints the package version', () => {
  const r = cli(['--help']);
  assert.equal(r.status, 0);
  for (const c of SUBCOMMANDS) assert.match(r.stdout, new RegExp(`^  ${c}\\s`, 'm'), c);
  const v = cli(['--version']);
  assert.equal(v.status, 0);
  assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+/);
});

test('each subcommand has --help with its options', () => {
  for (const c of SUBCOMMANDS) {
    const r = cli([c, '--help']);
    assert.equal(r.status, 0, c);
    assert.match(r.stdout, new RegExp(`Usage: codeblock ${c}`));
  }
  assert.match(cli(['select', '--help']).stdout, /--budget/);
});

test('a missing input file is one clear line and a non-zero exit', () => {
  const out = mkdtempSync(join(tmpdir(), 'cb-cli-'));
  const r = cli(['run', '/nonexistent', '-o', join(out, 'o')]);
  assert.notEqual(r.status, 0);
  oneLineError(r);
  assert.match(r.stderr, /\/nonexistent/);
});

test('bad flags, bad values and unknown commands are usage errors (exit 2) with hints', () => {
  let r = cli(['run', 'x', '-o', 'y', '--budgett', '0.1']);
  assert.equal(r.status, 2);
  oneLineError(r);
  r = cli(['select', 'x', '-o', 'y', '--budgt', '0.1']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /did you mean --budget/);
  r = cli(['select', 'x', '-o', 'y', '--budget', 'lots']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--budget expects a number/);
  r = cli(['select', 'x', '-o', 'y', '--mode', 'everything']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not one of codeblock, full/);
  r = cli(['selec']);
  assert.equal(r.status, 2);
  oneLineError(r);
  r = cli(['run', 'x']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /needs -o/);
});

test('config files (JSON and YAML) are validated by key; flags override them; --print-config shows the result', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-cfg-'));
  const yaml = join(dir, 'c.yaml');
  writeFileSync(yaml, 'budget: 0.05\nmax-len: 4096\nformat: parquet,jsonl\n');
  let r = cli(['select', 'a', '-o', 'b', '-c', yaml, '--budget', '0.02', '--print-config']);
  assert.equal(r.status, 0, r.stderr);
  const eff = JSON.parse(r.stdout);
  assert.equal(eff.budget, 0.02);
  assert.equal(eff.maxLen, 4096);
  assert.deepEqual(eff.format, ['parquet', 'jsonl']);
  assert.equal(eff.mode, 'codeblock');

  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ budgets: 0.1 }));
  r = cli(['select', 'a', '-o', 'b', '-c', bad]);
  assert.equal(r.status, 2);
  oneLineError(r);
  assert.match(r.stderr, /unknown key "budgets" \(did you mean "budget"\?\)/);

  writeFileSync(bad, JSON.stringify({ maxLen: -3 }));
  r = cli(['select', 'a', '-o', 'b', '-c', bad]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad value for "maxLen"/);

  writeFileSync(bad, '{not json');
  r = cli(['select', 'a', '-o', 'b', '-c', bad]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not valid JSON/);

  r = cli(['select', 'a', '-o', 'b', '-c', join(dir, 'missing.yaml')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /config file not found/);
});

test('library config resolution mirrors the CLI', () => {
  const cfg = resolveConfig('select', { budget: 0.03 });
  assert.equal(cfg.budget, 0.03);
  assert.equal(cfg.maxLen, 2048);
  assert.throws(() => resolveConfig('select', { budget: 3 }), CodeblockError);
});

test('--shard parses i/n and auto from Slurm and Kubernetes indexed jobs', () => {
  assert.deepEqual(parseShard('1/4', {}), { index: 1, count: 4 });
  assert.deepEqual(
    parseShard('auto', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '0' }),
    { index: 3, count: 4 },
  );
  assert.deepEqual(parseShard('auto', { JOB_COMPLETION_INDEX: '2', CODEBLOCK_SHARD_COUNT: '5' }), {
    index: 2,
    count: 5,
  });
  // resubmitting one task (`sbatch --array=2`) makes Slurm report COUNT=1, MIN=2: the explicit count wins
  assert.deepEqual(
    parseShard('auto', {
      SLURM_ARRAY_TASK_ID: '2',
      SLURM_ARRAY_TASK_COUNT: '1',
      SLURM_ARRAY_TASK_MIN: '2',
      CODEBLOCK_SHARD_COUNT: '4',
    }),
    { index: 2, count: 4 },
  );
  assert.throws(() => parseShard('auto', {}), /neither SLURM_ARRAY_TASK_ID/);
  assert.throws(() => parseShard('4/4', {}), /0 <= i < n/);
  assert.throws(() => parseShard('x', {}), /i\/n/);
});
