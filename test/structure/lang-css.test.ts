/**
 * CSS (tier 2: hand-checked fixtures are the truth). Each fixture's items (kind + trimmed text) and def-use edges
 * (item index -> item index) were checked by hand against the rules in docs/languages/css.md; the last test prints
 * the shared-data coverage figure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { analyzeStructureBatch } from '../../src/index.js';
import { SHARED_DATA } from '../helpers/cli.js';

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
function sharedFigure(aliases: Set<string>) {
  let records = 0;
  let withItems = 0;
  let items = 0;
  let flagged = 0;
  let fenced = 0;
  let covered = 0;
  let noCode = 0;
  for (const f of readdirSync(SHARED_DATA).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of readFileSync(`${SHARED_DATA}/${f}`, 'utf8').split('\n')) {
      if (!line) continue;
      const rec = JSON.parse(line) as { response?: string; output?: string };
      const text = rec.response ?? rec.output;
      if (typeof text !== 'string') continue;
      const tags = [...text.matchAll(/```([A-Za-z0-9+#-]*)\n/g)].map((m) => m[1]!.toLowerCase());
      if (!tags.some((t) => aliases.has(t))) continue;
      records++;
      const out = analyzeStructureBatch([text], { parseTimeoutMs: 0 })[0]!;
      if (!out.ok) {
        // no_code: every item of the record is flagged (a dialect the grammar does not parse); its fenced blocks
        // of this language count as not itemized
        noCode++;
        for (const m of text.matchAll(/```([A-Za-z0-9+#-]*)\n([\s\S]*?)```/g))
          if (aliases.has(m[1]!.toLowerCase())) fenced += [...m[2]!].length;
        continue;
      }
      const r = out.result;
      let any = false;
      r.segments.forEach((s, si) => {
        if (s.lang !== LANG) return;
        const its = r.items.filter((it) => it.segment === si);
        fenced += s.end - s.start;
        if (its.length > 0) {
          covered += s.end - s.start;
          any = true;
        }
        items += its.length;
        flagged += its.filter((it) => it.flags.length > 0).length;
      });
      if (any) withItems++;
    }
  }
  return { records, withItems, items, flagged, noCode, share: fenced ? covered / fenced : 1 };
}

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
  skip: !existsSync(SHARED_DATA),
}, () => {
  const f = sharedFigure(new Set(['css']));
  console.log(
    `css shared data: ${f.records} records, ${f.withItems} with items, ${f.items} items, ` +
      `${f.flagged} flagged, ${f.noCode} no_code, ` +
      `${(100 * f.share).toFixed(1)}% of fenced chars in itemized segments`,
  );
  assert.ok(f.records > 0);
  assert.ok(f.share >= 0.95, `share ${f.share}`);
});
