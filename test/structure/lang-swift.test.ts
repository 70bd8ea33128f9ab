/**
 * Swift (native/lang/swift.cc; docs/languages/swift.md), tier 2: hand-checked fixtures for each item kind and
 * scoping rule (no compiler truth here), fence aliases, untagged detection, and the shared data's ```swift blocks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeStructureBatch } from '../../src/structure/index.js';
import { coverageLine, sharedCoverage } from './lang.helpers.js';

function analyzeSwift(code: string): { got: string[]; edges: string[] } {
  const md = `\`\`\`swift\n${code}\n\`\`\`\n`;
  const out = analyzeStructureBatch([md], { parseTimeoutMs: 0 })[0]!;
  assert.ok(out.ok, 'analyzed');
  const cps = Array.from(md);
  const r = out.result;
  assert.deepEqual(
    r.segments.map((s) => s.lang),
    ['swift'],
  );
  const texts = r.items.map((it) => cps.slice(it.start, it.end).join('').trim());
  const got = r.items.map((it, i) => `${it.kind} ${texts[i]}${it.flags.length ? ` [${it.flags.join(',')}]` : ''}`);
  const edges = [...new Set(r.edges.map(([a, b]) => `${texts[a]} -> ${texts[b]}`))].sort();
  return { got, edges };
}

const ITEMS = [
  'import Foundation',
  '',
  'struct Point {',
  '    var x: Int',
  '    let y: Int = 0',
  '    func dist() -> Int { return x * x + y * y }',
  '}',
  '',
  'class Animal: Named {',
  '    var name: String',
  '    init(name: String) { self.name = name }',
  '    deinit { print("bye") }',
  '}',
  '',
  'func greet(_ who: String, times n: Int = 1) -> String {',
  '    var result = ""',
  '    for i in 0..<n {',
  '        if i > 0 {',
  '            result += " "',
  '        } else if i == 5 {',
  '            break',
  '        } else {',
  '            continue',
  '        }',
  '        result += "Hello, \\(who)"',
  '    }',
  '    while result.count > 100 { result.removeLast() }',
  '    guard let first = result.first else { return "" }',
  '    switch first {',
  '    case "H":',
  '        print("h")',
  '    default:',
  '        print("other")',
  '    }',
  '    let doubled = [1, 2, 3].map { x in x * 2 }',
  '    numbers.forEach { n in',
  '        print(n)',
  '    }',
  '    do {',
  '        try risky()',
  '    } catch let e {',
  '        print(e)',
  '    }',
  '    repeat { n -= 1 } while n > 0',
  '    return result',
  '}',
  'enum Dir { case north, south',
  '  case east }',
  'protocol Named { var name: String { get } }',
  'extension Int { func twice() -> Int { self * 2 } }',
  'let total = greet("x")',
  'print(total)',
].join('\n');

test('swift: items of each kind (declarations, if/guard/for/while/repeat/switch/do, cases, catch, closures)', () => {
  const { got } = analyzeSwift(ITEMS);
  assert.deepEqual(got, [
    'simple import Foundation',
    'header struct Point {',
    'simple var x: Int',
    'simple let y: Int = 0',
    'header func dist() -> Int {',
    'simple return x * x + y * y',
    'header class Animal: Named {',
    'simple var name: String',
    'header init(name: String) {',
    'simple self.name = name',
    'header deinit {',
    'simple print("bye")',
    'header func greet(_ who: String, times n: Int = 1) -> String {',
    'simple var result = ""',
    'header for i in 0..<n {',
    'header if i > 0 {',
    'simple result += " "',
    // `else` is a leaf beside the else body in tree-sitter-swift: in no item; an `else if` keeps its if header
    'header if i == 5 {',
    'simple break',
    'simple continue',
    'simple result += "Hello, \\(who)"',
    'header while result.count > 100 {',
    'simple result.removeLast()',
    'header guard let first = result.first else {',
    'simple return ""',
    'header switch first {',
    'clause case "H":',
    'simple print("h")',
    'clause default:',
    'simple print("other")',
    // a closure splits its statement: header through `in`, then the closure body's items
    'header let doubled = [1, 2, 3].map { x in',
    'simple x * 2',
    'header numbers.forEach { n in',
    'simple print(n)',
    'header do {',
    'simple try risky()',
    'clause catch let e {',
    'simple print(e)',
    'header repeat {',
    'simple n -= 1',
    'simple return result',
    'header enum Dir {',
    'simple case north, south',
    'simple case east',
    'header protocol Named {',
    'simple var name: String { get }',
    'header extension Int {',
    'header func twice() -> Int {',
    'simple self * 2',
    'simple let total = greet("x")',
    'simple print(total)',
  ]);
});

test('swift: def-use of the item fixture (parameters, members not uses, guard let, closures, catch)', () => {
  const { edges } = analyzeSwift(ITEMS);
  assert.deepEqual(
    edges,
    [
      // struct members used in a method without `self.`
      'var x: Int -> return x * x + y * y',
      'let y: Int = 0 -> return x * x + y * y',
      // the init parameter `name`; `self.name` is a member, not a use
      'init(name: String) { -> self.name = name',
      'func greet(_ who: String, times n: Int = 1) -> String { -> for i in 0..<n {',
      'func greet(_ who: String, times n: Int = 1) -> String { -> result += "Hello, \\(who)"',
      'func greet(_ who: String, times n: Int = 1) -> String { -> n -= 1',
      'func greet(_ who: String, times n: Int = 1) -> String { -> let total = greet("x")',
      'for i in 0..<n { -> if i > 0 {',
      'for i in 0..<n { -> if i == 5 {',
      'var result = "" -> result += " "',
      'var result = "" -> result += "Hello, \\(who)"',
      'var result = "" -> while result.count > 100 {',
      'var result = "" -> result.removeLast()',
      'var result = "" -> guard let first = result.first else {',
      'var result = "" -> return result',
      // guard let binds in the enclosing scope
      'guard let first = result.first else { -> switch first {',
      'let doubled = [1, 2, 3].map { x in -> x * 2',
      'numbers.forEach { n in -> print(n)',
      'catch let e { -> print(e)',
      'let total = greet("x") -> print(total)',
    ].sort(),
  );
});

const SCOPES = [
  'let base = 10',
  'func outer(_ items: [Int]) -> Int {',
  '    var total = base',
  '    if let first = items.first {',
  '        total += first',
  '    }',
  '    while let last = stack.popLast() {',
  '        total += last',
  '    }',
  '    for (i, v) in items.enumerated() where v > 0 {',
  '        total += i * v',
  '    }',
  '    let total2 = total + helper(total)',
  '    let base = base + 1',
  '    let f = { (a: Int) -> Int in',
  '        return a + base',
  '    }',
  '    _ = f(total2)',
  '    return total2',
  '}',
  'func helper(_ x: Int) -> Int {',
  '    return x',
  '}',
].join('\n');

test('swift: scoping (if let / while let / for patterns, shadowing reads the outer name, functions hoisted, _)', () => {
  const { got, edges } = analyzeSwift(SCOPES);
  assert.equal(got.length, 17);
  assert.deepEqual(
    edges,
    [
      'let base = 10 -> var total = base',
      // `let base = base + 1` reads the outer base; the closure sees the inner one
      'let base = 10 -> let base = base + 1',
      'let base = base + 1 -> return a + base',
      'func outer(_ items: [Int]) -> Int { -> if let first = items.first {',
      'func outer(_ items: [Int]) -> Int { -> for (i, v) in items.enumerated() where v > 0 {',
      'var total = base -> total += first',
      'var total = base -> total += last',
      'var total = base -> total += i * v',
      'var total = base -> let total2 = total + helper(total)',
      'if let first = items.first { -> total += first',
      'while let last = stack.popLast() { -> total += last',
      'for (i, v) in items.enumerated() where v > 0 { -> total += i * v',
      // helper is declared after outer: functions are visible in their whole scope
      'func helper(_ x: Int) -> Int { -> let total2 = total + helper(total)',
      'func helper(_ x: Int) -> Int { -> return x',
      'let total2 = total + helper(total) -> _ = f(total2)',
      'let total2 = total + helper(total) -> return total2',
      'let f = { (a: Int) -> Int in -> return a + base',
      'let f = { (a: Int) -> Int in -> _ = f(total2)',
    ].sort(),
  );
});

test('swift: fence alias and untagged detection (Swift detected; other languages keep theirs)', () => {
  const out = analyzeStructureBatch(['```Swift\nlet x = 1\n```\n'], { parseTimeoutMs: 0 })[0]!;
  assert.ok(out.ok);
  assert.equal(out.result.segments[0]?.lang, 'swift');
  const langOf = (code: string) => {
    const o = analyzeStructureBatch([`\`\`\`\n${code}\`\`\`\n`], { parseTimeoutMs: 0 })[0]!;
    return o.ok ? o.result.segments[0]?.lang : o.reason;
  };
  assert.equal(
    langOf(
      'import Foundation\n\nfunc greet(name: String) -> String {\n    return "Hi \\(name)"\n}\n' +
        'print(greet(name: "a"))\n',
    ),
    'swift',
  );
  assert.equal(langOf('guard let x = Int("3") else { fatalError() }\nlet y: Int = x * 2\nprint(y)\n'), 'swift');
  // precision: code of the languages registered before Swift stays theirs
  assert.equal(langOf('let x = 5;\nconsole.log(x);\n'), 'javascript');
  assert.equal(langOf('fn main() {\n    let v: Vec<i32> = Vec::new();\n    println!("{:?}", v);\n}\n'), 'rust');
  assert.equal(langOf('def f(x):\n    return x + 1\n\nprint(f(2))\n'), 'python');
  assert.equal(langOf('package main\n\nimport "fmt"\n\nfunc main() {\n    fmt.Println("hi")\n}\n'), 'go');
});

test("swift: the shared data's ```swift blocks (coverage)", () => {
  const c = sharedCoverage(['swift']);
  console.log(`# ${coverageLine('swift', c)}`);
  if (c.blocks === 0) return;
  assert.equal(c.unmatched, 0);
  assert.ok(c.share >= 0.9, `swift coverage ${c.share}`);
});
