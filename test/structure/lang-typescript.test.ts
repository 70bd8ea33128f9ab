/**
 * TypeScript and TSX (native/lang/typescript.cc): hand-checked items and def-use edges, fence aliases and untagged
 * detection, shared-data coverage, and agreement with the TypeScript compiler (tools/truth/ts-truth.mjs) on the
 * tagged fences of ../shared/data and a seeded sample of node_modules' .ts / .d.ts files (tools/truth/corpus.mjs);
 * TSX on the JSX fences and the same sample parsed as TSX. Figures are printed (docs/languages/typescript.md).
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

const DECLARATIONS = [
  "import { Injectable } from '@angular/core';",
  "import type { Config } from './config';",
  "import fs = require('fs');",
  'export interface Shape<T> extends Base {',
  '  readonly id: T;',
  '  area(scale?: number): number;',
  '  [key: string]: unknown;',
  '}',
  'type Pair<K, V = K> = [K, V];',
  'enum Color { Red, Green = 2 }',
  'declare const VERSION: string;',
  "declare module 'lib' {",
  '  export function helper(x: number): void;',
  '}',
  'namespace Geo {',
  '  export const origin: Pair<number> = [0, 0];',
  '}',
  'function pick(c: Config): Color;',
  'function pick(c: Config, fallback?: Color): Color {',
  '  return fallback ?? Color.Red;',
  '}',
  '@Injectable()',
  'export abstract class Square<T> implements Shape<T> {',
  '  private size: number = 1;',
  '  constructor(public readonly id: T, scale: number = Geo.origin[0]) {',
  '    super();',
  '  }',
  '  abstract draw(ctx: CanvasRenderingContext2D): void;',
  '  @Log()',
  '  area(scale = 1): number {',
  '    return this.size * scale;',
  '  }',
  '}',
  'const value = VERSION as unknown as Pair<string>;',
  'let Color2: typeof Color = Color;',
  'fs.readFileSync(value[0]);',
].join('\n');

test('typescript: interfaces, type aliases, enums, declare, namespaces, overloads, abstract classes', () => {
  const s = structureOf('typescript', DECLARATIONS);
  assert.deepEqual(s.items, [
    "simple import { Injectable } from '@angular/core';",
    "simple import type { Config } from './config';",
    "simple import fs = require('fs');",
    'header export interface Shape<T> extends Base {',
    'simple readonly id: T;',
    'simple area(scale?: number): number;',
    'simple [key: string]: unknown;',
    'simple type Pair<K, V = K> = [K, V];',
    'header enum Color {',
    'simple declare const VERSION: string;',
    "header declare module 'lib' {",
    'simple export function helper(x: number): void;',
    'header namespace Geo {',
    'simple export const origin: Pair<number> = [0, 0];',
    'simple function pick(c: Config): Color;',
    'header function pick(c: Config, fallback?: Color): Color {',
    'simple return fallback ?? Color.Red;',
    'header @Injectable() export abstract class Square<T> implements Shape<T> {',
    'simple private size: number = 1;',
    'header constructor(public readonly id: T, scale: number = Geo.origin[0]) {',
    'simple super();',
    'simple abstract draw(ctx: CanvasRenderingContext2D): void;',
    'header @Log() area(scale = 1): number {',
    'simple return this.size * scale;',
    'simple const value = VERSION as unknown as Pair<string>;',
    'simple let Color2: typeof Color = Color;',
    'simple fs.readFileSync(value[0]);',
  ]);
  assert.deepEqual(s.edges, [
    '@Injectable() export abstract class Square<T> implements Shape<T> { ->' +
      ' constructor(public readonly id: T, scale: number = Geo.origin[0]) {',
    '@Log() area(scale = 1): number { -> return this.size * scale;',
    'const value = VERSION as unknown as Pair<string>; -> fs.readFileSync(value[0]);',
    'declare const VERSION: string; -> const value = VERSION as unknown as Pair<string>;',
    'enum Color { -> function pick(c: Config): Color;',
    'enum Color { -> function pick(c: Config, fallback?: Color): Color {',
    'enum Color { -> let Color2: typeof Color = Color;',
    'enum Color { -> return fallback ?? Color.Red;',
    'export interface Shape<T> extends Base { -> @Injectable() export abstract class Square<T> implements Shape<T> {',
    'export interface Shape<T> extends Base { -> readonly id: T;',
    'function pick(c: Config, fallback?: Color): Color { -> return fallback ?? Color.Red;',
    "import fs = require('fs'); -> fs.readFileSync(value[0]);",
    "import type { Config } from './config'; -> function pick(c: Config): Color;",
    "import type { Config } from './config'; -> function pick(c: Config, fallback?: Color): Color {",
    "import { Injectable } from '@angular/core'; ->" +
      ' @Injectable() export abstract class Square<T> implements Shape<T> {',
    'namespace Geo { -> constructor(public readonly id: T, scale: number = Geo.origin[0]) {',
    'type Pair<K, V = K> = [K, V]; -> const value = VERSION as unknown as Pair<string>;',
    'type Pair<K, V = K> = [K, V]; -> export const origin: Pair<number> = [0, 0];',
  ]);
});

const COMPONENT = [
  "import React, { useState } from 'react';",
  'interface Props {',
  '  label: string;',
  '  onPick?: (value: number) => void;',
  '}',
  'export function Counter({ label, onPick }: Props) {',
  '  const [count, setCount] = useState<number>(0);',
  '  useEffect(() => {',
  '    onPick?.(count);',
  '  }, [count]);',
  '  return <button onClick={() => setCount(count + 1)}>{label}: {count}</button>;',
  '}',
].join('\n');

test('tsx: a typed component (JSX, hooks, destructured typed parameters)', () => {
  const s = structureOf('tsx', COMPONENT);
  assert.deepEqual(s.items, [
    "simple import React, { useState } from 'react';",
    'header interface Props {',
    'simple label: string;',
    'simple onPick?: (value: number) => void;',
    'header export function Counter({ label, onPick }: Props) {',
    'simple const [count, setCount] = useState<number>(0);',
    'header useEffect(() => {',
    'simple onPick?.(count);',
    'clause , [count]);',
    'simple return <button onClick={() => setCount(count + 1)}>{label}: {count}</button>;',
  ]);
  assert.deepEqual(s.edges, [
    'const [count, setCount] = useState<number>(0); -> , [count]);',
    'const [count, setCount] = useState<number>(0); -> onPick?.(count);',
    'const [count, setCount] = useState<number>(0); ->' +
      ' return <button onClick={() => setCount(count + 1)}>{label}: {count}</button>;',
    'export function Counter({ label, onPick }: Props) { -> onPick?.(count);',
    'export function Counter({ label, onPick }: Props) { ->' +
      ' return <button onClick={() => setCount(count + 1)}>{label}: {count}</button>;',
    "import React, { useState } from 'react'; -> const [count, setCount] = useState<number>(0);",
    'interface Props { -> export function Counter({ label, onPick }: Props) {',
  ]);
});

test('typescript: types and values are two name spaces; type parameters and signature names stay inside', () => {
  const code = [
    'const Kind = { A: 1 };',
    'type Kind = keyof typeof Kind;',
    'let k: Kind = Kind.A;',
    'function id<T>(x: T): T { return x; }',
    'type Fn = (x: number) => void;',
    'type Keys<O> = { [P in keyof O]: O[P] };',
    'let x = 1;',
  ].join('\n');
  const s = structureOf('ts', code);
  assert.deepEqual(s.edges, [
    'const Kind = { A: 1 }; -> let k: Kind = Kind.A;',
    'const Kind = { A: 1 }; -> type Kind = keyof typeof Kind;',
    'function id<T>(x: T): T { -> return x;',
    'type Kind = keyof typeof Kind; -> let k: Kind = Kind.A;',
  ]);
});

test('typescript / tsx: fence aliases and untagged detection', () => {
  for (const a of ['typescript', 'ts', 'mts', 'cts']) assert.equal(findLanguage(a)?.name, 'typescript', a);
  for (const a of ['tsx', 'typescriptreact']) assert.equal(findLanguage(a)?.name, 'tsx', a);
  const ts = '```\ninterface User {\n  name: string;\n}\nconst u: User = { name: "a" };\n```\n';
  const tsx = '```\nconst A = ({ n }: { n: number }) => <div>{n}</div>;\nexport default A;\n```\n';
  const js = '```\nconst add = (a, b) => a + b;\nconsole.log(add(1, 2));\n```\n';
  const py = '```\ndef add(a: int, b: int) -> int:\n    return a + b\n```\n';
  const outs = analyzeStructureBatch([ts, tsx, js, py], { parseTimeoutMs: 0 });
  assert.deepEqual(
    outs.map((o) => (o.ok ? o.result.segments.map((x) => x.lang).join() : o.reason)),
    ['typescript', 'tsx', 'javascript', 'python'],
  );
});

test('typescript / tsx: shared-data coverage (tagged ts / tsx fences)', (t) => {
  for (const lang of ['typescript', 'tsx']) {
    const c = sharedCoverage([lang]);
    console.log(coverageLine(lang, c));
    if (c.blocks) assert.ok(c.share >= 0.95, `${lang}: share of fenced chars in itemized segments ${c.share}`);
  }
  if (!sharedCoverage(['typescript', 'tsx']).blocks) t.skip('no typescript fences in the shared data');
});

const TRUTH = join(PACKAGE_ROOT, 'tools', 'truth', 'ts-truth.mjs');

test('typescript / tsx: agreement with the TypeScript compiler (shared-data fences + corpus sample)', async (t) => {
  if (!existsSync(TRUTH)) return t.skip('tools/truth/ts-truth.mjs not present');
  const fences = (await import(join(PACKAGE_ROOT, 'tools', 'truth', 'fences.mjs'))) as {
    loadFences: () => Array<{ key: string; lang: string; text: string }>;
  };
  const corpus = (await import(join(PACKAGE_ROOT, 'tools', 'truth', 'corpus.mjs'))) as {
    sampleJsTs: (n: number, seed: number) => Array<{ key: string; lang: string; text: string }>;
  };
  const blocks = fences.loadFences();
  const tsFiles = corpus.sampleJsTs(400, 1).filter((r) => r.lang === 'typescript');
  const asTsx = (x: TruthInput): TruthInput => ({ ...x, lang: 'tsx' });
  const sets: Array<[string, string, TruthInput[]]> = [
    ['typescript', 'fences', blocks.filter((b) => b.lang === 'typescript')],
    ['typescript', 'corpus', tsFiles],
    ['tsx', 'fences', [...blocks.filter((b) => b.lang === 'tsx' || b.lang === 'jsx').map(asTsx)]],
    ['tsx', 'corpus', tsFiles.slice(0, 60).map(asTsx)],
  ];
  for (const [tag, name, inputs] of sets) {
    if (!inputs.length) {
      console.log(`${tag} ${name}: no segments`);
      continue;
    }
    const a = agreement(tag, inputs, tsTruth(inputs), undefined, { normalize: splitAtLambdas, maxMisses: 8 });
    console.log(agreementLine(`${tag} ${name}`, a));
    for (const m of a.misses) console.log(`  ${m}`);
    const f = agreementFigures(a);
    assert.ok(a.segments - a.skippedTruth - a.skippedOurs > 0, `${tag} ${name}: segments compared`);
    assert.ok(f.spanRecall >= 0.99, `${tag} ${name}: span recall ${f.spanRecall}`);
    assert.ok(f.spanPrecision >= 0.99, `${tag} ${name}: span precision ${f.spanPrecision}`);
    assert.ok(f.edgeRecall >= 0.95, `${tag} ${name}: def-use recall ${f.edgeRecall}`);
    assert.ok(f.edgePrecision >= 0.9, `${tag} ${name}: def-use precision ${f.edgePrecision}`);
  }
});
