#!/usr/bin/env node
/**
 * Independent truth for C and C++: clang's AST (`clang -fsyntax-only -Xclang -ast-dump=json`), one clang per segment,
 * two at a time. stdin: JSON lines {key, lang: 'c'|'cpp', segments: [{start, text}]}; stdout: one line
 * {key, segments: [SegOut]} per input line, in order. Offsets: code points relative to the segment text.
 * Rules: tools/truth/README.md.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonLines, utf8ToCp } from './common.mjs';

export const CLANG = process.env.CLANG ?? '/usr/bin/clang';
const ARGS = {
  c: ['-x', 'c', '-std=gnu17'],
  cpp: ['-x', 'c++', '-std=gnu++17'],
};

function run(cmd, args) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => err.push(d));
    p.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    p.on('error', (e) => resolve({ code: -1, stdout: Buffer.alloc(0), stderr: String(e) }));
  });
}

/** Splits the TranslationUnitDecl's top-level `inner` objects out of the dump text (string-aware brace matching). */
function topLevelChunks(s) {
  const at = s.indexOf('"inner"');
  const chunks = [];
  if (at < 0) return chunks;
  let i = s.indexOf('[', at) + 1;
  let depth = 0;
  let begin = -1;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      for (i++; i < s.length; i++) {
        const d = s.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 123) {
      if (depth++ === 0) begin = i;
    } else if (c === 125) {
      if (--depth === 0) chunks.push(s.slice(begin, i + 1));
    } else if (c === 93 && depth === 0) break;
  }
  return chunks;
}

/** The dump's locations are diff-encoded (`file` only when it changes): resolves them in output order. */
class Locs {
  constructor(main, cur) {
    this.main = main;
    this.cur = cur;
  }

  /** {main: bool, off, tok, macro} for the expansion location, {spell} for a macro argument's spelling. */
  bare(l) {
    if (l.file !== undefined) this.cur = l.file;
    return { main: this.cur === this.main, off: l.offset, tok: l.tokLen ?? 0 };
  }

  resolve(l) {
    if (!l || (l.offset === undefined && !l.spellingLoc)) return undefined;
    if (l.spellingLoc || l.expansionLoc) {
      const sp = l.spellingLoc ? this.bare(l.spellingLoc) : undefined;
      const ex = l.expansionLoc ? this.bare(l.expansionLoc) : sp;
      return { ...ex, macro: true, spell: sp, arg: l.expansionLoc?.isMacroArgExpansion === true };
    }
    return this.bare(l);
  }

  /** Resolves every loc of a node tree in dump order, storing them as node._loc / node._b / node._e. */
  walk(n) {
    if (Array.isArray(n)) {
      for (const x of n) this.walk(x);
      return;
    }
    if (!n || typeof n !== 'object') return;
    for (const [k, v] of Object.entries(n)) {
      if (k === 'loc') n._loc = this.resolve(v);
      else if (k === 'range') {
        n._b = this.resolve(v.begin);
        n._e = this.resolve(v.end);
      } else if (v && typeof v === 'object') this.walk(v);
    }
  }
}

const STMT_LAST = new Set([
  'ForStmt',
  'WhileStmt',
  'SwitchStmt',
  'CaseStmt',
  'DefaultStmt',
  'LabelStmt',
  'CXXForRangeStmt',
]);
const COMPOUND_STMT = new Set([
  'IfStmt',
  'ForStmt',
  'WhileStmt',
  'DoStmt',
  'SwitchStmt',
  'CXXForRangeStmt',
  'CXXTryStmt',
]);
const FUNCS = new Set([
  'FunctionDecl',
  'CXXMethodDecl',
  'CXXConstructorDecl',
  'CXXDestructorDecl',
  'CXXConversionDecl',
]);
const SKIP_DECL = new Set([
  'AccessSpecDecl',
  'EmptyDecl',
  'LinkageSpecDecl',
  'IndirectFieldDecl',
  'TemplateTypeParmDecl',
]);

