/**
 * Property test: hostile mixes of markdown, Python fragments and odd characters never crash and always give well-formed
 * results.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzeStructureBatch, codePointLength } from '../../src/structure/index.js';

const FRAGMENTS = [
  '```python\n',
  '```\n',
  '~~~py\n',
  '````\n',
  '   ```python\n',
  'def f(a, b=1):\n',
  '    return a\n',
  'class C:\n',
  '  x = 1\n',
  'if x:\n',
  'else:\n',
  'elif y: pass\n',
  'for i in range(3):\n',
  '\tprint(i)\n',
  'try:\n',
  'except E as e:\n',
  'finally:\n',
  'with a as (b, c):\n',
  'match p:\n',
  '  case [x, *r]:\n',
  'lambda q: q\n',
  '[z for z in w if (v := z)]\n',
  '"""doc\n',
  '"""\n',
  '# comment\n',
  'x = (\n',
  ')\n',
  '😀',
  'näme = 1\n',
  '\r\n',
  '\u0000',
  '\\\n',
  '@dec\n',
  'global g\n',
  'nonlocal n\n',
  'Here is text. ',
  'SELECT a FROM t;\n',
  '((((',
  ']]]',
  'async def g():\n',
  '    await h()\n',
  'x += 1\n',
  'del x\n',
  '\ud800',
];

test('random mixes: no crash; items disjoint, in python segments, core inside items, edges/metrics well-formed', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 8 })), { maxLength: 40 }),
      fc.constantFrom('statement', 'block', 'function'),
      (parts, granularity) => {
        const text = parts.join('');
        const [o] = analyzeStructureBatch([text], { granularity: granularity as 'statement', parseTimeoutMs: 0 });
        assert.ok(o);
        if (!o.ok) {
          assert.ok(['no_code', 'work_budget', 'too_many_items'].includes(o.reason));
          return;
        }
        const r = o.result;
        const n = codePointLength(text);
        let prevEnd = 0;
        for (const s of r.segments) {
          assert.ok(s.start >= prevEnd && s.start <= s.end && s.end <= n);
          prevEnd = s.end;
        }
        prevEnd = 0;
        for (const it of r.items) {
          const seg = r.segments[it.segment]!;
          assert.equal(seg.lang, 'python');
          assert.ok(
            it.start >= prevEnd && it.start < it.end && seg.start <= it.start && it.end <= seg.end,
            'disjoint, in segment',
          );
          prevEnd = it.end;
          let cprev = it.start;
          for (const [s, e] of it.core) {
            assert.ok(s >= cprev && s < e && e <= it.end, 'core inside item, sorted');
            cprev = e;
          }
        }
        assert.ok(r.items.some((i) => i.flags.length === 0));
        let pprev = 0;
        const cores = r.items.flatMap((i) => i.core);
        for (const [s, e] of r.prose) {
          assert.ok(s >= pprev && s < e && e <= n, 'prose sorted, disjoint');
          pprev = e;
          assert.ok(
            r.segments.some((g) => g.lang === 'python' && g.start <= s && e <= g.end),
            'prose inside a python segment',
          );
          assert.ok(!cores.some(([a, b]) => a < e && s < b), 'prose is never core');
        }
        const m = r.items.length;
        for (const [a, b] of r.edges) assert.ok(a >= 0 && b >= 0 && a < m && b < m && a !== b);
        assert.equal(r.reach.length, m);
        assert.equal(r.bridge.length, m);
        for (const x of [...r.reach, ...r.bridge]) assert.ok(x >= 0 && x <= 1 + 1e-12);
      },
    ),
    { numRuns: 400, seed: 7 },
  );
});
