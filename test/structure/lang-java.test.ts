/**
 * Java (native/lang/java.cc; docs/languages/java.md): hand-checked items and def-use edges for each item
 * kind and scoping rule, the fenced Java blocks of the shared data, and agreement with javac's truth
 * (tools/truth/JavaTruth.java: statement spans, name bindings) over those blocks and a seeded JDK sample.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeStructureBatch, type BatchOutcome, type StructureResult } from '../../src/index.js';
import { PACKAGE_ROOT } from '../../src/native.js';

function analyze(code: string, tag = 'java'): { r: StructureResult; text: string; base: number } {
  const text = `\`\`\`${tag}\n${code}\n\`\`\`\n`;
  const o = analyzeStructureBatch([text], { parseTimeoutMs: 0 })[0];
  assert.ok(o.ok, `analysis rejected: ${o.ok ? '' : o.reason}`);
  return { r: o.result, text, base: o.result.segments[0]?.start ?? 0 };
}

/** Items as `kind text` (text trimmed, newlines as spaces) and edges as `def => use` over those texts. */
function view(code: string, tag = 'java'): { items: string[]; edges: string[]; langs: string[] } {
  const { r, text } = analyze(code, tag);
  const cps = Array.from(text);
  const t = (i: number) =>
    cps
      .slice(r.items[i].start, r.items[i].end)
      .join('')
      .trim()
      .replace(/\s*\n\s*/g, ' ');
  const items = r.items.map((_, i) => `${r.items[i].kind} ${t(i)}`);
  const edges = [...new Set(r.edges.map(([a, b]) => `${t(a)} => ${t(b)}`))].sort();
  return { items, edges, langs: r.segments.map((s) => s.lang) };
}

const ITEMS_FIXTURE = `package p;
import java.util.*;
@Anno
public class A<T> extends B implements C {
  private int x = 1, y;
  static { x = 2; }
  A(int a) { super(a); this.x = a; }
  abstract void h();
  int f(int a) {
    for (int i = 0; i < a; i++) { x += i; }
    for (String s : list) System.out.println(s);
    if (a > 0) { return 1; } else if (a < 0) return -1; else { return 0; }
  }
  void g() {
    try (var r = open()) { r.run(); } catch (IOException | X e) { log(e); } finally { close(); }
    switch (x) { case 1: if (y) { foo(); } break; default: bar(); }
    int k = switch (x) { case 1 -> 2; default -> { yield 3; } };
    Runnable q = () -> { run(); };
    Runnable z = new Runnable() { public void run() { go(); } };
    while (true) { break; }
    do { x--; } while (x > 0);
    label: for (;;) { continue label; }
    synchronized (this) { assert x > 0 : "x"; }
    throw new E();
  }
  record R(int a, int b) { R { assert a > 0; } }
  enum E { P, Q; void m() {} }
  interface I { int K = 1; void m(); default int n() { return K; } }
  @interface Ann { int v() default 0; }
}`;

test('java items: each item kind (simple, header, clause) with the exact spans', () => {
  const v = view(ITEMS_FIXTURE);
  assert.deepEqual(v.langs, ['java']);
  assert.deepEqual(v.items, [
    'simple package p;',
    'simple import java.util.*;',
    'header @Anno public class A<T> extends B implements C {',
    'simple private int x = 1, y;',
    'header static {',
    'simple x = 2;',
    'header A(int a) {',
    'simple super(a);',
    'simple this.x = a;',
    'simple abstract void h();',
    'header int f(int a) {',
    'header for (int i = 0; i < a; i++) {',
    'simple x += i;',
    'header for (String s : list)',
    'simple System.out.println(s);',
    'header if (a > 0) {',
    'simple return 1;',
    'clause else if (a < 0)',
    'simple return -1;',
    'clause else {',
    'simple return 0;',
    'header void g() {',
    'header try (var r = open()) {',
    'simple r.run();',
    'clause catch (IOException | X e) {',
    'simple log(e);',
    'clause finally {',
    'simple close();',
    'header switch (x) {',
    'clause case 1:',
    'header if (y) {',
    'simple foo();',
    'simple break;',
    'clause default:',
    'simple bar();',
    'header int k = switch (x) {',
    'clause case 1 ->',
    'simple 2;',
    'clause default -> {',
    'simple yield 3;',
    'header Runnable q = () -> {',
    'simple run();',
    'header Runnable z = new Runnable() {',
    'header public void run() {',
    'simple go();',
    'header while (true) {',
    'simple break;',
    'header do {',
    'simple x--;',
    'header label:',
    'header for (;;) {',
    'simple continue label;',
    'header synchronized (this) {',
    'simple assert x > 0 : "x";',
    'simple throw new E();',
    'header record R(int a, int b) {',
    'header R {',
    'simple assert a > 0;',
    'header enum E {',
    'simple P',
    'simple Q',
    'header void m() {',
    'header interface I {',
    'simple int K = 1;',
    'simple void m();',
    'header default int n() {',
    'simple return K;',
    'header @interface Ann {',
    'simple int v() default 0;',
  ]);
});

