/**
 * Helpers of the C and C++ tests (lang-c.test.ts, lang-cpp.test.ts): items printed as text, and the comparison
 * with clang's AST (tools/truth/c-truth.mjs) over the shared data's fenced blocks and the seeded corpus.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../../src/native.js';
import { analyzeStructureBatch } from '../../src/structure/index.js';

/** One fenced block analyzed: items as `kind type |text|` (text trimmed) and edges as `def->use` indexes. */
export function show(lang: string, code: string): { items: string[]; edges: string[] } {
  const text = `\`\`\`${lang}\n${code}\n\`\`\`\n`;
  const r = analyzeStructureBatch([text], { parseTimeoutMs: 0 })[0];
  if (!r.ok) throw new Error('analysis failed');
  const cps = Array.from(text);
  const items = r.result.items.map((it) => `${it.kind} ${it.type} |${cps.slice(it.start, it.end).join('').trim()}|`);
  const edges = r.result.edges.map(([d, u]) => `${d}->${u}`).sort();
  return { items, edges };
}

interface Rec {
  key: string;
  lang: string;
  text: string;
  include?: string[]; // clang include directories (corpus files)
}
type Span = [number, number, string];
interface SegOut {
  ok: boolean;
  error?: string;
  simple: Span[];
  compound: Span[];
  clauses: Span[];
  fields: Span[];
  bindings: [number, number][];
  inactive?: number[]; // 1-based lines the preprocessor drops
}

// biome-ignore lint/suspicious/noExplicitAny: the truth tools are untyped .mjs modules
async function tool(name: string): Promise<any> {
  return import(pathToFileURL(join(PACKAGE_ROOT, 'tools', 'truth', name)).href);
}

/** The tier-1 fenced blocks of the shared data in `lang` and `n` seeded corpus files. */
export async function records(lang: 'c' | 'cpp', n: number): Promise<Rec[]> {
  const fences = await tool('fences.mjs');
  const corpus = await tool('corpus.mjs');
  const blocks = (fences.loadFences() as Rec[]).filter((b) => b.lang === lang);
  const sample = (lang === 'c' ? corpus.sampleC(n) : corpus.sampleCpp(n)) as Rec[];
  return [...blocks, ...sample];
}

// Item types with no clang counterpart (the preprocessor, labels, access specifiers, enumerators, ...): not
// counted in item precision. Def items that declare only types or macros (clang's truth has no type or macro
// references): their edges are not counted in edge precision.
const NO_TRUTH_ITEM = new Set([
  'preproc_include',
  'preproc_def',
  'preproc_function_def',
  'preproc_call',
  'preproc_if',
  'preproc_ifdef',
  'preproc_else',
  'preproc_elif',
  'preproc_elifdef',
  'enumerator',
  'access_specifier',
  'labeled_statement',
  'ERROR',
  'using_declaration',
  'linkage_specification',
  'namespace_alias_definition',
  'alias_declaration',
  'static_assert_declaration',
]);
const TYPE_ONLY_DEF = new Set([
  'preproc_def',
  'preproc_function_def',
  'type_definition',
  'struct_specifier',
  'union_specifier',
  'enum_specifier',
  'class_specifier',
  'namespace_definition',
  'alias_declaration',
  'using_declaration',
  'preproc_include',
]);
const KW: Record<string, string> = {
  IfStmt: 'if',
  ForStmt: 'for',
  WhileStmt: 'while',
  DoStmt: 'do',
  SwitchStmt: 'switch',
  CXXForRangeStmt: 'for',
  CXXTryStmt: 'try',
};

export interface Figures {
  records: number;
  skipped: number; // clang rejected the block (missing headers, errors)
  macroArtifacts: number; // truth spans produced by macro expansions (not in the source text as statements)
  inactiveItems: number; // our items on lines the preprocessor drops (`#if 0`, the other #ifdef branch): no truth
  statements: number;
  stmtRecall: number;
  items: number;
  itemPrecision: number;
  truthEdges: number;
  edgeRecall: number;
  ourEdges: number;
  edgePrecision: number;
  ms: number;
}

const ws = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/**
 * Statement spans and def-use edges against clang. Truth normalized: spans that macro expansions produce
 * (an `if` not starting with `if`, spans under 3 characters) are left out and counted; trailing comments
 * after a brace-less header's `)` are cut; a nested `if` that is an `else if` clause counts once (as the
 * clause); a declaration nested in another (`typedef struct s T;`) counts once; a declaration holding a
 * struct/enum body (`typedef struct {`, a field `struct {...} f;`) is one header through the `{`, as in the items.
 */
