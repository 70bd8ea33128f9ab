/**
 * CSS (tier 2: hand-checked fixtures are the truth). Each fixture's items (kind + trimmed text) and def-use edges
 * (item index -> item index) were checked by hand against the rules in docs/languages/css.md; the last test prints
 * the shared-data coverage figure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { analyzeStructureBatch } from '../../src/index.js';
import { coverageLine, SHARED_DATA_DIR, sharedCoverage } from './lang.helpers.js';

const LANG = 'css';

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

// The language of the first segment of an untagged fence ('none': no segment, no_code).
function detected(code: string): string {
  const out = analyzeStructureBatch([`Code:\n\n\`\`\`\n${code}\`\`\`\n`], { parseTimeoutMs: 0 })[0]!;
  return out.ok ? out.result.segments[0]!.lang : 'none';
}

// Fenced blocks of the shared data tagged with one of the aliases: records, records with items, items, flagged
// items, and the share of fenced code points in segments with items.
// items: @import simple, rule set headers through `{` (a selector list, nested in @media / @supports), each
// declaration, @media / @keyframes / @supports headers, keyframe selectors (from, 50%). Def-use: custom properties
// (--main, --pad: var() uses, also inside calc()), a @keyframes name used by `animation` before it is defined (the
// whole stylesheet sees it); `transition: color` is not a use of the `color` property.
test('CSS fixture c1.css: exact items and exact def-use edges', () => {
  const code = [
    '@import url("base.css");',
    ':root {',
    '  --main: #333;',
    '  --pad: 4px;',
    '}',
    '.card, #side > p:hover {',
    '  color: var(--main);',
    '  padding: calc(var(--pad) * 2) 0;',
    '  animation: fade 1s linear infinite;',
    '  transition: color .3s;',
    '}',
    '@media (max-width: 600px) {',
    '  .card { color: red !important; }',
    '}',
    '@keyframes fade {',
    '  from { opacity: 0; }',
    '  50% { opacity: .5; }',
    '}',
    '@supports (display: grid) {',
    '  .grid { display: grid; gap: var(--pad); }',
    '}',
  ].join('\n');
  const got = shape(LANG, `${code}\n`);
  assert.deepEqual(got.items, [
    'simple @import url("base.css");',
    'header :root {',
    'simple --main: #333;',
    'simple --pad: 4px;',
    'header .card, #side > p:hover {',
    'simple color: var(--main);',
    'simple padding: calc(var(--pad) * 2) 0;',
    'simple animation: fade 1s linear infinite;',
    'simple transition: color .3s;',
    'header @media (max-width: 600px) {',
    'header .card {',
    'simple color: red !important;',
    'header @keyframes fade {',
    'header from {',
    'simple opacity: 0;',
    'header 50% {',
    'simple opacity: .5;',
    'header @supports (display: grid) {',
    'header .grid {',
    'simple display: grid;',
    'simple gap: var(--pad);',
  ]);
  assert.equal(got.edges, '12->7 2->5 3->20 3->6');
});

// A custom property used before the rule that declares it (the cascade has no definition order); a redeclaration
// later in the sheet is the binding the uses after it see.
test('CSS fixture c2.css: custom properties used before their declaration', () => {
  const code = ['.a { color: var(--fg); }', ':root { --fg: black; }', '.b { border-color: var(--fg); }'].join('\n');
  const got = shape(LANG, `${code}\n`);
  assert.deepEqual(got.items, [
    'header .a {',
    'simple color: var(--fg);',
    'header :root {',
    'simple --fg: black;',
    'header .b {',
    'simple border-color: var(--fg);',
  ]);
  assert.equal(got.edges, '3->1 3->5');
});

test('CSS fence alias; SCSS and Less are not CSS', () => {
  const r = analyze('```css\np { margin: 0; }\n```\n');
  assert.equal(r.segments[0]!.lang, LANG);
  for (const tag of ['scss', 'less', 'sass']) {
    const out = analyzeStructureBatch([`\`\`\`${tag}\n$x: 1;\n.a { color: $x; }\n\`\`\`\n`], { parseTimeoutMs: 0 })[0]!;
    assert.ok(!out.ok || out.result.segments[0]!.lang !== LANG, tag);
  }
});

test('CSS untagged detection: a rule line and a declaration line, clean parse', () => {
  const cases: Array<[string, string]> = [
    ['.btn {\n  color: red;\n}\n', 'css'],
    ['body {\n  margin: 0;\n  font-family: sans-serif;\n}\n', 'css'],
    ['@media (max-width: 600px) {\n  .a {\n    display: none;\n  }\n}\n', 'css'],
    ['const style = {\n  color: "red",\n};\nfunction f() {\n  return 1;\n}\n', 'javascript'],
    ['d = {\n  "a": 1,\n}\nprint(d)\n', 'python'],
    ['The rule body {margin: 0;} sets it.\n', 'none'],
  ];
  for (const [code, want] of cases) assert.equal(detected(code), want, code);
});

test('CSS over the shared data: fenced css blocks itemized (figure printed)', {
  skip: !existsSync(SHARED_DATA_DIR),
}, () => {
  const c = sharedCoverage([LANG]);
  console.log(coverageLine('css shared data', c));
  assert.ok(c.records > 0);
  assert.ok(c.share >= 0.95, `share ${c.share}`);
});
