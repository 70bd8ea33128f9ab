/**
 * `--languages` end to end: it restricts the itemized languages (a JavaScript-only record is `no_code` with
 * `--languages python`, analyzed by default), accepts aliases, refuses an unknown name in one line listing
 * the registered ones, and `run` records it in the analysis config and counts supervised tokens per
 * language in the manifest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, cliOk, FAST_ANALYZE } from '../helpers/cli.js';
import { registeredLanguages } from '../../src/structure/languages.js';

const F = '```';
const RECORDS = [
  { id: 'py', instruction: 'Add.', response: `Here:\n\n${F}python\ndef add(a, b):\n    return a + b\n${F}\n` },
  {
    id: 'js',
    instruction: 'Double.',
    response: `Here:\n\n${F}js\nconst xs = [1, 2];\nconst ys = xs.map((v) => v * 2);\nconsole.log(ys);\n${F}\n`,
  },
  {
    id: 'go',
    instruction: 'Sum.',
    response:
      `Here:\n\n${F}golang\nfunc sum(xs []int) int {\n\tt := 0\n\tfor _, x := range xs {\n\t\tt += x\n\t}\n` +
      `\treturn t\n}\n${F}\n`,
  },
];

function withPool<T>(fn: (dir: string, pool: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'cb-languages-'));
  try {
    const pool = join(dir, 'pool.jsonl');
    writeFileSync(pool, `${RECORDS.map((r) => JSON.stringify(r)).join('\n')}\n`);
    return fn(dir, pool);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const itemsIds = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { id: string }).id);

test('--languages restricts the itemized languages; aliases work; the default is every registered one', () => {
  withPool((_dir, pool) => {
    const all = cli(['items', pool, '--no-progress']);
    assert.equal(all.status, 0, all.stderr);
    assert.deepEqual(itemsIds(all.stdout), ['py', 'js', 'go']);
    const py = cli(['items', pool, '--languages', 'python', '--no-progress']);
    assert.equal(py.status, 0, py.stderr);
    assert.deepEqual(itemsIds(py.stdout), ['py']);
    assert.match(py.stderr, /3 input = 1 analyzed \+ 2 rejected \(no_code 2\)/);
    const alias = cli(['items', pool, '--languages', 'js,golang', '--no-progress']);
    assert.equal(alias.status, 0, alias.stderr);
    assert.deepEqual(itemsIds(alias.stdout), ['js', 'go']);
  });
});

test('--languages with an unknown name refuses in one line that lists the registered languages', () => {
  withPool((_dir, pool) => {
    const r = cli(['items', pool, '--languages', 'python,cobol', '--no-progress']);
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /"cobol" is not a registered language/);
    for (const l of registeredLanguages().filter((x) => !x.testOnly)) assert.ok(lines[0]!.includes(l.name), l.name);
    assert.doesNotMatch(r.stderr, /\n\s+at /); // no stack trace
  });
});

test('run records the languages in the analysis config and counts supervised tokens per language', () => {
  withPool((dir, pool) => {
    const out = join(dir, 'out');
    cliOk(['run', pool, '-o', out, ...FAST_ANALYZE, '--budget', '0.5', '--format', 'jsonl']);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.deepEqual(
      m.config.analysis.languages,
      registeredLanguages().map((l) => l.name),
    );
    const by = m.tokens.supervised_by_language as Record<string, number>;
    for (const lang of ['python', 'javascript', 'go']) assert.ok((by[lang] ?? 0) > 0, `${lang}: ${JSON.stringify(by)}`);
    const sum = Object.values(by).reduce((a, b) => a + b, 0);
    assert.ok(sum <= m.tokens.supervised, `${sum} > ${m.tokens.supervised}`);
    assert.equal(m.counts.selected, 3);

    const outPy = join(dir, 'out-py');
    cliOk(['run', pool, '-o', outPy, ...FAST_ANALYZE, '--budget', '0.5', '--format', 'jsonl', '--languages', 'python']);
    const mp = JSON.parse(readFileSync(join(outPy, 'manifest.json'), 'utf8'));
    assert.deepEqual(mp.config.analysis.languages, ['python']);
    assert.equal(mp.counts.rejected.no_code, 2);
    // JavaScript and Go are code without items there: never supervised, not even as prose
    for (const k of Object.keys(mp.tokens.supervised_by_language)) assert.ok(k === 'python' || k === 'prose', k);
  });
});
