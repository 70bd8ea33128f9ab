/**
 * Go (native/lang/go.cc; docs/languages/go.md): hand-checked fixtures for each item kind and scoping rule, the
 * shared data's ```go blocks, and agreement with go/parser + go/types (tools/truth/go-truth) on the fenced blocks
 * and a seeded sample of the Go standard library (tools/truth/corpus.mjs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../../src/native.js';
import { analyzeStructureBatch } from '../../src/structure/index.js';
import { pc } from './truth.js';

const GO = '/usr/bin/go';
const FENCE = '```go\n';

interface Item {
  start: number;
  end: number;
  kind: string;
  type: string;
}

/** Items (trimmed text, kind) and edges (def index, use index) of one Go snippet analyzed as a ```go block. */
function analyzeGo(code: string): { items: Item[]; texts: string[]; edges: Array<[number, number]>; cps: string[] } {
  const md = `${FENCE}${code}\n\`\`\`\n`;
  const out = analyzeStructureBatch([md], { parseTimeoutMs: 0 })[0]!;
  assert.ok(out.ok, 'analyzed');
  const cps = Array.from(md);
  const r = out.result;
  const texts = r.items.map((it) => cps.slice(it.start, it.end).join('').trim());
  return { items: r.items as Item[], texts, edges: r.edges as Array<[number, number]>, cps };
}

function edgeText(texts: string[], edges: Array<[number, number]>): string[] {
  return [...new Set(edges.map(([a, b]) => `${texts[a]} -> ${texts[b]}`))].sort();
}

test('go: items of each kind (headers through {, clauses, fields, grouped declarations, func literals)', () => {
  const code = [
    'package main',
    'import (',
    '\t"fmt"',
    '\th "net/http"',
    ')',
    'type T struct {',
    '\tx int',
    '\tInner struct{ y int }',
    '}',
    'type I interface { M(p int) error }',
    'var m = map[string]interface{}{}',
    'func (t *T) Run(p int) (n int, err error) {',
    '\tif y := p; y > 0 {',
    '\t} else if z := 1; z > y {',
    '\t} else {',
    '\t}',
    '\tswitch v := interface{}(p).(type) {',
    '\tcase int:',
    '\t\tfmt.Println(v)',
    '\tdefault:',
    '\t}',
    '\tselect {',
    '\tcase c := <-ch:',
    '\t\t_ = c',
    '\t}',
    'L:',
    '\tfor i := 0; i < 3; i++ {',
    '\t\tcontinue L',
    '\t}',
    '\tgo func() {',
    '\t\tdefer h.Get("x")',
    '\t}()',
    '\treturn',
    '}',
  ].join('\n');
  const { items, texts } = analyzeGo(code);
  const got = items.map((it, i) => `${it.kind} ${texts[i]}`);
  assert.deepEqual(got, [
    'simple import (\n\t"fmt"\n\th "net/http"\n)',
    'header type T struct {',
    'simple x int',
    'header Inner struct{',
    'simple y int',
    'header type I interface {',
    'simple M(p int) error',
    'simple var m = map[string]interface{}{}',
    'header func (t *T) Run(p int) (n int, err error) {',
    'header if y := p; y > 0 {',
    'clause else if z := 1; z > y {',
    'clause else {',
    'header switch v := interface{}(p).(type) {',
    'clause case int:',
    'simple fmt.Println(v)',
    'clause default:',
    'header select {',
    'clause case c := <-ch:',
    'simple _ = c',
    'header for i := 0; i < 3; i++ {',
    'simple continue L',
    'header go func() {',
    'simple defer h.Get("x")',
    'simple return',
  ]);
});

