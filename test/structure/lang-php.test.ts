/**
 * PHP (tier 2: hand-checked fixtures are the truth). Each fixture's items (kind + trimmed text) and
 * def-use edges (item index -> item index) were checked by hand against the rules in
 * docs/languages/php.md; the last test prints the shared-data coverage figure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { analyzeStructureBatch } from '../../src/index.js';
import { coverageLine, SHARED_DATA_DIR, sharedCoverage } from './lang.helpers.js';

const SNIPPET = 'echo 1;';
const LANG = 'php';

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

// items: namespace/use/const, function (header through {), global, foreach, closure with use, arrow fn,
// class/property/method with return type, if/elseif/else, try/catch/finally, switch/case/default, for, while. Scoping:
// functions do not see outer $vars (echo $base in put: no edge), global $rate links the top-level $rate, use ($base)
// and fn auto-capture link $base, first assignment declares ($sum += is a use), constants/classes/functions are
// visible everywhere (LIMIT, User, total).
test('PHP fixture p1.php: exact items and exact def-use edges', () => {
  const code = [
    '<?php',
    'namespace App;',
    'use App\\Models\\User;',
    'const LIMIT = 3;',
    'function total(array $xs, $k = 1) {',
    '    global $rate;',
    '    $sum = 0;',
    '    foreach ($xs as $x) {',
    '        $sum += $x * $k;',
    '    }',
    '    return $sum * $rate;',
    '}',
    '$rate = 2;',
    '$base = 10;',
    '$add = function ($v) use ($base) {',
    '    return $v + $base;',
    '};',
    '$mul = fn($v) => $v * $base;',
    'class Box extends User {',
    '    private $items = [];',
    '    public function put(User $u): void {',
    '        if ($u) {',
    '            $this->items[] = $u;',
    '        } elseif (LIMIT > 1) {',
    '            echo $base;',
    '        } else {',
    '            return;',
    '        }',
    '    }',
    '}',
    'try {',
    '    $t = total([1, 2]);',
    '} catch (\\Exception $e) {',
    '    echo $e->getMessage(), $t;',
    '} finally {',
    '    echo $add($t), $mul(1);',
    '}',
    'switch ($t) {',
    '    case 1:',
    "        echo 'one';",
    '        break;',
    '    default:',
    "        echo 'other';",
    '}',
    'for ($i = 0; $i < LIMIT; $i++) {',
    '    while ($i > 5) {',
    '        $i--;',
    '    }',
    '}',
    '$b = new Box();',
  ].join('\n');
  const got = shape(LANG, `${code}\n`);
  assert.deepEqual(got.items, [
    'simple namespace App;',
    'simple use App\\Models\\User;',
    'simple const LIMIT = 3;',
    'header function total(array $xs, $k = 1) {',
    'simple global $rate;',
    'simple $sum = 0;',
    'header foreach ($xs as $x) {',
    'simple $sum += $x * $k;',
    'simple return $sum * $rate;',
    'simple $rate = 2;',
    'simple $base = 10;',
    'header $add = function ($v) use ($base) {',
    'simple return $v + $base;',
    'simple $mul = fn($v) => $v * $base;',
    'header class Box extends User {',
    'simple private $items = [];',
    'header public function put(User $u): void {',
    'header if ($u) {',
    'simple $this->items[] = $u;',
    'clause elseif (LIMIT > 1) {',
    'simple echo $base;',
    'clause else {',
    'simple return;',
    'header try {',
    'simple $t = total([1, 2]);',
    'clause catch (\\Exception $e) {',
    'simple echo $e->getMessage(), $t;',
    'clause finally {',
    'simple echo $add($t), $mul(1);',
    'header switch ($t) {',
    'clause case 1:',
    "simple echo 'one';",
    'simple break;',
    'clause default:',
    "simple echo 'other';",
    'header for ($i = 0; $i < LIMIT; $i++) {',
    'header while ($i > 5) {',
    'simple $i--;',
    'simple $b = new Box();',
  ]);
  assert.equal(
    got.edges,
    '1->14 1->16 10->11 10->13 11->12 11->28 13->28 14->38 16->17 16->18 2->19 2->35 24->26 24->28 24->29 ' +
      '25->26 3->24 3->6 3->7 35->36 35->37 4->8 5->7 5->8 6->7 9->4',
  );
});

// items: interface method without body, trait property, enum case, static, closure use (&$n), do-while (its while tail
// is in no item), alternative if: syntax. Scoping: reassignment $x = $x + 1 uses the first $x; list destructuring
// declares $a/$b.
test('PHP fixture p2.php: exact items and exact def-use edges', () => {
  const code = [
    'interface Shape { public function area(): float; }',
    'trait Named { public $name; }',
    'enum Suit { case Hearts; }',
    'function counter() {',
    '    static $n = 0;',
    '    $n++;',
    '    $inc = function () use (&$n) { $n += 1; };',
    '    return $n;',
    '}',
    '$x = 1;',
    '$x = $x + 1;',
    '[$a, $b] = [$x, 2];',
    'do {',
    '    $a--;',
    '} while ($a > 0);',
    'if ($b): echo $b; endif;',
    'echo counter(), $a;',
  ].join('\n');
  const got = shape(LANG, `${code}\n`);
  assert.deepEqual(got.items, [
    'header interface Shape {',
    'simple public function area(): float;',
    'header trait Named {',
    'simple public $name;',
    'header enum Suit {',
    'simple case Hearts;',
    'header function counter() {',
    'simple static $n = 0;',
    'simple $n++;',
    'header $inc = function () use (&$n) {',
    'simple $n += 1;',
    'simple return $n;',
    'simple $x = 1;',
    'simple $x = $x + 1;',
    'simple [$a, $b] = [$x, 2];',
    'header do {',
    'simple $a--;',
    'header if ($b):',
    'simple echo $b;',
    'simple echo counter(), $a;',
  ]);
  assert.equal(got.edges, '12->13 12->14 14->16 14->17 14->18 14->19 6->19 7->11 7->8 7->9 9->10');
});

test('PHP fence aliases', () => {
  for (const tag of ['php', 'php3', 'php4', 'php5', 'php7', 'php8', 'phtml']) {
    const r = analyze(`\`\`\`${tag}\n${SNIPPET}\n\`\`\`\n`);
    assert.equal(r.segments[0]!.lang, LANG, tag);
  }
  for (const tag of ['html', 'hack']) {
    const out = analyzeStructureBatch([`\`\`\`${tag}\n${SNIPPET}\n\`\`\`\n`], { parseTimeoutMs: 0 })[0]!;
    assert.ok(!out.ok || out.result.segments[0]!.lang !== LANG, tag);
  }
});

test('PHP untagged detection: strong signals only', () => {
  const cases: Array<[string, string]> = [
    ['<?php\necho 1;\n', 'php'],
    ['$items = [1, 2];\nforeach ($items as $i) {\n    echo $i;\n}\n', 'php'],
    ['class A {\n    public function get() {\n        return $this->x;\n    }\n}\n', 'php'],
    ['const x = 1;\nconsole.log(x);\n', 'javascript'],
    ['def f(x):\n    return x\n', 'python'],
  ];
  for (const [code, want] of cases) {
    const out = analyzeStructureBatch([`Code:\n\n\`\`\`\n${code}\`\`\`\n`], { parseTimeoutMs: 0 })[0]!;
    const got = out.ok ? out.result.segments[0]!.lang : 'none';
    assert.equal(got, want, code);
  }
});

test('PHP over the shared data: fenced php blocks itemized (figure printed)', {
  skip: !existsSync(SHARED_DATA_DIR),
}, () => {
  const c = sharedCoverage([LANG]);
  console.log(coverageLine('php shared data', c));
  assert.ok(c.records > 0);
  assert.ok(c.share >= 0.95, `share ${c.share}`);
});
