/**
 * HTML, a host-only language, and injections (docs/languages.md, "Injections"): the bodies of <script> and
 * <style> are JavaScript and CSS segments of their own, itemized by their grammars; the markup is code that
 * is never itemized. PHP's inline HTML goes the same way. Offsets are code points into the response.
 * Bare-code responses (no fence): detected as code, split from the prose around them, and prose-only
 * answers stay no_code (precision on hand-labelled responses of ../shared/data).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/native.js';
import {
  analyzeColumns,
  analyzeStructureBatch,
  nativeOptions,
  DEFAULT_WORK_BUDGET,
} from '../../src/structure/native.js';
import { itemizedLanguages, registeredLanguages } from '../../src/structure/languages.js';
import { sliceCodePoints } from '../../src/structure/index.js';
import { analyzeText, fence, itemLines, SHARED_DATA_DIR } from './lang.helpers.js';

const segs = (text: string, r: { segments: Array<{ start: number; end: number; lang: string }> }) =>
  r.segments.map((s) => `${s.lang}: ${JSON.stringify(sliceCodePoints(text, s.start, s.end))}`);

test('html: host-only, registered with its aliases, never itemized', () => {
  const html = registeredLanguages().find((l) => l.name === 'html');
  assert.ok(html, 'html is registered');
  assert.equal(html.hostOnly, true);
  assert.deepEqual(html.fenceAliases.slice(0, 3), ['html', 'htm', 'xhtml']);
  assert.equal(itemizedLanguages().has('html'), false);
  assert.equal(itemizedLanguages().has('javascript'), true);
});

test('html: <script> and <style> bodies are JavaScript and CSS segments; markup has no items', () => {
  const page = [
    '<!DOCTYPE html>',
    '<html><head><title>Café ☕ 😀</title>',
    '<style>',
    '  h1 { color: red; }',
    '</style>',
    '<script>',
    '  const n = 2;',
    '  function twice(x) {',
    '    return x * n;',
    '  }',
    '</script>',
    '</head><body><h1>Hi</h1>',
    '<script type="text/template"><p>{{ not js }}</p></script>',
    '<script>console.log(twice(3));</script>',
    '</body></html>',
  ].join('\n');
  for (const tag of ['html', 'htm', 'xhtml']) {
    const text = fence(tag, page);
    const r = analyzeText(text);
    assert.deepEqual(segs(text, r), [
      `html: ${JSON.stringify('<!DOCTYPE html>\n<html><head><title>Café ☕ 😀</title>\n<style>')}`,
      `css: ${JSON.stringify('\n  h1 { color: red; }\n')}`,
      `html: ${JSON.stringify('</style>\n<script>')}`,
      `javascript: ${JSON.stringify('\n  const n = 2;\n  function twice(x) {\n    return x * n;\n  }\n')}`,
      `html: ${JSON.stringify(
        '</script>\n</head><body><h1>Hi</h1>\n<script type="text/template"><p>{{ not js }}</p></script>\n<script>',
      )}`,
      `javascript: ${JSON.stringify('console.log(twice(3));')}`,
      `html: ${JSON.stringify('</script>\n</body></html>\n')}`,
    ]);
    assert.deepEqual(itemLines(text, r), [
      'header h1 {',
      'simple color: red;',
      'simple const n = 2;',
      'header function twice(x) {',
      'simple return x * n;',
      'simple console.log(twice(3));',
    ]);
    // every item lies in a JavaScript or CSS segment; def-use across the two <script> bodies
    for (const it of r.items) assert.ok(['javascript', 'css'].includes(r.segments[it.segment]!.lang));
    const t = r.items.map((it) => sliceCodePoints(text, it.start, it.end).trim());
    const edges = r.edges.map(([a, b]) => `${t[a]} -> ${t[b]}`).sort();
    assert.ok(edges.includes('function twice(x) { -> console.log(twice(3));'), edges.join('\n'));
    assert.ok(edges.includes('const n = 2; -> return x * n;'), edges.join('\n'));
  }
});

test('html: an unterminated <script> and markup alone inject nothing (no_code)', () => {
  for (const body of ['<div><script>let x = 1;', '<p>Hello <b>world</b></p>', '<script>let x = 1;</div>']) {
    const [o] = analyzeStructureBatch([fence('html', body)], { wallTimeoutMs: 0 });
    assert.equal(o!.ok, false, body);
    if (!o!.ok) assert.equal(o!.reason, 'no_code', body);
  }
});

test('php: inline HTML is HTML segments, its <script> a JavaScript segment; the PHP keeps its items', () => {
  const code =
    '<?php $title = "Ünïcode"; ?>\n<h1><?= $title ?></h1>\n<script>\nlet y = 2;\n</script>\n<?php echo $title; ?>';
  const text = fence('php', code);
  const r = analyzeText(text);
  assert.deepEqual(segs(text, r), [
    `php: ${JSON.stringify('<?php $title = "Ünïcode"; ?>')}`,
    `html: ${JSON.stringify('\n<h1>')}`,
    `php: ${JSON.stringify('<?= $title ?>')}`,
    `html: ${JSON.stringify('</h1>\n<script>')}`,
    `javascript: ${JSON.stringify('\nlet y = 2;\n')}`,
    `html: ${JSON.stringify('</script>\n')}`,
    `php: ${JSON.stringify('<?php echo $title; ?>\n')}`,
  ]);
  assert.deepEqual(itemLines(text, r, { flags: true }), [
    'simple $title = "Ünïcode";',
    'simple $title',
    'simple let y = 2;',
    'simple echo $title;',
  ]);
  // def-use across the PHP pieces: $title is defined in the first, used in the others
  const t = r.items.map((it) => sliceCodePoints(text, it.start, it.end).trim());
  assert.deepEqual(r.edges.map(([a, b]) => `${t[a]} -> ${t[b]}`).sort(), [
    '$title = "Ünïcode"; -> $title',
    '$title = "Ünïcode"; -> echo $title;',
  ]);
  // a `?>` inside a PHP string does not leave PHP mode; without HTML itemized the markup stays unitemized
  const s2 = fence('php', '<?php $s = "?>"; echo $s; ?>\n<p>x</p>');
  assert.deepEqual(
    analyzeText(s2).segments.map((s) => s.lang),
    ['php', 'html'],
  );
  const r3 = analyzeText(text, { languages: ['php'] });
  assert.deepEqual(
    r3.segments.map((s) => s.lang),
    ['php', 'html', 'php', 'html', 'php'],
  );
});

test('bare responses: full HTML documents, Mongo shell calls, code after a lead-in line', () => {
  const doc = '<!DOCTYPE html>\n<html>\n<body>\n<script>\nvar a = 1;\n</script>\n</body>\n</html>';
  let r = analyzeText(doc);
  assert.deepEqual(
    r.segments.map((s) => s.lang),
    ['html', 'javascript', 'html'],
  );
  assert.deepEqual(itemLines(doc, r), ['simple var a = 1;']);
  const mongo = 'db.students.find(\n   { age: { $gte: 18 } },\n   { name: 1, age: 1 }\n).sort({ age: -1 })';
  r = analyzeText(mongo);
  assert.deepEqual(
    r.segments.map((s) => s.lang),
    ['javascript'],
  );
  const mixed =
    'The variable is never defined, so the function raises a NameError when it runs.\n\n' +
    'Here is the corrected code:\n\n' +
    'def add(numbers):\n    return sum(numbers)\n\nprint(add([1, 2]))\n\n' +
    'This prints the sum of the two numbers in the list.';
  r = analyzeText(mixed);
  assert.deepEqual(segs(mixed, r), [
    `python: ${JSON.stringify('def add(numbers):\n    return sum(numbers)\n\nprint(add([1, 2]))')}`,
  ]);
});

test('bare responses: prose-only answers stay no_code (hand-labelled responses of ../shared/data)', (t) => {
  const file = join(SHARED_DATA_DIR, 'evol-instruct-code-r1.jsonl');
  const labelsFile = join(PACKAGE_ROOT, 'tools', 'study', 'bare-labels.json');
  if (!existsSync(file)) return t.skip('../shared/data not present');
  const labels = JSON.parse(readFileSync(labelsFile, 'utf8')).labels as Record<string, string>;
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; response: string })
    .filter((r) => labels[r.id]);
  assert.equal(rows.length, Object.keys(labels).length);
  const out = analyzeStructureBatch(
    rows.map((r) => r.response),
    { wallTimeoutMs: 0 },
  );
  let prose = 0;
  let code = 0;
  let found = 0;
  rows.forEach((r, i) => {
    const o = out[i]!;
    if (labels[r.id] === 'prose') {
      prose++;
      assert.ok(!o.ok || o.result.segments.length === 0, `${r.id}: prose taken for code`);
      if (!o.ok) assert.equal(o.reason, 'no_code');
    } else {
      code++;
      if (o.ok && o.result.segments.length > 0) found++;
    }
  });
  console.log(`# labelled bare responses: ${prose} prose-only all no_code; ${found}/${code} code detected`);
  assert.ok(prose >= 20);
  assert.ok(found / code >= 0.75, `${found}/${code} code responses detected`);
});

test('hostile html: 1 MB of minified JS in <script>, unterminated and deep tags: within the work budget', () => {
  const minified = Array.from({ length: 24_000 }, (_, i) => `function f${i}(a,b){return a>b?a-b:f${i}(b,a)}`).join(';');
  assert.ok(minified.length > 900_000);
  const cases = [
    fence('html', `<html><body><script>${minified}</script></body></html>`),
    fence('html', `<div>${'<span><b>'.repeat(20_000)}text`),
    fence('html', `<script>${'let a = 1;'.repeat(50_000)}`),
    fence('php', `<?php $x = 1; ?>\n<script>${minified}</script>`),
    `<!DOCTYPE html>\n<html><script>${minified}</script></html>`,
  ];
  const run = () => analyzeColumns(cases, nativeOptions({ wallTimeoutMs: 0 }));
  const a = run();
  const b = run();
  assert.deepEqual([...a.status], [...b.status]);
  assert.deepEqual([...a.work], [...b.work]);
  // the minified script: rejected with work_budget once the meter passes the budget, never a wall timeout
  for (const i of [0, 3, 4]) {
    assert.equal(a.status[i], 2, `case ${i}: status ${a.status[i]}`);
    assert.ok(a.work[i]! > DEFAULT_WORK_BUDGET && a.work[i]! <= DEFAULT_WORK_BUDGET + 2 * cases[i]!.length + 10_000);
  }
  // 20,000 nested unclosed tags: tree-sitter-html's scanner walks its tag stack on every token (quadratic, and
  // beyond the parser's operation count); the HTML parse cost rule charges it up front, so the record is
  // rejected before any parse (it took seconds of CPU uncharged before the rule)
  assert.equal(a.status[1], 2);
  // an unterminated <script>: its body is not injected (no_code), within the budget
  assert.equal(a.status[2], 1);
});