test('go: def-use (package scope hoisted, := re-use, init statements, type switch, selectors, imports)', () => {
  const code = [
    'package main',
    'import (',
    '\t"fmt"',
    '\th "net/http"',
    ')',
    'func main() {',
    '\tx, err := load(limit)',
    '\ty, err := load(x)',
    '\tif err != nil {',
    '\t\treturn',
    '\t}',
    '\tif n := x + y; n > 0 {',
    '\t\tfmt.Println(n)',
    '\t}',
    '\tx, z := x + 1, 2',
    '\tfor {',
    '\t\tx := x + z',
    '\t\t_ = x',
    '\t}',
    '\tswitch v := any(x).(type) {',
    '\tcase int:',
    '\t\t_ = v',
    '\t}',
    '\tp := Point{x: 1}',
    '\tp.x = h.StatusOK',
    '}',
    'func load(n int) (int, error) {',
    '\treturn n, nil',
    '}',
    'type Point struct{ x int }',
    'const limit = 3',
  ].join('\n');
  const { texts, edges } = analyzeGo(code);
  assert.deepEqual(
    edgeText(texts, edges),
    [
      'const limit = 3 -> x, err := load(limit)',
      'func load(n int) (int, error) { -> return n, nil',
      'func load(n int) (int, error) { -> x, err := load(limit)',
      'func load(n int) (int, error) { -> y, err := load(x)',
      'import (\n\t"fmt"\n\th "net/http"\n) -> fmt.Println(n)',
      'import (\n\t"fmt"\n\th "net/http"\n) -> p.x = h.StatusOK',
      'if n := x + y; n > 0 { -> fmt.Println(n)',
      'p := Point{x: 1} -> p.x = h.StatusOK',
      'switch v := any(x).(type) { -> _ = v',
      'type Point struct{ -> p := Point{x: 1}',
      // `y, err :=` re-uses err: the use in `if err != nil` is the first declaration's
      'x, err := load(limit) -> if err != nil {',
      'x, err := load(limit) -> if n := x + y; n > 0 {',
      // `x, z :=` re-uses x too; `x := x + z` in the loop body is a new x whose value reads the outer one
      'x, err := load(limit) -> switch v := any(x).(type) {',
      'x, err := load(limit) -> x := x + z',
      'x, err := load(limit) -> x, z := x + 1, 2',
      'x, err := load(limit) -> y, err := load(x)',
      'x, z := x + 1, 2 -> x := x + z',
      'x := x + z -> _ = x',
      'y, err := load(x) -> if n := x + y; n > 0 {',
    ].sort(),
  );
});

test('go: fence aliases and untagged detection', () => {
  for (const tag of ['go', 'golang', 'Go']) {
    const out = analyzeStructureBatch([`\`\`\`${tag}\nx := 1\n\`\`\`\n`], { parseTimeoutMs: 0 })[0]!;
    assert.ok(out.ok);
    assert.equal(out.result.segments[0]?.lang, 'go', tag);
  }
  const untagged = 'package main\n\nimport "fmt"\n\nfunc main() {\n\tx := 1\n\tfmt.Println(x)\n}\n';
  const out = analyzeStructureBatch([`\`\`\`\n${untagged}\`\`\`\n`], { parseTimeoutMs: 0 })[0]!;
  assert.ok(out.ok);
  assert.equal(out.result.segments[0]?.lang, 'go');
  const py = 'def f(x):\n    return x + 1\n\nprint(f(2))\n';
  const outPy = analyzeStructureBatch([`\`\`\`\n${py}\`\`\`\n`], { parseTimeoutMs: 0 })[0]!;
  assert.ok(outPy.ok);
  assert.equal(outPy.result.segments[0]?.lang, 'python');
});

// ---------------------------------------------------------------------------------------------------------------
// Agreement with go/types (tools/truth/go-truth)

type Span = [number, number, string];
interface SegTruth {
  ok: boolean;
  error?: string;
  simple: Span[];
  compound: Span[];
  clauses: Span[];
  fields: Span[];
  bindings: Array<[number, number]>;
}
interface Block {
  key: string;
  text: string;
}

// biome-ignore lint/suspicious/noExplicitAny: the truth tools are plain ES modules
async function truthModule(name: string): Promise<any> {
  return import(pathToFileURL(join(PACKAGE_ROOT, 'tools', 'truth', name)).href);
}

function buildTruth(dir: string): string | undefined {
  if (!existsSync(GO)) return undefined;
  const bin = join(dir, 'go-truth');
  const r = spawnSync(GO, ['build', '-o', bin, '.'], {
    cwd: join(PACKAGE_ROOT, 'tools', 'truth', 'go-truth'),
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod', GOCACHE: join(dir, 'cache') },
  });
  if (r.status !== 0) throw new Error(`go build failed: ${r.stderr}`);
  return bin;
}

