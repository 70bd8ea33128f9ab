/**
 * A small, fast scanner for (valid) Python source: splits it into logical lines (strings, comments,
 * brackets and backslash continuations respected) and extracts top-level `def` / `async def` /
 * `class` blocks with their decorators and docstrings. Used only to assemble benchmark pools from the
 * Python standard library; it is not the project's parser (that is tree-sitter, in the addon).
 */

/**
 * Fence info words the generated pools put on the Python blocks they write (the generator samples
 * Python source, so its fences name Python). A test checks each is a fence alias the addon's
 * language registry maps to one language (test/structure/languages.test.ts).
 */
export const PY_FENCES = ['python', 'py', 'python3'] as const;
/** The fence word of most generated blocks. */
export const PY_FENCE = PY_FENCES[0];

export interface LogicalLine {
  /** Offset of the first character of the first physical line (its indentation included). */
  start: number;
  /** Offset just past the last physical line (past its newline, or the end of the text). */
  end: number;
  /** Indentation width of the first physical line (tab = to the next multiple of 8). */
  indent: number;
  /** Offset of the first non-blank character. */
  codeStart: number;
}

export function logicalLines(src: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  const n = src.length;
  let i = 0;
  while (i < n) {
    // at the start of a physical line
    const lineStart = i;
    let indent = 0;
    while (i < n) {
      const c = src.charCodeAt(i);
      if (c === 32) indent++;
      else if (c === 9) indent = (Math.floor(indent / 8) + 1) * 8;
      else if (c === 12)
        indent = 0; // form feed resets the count
      else break;
      i++;
    }
    if (i >= n) break;
    const first = src.charCodeAt(i);
    if (first === 10 || first === 13 || first === 35 /* # */) {
      // blank or comment-only line
      const nl = src.indexOf('\n', i);
      i = nl === -1 ? n : nl + 1;
      continue;
    }
    const codeStart = i;
    let depth = 0;
    // scan to the end of the logical line
    while (i < n) {
      const c = src.charCodeAt(i);
      if (c === 10) {
        if (depth === 0) {
          i++;
          break;
        }
        i++;
      } else if (c === 35) {
        const nl = src.indexOf('\n', i);
        i = nl === -1 ? n : nl; // the newline is handled by the loop
      } else if (c === 92 /* \ */) {
        i += 2; // continuation or escaped char outside strings
      } else if (c === 34 || c === 39) {
        i = skipString(src, i);
      } else if (c === 40 || c === 91 || c === 123) {
        depth++;
        i++;
      } else if (c === 41 || c === 93 || c === 125) {
        if (depth > 0) depth--;
        i++;
      } else i++;
    }
    out.push({ start: lineStart, end: Math.min(i, n), indent, codeStart });
  }
  return out;
}

/** Offset just past the string literal starting at the quote at `i`. */
function skipString(src: string, i: number): number {
  const q = src.charCodeAt(i);
  const n = src.length;
  const triple = src.charCodeAt(i + 1) === q && src.charCodeAt(i + 2) === q;
  if (triple) {
    let j = i + 3;
    while (j < n) {
      const c = src.charCodeAt(j);
      if (c === 92) j += 2;
      else if (c === q && src.charCodeAt(j + 1) === q && src.charCodeAt(j + 2) === q) return j + 3;
      else j++;
    }
    return n;
  }
  let j = i + 1;
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === 92) j += 2;
    else if (c === q) return j + 1;
    else if (c === 10)
      return j; // unterminated: stop at the line end
    else j++;
  }
  return n;
}

export interface PyUnit {
  kind: 'function' | 'class' | 'method';
  /** For methods: the enclosing class (the code is wrapped in `class <name>:`). */
  className?: string;
  name: string;
  /** Text between the parentheses of the def (or class bases), whitespace-collapsed. */
  params: string;
  async: boolean;
  /** First paragraph of the docstring, whitespace-collapsed ('' when none). */
  doc: string;
  /** Full source of the block, decorators included, ending with a newline. */
  code: string;
  /** Method names (classes only). */
  methods: string[];
  /** Module path relative to the stdlib root, e.g. `json/decoder.py`. */
  module: string;
  /** Names of the module's other top-level functions that this block calls. */
  calls: string[];
}

const HEADER = /^(async\s+def|def|class)\s+([A-Za-z_][A-Za-z0-9_]*)\s*(\(([\s\S]*?)\))?\s*(->[\s\S]*?)?:/;

/** Top-level def/class blocks of a module. */
export function extractUnits(src: string, module: string): PyUnit[] {
  const lines = logicalLines(src);
  const units: PyUnit[] = [];
  const blockAt = (k: number, indent: number, className?: string): number => {
    const ln = lines[k]!;
    const head = src.slice(ln.codeStart, Math.min(ln.end, ln.codeStart + 2000));
    const m = HEADER.exec(head);
    if (!m) return k;
    if (className !== undefined && m[1] === 'class') return k;
    // decorators directly above, same indentation
    let first = k;
    while (
      first > 0 &&
      lines[first - 1]!.indent === indent &&
      src.charCodeAt(lines[first - 1]!.codeStart) === 64 /* @ */
    )
      first--;
    // body: following logical lines indented deeper
    let last = k;
    while (last + 1 < lines.length && lines[last + 1]!.indent > indent) last++;
    if (last === k) return k; // one-line def: skip
    let code = src.slice(lines[first]!.start, lines[last]!.end);
    if (!code.endsWith('\n')) code += '\n';
    const body = lines.slice(k + 1, last + 1);
    const doc = docstring(src, body[0]!);
    const kind = m[1] === 'class' ? 'class' : className !== undefined ? 'method' : 'function';
    const methods: string[] = [];
    const unit: PyUnit = {
      kind,
      name: m[2]!,
      params: (m[4] ?? '').replace(/\s+/g, ' ').trim(),
      async: m[1]!.startsWith('async'),
      doc,
      code: className !== undefined ? `class ${className}:\n${code}` : code,
      methods,
      module,
      calls: [],
    };
    if (className !== undefined) unit.className = className;
    units.push(unit);
    if (kind === 'class') {
      const bodyIndent = body[0]!.indent;
      for (let b = k + 1; b <= last; b++) {
        if (lines[b]!.indent !== bodyIndent) continue;
        const mm = /^(?:async\s+)?def\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(
          src.slice(lines[b]!.codeStart, lines[b]!.codeStart + 200),
        );
        if (mm) {
          methods.push(mm[1]!);
          b = blockAt(b, bodyIndent, m[2]!);
        }
      }
    }
    return last;
  };
  for (let k = 0; k < lines.length; k++) {
    if (lines[k]!.indent === 0) k = blockAt(k, 0);
  }
  // cross-references between the module's own functions (for "helper + caller" responses)
  const names = new Set(units.filter((u) => u.kind === 'function').map((u) => u.name));
  for (const u of units) {
    const seen = new Set<string>();
    for (const m of u.code.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
      const name = m[1]!;
      if (name !== u.name && names.has(name) && !seen.has(name)) {
        seen.add(name);
        u.calls.push(name);
      }
    }
  }
  return units;
}

function docstring(src: string, ln: LogicalLine): string {
  const text = src.slice(ln.codeStart, ln.end);
  const m = /^[rRuU]?("""|'''|"|')([\s\S]*?)\1\s*$/.exec(text.trimEnd());
  if (!m) return '';
  const para = m[2]!.trim().split(/\n\s*\n/)[0] ?? '';
  return para.replace(/\s+/g, ' ').trim();
}
