/**
 * Golden cases: segmenter, item kinds and spans, core ranges, offsets (emoji, CRLF, tabs, NUL,
 * non-ASCII identifiers), granularity, budgets and robustness.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeStructureBatch, codePointIndex, sliceCodePoints } from '../../src/structure/index.js';
import { analyze, itemTexts } from './golden.helpers.js';

const fence = (tag: string, body: string) => `\`\`\`${tag}\n${body}\`\`\`\n`;

test('segmenter: tagged, aliases, other languages, untagged, unclosed, tilde, indented in lists', () => {
  const text =
    'Intro\n' +
    fence('Python', 'a = 1\n') +
    fence('py3', 'b = a\n') +
    fence('javascript', 'let c = 1;\n') +
    fence('', 'print(b)\n') +
    fence('', 'The output is 5\n') +
    fence('', '[5, 7, 9, 3]\n') +
    '~~~python title="x.py"\nd = b\n~~~\n' +
    '1. step\n   ```python\n   e = d\n   ```\n' +
    '```python\nf = e\n';
  // Python alone (--languages python): the JavaScript block stays code without items
  const r = analyze(text, { languages: ['python'] });
  assert.deepEqual(
    r.segments.map((s) => s.lang),
    ['python', 'python', 'javascript', 'python', 'unknown', 'unknown', 'python', 'python', 'python'],
  );
  // every registered language: the JavaScript block is itemized too
  const all = analyze(text);
  assert.deepEqual(
    all.segments.map((s) => s.lang),
    r.segments.map((s) => s.lang),
  );
  assert.deepEqual(itemTexts(text, all), ['a = 1', 'b = a', 'let c = 1;', 'print(b)', 'd = b', 'e = d', 'f = e']);
  assert.deepEqual(
    r.segments.map((s) => sliceCodePoints(text, s.start, s.end)),
    [
      'a = 1\n',
      'b = a\n',
      'let c = 1;\n',
      'print(b)\n',
      'The output is 5\n',
      '[5, 7, 9, 3]\n',
      'd = b\n',
      '   e = d\n',
      'f = e\n',
    ],
  );
  // items only from Python segments, never from javascript / unknown
  assert.deepEqual(itemTexts(text, r), ['a = 1', 'b = a', 'print(b)', 'd = b', 'e = d', 'f = e']);
  assert.deepEqual(
    r.items.map((i) => r.segments[i.segment]!.lang),
    Array(6).fill('python'),
  );
  // def-use across segments, in order
  const t = itemTexts(text, r);
  const e = new Set(r.edges.map(([a, b]) => `${t[a]} -> ${t[b]}`));
  for (const x of ['a = 1 -> b = a', 'b = a -> print(b)', 'b = a -> d = b', 'd = b -> e = d', 'e = d -> f = e'])
    assert.ok(e.has(x), x);
});

test('segmenter: a bare Python response is one segment; prose is no_code; fences inside a fence are content', () => {
  const bare = 'import os\n\ndef f(x):\n    return os.path.join(x, "a")\n';
  const r = analyze(bare);
  assert.deepEqual(r.segments, [{ start: 0, end: Array.from(bare).length, lang: 'python' }]);
  const [prose, js] = analyzeStructureBatch(['Just some words here.', fence('js', 'let x = 1;\n')]);
  assert.deepEqual(prose, { ok: false, reason: 'no_code' });
  assert.ok(js?.ok && js.result.items.length === 1 && js.result.segments[0]!.lang === 'javascript');
  // a language left out of `languages` yields no items: the record has no code to select
  const [jsOff] = analyzeStructureBatch([fence('js', 'let x = 1;\n')], { languages: ['python'] });
  assert.deepEqual(jsOff, { ok: false, reason: 'no_code' });
  const nested = '````markdown\n```python\nx = 1\n```\n````\n';
  const [n] = analyzeStructureBatch([nested]);
  assert.deepEqual(n, { ok: false, reason: 'no_code' }); // the inner fence is markdown content
});

test('items: kinds, header/clause spans, docstrings and comments are not items', () => {
  const code = [
    '@decorator(1)',
    '@other',
    'def f(a, b=2) -> int:',
    '    """Docstring."""',
    '    # a comment',
    '    try:',
    '        x = [i for i in a]',
    '    except (KeyError, ValueError) as err:',
    '        raise',
    '    else:',
    '        pass',
    '    finally:',
    '        del x',
    '    if a:',
    '        return 1',
    '    elif b: return 2',
    '    else:',
    '        match a:',
    '            case [1, y] if y:',
    '                return y',
    '            case _:',
    '                return 0',
    'class C(Base):',
    '    attr: int = 3',
    '    async def m(self):',
    '        async with lock as l, other():',
    '            await l',
    'while True:',
    '    break',
    'else:',
    '    pass',
    '',
  ].join('\n');
  const r = analyze(code);
  const got = r.items.map((i) => [i.kind, i.type, sliceCodePoints(code, i.start, i.end).trim()]);
  assert.deepEqual(got, [
    ['header', 'function_definition', '@decorator(1)\n@other\ndef f(a, b=2) -> int:'],
    ['header', 'try_statement', 'try:'],
    ['simple', 'expression_statement', 'x = [i for i in a]'],
    ['clause', 'except_clause', 'except (KeyError, ValueError) as err:'],
    ['simple', 'raise_statement', 'raise'],
    ['clause', 'else_clause', 'else:'],
    ['simple', 'pass_statement', 'pass'],
    ['clause', 'finally_clause', 'finally:'],
    ['simple', 'delete_statement', 'del x'],
    ['header', 'if_statement', 'if a:'],
    ['simple', 'return_statement', 'return 1'],
    ['clause', 'elif_clause', 'elif b:'],
    ['simple', 'return_statement', 'return 2'],
    ['clause', 'else_clause', 'else:'],
    ['header', 'match_statement', 'match a:'],
    ['clause', 'case_clause', 'case [1, y] if y:'],
    ['simple', 'return_statement', 'return y'],
    ['clause', 'case_clause', 'case _:'],
    ['simple', 'return_statement', 'return 0'],
    ['header', 'class_definition', 'class C(Base):'],
    ['simple', 'expression_statement', 'attr: int = 3'],
    ['header', 'function_definition', 'async def m(self):'],
    ['header', 'with_statement', 'async with lock as l, other():'],
    ['simple', 'expression_statement', 'await l'],
    ['header', 'while_statement', 'while True:'],
    ['simple', 'break_statement', 'break'],
    ['clause', 'else_clause', 'else:'],
    ['simple', 'pass_statement', 'pass'],
  ]);
  for (const it of r.items) assert.deepEqual(it.flags, []);
  // items are disjoint and in order
  for (let k = 1; k < r.items.length; k++) assert.ok(r.items[k - 1]!.end <= r.items[k]!.start);
});

test('prose in code: comments and docstrings, not items', () => {
  const code = fence(
    'python',
    'def f():\n    """Doc\n    string."""\n    x = [1,  # one\n         2]\n    return x  # done\n# end\n',
  );
  const r = analyze(code);
  assert.deepEqual(
    r.prose.map(([s, e]) => sliceCodePoints(code, s, e)),
    ['"""Doc\n    string."""', '# one', '# done', '# end'],
  );
});

test('spans: whole-line statements cover indentation and trailing newline; a multi-line statement is one item', () => {
  const code = 'def f(x):\n    y = (x +\n         1)\n    if y: return y  # why\n    return 0\n';
  const r = analyze(code);
  assert.deepEqual(
    r.items.map((i) => sliceCodePoints(code, i.start, i.end)),
    ['def f(x):\n', '    y = (x +\n         1)\n', '    if y:', 'return y', '    return 0\n'],
  );
});

test('core ranges: identifiers, keywords, operators, literals; no delimiters, whitespace, comments', () => {
  const code = 'result = foo(a, b=[1, 2]).bar  # note\nif not x: s = f"{x!r}"\n';
  const r = analyze(code);
  const cores = r.items.map((i) => i.core.map(([s, e]) => sliceCodePoints(code, s, e)));
  assert.deepEqual(cores, [
    ['result', '=', 'foo', 'a', 'b=', '1', '2', 'bar'],
    ['if', 'not', 'x'],
    ['s', '=', 'f"{x!r}"'],
  ]);
});

test('offsets are code points: emoji (astral), CRLF, tabs, NUL, non-ASCII identifiers', () => {
  const text =
    'Ünïcödé 😀😀 prose\r\n```python\r\nnäme = "😀"\r\nif näme:\r\n\tprint(näme, "\u0000")\r\n```\r\nmore 🎉\r\n' +
    '```python\r\nx = näme\r\n```';
  const r = analyze(text);
  const cps = Array.from(text);
  assert.deepEqual(
    r.items.map((i) => cps.slice(i.start, i.end).join('')),
    ['näme = "😀"\r\n', 'if näme:\r\n', '\tprint(näme, "\u0000")\r\n', 'x = näme\r\n'],
  );
  for (const it of r.items)
    for (const [s, e] of it.core)
      assert.equal(cps.slice(s, e).join('').trim(), cps.slice(s, e).join(''), 'core has no whitespace');
  assert.deepEqual(
    r.items[2]!.core.map(([s, e]) => cps.slice(s, e).join('')),
    ['print', 'näme', '"\u0000"'],
  );
  const t = r.items.map((i) => cps.slice(i.start, i.end).join('').trim());
  const edges = r.edges.map(([a, b]) => `${t[a]} -> ${t[b]}`);
  assert.ok(edges.includes('näme = "😀" -> if näme:'));
  assert.ok(edges.includes('näme = "😀" -> x = näme'));
  // the UTF-16 helper agrees with Array.from
  const idx = codePointIndex(text);
  assert.equal(idx.length, cps.length + 1);
  for (const it of r.items) assert.equal(text.slice(idx[it.start], idx[it.end]), cps.slice(it.start, it.end).join(''));
});

test('broken code: items overlapping ERROR / MISSING are flagged; the rest stay selectable', () => {
  const code = fence('python', 'x = 1\ndef f(:\n    return x\ny = x +\nz = 2\n');
  const r = analyze(code);
  const flagged = r.items.filter((i) => i.flags.length > 0);
  const clean = r.items.filter((i) => i.flags.length === 0).map((i) => sliceCodePoints(code, i.start, i.end).trim());
  // tree-sitter inserts a MISSING ")" in the def header and wraps `+` in ERROR (recovery joins the
  // dangling `y = x +` with the next line into one statement)
  assert.deepEqual(
    flagged.map((i) => [sliceCodePoints(code, i.start, i.end).trim(), i.flags]),
    [
      ['def f(:', ['missing']],
      ['y = x +\nz = 2', ['error']],
    ],
  );
  assert.deepEqual(clean, ['x = 1', 'return x']);
  const [allBroken] = analyzeStructureBatch([fence('python', 'def (((:\n')]);
  assert.deepEqual(allBroken, { ok: false, reason: 'no_code' });
});

test('granularity: block keeps small compound statements whole; function keeps top-level defs whole', () => {
  const code =
    'import os\n\ndef f(x):\n    if x:\n        return 1\n    return 2\n\nclass C:\n    def m(self):\n        ' +
    'return f(1)\n\nif __name__ == "__main__":\n    print(f(0))\n';
  const blk = analyze(code, { granularity: 'block' });
  assert.deepEqual(
    blk.items.map((i) => [i.kind, i.type]),
    [
      ['simple', 'import_statement'],
      ['block', 'function_definition'],
      ['block', 'class_definition'],
      ['block', 'if_statement'],
    ],
  );
  const small = analyze(code, { granularity: 'block', blockMaxCodePoints: 40 });
  assert.ok(small.items.some((i) => i.kind === 'header' && i.type === 'function_definition'));
  assert.ok(small.items.some((i) => i.kind === 'block' && i.type === 'if_statement'));
  const fn = analyze(code, { granularity: 'function' });
  assert.deepEqual(
    fn.items.map((i) => [i.kind, i.type, sliceCodePoints(code, i.start, i.end).trim().split('\n')[0]]),
    [
      ['simple', 'import_statement', 'import os'],
      ['block', 'function_definition', 'def f(x):'],
      ['block', 'class_definition', 'class C:'],
      ['header', 'if_statement', 'if __name__ == "__main__":'],
      ['simple', 'expression_statement', 'print(f(0))'],
    ],
  );
  const t = fn.items.map((i) => sliceCodePoints(code, i.start, i.end).trim().split('\n')[0]);
  const e = new Set(fn.edges.map(([a, b]) => `${t[a]} -> ${t[b]}`));
  assert.ok(e.has('def f(x): -> class C:'));
  assert.ok(e.has('def f(x): -> print(f(0))'));
  // block items still exclude docstrings / comments from their core ranges
  const doc = 'def g():\n    """Doc."""\n    # c\n    return 1\n';
  const g = analyze(doc, { granularity: 'function' });
  assert.deepEqual(
    g.items[0]!.core.map(([s, e]) => sliceCodePoints(doc, s, e)),
    ['def', 'g', 'return', '1'],
  );
});

test('work budget: a pathological response is rejected with work_budget; deep nesting and 1 MB do not crash', () => {
  const deep = fence('python', `x = ${'['.repeat(10000)}${']'.repeat(10000)}\ny = x\n`);
  const deepIf = fence(
    'python',
    `${Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}if x:\n`).join('') + ' '.repeat(400)}y = x\n`,
  );
  const broken = fence('python', Array.from({ length: 3000 }, (_, i) => `def f${i}(a, (b, [c, {d: e`).join('\n'));
  const big = fence('python', 'x = 1\n'.repeat(180_000));
  const [d, di, b, g] = analyzeStructureBatch([deep, deepIf, broken, big], { workBudget: 0, maxItems: 0 });
  assert.ok(d!.ok && d.result.items.length === 2 && d.result.edges.length === 1);
  assert.ok(di!.ok && di.result.items.length === 401);
  assert.ok(b!.ok || b!.reason === 'no_code');
  assert.ok(g!.ok && g.result.items.length === 180_000);
  const [t] = analyzeStructureBatch([broken], { workBudget: 1000 });
  assert.deepEqual(t, { ok: false, reason: 'work_budget' });
  // the wall-clock safety net keeps its own reason (a 1 MB record takes far more than a microsecond)
  const [w] = analyzeStructureBatch([big], { workBudget: 0, wallTimeoutMs: 0.001 });
  assert.deepEqual(w, { ok: false, reason: 'wall_timeout' });
  // a long def-use chain over the item limit is rejected, not left to quadratic graph metrics
  const chain = fence('python', `x = 0\n${'x = x + 1\n'.repeat(2_500)}`);
  assert.deepEqual(analyzeStructureBatch([chain], { maxItems: 2_000 }), [{ ok: false, reason: 'too_many_items' }]);
  const [c] = analyzeStructureBatch([chain]);
  assert.ok(c!.ok && c.result.edges.length === 2_500 && c.result.reach[0] === 1 && c.result.reach[2_500] === 0);
});

test('bad arguments: TypeError / RangeError, never a crash', () => {
  assert.throws(() => analyzeStructureBatch('x' as unknown as string[]), TypeError);
  assert.throws(() => analyzeStructureBatch([1 as unknown as string]), TypeError);
  assert.throws(() => analyzeStructureBatch(['x = 1'], { granularity: 'line' as 'block' }), RangeError);
  assert.throws(() => analyzeStructureBatch(['x = 1'], { parseTimeoutMs: -1 }), RangeError);
  assert.throws(() => analyzeStructureBatch(['x = 1'], { wallTimeoutMs: -1 }), RangeError);
  assert.throws(() => analyzeStructureBatch(['x = 1'], { workBudget: -1 }), RangeError);
  assert.throws(() => analyzeStructureBatch(['x = 1'], { blockMaxCodePoints: Number.NaN }), TypeError);
  assert.deepEqual(analyzeStructureBatch([]), []);
  assert.deepEqual(analyzeStructureBatch(['']), [{ ok: false, reason: 'no_code' }]);
  const lone = analyzeStructureBatch(['x = "\ud800"\ny = x\n']);
  assert.ok(lone[0]!.ok && lone[0].result.items[1]!.end === Array.from('x = "\ud800"\ny = x\n').length);
});
