/**
 * Hostile input in the non-Python grammars (issue #13): unterminated strings and comments, 10k-deep
 * braces, a minified one-line script, binary junk in a ```java fence, deep else-if chains and huge
 * switch clauses. Each record ends analyzed or rejected with a reason under the parse budget; nothing
 * crashes, and the same input gives the same answer in a worker thread.
 */
import { memRecords } from '../helpers/mem-records.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeStructure, analyzeStructureBatch } from '../../src/structure/index.js';

const fence = (tag: string, body: string) => `Here:\n\`\`\`${tag}\n${body}\n\`\`\`\n`;

function junk(n: number, seed: number): string {
  let x = seed >>> 0;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    s += String.fromCharCode(x >>> 24 || 1);
  }
  return s;
}

const elseIfChain = (n: number) => Array.from({ length: n }, (_, i) => `if (x == ${i}) return ${i};`).join(' else ');

const CASES: Array<[string, string]> = [
  ['unterminated string (js)', fence('js', `const s = "abc${'x'.repeat(5000)}\nlet y = 1;`)],
  ['unterminated block comment (java)', fence('java', `class A { /* ${'never closed '.repeat(500)}`)],
  ['unterminated template (ts)', fence('ts', `const t = \`${'$'.concat('{a}').repeat(3000)}`)],
  ['10k-deep braces (js)', fence('js', `${'{'.repeat(10000)}x;${'}'.repeat(10000)}`)],
  ['10k-deep braces (c)', fence('c', `int main() ${'{'.repeat(10000)} return 0; ${'}'.repeat(10000)}`)],
  ['10k-deep parens (go)', fence('go', `package main\nvar x = ${'('.repeat(10000)}1${')'.repeat(10000)}`)],
  [
    'minified one-line js',
    fence(
      'js',
      Array.from({ length: 4000 }, (_, i) => `function f${i}(a,b){if(a>b){return a-b}else{return f${i}(b,a)}}`).join(
        ';',
      ),
    ),
  ],
  ['binary junk (java)', fence('java', junk(20000, 7))],
  ['binary junk (cpp)', fence('cpp', junk(20000, 11))],
  ['deep else-if chain (java)', fence('java', `class A { int f(int x) { ${elseIfChain(3000)} return -1; } }`)],
  ['huge switch clause (c)', fence('c', `int f(int x) { switch (x) { case 1: ${'x++; '.repeat(20000)} } return x; }`)],
  ['ruby heredoc junk', fence('ruby', `x = <<~EOS\n${'#{'.repeat(2000)}`)],
  ['bash unterminated quote', fence('bash', `echo "${'$('.repeat(2000)}`)],
  ['php unterminated', fence('php', `<?php\n$x = "${'{$a'.repeat(2000)}`)],
];

const REASONS = new Set(['no_code', 'work_budget', 'too_many_items']);

test('hostile non-Python input: analyzed or rejected with a reason within the work budget, never a crash', async () => {
  const texts = CASES.map(([, t]) => t);
  const t0 = performance.now();
  const out = analyzeStructureBatch(texts, { wallTimeoutMs: 0 });
  const wall = performance.now() - t0;
  out.forEach((o, i) => {
    const name = CASES[i]![0];
    if (o.ok) {
      assert.ok(o.result.segments.length > 0, name);
      for (const it of o.result.items) assert.ok(it.start < it.end, `${name}: empty item`);
    } else {
      assert.ok(REASONS.has(o.reason), `${name}: ${o.reason}`);
    }
    console.log(`# ${name}: ${o.ok ? `ok, ${o.result.items.length} items` : o.reason}`);
  });
  console.log(`# ${CASES.length} records in ${wall.toFixed(0)} ms`);
  // The same answers from a worker thread (parser state is per thread).
  const recs = memRecords(texts, 'h');
  const viaPool: string[] = [];
  for await (const o of analyzeStructure(recs, { workers: 1, wallTimeoutMs: 0 }))
    viaPool.push(o.ok ? `ok:${o.result.items.length}` : o.reason);
  const direct = out.map((o) => (o.ok ? `ok:${o.result.items.length}` : o.reason));
  // the work budget is deterministic: every answer agrees, work_budget included
  assert.deepEqual(viaPool, direct);
});