function analyzeDump(chunks, main, src) {
  const buf = Buffer.from(src, 'utf8');
  const cp = utf8ToCp(src);
  const simple = [];
  const compound = [];
  const clauses = [];
  const fields = [];
  const declAt = new Map(); // decl id → byte offset of its name
  const refs = []; // [declId, useByte, member]
  const isWs = (c) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
  /** Byte offset after whitespace and comments from i. */
  const skipTrivia = (i) => {
    for (;;) {
      while (i < buf.length && isWs(buf[i])) i++;
      if (buf[i] === 47 && buf[i + 1] === 47) while (i < buf.length && buf[i] !== 10) i++;
      else if (buf[i] === 47 && buf[i + 1] === 42) {
        const j = buf.indexOf('*/', i + 2);
        i = j < 0 ? buf.length : j + 2;
      } else return i;
    }
  };
  /** Byte end of a node: range end + token length, extended over a macro call's `(...)`. */
  const endOf = (n) => {
    const e = n._e;
    if (!e?.main) return undefined;
    let end = e.off + e.tok;
    if (e.macro && !e.arg) {
      const j = skipTrivia(end);
      if (buf[j] === 40) {
        let d = 0;
        for (let k = j; k < buf.length; k++) {
          if (buf[k] === 40) d++;
          else if (buf[k] === 41 && --d === 0) {
            end = k + 1;
            break;
          }
        }
      }
    }
    return end;
  };
  const withSemi = (end) => {
    const j = skipTrivia(end);
    return buf[j] === 59 ? j + 1 : end;
  };
  const find = (from, ch) => {
    const j = buf.indexOf(ch, from);
    return j < 0 ? undefined : j;
  };
  const begin = (n) => (n._b?.main ? n._b.off : undefined);
  const isStmtKind = (k) => !k.endsWith('Decl');
  const headerOfBody = (body, fallback) =>
    body?.kind === 'CompoundStmt' && body._b?.main ? body._b.off + 1 : fallback;
  const parenBefore = (body) => {
    const j = begin(body);
    if (j === undefined) return undefined;
    // last ')' before the body, skipping whitespace backwards
    let k = j - 1;
    while (k >= 0 && isWs(buf[k])) k--;
    return buf[k] === 41 ? k + 1 : j;
  };
  const stmtHeader = (n) => {
    const inner = n.inner ?? [];
    const body = n.kind === 'DoStmt' ? inner[0] : n.kind === 'IfStmt' ? ifThen(n) : inner[inner.length - 1];
    if (n.kind === 'CXXTryStmt') return headerOfBody(inner[0], undefined);
    if (n.kind === 'DoStmt') return headerOfBody(body, begin(n) + 2);
    return headerOfBody(body, parenBefore(body ?? {}));
  };
  const ifThen = (n) => {
    const inner = n.inner ?? [];
    return inner[inner.length - (n.hasElse ? 2 : 1)];
  };

  const statement = (n) => {
    if (!n?.kind) return;
    const b = begin(n);
    if (COMPOUND_STMT.has(n.kind)) {
      const h = stmtHeader(n);
      if (b !== undefined && h !== undefined) compound.push([b, h, n.kind]);
      if (n.kind === 'IfStmt' && n.hasElse) {
        const inner = n.inner;
        const thenEnd = endOf(ifThen(n));
        const el = inner[inner.length - 1];
        const eb = begin(el);
        if (thenEnd !== undefined && eb !== undefined) {
          const slice = buf.subarray(thenEnd, eb).toString('latin1');
          const m = [...slice.matchAll(/\belse\b/g)].pop();
          if (m) {
            const kw = thenEnd + m.index;
            const eh = el.kind === 'CompoundStmt' ? eb + 1 : el.kind === 'IfStmt' ? stmtHeader(el) : kw + 4;
            clauses.push([kw, eh, 'else']);
          }
        }
      }
    } else if (n.kind === 'CompoundStmt' || n.kind === 'NullStmt' || n.kind === 'LabelStmt') {
      // blocks, `;` and labels are no statements of their own; their contents are
    } else if (n.kind === 'CaseStmt' || n.kind === 'DefaultStmt') {
      const inner = n.inner ?? [];
      const from = n.kind === 'CaseStmt' ? endOf(inner[inner.length - 2] ?? {}) : b;
      let colon = from === undefined ? undefined : find(from, ':');
      while (colon !== undefined && buf[colon + 1] === 58) colon = find(colon + 2, ':');
      if (b !== undefined && colon !== undefined)
        clauses.push([b, colon + 1, n.kind === 'CaseStmt' ? 'case' : 'default']);
    } else if (n.kind === 'CXXCatchStmt') {
      const body = n.inner?.[n.inner.length - 1];
      if (b !== undefined && body?._b?.main) clauses.push([b, body._b.off + 1, 'catch']);
    } else if (isStmtKind(n.kind) && b !== undefined) {
      const e = endOf(n);
      if (e !== undefined) simple.push([b, withSemi(e), n.kind]);
    }
  };

  /** Statement-position children of a statement node. */
  const stmtChildren = (n) => {
    const inner = n.inner ?? [];
    switch (n.kind) {
      case 'CompoundStmt':
        return inner;
      case 'IfStmt':
        return n.hasElse ? [inner[inner.length - 2], inner[inner.length - 1]] : [inner[inner.length - 1]];
      case 'DoStmt':
        return [inner[0]];
      case 'CXXTryStmt':
        return inner;
      case 'CXXCatchStmt':
        return [inner[inner.length - 1]];
      default:
        return STMT_LAST.has(n.kind) ? [inner[inner.length - 1]] : [];
    }
  };

  const seenStmt = new Set();
  const declPos = (n, start) => {
    const b = start ?? begin(n);
    const k = n.kind;
    if (n.isImplicit || b === undefined || SKIP_DECL.has(k)) return;
    const body = (n.inner ?? []).find((x) => x.kind === 'CompoundStmt' || x.kind === 'CXXTryStmt');
    if (FUNCS.has(k)) {
      if (body) {
        const h = body.kind === 'CompoundStmt' ? headerOfBody(body) : headerOfBody(body.inner?.[0]);
        if (h !== undefined) compound.push([b, h, k]);
      } else {
        const e = endOf(n);
        if (e !== undefined) simple.push([b, withSemi(e), k]);
      }
    } else if (k === 'RecordDecl' || k === 'CXXRecordDecl' || k === 'EnumDecl' || k === 'NamespaceDecl') {
      // clang's JSON marks complete records (completeDefinition) but not complete enums: an enum with
      // enumerators is a definition
      const defined =
        k === 'NamespaceDecl' ||
        n.completeDefinition ||
        (k === 'EnumDecl' && (n.inner ?? []).some((c) => c.kind === 'EnumConstantDecl'));
      const from = n._loc?.main ? n._loc.off : b;
      const brace = find(from, '{');
      if (defined && brace !== undefined && brace < (endOf(n) ?? buf.length)) compound.push([b, brace + 1, k]);
      else if (!defined) {
        const e = endOf(n);
        if (e !== undefined) simple.push([b, withSemi(e), k]);
      }
    } else if (k === 'FieldDecl' || (k === 'VarDecl' && n._inRecord)) {
      const e = endOf(n);
      if (e !== undefined) fields.push([b, withSemi(e), k]);
    } else if (k.endsWith('Decl') && !k.endsWith('TemplateDecl') && k !== 'EnumConstantDecl' && !n._inFunc) {
      const e = endOf(n);
      if (e !== undefined && !n._param) simple.push([b, withSemi(e), k]);
    }
  };

  /** Byte offset of the name token of a reference (expressions have ranges only: the name is their last token). */
  const useLoc = (n, name) => {
    const nameAt = (l) => {
      if (!l) return undefined;
      const at = l.macro ? (l.arg ? l.spell : undefined) : l;
      if (!at?.main) return undefined;
      return name && buf.toString('utf8', at.off, at.off + Buffer.byteLength(name)) === name ? at.off : undefined;
    };
    return nameAt(n._e) ?? nameAt(n._b);
  };
  const visit = (n, ctx) => {
    if (!n || typeof n !== 'object' || !n.kind) return;
    const k = n.kind;
    if (n.id && n._loc?.main && k.endsWith('Decl')) {
      const l = n._loc.macro ? n._loc.spell : n._loc;
      if (l?.main) declAt.set(n.id, l.off);
    }
    if (k === 'DeclRefExpr' && n.referencedDecl) {
      const l = useLoc(n, n.referencedDecl.name);
      if (l !== undefined) refs.push([n.referencedDecl.id, l, false]);
    } else if (k === 'MemberExpr' && n.referencedMemberDecl) {
      const implicitThis = n.inner?.[0]?.kind === 'CXXThisExpr' && n.inner[0].implicit === true;
      const l = useLoc(n, n.name);
      if (l !== undefined) refs.push([n.referencedMemberDecl, l, !implicitThis]);
    }
    if (ctx.stmt && !seenStmt.has(n)) {
      seenStmt.add(n);
      statement(n);
    }
    if (k.endsWith('Decl') && !ctx.func && !ctx.param) {
      n._inRecord = ctx.record;
      const tpl = k.endsWith('TemplateDecl') ? begin(n) : undefined;
      if (tpl === undefined) declPos(n, ctx.tplStart);
      for (const c of n.inner ?? [])
        visit(c, {
          record: k === 'CXXRecordDecl' || k === 'RecordDecl' ? true : tpl !== undefined ? ctx.record : false,
          tplStart: tpl !== undefined && c.kind?.endsWith('Decl') ? tpl : undefined,
          func: FUNCS.has(k) && !c.kind?.endsWith('Decl'),
          param: c.kind === 'ParmVarDecl',
          stmt: FUNCS.has(k) && (c.kind === 'CompoundStmt' || c.kind === 'CXXTryStmt'),
        });
      return;
    }
    if (k === 'LambdaExpr') {
      const body = (n.inner ?? []).find((x) => x.kind === 'CompoundStmt');
      const b = begin(n);
      if (body && b !== undefined && body._b?.main) compound.push([b, body._b.off + 1, k]);
    }
    const sc = new Set(ctx.stmt || isStmtKind(k) ? stmtChildren(n) : []);
    for (const c of n.inner ?? [])
      visit(c, { func: true, stmt: sc.has(c) || (k === 'LambdaExpr' && c.kind === 'CompoundStmt') });
  };

  for (const [text, startFile] of chunks) {
    const node = JSON.parse(text);
    new Locs(main, startFile).walk(node);
    visit(node, {});
  }
  // declarators sharing a start (`int a, b;`) are one statement
  const merge = (list) => {
    const by = new Map();
    for (const x of list) {
      const y = by.get(x[0]);
      if (!y) by.set(x[0], x);
      else if (x[1] > y[1]) y[1] = x[1];
    }
    return [...by.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  };
  const conv = (list) => list.map(([a, b, k]) => [cp[a], cp[b], k]);
  const bindings = [];
  const members = [];
  const seen = new Set(); // template instantiations and lambda bodies repeat their references
  for (const [id, use, member] of refs) {
    const d = declAt.get(id);
    if (d === undefined || d === use || seen.has(`${d}:${use}`)) continue;
    seen.add(`${d}:${use}`);
    (member ? members : bindings).push([cp[d], cp[use]]);
  }
  bindings.sort((a, b) => a[1] - b[1]);
  members.sort((a, b) => a[1] - b[1]);
  return {
    ok: true,
    simple: conv(merge(simple)),
    compound: conv(merge(compound)),
    clauses: conv(merge(clauses)),
    fields: conv(merge(fields)),
    bindings,
    member_bindings: members,
  };
}

/** Runs clang on one segment; returns SegOut. */
export async function analyzeOne(lang, text, dir, i, include = []) {
  const file = join(dir, `s${i}.${lang === 'cpp' ? 'cc' : 'c'}`);
  writeFileSync(file, text);
  const flags = [...(ARGS[lang] ?? ARGS.c), '-fsyntax-only', '-w', '-fno-color-diagnostics', '-ferror-limit=0'];
  for (const d of include) flags.push('-I', d);
  const r = await run(CLANG, [...flags, '-Xclang', '-ast-dump=json', file]);
  const errors = r.stderr.split('\n').filter((l) => / (fatal )?error: /.test(l));
  if (r.code !== 0 || errors.length) {
    const first = (errors[0] ?? r.stderr.split('\n')[0] ?? '').replace(`${file}:`, '');
    return { ok: false, error: `${errors.length} error(s): ${first.slice(0, 200)}` };
  }
  // only top-level declarations whose locations touch the main file are parsed
  const s = r.stdout.toString('utf8');
  const chunks = [];
  let state;
  const fileRe = /(?<!"includedFrom":\s*\{\s*)"file":\s*"((?:[^"\\]|\\.)*)"/g;
  for (const c of topLevelChunks(s)) {
    const startFile = state;
    let m;
    let last;
    fileRe.lastIndex = 0;
    while ((m = fileRe.exec(c))) last = m[1];
    if (last !== undefined) state = JSON.parse(`"${last}"`);
    if (startFile === file || c.includes(JSON.stringify(file))) chunks.push([c, startFile]);
  }
  const out = analyzeDump(chunks, file, text);
  out.inactive = await inactiveLines(
    flags.filter((f) => f !== '-fsyntax-only'),
    file,
    text,
  );
  return out;
}

