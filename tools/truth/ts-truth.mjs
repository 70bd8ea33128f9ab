#!/usr/bin/env node
/**
 * Independent truth for JavaScript / JSX / TypeScript / TSX: the `typescript` compiler's parser and checker.
 * stdin: JSON lines {key, lang, segments: [{start, text}]}; stdout: one line {key, segments: [SegOut]} per input
 * line, in order. Offsets are code points relative to the segment text. Rules: tools/truth/README.md.
 */
import ts from 'typescript';
import { readJsonLines, utf16ToCp } from './common.mjs';

const K = ts.SyntaxKind;
const KIND_NAME = {};
for (const [name, v] of Object.entries(K))
  if (typeof v === 'number' && !/^(First|Last)/.test(name) && !(v in KIND_NAME)) KIND_NAME[v] = name;

const SCRIPT = {
  javascript: [ts.ScriptKind.JS, '.js'],
  jsx: [ts.ScriptKind.JSX, '.jsx'],
  typescript: [ts.ScriptKind.TS, '.ts'],
  tsx: [ts.ScriptKind.TSX, '.tsx'],
};

const SIMPLE = new Set([
  K.VariableStatement,
  K.ExpressionStatement,
  K.ReturnStatement,
  K.BreakStatement,
  K.ContinueStatement,
  K.ThrowStatement,
  K.DebuggerStatement,
  K.ImportDeclaration,
  K.ImportEqualsDeclaration,
  K.ExportDeclaration,
  K.ExportAssignment,
  K.NamespaceExportDeclaration,
  K.TypeAliasDeclaration,
]);
/** Declarations that are compound with a body and simple without one (overloads, `declare`, abstract). */
const MAYBE_BODY = new Set([
  K.FunctionDeclaration,
  K.MethodDeclaration,
  K.Constructor,
  K.GetAccessor,
  K.SetAccessor,
  K.ModuleDeclaration,
]);
const BODILESS_MEMBER = new Set([K.MethodSignature, K.IndexSignature, K.CallSignature, K.ConstructSignature]);
const LOOPS = new Set([K.ForStatement, K.ForInStatement, K.ForOfStatement, K.WhileStatement]);

function token(node, sf, kind) {
  for (const c of node.getChildren(sf)) if (c.kind === kind) return c;
  return undefined;
}

/** Offset just after the `{` opening a node's body (or the header end when the body is a single statement). */
function headerEnd(node, sf) {
  const afterBlock = (b) => (b && b.kind === K.Block ? b.getStart(sf) + 1 : undefined);
  switch (node.kind) {
    case K.IfStatement:
      return afterBlock(node.thenStatement) ?? token(node, sf, K.CloseParenToken)?.end;
    case K.DoStatement:
      return afterBlock(node.statement) ?? token(node, sf, K.DoKeyword)?.end;
    case K.SwitchStatement:
      return node.caseBlock.getStart(sf) + 1;
    case K.TryStatement:
      return afterBlock(node.tryBlock);
    case K.ModuleDeclaration: {
      let b = node.body;
      while (b && b.kind === K.ModuleDeclaration) b = b.body;
      return b ? b.getStart(sf) + 1 : undefined;
    }
    default:
      if (LOOPS.has(node.kind)) return afterBlock(node.statement) ?? token(node, sf, K.CloseParenToken)?.end;
      if (node.body) return afterBlock(node.body);
      return token(node, sf, K.OpenBraceToken)?.end;
  }
}

function isCompound(node) {
  switch (node.kind) {
    case K.ClassDeclaration:
    case K.ClassExpression:
    case K.InterfaceDeclaration:
    case K.EnumDeclaration:
    case K.IfStatement:
    case K.DoStatement:
    case K.SwitchStatement:
    case K.TryStatement:
    case K.FunctionExpression:
    case K.ClassStaticBlockDeclaration:
      return true;
    case K.ArrowFunction:
      return node.body.kind === K.Block;
    case K.ModuleDeclaration:
      return node.body !== undefined && node.parent.kind !== K.ModuleDeclaration;
    default:
      if (LOOPS.has(node.kind)) return true;
      return MAYBE_BODY.has(node.kind) && node.body !== undefined;
  }
}

