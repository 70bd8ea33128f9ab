/**
 * Ruby (tier 2: hand-checked fixtures are the truth). Each fixture's items (kind + trimmed text) and
 * def-use edges (item index -> item index) were checked by hand against the rules in
 * docs/languages/ruby.md; the last test prints the shared-data coverage figure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { analyzeStructureBatch } from '../../src/index.js';
import { coverageLine, SHARED_DATA_DIR, sharedCoverage } from './lang.helpers.js';

const SNIPPET = 'puts 1';
const LANG = 'ruby';

function analyze(text: string) {
  const out = analyzeStructureBatch([text], { parseTimeoutMs: 0 })[0]!;
  if (!out.ok) assert.fail(JSON.stringify(out));
  return out.result;
}

// Items as 'kind text' (text trimmed) and edges as sorted 'def->use' item indices.
function shape(lang: string, code: string) {
  const text = `\`\`\`${lang}\n${code}\`\`\`\n`;
  const r = analyze(text);
  const cps = [...text];
  assert.deepEqual(
    r.segments.map((s) => s.lang),
    [LANG],
  );
  for (const it of r.items) assert.deepEqual(it.flags, [], 'no flagged item');
  return {
    items: r.items.map((it) => `${it.kind} ${cps.slice(it.start, it.end).join('').trim()}`),
    edges: [...new Set(r.edges.map(([a, b]) => `${a}->${b}`))].sort().join(' '),
  };
}

// items: call, assignment, method with every parameter kind (header through its last token), class < superclass,
// module, def self.x, do-block and {} block calls (header through |params|), if/then + elsif + else, while ... do,
// until, for ... do, case/when/else, begin/rescue => e/ensure, multiple assignment, modifiers. Scoping: methods do not
// see top-level locals (count inside helper is its own), blocks do (count += i), block params are block-local,
// constants (MAX) and method names (helper) are visible inside methods, obj.push is a member (no use of def push),
// @items not tracked.
test('Ruby fixture r1.rb: exact items and exact def-use edges', () => {
  const code = [
    "require 'json'",
    'MAX = 3',
    'count = 0',
    'def helper(a, b = 1, *rest, key: 2, &blk)',
    '  total = a + b',
    '  total += key',
    '  count = total',
    '  count',
    'end',
    'class Stack < Base',
    '  attr_reader :items',
    '  def initialize',
    '    @items = []',
    '  end',
    '  def push(x)',
    '    helper(x, MAX)',
    '    @items.push(x)',
    '  end',
    'end',
    'module Util',
    '  def self.twice(n)',
    '    n * 2',
    '  end',
    'end',
    'items = [1, 2]',
    'items.each do |i|',
    '  count += i',
    '  seen = i',
    'end',
    'squares = items.map { |j| j * count }',
    'if count > MAX then puts count',
    'elsif count == 0',
    "  puts 'zero'",
    'else',
    '  puts squares',
    'end',
    'while count > 0 do count -= 1 end',
    'until count >= 2',
    '  count += 1',
    'end',
    'for k in items do puts k end',
    'case count',
    "when 1 then puts 'one'",
    "else puts 'many'",
    'end',
    'begin',
    "  data = JSON.parse('{}')",
    'rescue StandardError => e',
    '  puts e, data',
    'ensure',
    "  puts 'done'",
    'end',
    'first, second = items',
    'puts first + second unless second.nil?',
    's = Stack.new',
  ].join('\n');
  const got = shape(LANG, `${code}\n`);
  assert.deepEqual(got.items, [
    "simple require 'json'",
    'simple MAX = 3',
    'simple count = 0',
    'header def helper(a, b = 1, *rest, key: 2, &blk)',
    'simple total = a + b',
    'simple total += key',
    'simple count = total',
    'simple count',
    'header class Stack < Base',
    'simple attr_reader :items',
    'header def initialize',
    'simple @items = []',
    'header def push(x)',
    'simple helper(x, MAX)',
    'simple @items.push(x)',
    'header module Util',
    'header def self.twice(n)',
    'simple n * 2',
    'simple items = [1, 2]',
    'header items.each do |i|',
    'simple count += i',
    'simple seen = i',
    'header squares = items.map { |j|',
    'simple j * count',
    'header if count > MAX then',
    'simple puts count',
    'clause elsif count == 0',
    "simple puts 'zero'",
    'clause else',
    'simple puts squares',
    'header while count > 0 do',
    'simple count -= 1',
    'header until count >= 2',
    'simple count += 1',
    'header for k in items do',
    'simple puts k',
    'header case count',
    'clause when 1 then',
    "simple puts 'one'",
    'clause else',
    "simple puts 'many'",
    'header begin',
    "simple data = JSON.parse('{}')",
    'clause rescue StandardError => e',
    'simple puts e, data',
    'clause ensure',
    "simple puts 'done'",
    'simple first, second = items',
    'simple puts first + second unless second.nil?',
    'simple s = Stack.new',
  ]);
  assert.equal(
    got.edges,
    '1->13 1->24 12->13 12->14 16->17 18->19 18->22 18->34 18->47 19->20 19->21 2->20 2->23 2->24 2->25 ' +
      '2->26 2->30 2->31 2->32 2->33 2->36 22->23 22->29 3->13 3->4 3->5 34->35 4->5 4->6 42->44 43->44 ' +
      '47->48 6->7 8->49',
  );
});

// lambda closes over x; a method does not see x.
test('Ruby fixture r2.rb: exact items and exact def-use edges', () => {
  const code = [
    'x = 10',
    'add = ->(y) { x + y }',
    'puts add.call(1)',
    'def show',
    '  puts x',
    'end',
    'case [1, 2]',
    'in [a, b]',
    '  puts a',
    'end',
  ].join('\n');
  const got = shape(LANG, `${code}\n`);
  assert.deepEqual(got.items, [
    'simple x = 10',
    'header add = ->(y) {',
    'simple x + y',
    'simple puts add.call(1)',
    'header def show',
    'simple puts x',
    'header case [1, 2]',
    'clause in [a, b]',
    'simple puts a',
  ]);
  assert.equal(got.edges, '0->2 1->2 1->3 7->8');
});

// case/in: array-pattern names bind; hash-pattern shorthand keys and => names inside keyword patterns do not
// (documented limit).
test('Ruby fixture r3.rb: exact items and exact def-use edges', () => {
  const code = ['case [1, 2]', 'in [a, b]', '  puts a', 'in {name: String => nm, age:}', '  puts nm, age', 'end'].join(
    '\n',
  );
  const got = shape(LANG, `${code}\n`);
  assert.deepEqual(got.items, [
    'header case [1, 2]',
    'clause in [a, b]',
    'simple puts a',
    'clause in {name: String => nm, age:}',
    'simple puts nm, age',
  ]);
  assert.equal(got.edges, '1->2');
});

test('Ruby fence aliases', () => {
  for (const tag of ['ruby', 'rb', 'jruby', 'rake', 'gemspec', 'podspec']) {
    const r = analyze(`\`\`\`${tag}\n${SNIPPET}\n\`\`\`\n`);
    assert.equal(r.segments[0]!.lang, LANG, tag);
  }
  for (const tag of ['crystal', 'erb']) {
    const out = analyzeStructureBatch([`\`\`\`${tag}\n${SNIPPET}\n\`\`\`\n`], { parseTimeoutMs: 0 })[0]!;
    assert.ok(!out.ok || out.result.segments[0]!.lang !== LANG, tag);
  }
});

test('Ruby untagged detection: strong signals only', () => {
  const cases: Array<[string, string]> = [
    ['def f(x)\n  x * 2\nend\nputs f(2)\n', 'ruby'],
    ['[1, 2].each do |i|\n  puts i\nend\n', 'ruby'],
    ['x = 1\nprint(x)\n', 'python'],
    ['def f(x):\n    return x\n', 'python'],
  ];
  for (const [code, want] of cases) {
    const out = analyzeStructureBatch([`Code:\n\n\`\`\`\n${code}\`\`\`\n`], { parseTimeoutMs: 0 })[0]!;
    const got = out.ok ? out.result.segments[0]!.lang : 'none';
    assert.equal(got, want, code);
  }
});

test('Ruby over the shared data: fenced ruby blocks itemized (figure printed)', {
  skip: !existsSync(SHARED_DATA_DIR),
}, () => {
  const c = sharedCoverage([LANG]);
  console.log(coverageLine('ruby shared data', c));
  assert.ok(c.records > 0);
  assert.ok(c.share >= 0.95, `share ${c.share}`);
});
