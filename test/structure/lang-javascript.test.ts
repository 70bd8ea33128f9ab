/**
 * JavaScript / JSX (native/lang/javascript.cc): hand-checked items and def-use edges, fence aliases and untagged
 * detection, shared-data coverage, and agreement with the TypeScript compiler (tools/truth/ts-truth.mjs) on the
 * tagged fences of ../shared/data and a seeded sample of node_modules (tools/truth/corpus.mjs). Figures are printed
 * (docs/languages/javascript.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/native.js';
import { findLanguage } from '../../src/structure/languages.js';
import { analyzeStructureBatch } from '../../src/structure/index.js';
import {
  agreement,
  agreementFigures,
  agreementLine,
  coverageLine,
  sharedCoverage,
  structureOf,
  type TruthInput,
} from './lang.helpers.js';
import { splitAtLambdas, tsTruth } from './js-truth.helpers.js';

const STATEMENTS = [
  "import fs, { readFile as rf } from 'fs';",
  "import * as path from 'path';",
  'const { a, b: [c, d = a], ...rest } = load();',
  'let total = 0;',
  'for (let i = 0; i < c.length; i++) {',
  '  total += c[i] + d;',
  '} ',
  'for (const k of Object.keys(rest)) console.log(k);',
  'if (total > 10) {',
  '  fs.write(total);',
  '} else if (total > 5) {',
  "  rf(path.join('x'));",
  '} else {',
  '  log(total);',
  '}',
  'function log(x, y = total) {',
  '  var z = x;',
  '  var z = y;',
  '  return z;',
  '}',
  'while (total--) {',
  '  if (!total) break;',
  '}',
  'do {',
  '  total++;',
  '} while (total < 3);',
  'switch (total) {',
  '  case 1:',
  '    log(1);',
  '    break;',
  '  default:',
  '    log(2);',
  '}',
  'try {',
  '  risky();',
  '} catch (err) {',
  '  log(err);',
  '} finally {',
  '  done();',
  '}',
].join('\n');

test('javascript: statements, headers, clauses; imports, destructuring, block and function scopes', () => {
  const s = structureOf('javascript', STATEMENTS);
  assert.deepEqual(s.items, [
    "simple import fs, { readFile as rf } from 'fs';",
    "simple import * as path from 'path';",
    'simple const { a, b: [c, d = a], ...rest } = load();',
    'simple let total = 0;',
    'header for (let i = 0; i < c.length; i++) {',
    'simple total += c[i] + d;',
    'header for (const k of Object.keys(rest))',
    'simple console.log(k);',
    'header if (total > 10) {',
    'simple fs.write(total);',
    'clause else if (total > 5) {',
    "simple rf(path.join('x'));",
    'clause else {',
    'simple log(total);',
    'header function log(x, y = total) {',
    'simple var z = x;',
    'simple var z = y;',
    'simple return z;',
    'header while (total--) {',
    'header if (!total)',
    'simple break;',
    'header do {',
    'simple total++;',
    'header switch (total) {',
    'clause case 1:',
    'simple log(1);',
    'simple break;',
    'clause default:',
    'simple log(2);',
    'header try {',
    'simple risky();',
    'clause catch (err) {',
    'simple log(err);',
    'clause finally {',
    'simple done();',
  ]);
  assert.deepEqual(s.edges, [
    'catch (err) { -> log(err);',
    'const { a, b: [c, d = a], ...rest } = load(); -> for (const k of Object.keys(rest))',
    'const { a, b: [c, d = a], ...rest } = load(); -> for (let i = 0; i < c.length; i++) {',
    'const { a, b: [c, d = a], ...rest } = load(); -> total += c[i] + d;',
    'for (const k of Object.keys(rest)) -> console.log(k);',
    'for (let i = 0; i < c.length; i++) { -> total += c[i] + d;',
    'function log(x, y = total) { -> log(1);',
    'function log(x, y = total) { -> log(2);',
    'function log(x, y = total) { -> log(err);',
    'function log(x, y = total) { -> log(total);',
    'function log(x, y = total) { -> var z = x;',
    'function log(x, y = total) { -> var z = y;',
    "import * as path from 'path'; -> rf(path.join('x'));",
    "import fs, { readFile as rf } from 'fs'; -> fs.write(total);",
    "import fs, { readFile as rf } from 'fs'; -> rf(path.join('x'));",
    'let total = 0; -> else if (total > 5) {',
    'let total = 0; -> fs.write(total);',
    'let total = 0; -> function log(x, y = total) {',
    'let total = 0; -> if (!total)',
    'let total = 0; -> if (total > 10) {',
    'let total = 0; -> log(total);',
    'let total = 0; -> switch (total) {',
    'let total = 0; -> total += c[i] + d;',
    'let total = 0; -> total++;',
    'let total = 0; -> while (total--) {',
    'var z = x; -> return z;',
  ]);
});

const DEFINITIONS = [
  'hoisted(1);',
  'function hoisted(n) { return n; }',
  'class Shape extends Base {',
  '  static count = 0;',
  '  #secret = 1;',
  '  constructor(w) {',
  '    super(w);',
  '    this.w = w;',
  '  }',
  '  area() {',
  '    return this.w * Shape.count;',
  '  }',
  '}',
  'const obj = {',
  '  greet(name) {',
  '    return `hi ${name}`;',
  '  },',
  '};',
  "app.get('/', (req, res) => {",
  '  res.send(obj.greet(req.q));',
  '}).listen(port);',
  '{',
  '  let x = 1;',
  '  {',
  '    let x = 2;',
  '    use(x);',
  '  }',
  '  use(x);',
  '}',
  'outer: for (const s of [new Shape(2)]) {',
  '  continue outer;',
  '}',
  'const el = <Button onClick={() => hoisted(2)}>{label}</Button>;',
].join('\n');

test('javascript: hoisting, classes, object methods and arrow bodies split their statement, shadowing, JSX', () => {
  const s = structureOf('javascript', DEFINITIONS);
  assert.deepEqual(s.items, [
    'simple hoisted(1);',
    'header function hoisted(n) {',
    'simple return n;',
    'header class Shape extends Base {',
    'simple static count = 0;',
    'simple #secret = 1;',
    'header constructor(w) {',
    'simple super(w);',
    'simple this.w = w;',
    'header area() {',
    'simple return this.w * Shape.count;',
    'header const obj = { greet(name) {',
    'simple return `hi ${name}`;',
    "header app.get('/', (req, res) => {",
    'simple res.send(obj.greet(req.q));',
    'clause ).listen(port);',
    'simple let x = 1;',
    'simple let x = 2;',
    'simple use(x);',
    'simple use(x);',
    'header for (const s of [new Shape(2)]) {',
    'simple continue outer;',
    'simple const el = <Button onClick={() => hoisted(2)}>{label}</Button>;',
  ]);
  assert.deepEqual(s.edges, [
    "app.get('/', (req, res) => { -> res.send(obj.greet(req.q));",
    'class Shape extends Base { -> for (const s of [new Shape(2)]) {',
    'class Shape extends Base { -> return this.w * Shape.count;',
    'const obj = { greet(name) { -> res.send(obj.greet(req.q));',
    'const obj = { greet(name) { -> return `hi ${name}`;',
    'constructor(w) { -> super(w);',
    'constructor(w) { -> this.w = w;',
    'function hoisted(n) { -> const el = <Button onClick={() => hoisted(2)}>{label}</Button>;',
    'function hoisted(n) { -> hoisted(1);',
    'function hoisted(n) { -> return n;',
    'let x = 1; -> use(x);',
    'let x = 2; -> use(x);',
  ]);
});

test('javascript: fence aliases and untagged detection', () => {
  for (const a of ['javascript', 'js', 'jsx', 'node', 'mjs', 'cjs', 'javascriptreact'])
    assert.equal(findLanguage(a)?.name, 'javascript', a);
  const untagged = '```\nconst add = (a, b) => a + b;\nconsole.log(add(1, 2));\n```\n';
  const py = '```\ndef add(a, b):\n    return a + b\n\nprint(add(1, 2))\n```\n';
  const [js, p] = analyzeStructureBatch([untagged, py], { parseTimeoutMs: 0 });
  assert.ok(js?.ok && p?.ok);
  assert.deepEqual(
    js.result.segments.map((x) => x.lang),
    ['javascript'],
  );
  assert.deepEqual(
    p.result.segments.map((x) => x.lang),
    ['python'],
  );
});

test('javascript: shared-data coverage (tagged javascript / jsx fences)', (t) => {
  const c = sharedCoverage(['javascript']);
  if (!c.blocks) return t.skip('no shared data');
  console.log(coverageLine('javascript', c));
  assert.ok(c.share >= 0.95, `share of fenced chars in itemized segments ${c.share}`);
});

const TRUTH = join(PACKAGE_ROOT, 'tools', 'truth', 'ts-truth.mjs');
const CORPUS_FILES = 200;

test('javascript: agreement with the TypeScript compiler (shared-data fences + corpus sample)', async (t) => {
  if (!existsSync(TRUTH)) return t.skip('tools/truth/ts-truth.mjs not present');
  const fences = (await import(join(PACKAGE_ROOT, 'tools', 'truth', 'fences.mjs'))) as {
    loadFences: () => Array<{ key: string; lang: string; text: string }>;
  };
  const corpus = (await import(join(PACKAGE_ROOT, 'tools', 'truth', 'corpus.mjs'))) as {
    sampleJsTs: (n: number, seed: number) => Array<{ key: string; lang: string; text: string }>;
  };
  const sets: Array<[string, TruthInput[]]> = [
    ['fences', fences.loadFences().filter((b) => b.lang === 'javascript' || b.lang === 'jsx')],
    ['corpus', corpus.sampleJsTs(CORPUS_FILES * 2, 1).filter((r) => r.lang === 'javascript')],
  ];
  for (const [name, inputs] of sets) {
    const a = agreement('javascript', inputs, tsTruth(inputs), undefined, { normalize: splitAtLambdas, maxMisses: 8 });
    console.log(agreementLine(`javascript ${name}`, a));
    for (const m of a.misses) console.log(`  ${m}`);
    const f = agreementFigures(a);
    assert.ok(a.segments - a.skippedTruth - a.skippedOurs > 0, `${name}: segments compared`);
    assert.ok(f.spanRecall >= 0.99, `${name}: span recall ${f.spanRecall}`);
    assert.ok(f.spanPrecision >= 0.99, `${name}: span precision ${f.spanPrecision}`);
    assert.ok(f.edgeRecall >= 0.95, `${name}: def-use recall ${f.edgeRecall}`);
    assert.ok(f.edgePrecision >= 0.9, `${name}: def-use precision ${f.edgePrecision}`);
  }
});