test('java def-use: class members are visible in the whole class body; methods and fields apart', () => {
  const v = view(`class Main {
  int size() { return size; }
  void add() { size++; total = size(); helper(); }
  private int size;
  static int total;
  static void helper() { Node n = new Node(); }
  static class Node { int v; }
}`);
  assert.deepEqual(v.edges, [
    'int size() { => total = size();',
    'private int size; => return size;',
    'private int size; => size++;',
    'static class Node { => Node n = new Node();',
    'static int total; => total = size();',
    'static void helper() { => helper();',
  ]);
});

test('java def-use: blocks, for-init, enhanced for, catch, try-with-resources, lambdas, patterns', () => {
  const v = view(`import java.util.List;
class S {
  void f(List<String> xs, Object o) {
    int n = 0;
    for (int i = 0; i < n; i++) { int j = i; }
    int i = 5;
    for (String s : xs) { n += s.length(); }
    try (var r = open()) { r.close(); } catch (Exception e) { e.printStackTrace(); }
    Runnable q = () -> { int k = i; use(k); };
    java.util.function.Function<Integer, Integer> sq = v -> v * n;
    if (o instanceof String str) { use(str); }
    { int b = 1; }
    int b = 2;
    use(b);
  }
}`);
  assert.deepEqual(
    v.edges,
    [
      'for (int i = 0; i < n; i++) { => int j = i;',
      'import java.util.List; => void f(List<String> xs, Object o) {',
      'int b = 2; => use(b);',
      'int i = 5; => int k = i;',
      'int k = i; => use(k);',
      'int n = 0; => for (int i = 0; i < n; i++) {',
      'int n = 0; => java.util.function.Function<Integer, Integer> sq = v -> v * n;',
      'int n = 0; => n += s.length();',
      'if (o instanceof String str) { => use(str);',
      'try (var r = open()) { => r.close();',
      'catch (Exception e) { => e.printStackTrace();',
      'for (String s : xs) { => n += s.length();',
      'void f(List<String> xs, Object o) { => for (String s : xs) {',
      'void f(List<String> xs, Object o) { => if (o instanceof String str) {',
    ].sort(),
  );
});

test('java def-use: records, enums, interfaces, generics, switch groups, anonymous classes', () => {
  const v = view(`class G<T> {
  T item;
  record P(int x, int y) { int sum() { return x + y; } }
  enum Color { RED, GREEN; Color next() { return GREEN; } }
  interface Shape { double area(); }
  Shape unit = new Shape() { public double area() { return one(); } double one() { return 1; } };
  int g(int k) {
    switch (k) { case 1: int z = k; return z; default: return 0; }
  }
}`);
  assert.deepEqual(
    v.edges,
    [
      'class G<T> { => T item;',
      'double one() { => return one();',
      'enum Color { => Color next() {',
      'int g(int k) { => int z = k;',
      'int g(int k) { => switch (k) {',
      'int z = k; => return z;',
      'interface Shape { => Shape unit = new Shape() {',
      'record P(int x, int y) { => return x + y;',
      'GREEN => return GREEN;',
    ].sort(),
  );
});

test('java: fence aliases and untagged detection', () => {
  assert.deepEqual(view('int x = 1;', 'jav').langs, ['java']);
  const untagged = (code: string) => {
    const o = analyzeStructureBatch([`Here:\n\n\`\`\`\n${code}\n\`\`\`\n`], { parseTimeoutMs: 0 })[0];
    return o.ok ? o.result.segments.map((s) => s.lang) : [];
  };
  const main =
    'public class Hello {\n  public static void main(String[] args) {\n    System.out.println("hi");\n  }\n}';
  assert.deepEqual(untagged(main), ['java']);
  assert.deepEqual(untagged('import java.util.List;\n\nclass A extends B {\n  @Override\n  void f() {}\n}'), ['java']);
  // Python stays Python
  assert.deepEqual(untagged('def f(x):\n    return x + 1\n\nprint(f(2))'), ['python']);
});

// ---- shared data: the fenced Java blocks of ../shared/data ----

const TOOLS = join(PACKAGE_ROOT, 'tools', 'truth');
// biome-ignore lint/suspicious/noExplicitAny: the truth tools are plain JavaScript modules
const tool = async (name: string): Promise<any> => import(pathToFileURL(join(TOOLS, name)).href);

