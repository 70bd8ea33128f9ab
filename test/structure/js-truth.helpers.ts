/**
 * JavaScript / TypeScript truth (tools/truth/ts-truth.mjs, the TypeScript compiler) brought to codeblock's item
 * model before comparing (lang-javascript.test.ts, lang-typescript.test.ts). The compiler's statements nest: a
 * statement (or class field) holding a function expression, an arrow function with a block body, a class
 * expression or an object-literal method is one span, and the function is a compound inside it. codeblock splits
 * such a statement at the function bodies instead (items do not overlap): a header from the statement start
 * through the first body's `{`, the body's statements, then a clause from each body's `}` through the next
 * body's `{`, and a tail clause from the last body's `}` to the statement end when it holds more than
 * delimiters. An `else if` is one clause in codeblock (the compiler adds the nested if statement). The
 * normalization below rewrites the truth the same way, with the function extents taken from the compiler's AST
 * (the truth tool reports headers only). Nothing else changes.
 */
import ts from 'typescript';
import { runTruth, type TruthInput, type TruthSegment, type TruthSpan } from './lang.helpers.js';

const K = ts.SyntaxKind;
const SCRIPT: Record<string, ts.ScriptKind> = {
  javascript: ts.ScriptKind.JS,
  jsx: ts.ScriptKind.JSX,
  typescript: ts.ScriptKind.TS,
  tsx: ts.ScriptKind.TSX,
};

/** UTF-16 offset → code point offset. */
function cpMap(text: string): Int32Array {
  const m = new Int32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    m[i] = cp;
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) m[++i] = cp;
    }
    cp++;
  }
  m[text.length] = cp;
  return m;
}

function isLambda(n: ts.Node): boolean {
  switch (n.kind) {
    case K.FunctionExpression:
    case K.ClassExpression:
      return true;
    case K.ArrowFunction:
      return (n as ts.ArrowFunction).body.kind === K.Block;
    case K.MethodDeclaration:
    case K.GetAccessor:
    case K.SetAccessor:
      return n.parent?.kind === K.ObjectLiteralExpression && (n as ts.MethodDeclaration).body !== undefined;
    default:
      return false;
  }
}

/** Extents [start, end) in code points of the functions with a block body that sit in expressions. */
function lambdaExtents(inp: TruthInput): Array<[number, number]> {
  const sf = ts.createSourceFile('/x', inp.text, ts.ScriptTarget.ESNext, true, SCRIPT[inp.lang] ?? ts.ScriptKind.TS);
  const cp = cpMap(inp.text);
  const out: Array<[number, number]> = [];
  const visit = (n: ts.Node) => {
    if (isLambda(n)) out.push([cp[n.getStart(sf)]!, cp[n.end]!]);
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(sf, visit);
  return out.sort((a, b) => a[0] - b[0]);
}

/** A tail made of delimiters only (no core logic token): codeblock makes no item of it. */
const ONLY_DELIMITERS = /^[\s()[\]{};,.:]*$/;

/** The truth with its statements split at the function bodies they hold (see the file comment). */
export function splitAtLambdas(inp: TruthInput, t: TruthSegment): TruthSegment {
  if (!t.ok) return t;
  const lambdas = lambdaExtents(inp);
  const cps = Array.from(inp.text);
  const headerEnd = new Map<number, number>();
  for (const [s, e] of t.compound ?? []) headerEnd.set(s, e);
  const merged = new Set<number>(); // lambda starts whose header became part of a piece
  const simple: TruthSpan[] = [];
  const fields: TruthSpan[] = [];
  const clauses: TruthSpan[] = [...(t.clauses ?? [])];
  const spans: Array<[TruthSpan, TruthSpan[]]> = [
    ...(t.simple ?? []).map((x): [TruthSpan, TruthSpan[]] => [x, simple]),
    ...(t.fields ?? []).map((x): [TruthSpan, TruthSpan[]] => [x, fields]),
  ];
  for (const [span, into] of spans) {
    const [a, b, kind] = span;
    const outer: Array<[number, number]> = [];
    for (const l of lambdas) {
      if (l[0] < a || l[1] > b || !headerEnd.has(l[0])) continue;
      if (outer.length && l[0] < outer[outer.length - 1]![1]) continue; // nested in the previous one
      outer.push(l);
    }
    if (!outer.length) {
      into.push(span);
      continue;
    }
    let from = a;
    outer.forEach(([s, e], i) => {
      const h = headerEnd.get(s)!;
      (i === 0 ? into : clauses).push([from, h, i === 0 ? kind : `${kind}:clause`]);
      merged.add(s);
      from = e;
    });
    if (!ONLY_DELIMITERS.test(cps.slice(from, b).join(''))) clauses.push([from, b, `${kind}:tail`]);
  }
  const trim = ([s, e, k]: TruthSpan): TruthSpan => {
    while (s < e && /\s/.test(cps[s]!)) s++;
    while (e > s && /\s/.test(cps[e - 1]!)) e--;
    return [s, e, k];
  };
  // `else if (c) {`: the compiler has an else clause through the nested if's `{` and the nested if itself;
  // codeblock has the clause alone
  const elseEnds = new Set<number>();
  for (const [, e, k] of t.clauses ?? []) if (k === 'else') elseEnds.add(e);
  const keepCompound = ([s, e, k]: TruthSpan) => !merged.has(s) && !(k === 'IfStatement' && elseEnds.has(e));
  return {
    ...t,
    simple: simple.map(trim),
    fields: fields.map(trim),
    clauses: clauses.map(trim),
    compound: (t.compound ?? []).filter(keepCompound),
  };
}

/** The module marker appended to every segment sent to the truth tool (see tsTruth). */
const MODULE_MARK = '\nexport {};\n';

/**
 * tools/truth/ts-truth.mjs over the segments. The tool analyzes up to 400 segments in one program, and source
 * files it creates itself are scripts unless they import or export (the program's moduleDetection does not reach
 * them): top-level names of different segments then merge in one global scope and bindings to another
 * segment's declaration are dropped. Each text is sent with `export {};` appended (after the original text, so
 * offsets are unchanged) to make every segment a module; the marker's own span is removed from the answer.
 */
export function tsTruth(inputs: TruthInput[]): TruthSegment[] {
  const sent = inputs.map((x) => ({ ...x, text: x.text + MODULE_MARK }));
  const out = runTruth([process.execPath, 'tools/truth/ts-truth.mjs'], sent);
  return out.map((t, i) => {
    if (!t.ok) return t;
    const n = Array.from(inputs[i]!.text).length;
    const inText = (s: TruthSpan) => s[1] <= n;
    return {
      ...t,
      simple: t.simple?.filter(inText),
      compound: t.compound?.filter(inText),
      clauses: t.clauses?.filter(inText),
      fields: t.fields?.filter(inText),
    };
  });
}