/**
 * Lines of the main file that the preprocessor drops (`#if 0`, the other `#ifdef` branch, ...): 1-based line
 * numbers whose source has code but whose `clang -E` output is blank. The AST has nothing from them, so a
 * statement or edge there has no truth either way. Line markers (`# N "file"`) resynchronize the line count.
 */
async function inactiveLines(flags, file, text) {
  const r = await run(CLANG, [...flags, '-E', file]);
  if (r.code !== 0) return [];
  const src = text.split('\n');
  const seen = new Array(src.length + 2).fill(false);
  let line = 0;
  let inMain = false;
  for (const l of r.stdout.toString('utf8').split('\n')) {
    const m = /^# (\d+) "((?:[^"\\]|\\.)*)"/.exec(l);
    if (m) {
      line = Number(m[1]);
      inMain = JSON.parse(`"${m[2]}"`) === file;
      continue;
    }
    if (inMain && line < seen.length && l.trim() !== '') seen[line] = true;
    line++;
  }
  const out = [];
  src.forEach((l, i) => {
    const code = l.replace(/\/\/.*$|\/\*.*?\*\//g, '').trim();
    const continued = i > 0 && src[i - 1].trimEnd().endsWith('\\'); // a directive's continuation line
    if (code !== '' && !code.startsWith('#') && !code.startsWith('*') && !continued && !seen[i + 1]) out.push(i + 1);
  });
  return out;
}

export async function analyzeSegments(items, jobs = 2) {
  const dir = mkdtempSync(join(tmpdir(), 'c-truth-'));
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = await analyzeOne(items[i].lang, items[i].text, dir, i, items[i].include);
      } catch (e) {
        out[i] = { ok: false, error: `c-truth: ${String(e).slice(0, 200)}` };
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: jobs }, worker));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

async function main() {
  const recs = await readJsonLines();
  const items = [];
  for (const r of recs) for (const s of r.segments) items.push({ lang: r.lang, text: s.text });
  const res = await analyzeSegments(items);
  let k = 0;
  const lines = recs.map((r) => JSON.stringify({ key: r.key, segments: r.segments.map(() => res[k++]) }));
  process.stdout.write(lines.length ? `${lines.join('\n')}\n` : '');
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
