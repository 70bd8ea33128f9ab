/**
 * The language registry is the addon's (native/lang/registry.cc): TypeScript reads it and names no
 * language itself. The test-only language (Python's grammar under the name `cbtest`, registered
 * only with CODEBLOCK_TEST_LANGUAGES=1; docs/languages.md) proves that a record whose only code is
 * in a registered language other than Python is analyzed and selected like any other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { PACKAGE_ROOT } from '../../src/native.js';
import { findLanguage, itemizedLanguages, registeredLanguages } from '../../src/structure/languages.js';
import { PY_FENCES } from '../../src/gen/pysource.js';

const work = mkdtempSync(join(tmpdir(), 'cb-lang-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const RECORDS = [
  {
    id: 'a',
    instruction: 'Add numbers',
    response:
      'Here:\n\n```cbtest\ndef add(a, b):\n    s = a + b\n    return s\n\nprint(add(1, 2))\n```\n\n' +
      'This adds two numbers.',
  },
  {
    id: 'b',
    instruction: 'Loop',
    response: '```cbtest-alias\ntotal = 0\nfor i in range(10):\n    total += i\nprint(total)\n```\n',
  },
];
const POOL = join(work, 'pool.jsonl');
writeFileSync(POOL, `${RECORDS.map((r) => JSON.stringify(r)).join('\n')}\n`);

// biome-ignore lint/suspicious/noExplicitAny: JSON lines are read untyped
function lines(path: string): Array<Record<string, any>> {
  return (
    readFileSync(path, 'utf8')
      .split('\n')
      .filter(Boolean)
      // biome-ignore lint/suspicious/noExplicitAny: JSON lines are read untyped
      .map((l) => JSON.parse(l) as Record<string, any>)
  );
}

test('registry: each entry has a name, display name, fence aliases; test-only entries stay out by default', () => {
  const langs = registeredLanguages();
  assert.ok(langs.length >= 1);
  for (const l of langs) {
    assert.match(l.name, /^[a-z0-9+#-]+$/);
    assert.ok(l.displayName.length > 0);
    assert.ok(l.fenceAliases.includes(l.name), `${l.name}: its own name is a fence alias`);
    for (const a of l.fenceAliases) assert.equal(a, a.toLowerCase());
    assert.equal(findLanguage(l.name.toUpperCase()), l);
    // a host-only language (HTML) is code that is never itemized; every other language is itemized
    assert.equal(itemizedLanguages().has(l.name), !l.hostOnly, l.name);
  }
  if (process.env.CODEBLOCK_TEST_LANGUAGES !== '1') assert.ok(langs.every((l) => !l.testOnly));
  const testOn = process.env.CODEBLOCK_TEST_LANGUAGES === '1';
  assert.equal(findLanguage('cbtest'), testOn ? langs.find((l) => l.name === 'cbtest') : undefined);
});

test('the test-only language registers only with CODEBLOCK_TEST_LANGUAGES=1 (read from the addon)', () => {
  const mod = join(PACKAGE_ROOT, 'dist', 'src', 'structure', 'languages.js');
  const script = `import('${mod}').then((m) => console.log(JSON.stringify(m.registeredLanguages())))`;
  const run = (env: string | undefined) => {
    const opts = { env: { ...process.env, CODEBLOCK_TEST_LANGUAGES: env }, encoding: 'utf8' as const };
    const r = spawnSync(process.execPath, ['-e', script], opts);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Array<{ name: string; fenceAliases: string[]; testOnly: boolean }>;
  };
  const on = run('1');
  const off = run('0');
  const t = on.find((l) => l.name === 'cbtest');
  const want = {
    name: 'cbtest',
    displayName: 'CbTest',
    fenceAliases: ['cbtest', 'cbtest-alias'],
    testOnly: true,
    braced: false,
    hostOnly: false,
  };
  assert.deepEqual(t, want);
  assert.equal(
    off.find((l) => l.name === 'cbtest'),
    undefined,
  );
  assert.deepEqual(
    on.filter((l) => !l.testOnly),
    off,
  );
});

test('a record whose only code is in a registered non-Python language is analyzed and selected, not no_code', () => {
  const out = join(work, 'on');
  const args = ['run', POOL, '-o', out, '--scorer', 'none', '--workers', '1', '--budget', '1', '--format', 'jsonl'];
  args.push('--no-progress');
  const r = cli(args, { env: { CODEBLOCK_TEST_LANGUAGES: '1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(lines(join(out, 'rejected.jsonl')), []);
  const samples = lines(join(out, 'samples.jsonl'));
  assert.deepEqual(
    samples.map((s) => s.id),
    ['a', 'b'],
  );
  for (const s of samples) {
    assert.ok(
      s.selected.some((x: { kind: string }) => x.kind === 'item'),
      `${s.id}: code items selected`,
    );
  }
  // the analysis records carry the registry's canonical tag, whichever alias the fence used
  const shard = join(out, 'analysis', readdirSync(join(out, 'analysis')).find((d) => d.startsWith('shard-'))!);
  const gz = readdirSync(shard).find((f) => f.endsWith('.records.jsonl.gz'))!;
  assert.ok(statSync(join(shard, gz)).size > 0);
  const text = spawnSync('gzip', ['-dc', join(shard, gz)], { encoding: 'utf8' }).stdout;
  const recs = text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  assert.equal(recs.length, 2);
  for (const rec of recs) {
    assert.deepEqual(
      rec.segments.map((s: { lang: string }) => s.lang),
      ['cbtest'],
    );
    assert.ok(rec.items.length > 0);
  }
});

test('without the test-only language the same records are no_code', () => {
  const out = join(work, 'off');
  const args = ['run', POOL, '-o', out, '--scorer', 'none', '--workers', '1', '--format', 'jsonl', '--no-progress'];
  const r = cli(args, { env: { CODEBLOCK_TEST_LANGUAGES: '0' } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    lines(join(out, 'rejected.jsonl')).map((x) => [x.id, x.reason]),
    [
      ['a', 'no_code'],
      ['b', 'no_code'],
    ],
  );
});

test("no 'python' literal in src/ outside the generator's fence table: languages come from the registry", () => {
  // the pool generator writes Python (it samples the Python stdlib): its fence words are one table,
  // checked here against the registry
  const byAlias = PY_FENCES.map((f) => findLanguage(f)?.name);
  const one = byAlias[0] !== undefined && byAlias.every((n) => n === byAlias[0]);
  assert.ok(one, `generator fences ${PY_FENCES.join(', ')} name one registered language`);
  const allowed = new Set([join(PACKAGE_ROOT, 'src', 'gen', 'pysource.ts')]);
  const hits: string[] = [];
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.ts') && !allowed.has(p) && readFileSync(p, 'utf8').includes("'python'")) hits.push(p);
    }
  };
  walk(join(PACKAGE_ROOT, 'src'));
  assert.deepEqual(hits, []);
});
