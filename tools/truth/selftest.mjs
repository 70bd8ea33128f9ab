/**
 * Self-check of the truth tools: a few hand-written snippets per language with known spans and bindings, then
 * (with --corpus / --fences) timing and ok counts over the corpus samples and the shared data's fenced blocks.
 * Run: node tools/truth/selftest.mjs [--corpus] [--fences]
 */
import assert from 'node:assert/strict';
import { SAMPLERS } from './corpus.mjs';
import { loadFences } from './fences.mjs';
import { runTruth, TOOL_OF, toolCommand } from './run.mjs';

const cases = [
  [
    'javascript',
    'let x = 1; f(x);\nfunction f(a) { return a; }',
    (s) => {
      assert.deepEqual(s.simple[0], [0, 10, 'VariableStatement']);
      assert.ok(has(s.bindings, [4, 13]) && has(s.bindings, [26, 11]) && has(s.bindings, [28, 40]));
      assert.deepEqual(s.compound[0], [17, 32, 'FunctionDeclaration']);
    },
  ],
  [
    'typescript',
    'class C { y: number = 2; m() { return this.y; } }',
    (s) => {
      assert.deepEqual(s.fields[0], [10, 24, 'PropertyDeclaration']);
      assert.ok(has(s.member_bindings, [10, 43]));
    },
  ],
  [
    'jsx',
    'const A = () => { return <div>{1}</div>; };',
    (s) => assert.ok(s.compound.some((c) => c[2] === 'ArrowFunction')),
  ],
  ['javascript', 'let = ;', (s) => assert.equal(s.ok, false)],
  [
    'c',
    'int main(void) {\n  int x = 1;\n  if (x) { x++; } else x--;\n  return x;\n}\n',
    (s) => {
      assert.deepEqual(s.compound[0], [0, 16, 'FunctionDecl']);
      assert.ok(has(s.simple, [19, 29, 'DeclStmt']) && has(s.bindings, [23, 36]));
      assert.ok(s.clauses.some((c) => c[2] === 'else'));
    },
  ],
  [
    'cpp',
    'struct A { int f; int g() { return f; } };',
    (s) => {
      assert.deepEqual(s.fields[0], [11, 17, 'FieldDecl']);
      assert.ok(has(s.bindings, [15, 35]));
    },
  ],
  ['c', 'int main( {', (s) => assert.equal(s.ok, false)],
  [
    'java',
    'int x = 1;\nSystem.out.println(x);',
    (s) => {
      assert.equal(s.wrap, 'method');
      assert.deepEqual(s.simple[0], [0, 10, 'VARIABLE']);
      assert.ok(has(s.bindings, [4, 30]));
    },
  ],
  [
    'java',
    'class A { int f; int g(int a) { if (a > 0) { return f; } return a; } }',
    (s) => {
      assert.deepEqual(s.compound[0], [0, 9, 'CLASS']);
      assert.ok(has(s.bindings, [14, 52]) && has(s.bindings, [27, 36]));
    },
  ],
  [
    'go',
    'x := 1\nfmt.Println(x)',
    (s) => {
      assert.equal(s.wrap, 'func');
      assert.deepEqual(s.simple[0], [0, 6, 'AssignStmt']);
      assert.ok(has(s.bindings, [0, 19]));
    },
  ],
  [
    'go',
    'package main\ntype P struct {\n\tA int\n}\nfunc f(p P) int { return p.A }',
    (s) => {
      assert.deepEqual(s.compound[0], [13, 28, 'struct']);
      assert.ok(has(s.member_bindings, [30, 65]) && has(s.bindings, [18, 47]));
    },
  ],
  ['go', 'func ( {', (s) => assert.equal(s.ok, false)],
  ['javascript', 'const é𝒳 = 1; é𝒳;', (s) => assert.ok(has(s.bindings, [6, 14]))],
];

function has(list, x) {
  return list.some((y) => y.length === x.length && y.every((v, i) => v === x[i]));
}

let failed = 0;
const byLang = new Map();
cases.forEach((c, i) => {
  if (!byLang.has(c[0])) byLang.set(c[0], []);
  byLang.get(c[0]).push([i, ...c]);
});
for (const [lang, list] of byLang) {
  if (!toolCommand(TOOL_OF[lang])) {
    console.log(`# ${lang}: tool unavailable, skipped`);
    continue;
  }
  const out = runTruth(
    lang,
    list.map(([i, l, text]) => ({ key: String(i), lang: l, segments: [{ start: 0, text }] })),
  );
  list.forEach(([i, , text, check], k) => {
    const s = out[k].segments[0];
    try {
      if (check.length && s.ok === false && !/let = ;|main\( \{|func \( \{/.test(text)) assert.fail(s.error);
      check(s);
      console.log(`ok ${i} ${lang}`);
    } catch (e) {
      failed++;
      console.log(`not ok ${i} ${lang}: ${e.message}\n  ${JSON.stringify(s)}`);
    }
  });
}

function timed(lang, recs, label) {
  if (!recs.length || !toolCommand(TOOL_OF[lang])) return;
  const t0 = performance.now();
  const out = runTruth(lang, recs);
  const ms = performance.now() - t0;
  const segs = out.flatMap((o) => o.segments);
  const ok = segs.filter((s) => s.ok).length;
  const b = segs.reduce((n, s) => n + (s.bindings?.length ?? 0), 0);
  console.log(
    `# ${label} ${lang}: ${segs.length} segments, ${ok} ok, ${segs.length - ok} not ok, ` +
      `${b} bindings, ${(ms / 1000).toFixed(1)} s`,
  );
}

if (process.argv.includes('--corpus'))
  for (const [lang, f] of Object.entries(SAMPLERS)) {
    const recs = f().map((r) => ({ key: r.key, lang: r.lang, segments: [{ start: 0, text: r.text }] }));
    timed(lang, recs, 'corpus');
  }
if (process.argv.includes('--fences')) {
  const fences = loadFences();
  for (const tool of ['ts', 'c', 'java', 'go']) {
    const recs = fences
      .filter((f) => TOOL_OF[f.lang] === tool)
      .map((f) => ({ key: f.key, lang: f.lang, segments: [{ start: f.start, text: f.text }] }));
    if (recs.length) timed(recs[0].lang, recs, `fences(${tool})`);
  }
}
process.exitCode = failed ? 1 : 0;