function structure(sf, cp) {
  const simple = [];
  const compound = [];
  const clauses = [];
  const fields = [];
  const start = (n) => cp[n.getStart(sf)];
  const visit = (node) => {
    const k = node.kind;
    const name = KIND_NAME[k];
    if (isCompound(node)) {
      const h = headerEnd(node, sf);
      compound.push([start(node), cp[h ?? node.end], name]);
      if (k === K.IfStatement && node.elseStatement) {
        const kw = token(node, sf, K.ElseKeyword);
        const e = node.elseStatement;
        let eh;
        if (e.kind === K.Block) eh = e.getStart(sf) + 1;
        else if (e.kind === K.IfStatement) eh = headerEnd(e, sf);
        else eh = kw.end;
        clauses.push([cp[kw.getStart(sf)], cp[eh], 'else']);
      }
      if (k === K.TryStatement) {
        if (node.catchClause)
          clauses.push([start(node.catchClause), cp[node.catchClause.block.getStart(sf) + 1], 'catch']);
        if (node.finallyBlock) {
          const kw = token(node, sf, K.FinallyKeyword);
          clauses.push([cp[kw.getStart(sf)], cp[node.finallyBlock.getStart(sf) + 1], 'finally']);
        }
      }
    } else if (SIMPLE.has(k) || MAYBE_BODY.has(k)) {
      if (k !== K.ModuleDeclaration || node.parent.kind !== K.ModuleDeclaration)
        simple.push([start(node), cp[node.end], name]);
    } else if (BODILESS_MEMBER.has(k) && (node.parent.kind === K.InterfaceDeclaration || ts.isClassLike(node.parent))) {
      simple.push([start(node), cp[node.end], name]);
    } else if (k === K.CaseClause || k === K.DefaultClause) {
      clauses.push([start(node), cp[token(node, sf, K.ColonToken).end], k === K.CaseClause ? 'case' : 'default']);
    } else if (
      k === K.PropertyDeclaration ||
      (k === K.PropertySignature && node.parent.kind === K.InterfaceDeclaration)
    ) {
      fields.push([start(node), cp[node.end], name]);
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  return { simple, compound, clauses, fields };
}

const NOT_DECL = new Set([K.PropertyAccessExpression, K.ElementAccessExpression, K.BinaryExpression, K.CallExpression]);

function isDeclName(id) {
  const p = id.parent;
  if (!p) return false;
  if (p.kind === K.ShorthandPropertyAssignment) return false; // `{x}` uses x (resolved below)
  if (NOT_DECL.has(p.kind)) return false; // getNameOfDeclaration also names JS expando assignments
  return ts.getNameOfDeclaration(p) === id || (p.kind === K.BindingElement && p.propertyName === id);
}

function bindings(sf, checker, cp) {
  const uses = [];
  const members = [];
  const visit = (node) => {
    if (node.kind === K.Identifier && !isDeclName(node)) {
      const p = node.parent;
      let sym;
      let member = false;
      if (p.kind === K.ShorthandPropertyAssignment) sym = checker.getShorthandAssignmentValueSymbol(p);
      else if (p.kind === K.ExportSpecifier && !p.parent.parent.moduleSpecifier)
        sym = p.propertyName && p.name === node ? undefined : checker.getExportSpecifierLocalTargetSymbol(p);
      else if (p.kind === K.ImportSpecifier || p.kind === K.ExportSpecifier) sym = undefined;
      else {
        member =
          (p.kind === K.PropertyAccessExpression && p.name === node) ||
          (p.kind === K.QualifiedName && p.right === node) ||
          (p.kind === K.PropertyAssignment && p.name === node);
        if (p.kind !== K.PropertyAssignment) sym = checker.getSymbolAtLocation(node);
      }
      const d = sym?.declarations?.[0];
      if (d && d.getSourceFile() === sf) {
        const n = ts.getNameOfDeclaration(d);
        if (n && n !== node) {
          const pair = [cp[n.getStart(sf)], cp[node.getStart(sf)]];
          (member ? members : uses).push(pair);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  uses.sort((a, b) => a[1] - b[1]);
  members.sort((a, b) => a[1] - b[1]);
  return { bindings: uses, member_bindings: members };
}

const OPTIONS = {
  noLib: true,
  allowJs: true,
  jsx: ts.JsxEmit.Preserve,
  target: ts.ScriptTarget.ESNext,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  moduleDetection: ts.ModuleDetectionKind.Force, // every segment is its own module: no shared global scope
  noResolve: true,
  types: [],
  skipLibCheck: true,
};

/** Analyzes a list of {lang, text}; returns SegOut per item. One program per chunk of segments. */
export function analyzeSegments(items, chunk = 400) {
  const out = new Array(items.length);
  for (let c0 = 0; c0 < items.length; c0 += chunk) {
    const files = new Map();
    const metas = [];
    for (let i = c0; i < Math.min(items.length, c0 + chunk); i++) {
      const { lang, text } = items[i];
      const [kind, ext] = SCRIPT[lang] ?? SCRIPT.typescript;
      const name = `/s${i}${ext}`;
      const sf = ts.createSourceFile(name, text, ts.ScriptTarget.ESNext, true, kind);
      metas.push({ i, name, sf });
      if (sf.parseDiagnostics.length === 0) files.set(name, sf);
    }
    const host = {
      getSourceFile: (n) => files.get(n),
      getDefaultLibFileName: () => '/lib.d.ts',
      writeFile: () => {},
      getCurrentDirectory: () => '/',
      getCanonicalFileName: (f) => f,
      useCaseSensitiveFileNames: () => true,
      getNewLine: () => '\n',
      fileExists: (n) => files.has(n),
      readFile: () => undefined,
    };
    const program = files.size ? ts.createProgram([...files.keys()], OPTIONS, host) : undefined;
    const checker = program?.getTypeChecker();
    for (const { i, name, sf } of metas) {
      const text = items[i].text;
      if (sf.parseDiagnostics.length) {
        const d = sf.parseDiagnostics[0];
        const msg = ts.flattenDiagnosticMessageText(d.messageText, ' ');
        out[i] = { ok: false, error: `${sf.parseDiagnostics.length} syntax error(s); first at ${d.start}: ${msg}` };
        continue;
      }
      const cp = utf16ToCp(text);
      const psf = program.getSourceFile(name);
      out[i] = { ok: true, ...structure(psf, cp), ...bindings(psf, checker, cp) };
    }
  }
  return out;
}

async function main() {
  const recs = await readJsonLines();
  const items = [];
  for (const r of recs) for (const s of r.segments) items.push({ lang: r.lang, text: s.text });
  const res = analyzeSegments(items);
  let k = 0;
  const lines = recs.map((r) => JSON.stringify({ key: r.key, segments: r.segments.map(() => res[k++]) }));
  process.stdout.write(lines.length ? `${lines.join('\n')}\n` : '');
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