function runTruth(bin: string, blocks: Block[]): SegTruth[] {
  const line = (b: Block) => JSON.stringify({ key: b.key, lang: 'go', segments: [{ start: 0, text: b.text }] });
  const input = `${blocks.map(line).join('\n')}\n`;
  const r = spawnSync(bin, [], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`go-truth failed: ${r.stderr.slice(0, 2000)}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { segments: SegTruth[] }).segments[0]!);
}

const within = (a: Span | [number, number], b: Span | [number, number]) => b[0] <= a[0] && a[1] <= b[1];

/**
 * The truth's statements as the items they should be (rules in docs/languages/go.md, "Figures"): statements
 * inside a select case's header (`case v := <-ch:`) are header parts; a statement holding a func literal is a
 * header through the literal's `{` (only the first literal is checked); a statement or field holding an
 * anonymous struct's fields is left out (the split point is not in the truth); an empty struct / interface type
 * declaration is one simple item; the `if` of an `else if` is the else clause's header.
 */
function expectedSpans(t: SegTruth, cps: string[], skipped: Map<string, number>): Array<[number, number]> {
  const bump = (k: string) => skipped.set(k, (skipped.get(k) ?? 0) + 1);
  const out: Array<[number, number]> = [];
  const simple = t.simple.filter((s) => {
    if (t.clauses.some((c) => within(s, c))) {
      bump('statement in a select case header');
      return false;
    }
    return true;
  });
  const funcLits = t.compound.filter((c) => c[2] === 'FuncLit');
  const firstLit = new Map<Span, Span>();
  for (const f of funcLits) {
    let best: Span | undefined;
    for (const s of [...simple, ...t.fields]) if (within(f, s) && (!best || within(s, best))) best = s;
    if (!best) {
      out.push([f[0], f[1]]);
      continue;
    }
    const prev = firstLit.get(best);
    if (!prev || f[0] < prev[0]) {
      if (prev) bump('later func literal in a statement');
      firstLit.set(best, f);
    } else bump('later func literal in a statement');
  }
  for (const s of [...simple, ...t.fields]) {
    const f = firstLit.get(s);
    if (f) {
      out.push([s[0], f[1]]);
      continue;
    }
    if (t.fields.some((x) => x !== s && within(x, s))) {
      bump('statement holding an anonymous struct');
      continue;
    }
    out.push([s[0], s[1]]);
  }
  for (const c of t.compound) {
    if (c[2] === 'FuncLit') continue;
    // the if of an else if: the else clause is its header
    if (c[2] === 'IfStmt' && t.clauses.some((k) => k[2] === 'else' && k[0] < c[0] && c[1] === k[1])) continue;
    if (c[2] === 'struct' || c[2] === 'interface') {
      let j = c[1];
      while (j < cps.length && /\s/.test(cps[j]!)) j++;
      if (cps[j] === '}') {
        out.push([c[0], j + 1]);
        continue;
      }
    }
    out.push([c[0], c[1]]);
  }
  for (const c of t.clauses) out.push([c[0], c[1]]);
  return out;
}

interface Tally {
  truthStmts: number;
  matchedStmts: number;
  ourItems: number;
  matchedItems: number;
  truthEdges: number;
  matchedEdges: number;
  ourEdges: number;
  ourMatched: number;
  unmappedBindings: number;
  noTruth: number;
  blocks: number;
  misses: string[];
  extras: string[];
  edgeMisses: string[];
  edgeExtras: string[];
  skipped: Map<string, number>;
}

function compare(blocks: Block[], truth: SegTruth[]): Tally {
  const T: Tally = {
    truthStmts: 0,
    matchedStmts: 0,
    ourItems: 0,
    matchedItems: 0,
    truthEdges: 0,
    matchedEdges: 0,
    ourEdges: 0,
    ourMatched: 0,
    unmappedBindings: 0,
    noTruth: 0,
    blocks: 0,
    misses: [],
    extras: [],
    edgeMisses: [],
    edgeExtras: [],
    skipped: new Map(),
  };
  const B = 64;
  for (let i = 0; i < blocks.length; i += B) {
    const batch = blocks.slice(i, i + B);
    const res = analyzeStructureBatch(
      batch.map((b) => `${FENCE}${b.text}\n\`\`\`\n`),
      { parseTimeoutMs: 0 },
    );
    batch.forEach((b, k) => {
      const t = truth[i + k]!;
      const out = res[k]!;
      if (!t.ok || !out.ok) {
        T.noTruth++;
        return;
      }
      T.blocks++;
      const cps = Array.from(b.text);
      const off = FENCE.length;
      const items = out.result.items
        .filter((it) => it.segment === 0)
        .map((it, idx) => {
          let s = it.start - off;
          let e = it.end - off;
          while (s < e && /\s/.test(cps[s] ?? '')) s++;
          while (e > s && /\s/.test(cps[e - 1] ?? '')) e--;
          return { s, e, raw: [it.start - off, it.end - off] as [number, number], type: it.type, idx };
        });
      const snippet = (s: number, e: number) => cps.slice(s, e).join('').replace(/\n/g, '⏎').slice(0, 80);
      const want = expectedSpans(t, cps, T.skipped);
      const wantKeys = new Set(want.map(([s, e]) => `${s}:${e}`));
      const haveKeys = new Set(items.map((it) => `${it.s}:${it.e}`));
      for (const [s, e] of want) {
        T.truthStmts++;
        if (haveKeys.has(`${s}:${e}`)) T.matchedStmts++;
        else if (T.misses.length < 12) T.misses.push(`${b.key}: ${snippet(s, e)}`);
      }
      for (const it of items) {
        if (it.type === 'method_elem' || it.type === 'type_elem') continue; // interface elements: not in the truth
        T.ourItems++;
        if (wantKeys.has(`${it.s}:${it.e}`)) T.matchedItems++;
        else if (T.extras.length < 12) T.extras.push(`${b.key}: ${snippet(it.s, it.e)}`);
      }
      const itemAt = (p: number) => items.find((it) => it.raw[0] <= p && p < it.raw[1])?.idx;
      const truthEdges = new Set<string>();
      for (const [d, u] of t.bindings) {
        const a = itemAt(d);
        const c = itemAt(u);
        if (a === undefined || c === undefined) {
          T.unmappedBindings++;
          continue;
        }
        if (a !== c) truthEdges.add(`${a}:${c}`);
      }
      const ours = new Set(out.result.edges.map(([a, c]) => `${a}:${c}`));
      const label = (e: string) => {
        const [a, c] = e.split(':').map(Number);
        const x = items[a!]!;
        const y = items[c!]!;
        return `${b.key}: ${snippet(x.s, x.e)} -> ${snippet(y.s, y.e)}`;
      };
      for (const e of truthEdges) {
        T.truthEdges++;
        if (ours.has(e)) T.matchedEdges++;
        else if (T.edgeMisses.length < 12) T.edgeMisses.push(label(e));
      }
      for (const e of ours) {
        T.ourEdges++;
        if (truthEdges.has(e)) T.ourMatched++;
        else if (T.edgeExtras.length < 12) T.edgeExtras.push(label(e));
      }
    });
  }
  return T;
}

