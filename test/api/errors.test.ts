import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CodeblockError, ERROR_EXIT_CODES, type ErrorCode } from '../../src/index.js';
import { PACKAGE_ROOT } from '../../src/native.js';

/** Rows of the "## Error codes" table of docs/troubleshooting.md: code → [exit, meaning, what to do]. */
function documentedCodes(): Map<string, string[]> {
  const md = readFileSync(join(PACKAGE_ROOT, 'docs', 'troubleshooting.md'), 'utf8');
  const section = md.slice(md.indexOf('\n## Error codes'));
  assert.ok(section.length > 20, 'docs/troubleshooting.md has an "## Error codes" section');
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const m = /^\| `(E_[A-Z_]+)` \|(.*)\|$/.exec(line);
    if (m)
      rows.set(
        m[1]!,
        m[2]!.split(' | ').map((c) => c.trim()),
      );
  }
  return rows;
}

test('every error code of the union is documented with its exit code, meaning and what to do', () => {
  const rows = documentedCodes();
  const codes = Object.keys(ERROR_EXIT_CODES) as ErrorCode[];
  assert.deepEqual([...rows.keys()].sort(), [...codes].sort(), 'documented codes = the ErrorCode union');
  for (const code of codes) {
    const [exit, meaning, todo] = rows.get(code)!;
    assert.equal(Number(exit), ERROR_EXIT_CODES[code], `${code}: documented exit code`);
    assert.equal(new CodeblockError('x', code).exitCode, ERROR_EXIT_CODES[code]);
    assert.ok(meaning && meaning.length > 10, `${code}: meaning`);
    assert.ok(todo && todo.length > 10, `${code}: what to do`);
  }
});

test('every error code thrown in the compiled sources is in the union', () => {
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.js')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/'(E_[A-Z_]+)'/g)) found.add(m[1]!);
      }
    }
  };
  walk(join(PACKAGE_ROOT, 'dist', 'src'));
  assert.ok(found.size >= 10, `found ${found.size} codes`);
  for (const code of found) assert.ok(code in ERROR_EXIT_CODES, `${code} is thrown but not in ErrorCode`);
});
