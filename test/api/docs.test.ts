/**
 * docs/api.md is the public API: every name the package entry exports is documented there and
 * nothing else is exported; its samples are the test regions they are cut from (test/api/samples.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { PACKAGE_ROOT } from '../../src/native.js';
import { collectRegions, documentedNames, sampleNames, spliceSamples } from './samples.js';

const API_MD = join(PACKAGE_ROOT, 'docs', 'api.md');
const ENTRY_JS = join(PACKAGE_ROOT, 'dist', 'src', 'index.js');
const ENTRY_DTS = join(PACKAGE_ROOT, 'dist', 'src', 'index.d.ts');
const md = readFileSync(API_MD, 'utf8');

/** Every name the package entry's declarations export (values and types), via the TypeScript checker. */
function declaredExports(): string[] {
  const options = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true };
  const program = ts.createProgram([ENTRY_DTS], options);
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(ENTRY_DTS)!)!;
  return checker.getExportsOfModule(module).map((s) => s.name);
}

test('docs/api.md is up to date with the test regions (run `npm run docs`)', () => {
  assert.equal(md, spliceSamples(md, collectRegions(PACKAGE_ROOT)));
});

test('every test region is a sample of docs/api.md and every documented entry has one', () => {
  const used = new Set(sampleNames(md));
  for (const name of collectRegions(PACKAGE_ROOT).keys()) {
    assert.ok(used.has(name), `region ${name} is not used in docs/api.md`);
  }
  const entries = md.split('\n### ').slice(1);
  assert.ok(entries.length >= 15, `${entries.length} entries`);
  for (const e of entries) {
    assert.match(e.split('\n## ')[0]!, /<!-- sample: \S+ -->\n```ts\n\/\/ test\//, `entry ${e.split('\n')[0]}`);
  }
});

test('the package entry exports exactly the documented names', async () => {
  const { values, types } = documentedNames(md);
  assert.equal(new Set([...values, ...types]).size, values.length + types.length, 'each name documented once');
  const mod = (await import(ENTRY_JS)) as Record<string, unknown>;
  for (const name of values) assert.notEqual(mod[name], undefined, `${name} is documented but not exported`);
  assert.deepEqual(Object.keys(mod).sort(), [...values].sort(), 'runtime exports = documented values');
  for (const name of types) assert.ok(!(name in mod), `${name} is documented as a type but is a value`);
  assert.deepEqual(declaredExports().sort(), [...values, ...types].sort(), 'declared exports = documented names');
});

test('package.json points at the entry this test checks', () => {
  type Pkg = { exports: { '.': { default: string; types: string } } };
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as Pkg;
  assert.equal(join(PACKAGE_ROOT, pkg.exports['.'].default), ENTRY_JS);
  assert.equal(join(PACKAGE_ROOT, pkg.exports['.'].types), ENTRY_DTS);
});
