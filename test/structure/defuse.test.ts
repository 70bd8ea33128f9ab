/** Golden def-use cases: one per definition kind and scope rule (DESIGN §6, issue 3 item 4). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, edgeTexts } from './golden.helpers.js';

function edges(code: string): Set<string> {
  return edgeTexts(code, analyze(code));
}

function check(code: string, present: string[], absent: string[] = []): void {
  const e = edges(code);
  for (const x of present) assert.ok(e.has(x), `missing edge ${x}\n  have: ${[...e].join(' | ')}`);
  for (const x of absent) assert.ok(!e.has(x), `unexpected edge ${x}`);
}

test('assignment, augmented and annotated targets; a later assignment kills an earlier one', () => {
  check(
    'x = 1\nx += 2\ny: int = x\nprint(y)\n',
    ['x = 1 -> x += 2', 'x += 2 -> y: int = x', 'y: int = x -> print(y)'],
    ['x = 1 -> y: int = x'],
  );
  check('a = 1\na = 2\nprint(a)\n', ['a = 2 -> print(a)'], ['a = 1 -> print(a)']);
  check('a, (b, *c) = t = f()\nprint(a, b, c, t)\n', ['a, (b, *c) = t = f() -> print(a, b, c, t)']);
});

test('attribute and subscript targets are uses of the object, not definitions', () => {
  check(
    'obj = O()\nobj.x = 1\nd = {}\nd[obj] = 2\nprint(obj, d)\n',
    [
      'obj = O() -> obj.x = 1',
      'd = {} -> d[obj] = 2',
      'obj = O() -> d[obj] = 2',
      'obj = O() -> print(obj, d)',
      'd = {} -> print(obj, d)',
    ],
    ['obj.x = 1 -> print(obj, d)'],
  );
});

test('for / with / except targets and walrus', () => {
  check('for i, (j, k) in pairs:\n    print(i, k)\n', ['for i, (j, k) in pairs: -> print(i, k)']);
  check('with open(p) as fh, lock:\n    data = fh.read()\n', ['with open(p) as fh, lock: -> data = fh.read()']);
  check('try:\n    run()\nexcept (E, F) as err:\n    log(err)\n', ['except (E, F) as err: -> log(err)']);
  check('if (n := len(a)) > 3:\n    print(n)\n', ['if (n := len(a)) > 3: -> print(n)']);
  // walrus inside a comprehension binds in the enclosing scope
  check('ys = [z for v in vs if (z := v)]\nprint(z)\n', ['ys = [z for v in vs if (z := v)] -> print(z)']);
});

test('imports, def and class names, decorators', () => {
  check('import os.path\nimport numpy as np\nfrom a.b import c, d as e\nprint(os, np, c, e)\n', [
    'import os.path -> print(os, np, c, e)',
    'import numpy as np -> print(os, np, c, e)',
    'from a.b import c, d as e -> print(os, np, c, e)',
  ]);
  check('def f():\n    pass\nclass C:\n    pass\nf()\nC()\n', ['def f(): -> f()', 'class C: -> C()']);
  check('def deco(g):\n    return g\n@deco\ndef h():\n    pass\n', ['def deco(g): -> @deco\ndef h():']);
});

test('parameters are defined by the def header; defaults and annotations are evaluated outside', () => {
  check('D = 1\nT = int\ndef f(a, /, b: T = D, *args, c=2, **kw) -> T:\n    return a, b, args, c, kw\n', [
    'D = 1 -> def f(a, /, b: T = D, *args, c=2, **kw) -> T:',
    'T = int -> def f(a, /, b: T = D, *args, c=2, **kw) -> T:',
    'def f(a, /, b: T = D, *args, c=2, **kw) -> T: -> return a, b, args, c, kw',
  ]);
  check('k = 3\nh = lambda a, b=k: a + k\n', ['k = 3 -> h = lambda a, b=k: a + k']);
});

test('comprehension scope: its loop variable does not leak', () => {
  check(
    'i = 5\nxs = [i * j for i in range(3) for j in range(i)]\nprint(i)\n',
    ['i = 5 -> print(i)'],
    ['i = 5 -> xs = [i * j for i in range(3) for j in range(i)]'],
  );
  // the first iterable is evaluated in the enclosing scope
  check('n = 3\nsq = {k: k * k for k in range(n)}\n', ['n = 3 -> sq = {k: k * k for k in range(n)}']);
});

test('function bodies see the final state of enclosing scopes (deferred, as beniget)', () => {
  check('def f():\n    return g()\ndef g():\n    return 1\n', ['def g(): -> return g()']);
  check('def f():\n    v = 1\n    def inner():\n        return v\n    return inner\n', [
    'v = 1 -> return v',
    'def inner(): -> return inner',
  ]);
});

test('class bodies do not enclose methods', () => {
  check(
    'class C:\n    k = 1\n    j = k + 1\n    def m(self):\n        return k\nk = 2\n',
    ['k = 1 -> j = k + 1', 'k = 2 -> return k'],
    ['k = 1 -> return k'],
  );
});

test('global and nonlocal', () => {
  check('count = 0\ndef inc():\n    global count\n    count += 1\ndef show():\n    return count\n', [
    'count = 0 -> count += 1',
    'count = 0 -> return count',
    'count += 1 -> return count',
  ]);
  check(
    'def outer():\n    n = 0\n    def inner():\n        nonlocal n\n        n += 1\n        return n\n    ' +
      'inner()\n    return n\n',
    ['n = 0 -> n += 1', 'n += 1 -> return n', 'def inner(): -> inner()'],
  );
});

test('branches merge; loop-carried uses reach later definitions in the same loop body', () => {
  check(
    'x = 0\nif c:\n    x = 1\nelse:\n    x = 2\nprint(x)\n',
    ['x = 1 -> print(x)', 'x = 2 -> print(x)'],
    ['x = 0 -> print(x)'],
  );
  check('x = 0\nif c:\n    x = 1\nprint(x)\n', ['x = 1 -> print(x)', 'x = 0 -> print(x)']);
  check('prev = None\nfor v in vs:\n    if prev:\n        print(prev)\n    prev = v\n', [
    'prev = v -> if prev:',
    'prev = v -> print(prev)',
    'prev = None -> if prev:',
  ]);
  check('i = 0\nwhile i < n:\n    i += 1\n', ['i = 0 -> while i < n:', 'i += 1 -> while i < n:', 'i = 0 -> i += 1']);
  // break carries its state to the loop exit; return ends the path
  check(
    'while c:\n    x = 1\n    if d:\n        x = 2\n        break\n    x = 3\nprint(x)\n',
    ['x = 2 -> print(x)', 'x = 3 -> print(x)'],
    ['x = 1 -> print(x)'],
  );
  check('def f(a):\n    r = 0\n    if a:\n        r = 1\n        return r\n    return r\n', [
    'r = 0 -> return r',
    'r = 1 -> return r',
  ]);
});

test('try: handlers see definitions from anywhere in the body; match captures', () => {
  check('x = 0\ntry:\n    x = 1\n    y = f()\nexcept E:\n    print(x)\n', ['x = 0 -> print(x)', 'x = 1 -> print(x)']);
  check(
    'match p:\n    case [x, *rest] if x:\n        print(x, rest)\n    case {"k": v} | Point(x=v):\n        print(v)\n',
    ['case [x, *rest] if x: -> print(x, rest)', 'case {"k": v} | Point(x=v): -> print(v)'],
  );
});

test('reach and bridge on a def-use chain', () => {
  const code = 'a = 1\nb = a\nc = b\nd = 0\n';
  const r = analyze(code);
  assert.deepEqual(r.edges, [
    [0, 1],
    [1, 2],
  ]);
  assert.deepEqual(r.reach, [2 / 3, 1 / 3, 0, 0]);
  assert.deepEqual(r.bridge, [0, 1 / 6, 0, 0]);
});
