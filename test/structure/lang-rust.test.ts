/**
 * Rust (native/lang/rust.cc; docs/languages/rust.md), tier 2: hand-checked fixtures for each item kind and
 * scoping rule (no compiler truth), fence aliases, untagged detection, and the shared data's ```rust blocks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeStructureBatch } from '../../src/structure/index.js';
import { DATA_DIR, loadSamples, pc } from './truth.js';

function analyzeRust(code: string): { got: string[]; edges: string[] } {
  const md = `\`\`\`rust\n${code}\n\`\`\`\n`;
  const out = analyzeStructureBatch([md], { parseTimeoutMs: 0 })[0]!;
  assert.ok(out.ok, 'analyzed');
  const cps = Array.from(md);
  const r = out.result;
  assert.deepEqual(
    r.segments.map((s) => s.lang),
    ['rust'],
  );
  const texts = r.items.map((it) => cps.slice(it.start, it.end).join('').trim());
  const got = r.items.map((it, i) => `${it.kind} ${texts[i]}`);
  const edges = [...new Set(r.edges.map(([a, b]) => `${texts[a]} -> ${texts[b]}`))].sort();
  return { got, edges };
}

const ITEMS = [
  'use std::collections::{HashMap, HashSet as HS};',
  'use std::io;',
  'struct P { x: i32, y: i32 }',
  'enum E { A(i32), B { v: u8 }, C }',
  'trait Tr { fn m(&self) -> i32; }',
  'impl Tr for P { fn m(&self) -> i32 { self.x } }',
  'mod inner { pub fn g() {} }',
  'fn f<T: Clone>(a: i32, (b, c): (i32, i32)) -> i32 {',
  '    let x = a;',
  '    let (y, mut z) = (x, 1);',
  '    let x = x + 1;',
  '    if let Some(v) = opt { v } else { 0 };',
  '    while let Some(w) = it.next() { }',
  '    for (i, j) in pairs.iter() { }',
  '    let cl = |q: i32| { q + x };',
  '    match e { E::A(n) if n > 0 => n, E::B { v } => { v as i32 } _ => 0, }',
  '    println!("{}", x);',
  "    'outer: loop { break 'outer; }",
  '    let p = P { x: 1, y };',
  '    return x;',
  '}',
  'const K: i32 = 1;',
  'static S: i32 = 2;',
  'type Alias = i32;',
  'macro_rules! mm { () => {} }',
].join('\n');

test('rust: items of each kind (items, let, if/while/for/match/loop, else and match-arm clauses, tails)', () => {
  const { got } = analyzeRust(ITEMS);
  assert.deepEqual(got, [
    'simple use std::collections::{HashMap, HashSet as HS};',
    'simple use std::io;',
    'header struct P {',
    'simple x: i32',
    'simple y: i32',
    'header enum E {',
    'simple A(i32)',
    'simple B { v: u8 }',
    'simple C',
    'header trait Tr {',
    'simple fn m(&self) -> i32;',
    'header impl Tr for P {',
    'header fn m(&self) -> i32 {',
    'simple self.x',
    'header mod inner {',
    'header pub fn g() {',
    'header fn f<T: Clone>(a: i32, (b, c): (i32, i32)) -> i32 {',
    'simple let x = a;',
    'simple let (y, mut z) = (x, 1);',
    'simple let x = x + 1;',
    'header if let Some(v) = opt {',
    'simple v',
    'clause else {',
    'simple 0',
    'header while let Some(w) = it.next() {',
    'header for (i, j) in pairs.iter() {',
    'header let cl = |q: i32| {',
    'simple q + x',
    'header match e {',
    'clause E::A(n) if n > 0 =>',
    'simple n',
    'clause E::B { v } =>',
    'simple v as i32',
    'clause _ =>',
    'simple 0',
    'simple println!("{}", x);',
    "header 'outer: loop {",
    "simple break 'outer;",
    'simple let p = P { x: 1, y };',
    'simple return x;',
    'simple const K: i32 = 1;',
    'simple static S: i32 = 2;',
    'simple type Alias = i32;',
    'simple macro_rules! mm { () => {} }',
  ]);
});

test('rust: def-use of the item fixture (patterns, shadowing, self, closures, match arms, macro arguments)', () => {
  const { edges } = analyzeRust(ITEMS);
  assert.deepEqual(
    edges,
    [
      'struct P { -> impl Tr for P {',
      'struct P { -> let p = P { x: 1, y };',
      'enum E { -> E::A(n) if n > 0 =>',
      'enum E { -> E::B { v } =>',
      'trait Tr { -> impl Tr for P {',
      'fn m(&self) -> i32 { -> self.x',
      'fn f<T: Clone>(a: i32, (b, c): (i32, i32)) -> i32 { -> let x = a;',
      // `let x = x + 1` reads the first x, later uses see the second (shadowing)
      'let x = a; -> let (y, mut z) = (x, 1);',
      'let x = a; -> let x = x + 1;',
      'let x = x + 1; -> q + x',
      'let x = x + 1; -> println!("{}", x);',
      'let x = x + 1; -> return x;',
      'let (y, mut z) = (x, 1); -> let p = P { x: 1, y };',
      'if let Some(v) = opt { -> v',
      'let cl = |q: i32| { -> q + x',
      'E::A(n) if n > 0 => -> n',
      'E::B { v } => -> v as i32',
    ].sort(),
  );
});

const SCOPES = [
  'use std::io;',
  'use std::collections::HashMap as Map;',
  '',
  'fn main() {',
  '    let n = helper(1);',
  '    let mut m: Map<String, i32> = Map::new();',
  '    for (k, v) in m.iter() {',
  '        println!("{} {}", k, v);',
  '    }',
  '    let n = n + 1;',
  '    {',
  '        let n = 0;',
  '        let _ = n;',
  '    }',
  '    while let Some(x) = next(n) {',
  "        'outer: loop {",
  "            break 'outer;",
  '        }',
  '        let y = x;',
  '    }',
  '    let f = |a: i32| a + n;',
  '    let s = inner::g(f(2));',
  '    io::stdin();',
  '}',
  '',
  'fn helper(x: i32) -> i32 {',
  '    x',
  '}',
  '',
  'mod inner {',
  '    pub fn g(v: i32) -> i32 {',
  '        v',
  '    }',
  '}',
  '',
  'struct W<T> {',
  '    val: T,',
  '}',
  '',
  'impl<T> W<T> {',
  '    fn get(&self) -> &T {',
  '        &self.val',
  '    }',
  '}',
].join('\n');

test('rust: scoping (use bindings, items hoisted, block shadowing, while let, labels, mod paths, generics)', () => {
  const { edges } = analyzeRust(SCOPES);
  assert.deepEqual(
    edges,
    [
      'use std::io; -> io::stdin();',
      'use std::collections::HashMap as Map; -> let mut m: Map<String, i32> = Map::new();',
      // helper is defined after main: items are visible in their whole module
      'fn helper(x: i32) -> i32 { -> let n = helper(1);',
      'fn helper(x: i32) -> i32 { -> x',
      'let n = helper(1); -> let n = n + 1;',
      'let mut m: Map<String, i32> = Map::new(); -> for (k, v) in m.iter() {',
      'for (k, v) in m.iter() { -> println!("{} {}", k, v);',
      'let n = n + 1; -> while let Some(x) = next(n) {',
      'let n = n + 1; -> let f = |a: i32| a + n;',
      // the inner block's n shadows only inside the block
      'let n = 0; -> let _ = n;',
      'while let Some(x) = next(n) { -> let y = x;',
      'let f = |a: i32| a + n; -> let s = inner::g(f(2));',
      // `inner::g`: the module name is a use, the path's last name is not
      'mod inner { -> let s = inner::g(f(2));',
      'pub fn g(v: i32) -> i32 { -> v',
      'struct W<T> { -> val: T',
      'struct W<T> { -> impl<T> W<T> {',
      'impl<T> W<T> { -> fn get(&self) -> &T {',
      'fn get(&self) -> &T { -> &self.val',
    ].sort(),
  );
});

test('rust: fence aliases and untagged detection', () => {
  for (const tag of ['rust', 'rs', 'Rust']) {
    const out = analyzeStructureBatch([`\`\`\`${tag}\nlet x = 1;\n\`\`\`\n`], { parseTimeoutMs: 0 })[0]!;
    assert.ok(out.ok);
    assert.equal(out.result.segments[0]?.lang, 'rust', tag);
  }
  const untagged = 'use std::io;\n\nfn main() {\n    let mut s = String::new();\n    println!("{}", s);\n}\n';
  const out = analyzeStructureBatch([`\`\`\`\n${untagged}\`\`\`\n`], { parseTimeoutMs: 0 })[0]!;
  assert.ok(out.ok);
  assert.equal(out.result.segments[0]?.lang, 'rust');
  const py = 'def f(x):\n    return x + 1\n\nprint(f(2))\n';
  const outPy = analyzeStructureBatch([`\`\`\`\n${py}\`\`\`\n`], { parseTimeoutMs: 0 })[0]!;
  assert.ok(outPy.ok);
  assert.equal(outPy.result.segments[0]?.lang, 'python');
});

test("rust: the shared data's ```rust / ```rs blocks (records with items, flagged items, coverage)", () => {
  const samples = loadSamples().filter((s) => /```(rust|rs)\s*\n/i.test(s.response));
  if (samples.length === 0) {
    console.log(`# no \`\`\`rust blocks in ${DATA_DIR} (skipped)`);
    return;
  }
  const res = analyzeStructureBatch(
    samples.map((s) => s.response),
    { parseTimeoutMs: 0 },
  );
  let withItems = 0;
  let items = 0;
  let flagged = 0;
  let segChars = 0;
  let itemizedChars = 0;
  res.forEach((out) => {
    if (!out.ok) return;
    const r = out.result;
    const rust = new Set(r.segments.flatMap((s, i) => (s.lang === 'rust' ? [i] : [])));
    const mine = r.items.filter((it) => rust.has(it.segment));
    if (mine.length > 0) withItems++;
    items += mine.length;
    flagged += mine.filter((it) => it.flags.length > 0).length;
    r.segments.forEach((s, i) => {
      if (!rust.has(i)) return;
      segChars += s.end - s.start;
      if (mine.some((it) => it.segment === i)) itemizedChars += s.end - s.start;
    });
  });
  console.log(
    `# shared data: ${samples.length} records with \`\`\`rust blocks, ${withItems} with Rust items, ${items} items, ` +
      `${flagged} flagged; ${pc(itemizedChars / Math.max(1, segChars))} of Rust segment chars in segments with items`,
  );
  assert.equal(withItems, samples.length);
  assert.ok(itemizedChars / segChars >= 0.95);
});