test('java shared data: fenced blocks analyzed, items in the segments that carry the fenced code', async () => {
  const { DATA_DIR, fencedBlocks } = await tool('fences.mjs');
  if (!existsSync(DATA_DIR)) {
    console.log(`java shared data: skipped (${DATA_DIR} missing)`);
    return;
  }
  let records = 0;
  let withItems = 0;
  let items = 0;
  let flagged = 0;
  let fenced = 0;
  let covered = 0;
  for (const f of readdirSync(DATA_DIR).sort()) {
    if (!f.endsWith('.jsonl')) continue;
    for (const line of readFileSync(join(DATA_DIR, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const o = JSON.parse(line) as { response?: unknown; output?: unknown };
      const md = typeof o.response === 'string' ? o.response : typeof o.output === 'string' ? o.output : undefined;
      if (!md) continue;
      const blocks = (fencedBlocks(md) as Array<{ tag: string; start: number; text: string }>).filter((b) =>
        ['java', 'jav'].includes(b.tag),
      );
      if (!blocks.length) continue;
      records++;
      const out = analyzeStructureBatch([md], { parseTimeoutMs: 0 })[0];
      if (!out.ok) continue;
      const r = out.result;
      const segs = r.segments.map((s, i) => ({ ...s, n: r.items.filter((it) => it.segment === i).length }));
      const javaItems = r.items.filter((it) => r.segments[it.segment].lang === 'java');
      if (javaItems.length) withItems++;
      items += javaItems.length;
      flagged += javaItems.filter((it) => it.flags.length > 0).length;
      for (const b of blocks) {
        const len = Array.from(b.text).length;
        fenced += len;
        for (const s of segs) {
          if (s.lang !== 'java' || s.n === 0) continue;
          covered += Math.max(0, Math.min(s.end, b.start + len) - Math.max(s.start, b.start));
        }
      }
    }
  }
  const share = covered / fenced;
  console.log(
    `java shared data: ${records} records with java fences, ${withItems} with items, ${items} items ` +
      `(${flagged} flagged), ${(share * 100).toFixed(2)}% of fenced chars in java segments with items`,
  );
  assert.ok(records > 0);
  assert.ok(share >= 0.95, `share ${share}`);
});

// ---- agreement with javac (tools/truth/JavaTruth.java) ----

type Span = [number, number, string];
interface TruthSeg {
  ok: boolean;
  error?: string;
  simple: Span[];
  compound: Span[];
  clauses: Span[];
  fields: Span[];
  bindings: Array<[number, number]>;
}

/** Item kinds the truth does not report (javac has no statement for them): counted apart from precision. */
const NOT_IN_TRUTH = new Set(['enum_constant', 'static_initializer']);

interface Figures {
  cases: number;
  skipped: number;
  truthStmts: number;
  agreed: number;
  items: number;
  itemsAgreed: number;
  notInTruth: number;
  truthEdges: number;
  edgesAgreed: number;
  edges: number;
  staticImportEdges: number;
}

function compare(text: string, o: BatchOutcome, tr: TruthSeg, fig: Figures): void {
  fig.cases++;
  if (!o.ok || !tr.ok || o.result.segments.length !== 1) {
    fig.skipped++;
    return;
  }
  const r = o.result;
  const base = r.segments[0].start;
  const cps = Array.from(text);
  const items = r.items.map((it) => {
    let s = it.start - base;
    let e = Math.min(it.end - base, cps.length);
    while (s < e && /\s/.test(cps[s])) s++;
    while (e > s && /\s/.test(cps[e - 1])) e--;
    return { s, e, type: it.type };
  });
  const all: Array<{ s: number; e: number; kind: string; k: string }> = [];
  for (const k of ['simple', 'fields', 'compound', 'clauses'] as const)
    for (const [s, e, kind] of tr[k]) all.push({ s, e, kind, k });
  const seen = new Set<string>();
  const T = all.filter((x) => !seen.has(`${x.s}:${x.e}`) && seen.add(`${x.s}:${x.e}`));
  const matched = new Set<number>();
  for (const t of T) {
    // `else if`: the nested if's own header is the tail of the else clause (one item)
    if (t.k === 'compound' && T.some((u) => u.k === 'clauses' && u.kind === 'else' && u.e === t.e && u.s < t.s))
      continue;
    fig.truthStmts++;
    const nested = T.filter((u) => u !== t && u.s >= t.s && u.e <= t.e && (u.s > t.s || u.e < t.e));
    const first = nested.reduce<(typeof T)[number] | undefined>((a, u) => (a && a.s <= u.s ? a : u), undefined);
    // a statement split at a block lambda / anonymous class / switch expression: its header runs to that body
    const lim = !first ? -1 : first.kind === 'LAMBDA' || first.kind === 'SWITCH_EXPRESSION' ? first.e : first.s;
    let ok = false;
    items.forEach((it, i) => {
      const exact = it.s === t.s && it.e === t.e;
      const split = t.k === 'simple' && lim >= 0 && it.s === t.s && it.e > t.s && it.e <= lim;
      const lambda = (t.kind === 'LAMBDA' || t.kind === 'SWITCH_EXPRESSION') && it.e === t.e && it.s < t.s;
      if (exact || split || lambda) {
        ok = true;
        matched.add(i);
      }
    });
    if (ok) fig.agreed++;
  }
  items.forEach((it, i) => {
    if (NOT_IN_TRUTH.has(it.type)) fig.notInTruth++;
    else {
      fig.items++;
      if (matched.has(i)) fig.itemsAgreed++;
    }
  });
  const itemAt = (p: number) => {
    for (let i = r.items.length - 1; i >= 0; i--)
      if (r.items[i].start - base <= p && p < r.items[i].end - base) return i;
    return -1;
  };
  const truth = new Set<string>();
  for (const [d, u] of tr.bindings) {
    const a = itemAt(d);
    const b = itemAt(u);
    if (a >= 0 && b >= 0 && a !== b) truth.add(`${a}:${b}`);
  }
  // javac's truth binds no static import (`import static a.B.C;`): those edges are counted apart
  const staticImport = (i: number) =>
    r.items[i].type === 'import_declaration' && /^import\s+static\b/.test(cps.slice(items[i].s, items[i].e).join(''));
  const ours = new Set(r.edges.map(([a, b]) => `${a}:${b}`));
  fig.truthEdges += truth.size;
  for (const e of truth) if (ours.has(e)) fig.edgesAgreed++;
  for (const e of ours) {
    if (staticImport(Number(e.split(':')[0]))) fig.staticImportEdges++;
    else fig.edges++;
  }
}

test('java truth: statement spans and def-use agree with javac (shared data fences + JDK sample)', async () => {
  const { toolCommand, runTruth } = await tool('run.mjs');
  if (!toolCommand('java')) {
    console.log('java truth: skipped (no javac on this machine)');
    return;
  }
  const { loadFences } = await tool('fences.mjs');
  const { sampleJava } = await tool('corpus.mjs');
  const fences = (loadFences() as Array<{ lang: string; text: string }>)
    .filter((b) => b.lang === 'java')
    .map((b) => b.text);
  const corpus = (sampleJava(100, 1) as Array<{ text: string }>).map((b) => b.text);
  const texts = [...fences, ...corpus];
  const out = runTruth(
    'java',
    texts.map((text, i) => ({ key: String(i), lang: 'java', segments: [{ start: 0, text }] })),
  ) as Array<{ segments: TruthSeg[] }>;
  const zero = (): Figures => ({
    cases: 0,
    skipped: 0,
    truthStmts: 0,
    agreed: 0,
    items: 0,
    itemsAgreed: 0,
    notInTruth: 0,
    truthEdges: 0,
    edgesAgreed: 0,
    edges: 0,
    staticImportEdges: 0,
  });
  const figs = { fences: zero(), corpus: zero() };
  const ours = analyzeStructureBatch(
    texts.map((t) => `\`\`\`java\n${t}\n\`\`\`\n`),
    { parseTimeoutMs: 0 },
  );
  texts.forEach((text, i) => compare(text, ours[i], out[i].segments[0], i < fences.length ? figs.fences : figs.corpus));
  for (const [name, f] of Object.entries(figs)) {
    const spans = f.agreed / f.truthStmts;
    const prec = f.itemsAgreed / f.items;
    const rec = f.edgesAgreed / f.truthEdges;
    const duPrec = f.edgesAgreed / f.edges;
    console.log(
      `java truth ${name}: ${f.cases} cases (${f.skipped} skipped: javac or segment failed); statements ` +
        `${f.agreed}/${f.truthStmts} = ${(spans * 100).toFixed(2)}%, item precision ${f.itemsAgreed}/${f.items} = ` +
        `${(prec * 100).toFixed(2)}% (${f.notInTruth} enum-constant / static-block items not in the truth); ` +
        `def-use recall ${f.edgesAgreed}/${f.truthEdges} = ${(rec * 100).toFixed(2)}%, precision ${f.edgesAgreed}/` +
        `${f.edges} = ${(duPrec * 100).toFixed(2)}% (${f.staticImportEdges} static-import edges apart)`,
    );
    assert.ok(f.truthStmts > 500, `${name}: enough statements`);
    assert.ok(spans >= 0.99, `${name} spans ${spans}`);
    assert.ok(prec >= 0.99, `${name} item precision ${prec}`);
    assert.ok(rec >= 0.95, `${name} def-use recall ${rec}`);
    assert.ok(duPrec >= 0.9, `${name} def-use precision ${duPrec}`);
  }
});