export async function compare(lang: 'c' | 'cpp', recs: Rec[]): Promise<Figures> {
  const t0 = Date.now();
  const truthMod = await tool('c-truth.mjs');
  const truth = (await truthMod.analyzeSegments(
    recs.map((r) => ({ lang, text: r.text, include: r.include })),
  )) as SegOut[];
  const ours = analyzeStructureBatch(
    recs.map((r) => `\`\`\`${lang}\n${r.text}\n\`\`\`\n`),
    { parseTimeoutMs: 0 },
  );
  const f: Figures = {
    records: recs.length,
    skipped: 0,
    macroArtifacts: 0,
    inactiveItems: 0,
    statements: 0,
    stmtRecall: 0,
    items: 0,
    itemPrecision: 0,
    truthEdges: 0,
    edgeRecall: 0,
    ourEdges: 0,
    edgePrecision: 0,
    ms: 0,
  };
  let sHit = 0;
  let iHit = 0;
  let eHit = 0;
  let pHit = 0;
  recs.forEach((r, k) => {
    const T0 = truth[k];
    const o = ours[k];
    if (!T0.ok || !o.ok) {
      f.skipped++;
      return;
    }
    const off = lang.length + 4;
    const cps = Array.from(r.text);
    const txt = (b: number, e: number) => cps.slice(b, e).join('');
    const its = o.result.items.map((it) => {
      let b = it.start - off;
      let e = it.end - off;
      while (b < e && ws(cps[b])) b++;
      while (e > b && ws(cps[e - 1])) e--;
      return { b, e, type: it.type };
    });
    const art = (l: Span[]) =>
      l.filter(([b, e]) => {
        if (e - b < 3) f.macroArtifacts++;
        return e - b >= 3;
      });
    const trimEnd = (b: number, e0: number) => {
      let e = e0;
      while (e > b && ws(cps[e - 1])) e--;
      const t = txt(b, e);
      const m = /\)(\s*(\/\*[\s\S]*?\*\/|\/\/[^\n]*))+$/.exec(t);
      return m ? b + Array.from(t.slice(0, m.index + 1)).length : e;
    };
    const clauses = art(T0.clauses);
    const comp = art(T0.compound)
      .filter(([b, e, kind]) => {
        if (KW[kind] && !txt(b, e).startsWith(KW[kind])) {
          f.macroArtifacts++;
          return false;
        }
        return true;
      })
      .filter(([b, e]) => !clauses.some(([cb, ce]) => ce === e && cb < b))
      .map(([b, e, kind]): Span => [b, e, kind]);
    const s0 = art(T0.simple);
    const simple0 = s0.filter(([b, e]) => !s0.some(([b2, e2]) => b2 <= b && e <= e2 && (b2 < b || e < e2)));
    // a declaration or field holding a struct/enum body counts as the header through its `{`
    const withBody = (l: Span[]) => {
      const out: Span[] = [];
      for (const [b, e, kind] of l) {
        const c = comp.find(([cb, ce, ck]) => cb >= b && ce <= e && /Record|Enum/.test(ck));
        if (c) c[0] = b;
        else out.push([b, e, kind]);
      }
      return out;
    };
    const simple = withBody(simple0);
    const fields = withBody(art(T0.fields));
    const key = new Set(its.map((x) => `${x.b}:${x.e}`));
    const tk = new Set<string>();
    for (const [b, e0] of [
      ...simple,
      ...comp.map(([b, e, kind]): Span => [b, trimEnd(b, e), kind]),
      ...clauses,
      ...fields,
    ]) {
      const e = e0;
      f.statements++;
      tk.add(`${b}:${e}`);
      if (key.has(`${b}:${e}`)) sHit++;
    }
    // items starting on a line the preprocessor drops: clang's AST has nothing there
    const lineStarts = [0];
    cps.forEach((c, i) => {
      if (c === '\n') lineStarts.push(i + 1);
    });
    const lineOf = (p: number) => {
      let lo = 0;
      while (lo + 1 < lineStarts.length && lineStarts[lo + 1] <= p) lo++;
      return lo + 1;
    };
    const dropped = new Set(T0.inactive ?? []);
    const inactive = its.map((x) => dropped.has(lineOf(x.b)));
    for (const [i, x] of its.entries()) {
      if (NO_TRUTH_ITEM.has(x.type)) continue;
      if (inactive[i]) {
        f.inactiveItems++;
        continue;
      }
      f.items++;
      if (tk.has(`${x.b}:${x.e}`)) iHit++;
    }
    const itemAt = (p: number) => {
      for (let i = its.length - 1; i >= 0; i--) if (its[i].b <= p && p < its[i].e) return i;
      return -1;
    };
    const tE = new Set<string>();
    for (const [d, u] of T0.bindings) {
      const a = itemAt(d);
      const b = itemAt(u);
      if (a >= 0 && b >= 0 && a !== b) tE.add(`${a}:${b}`);
    }
    const oE = new Set(o.result.edges.map(([a, b]) => `${a}:${b}`));
    f.truthEdges += tE.size;
    for (const x of tE) if (oE.has(x)) eHit++;
    for (const x of oE) {
      const [a, b] = x.split(':').map(Number);
      if (TYPE_ONLY_DEF.has(its[a]?.type) || inactive[a] || inactive[b]) continue;
      f.ourEdges++;
      if (tE.has(x)) pHit++;
    }
  });
  f.stmtRecall = sHit / Math.max(1, f.statements);
  f.itemPrecision = iHit / Math.max(1, f.items);
  f.edgeRecall = eHit / Math.max(1, f.truthEdges);
  f.edgePrecision = pHit / Math.max(1, f.ourEdges);
  f.ms = Date.now() - t0;
  return f;
}

/** Shared-data coverage: fenced blocks tagged `lang`, records with items, flagged items, itemized char share. */
export async function coverage(lang: 'c' | 'cpp') {
  const fences = await tool('fences.mjs');
  const blocks = (fences.loadFences() as Rec[]).filter((b) => b.lang === lang);
  const res = analyzeStructureBatch(
    blocks.map((b) => `\`\`\`${lang}\n${b.text}\n\`\`\`\n`),
    { parseTimeoutMs: 0 },
  );
  let withItems = 0;
  let flagged = 0;
  let items = 0;
  let chars = 0;
  let itemized = 0;
  res.forEach((r, i) => {
    const n = Array.from(blocks[i].text).length;
    chars += n;
    if (!r.ok) return;
    if (r.result.items.length) withItems++;
    items += r.result.items.length;
    flagged += r.result.items.filter((it) => it.flags.length > 0).length;
    if (r.result.segments.some((s) => s.lang === lang) && r.result.items.length) itemized += n;
  });
  return { blocks: blocks.length, withItems, items, flagged, itemizedShare: itemized / Math.max(1, chars) };
}