function report(name: string, T: Tally): void {
  const skipped = [...T.skipped].map(([k, n]) => `${n} ${k}`).join('; ');
  console.log(`# ${name}: ${T.blocks} blocks compared, ${T.noTruth} without truth (go/parser error)`);
  console.log(
    `#   statements: recall ${pc(T.matchedStmts / T.truthStmts)} (${T.matchedStmts}/${T.truthStmts}), ` +
      `precision ${pc(T.matchedItems / T.ourItems)} (${T.matchedItems}/${T.ourItems}); left out: ${skipped || 'none'}`,
  );
  console.log(
    `#   def-use: recall ${pc(T.matchedEdges / T.truthEdges)} (${T.matchedEdges}/${T.truthEdges}), ` +
      `precision ${pc(T.ourMatched / T.ourEdges)} (${T.ourMatched}/${T.ourEdges}); ` +
      `${T.unmappedBindings} bindings outside every item (labels, package clause)`,
  );
  for (const m of T.misses) console.log(`#   miss: ${m}`);
  for (const m of T.extras) console.log(`#   extra: ${m}`);
  for (const m of T.edgeMisses) console.log(`#   edge miss: ${m}`);
  for (const m of T.edgeExtras) console.log(`#   edge extra: ${m}`);
}

const work = mkdtempSync(join(tmpdir(), 'cb-go-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

test('go: agreement with go/types on the shared data and the Go standard library', async (t) => {
  const bin = buildTruth(work);
  if (!bin) {
    t.skip(`${GO} not installed: no Go truth`);
    return;
  }
  const fences = await truthModule('fences.mjs');
  const corpus = await truthModule('corpus.mjs');
  const fenced: Block[] = (fences.loadFences() as Array<Block & { lang: string }>).filter((b) => b.lang === 'go');
  const stdlib: Block[] = corpus.sampleGo(250, 1) as Block[];
  for (const [name, blocks, stmtRecall, stmtPrec, duRecall, duPrec] of [
    ['shared data ```go blocks', fenced, 0.99, 0.97, 0.95, 0.9],
    ['Go stdlib sample (250 files)', stdlib, 0.99, 0.97, 0.95, 0.9],
  ] as Array<[string, Block[], number, number, number, number]>) {
    if (blocks.length === 0) {
      console.log(`# ${name}: no blocks (skipped)`);
      continue;
    }
    const T = compare(blocks, runTruth(bin, blocks));
    report(name, T);
    assert.ok(T.blocks > 0);
    assert.ok(T.matchedStmts / T.truthStmts >= stmtRecall, `${name}: statement recall`);
    assert.ok(T.matchedItems / T.ourItems >= stmtPrec, `${name}: statement precision`);
    assert.ok(T.matchedEdges / T.truthEdges >= duRecall, `${name}: def-use recall`);
    assert.ok(T.ourMatched / T.ourEdges >= duPrec, `${name}: def-use precision`);
  }
});
