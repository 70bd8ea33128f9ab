/**
 * Deterministic generator of realistic OpenCodeInstruct-shaped pools of any size, assembled from the
 * Python standard library sources on this machine (for benchmarks and scale tests).
 *
 * Same seed + same stdlib ⇒ byte-identical output (seeded PRNG, sorted file lists, fixed key order,
 * gzip header without a timestamp). Records are written as they are made: memory stays flat in the
 * number of records (it holds the extracted stdlib units, ~tens of MB, and one Parquet row group).
 */
import {
  createWriteStream,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { fileWriter } from 'hyparquet-writer/src/node.js';
import { CodeblockError } from '../errors.js';
import { PY_FENCE, PY_FENCES, extractUnits, type PyUnit } from './pysource.js';
import { splitmix32 } from '../util/hash.js';

export type PoolFormat = 'jsonl' | 'parquet' | 'jsonl.gz';

export interface GeneratePoolOptions {
  records: number;
  seed: number;
  out: string;
  format: PoolFormat;
  /** Python stdlib directory; default: $CODEBLOCK_PY_STDLIB, else the first of STDLIB_CANDIDATES that exists. */
  stdlibDir?: string;
  /** Parquet rows per row group (default 10,000). */
  rowGroupSize?: number;
}

export interface GeneratePoolResult {
  out: string;
  records: number;
  bytes: number;
  stdlib: string;
  /** Distinct stdlib units (functions / classes) the pool draws from. */
  units: number;
}

/** OCI column order. */
export const OCI_COLUMNS = [
  'id',
  'input',
  'output',
  'domain',
  'generation_algorithm',
  'llm_judgement',
  'unit_tests',
  'tests_execution_status',
  'average_test_score',
] as const;
export type OciRow = Record<(typeof OCI_COLUMNS)[number], string>;

export function stdlibCandidates(): string[] {
  const out: string[] = [];
  for (const root of ['/usr/lib', '/usr/local/lib', '/opt/homebrew/lib', '/usr/lib64']) {
    for (let minor = 14; minor >= 8; minor--) out.push(`${root}/python3.${minor}`);
  }
  return out;
}

/** The Python standard library directory to draw from, or a CodeblockError (E_INPUT) naming where it looked. */
export function findPythonStdlib(explicit?: string): string {
  const env = process.env.CODEBLOCK_PY_STDLIB;
  const tried = explicit ? [explicit] : env ? [env] : stdlibCandidates();
  for (const dir of tried) {
    if (existsSync(join(dir, 'os.py')) && existsSync(join(dir, 'json'))) return dir;
  }
  throw new CodeblockError(
    'no Python standard library found (looked for os.py in ' +
      (explicit
        ? explicit
        : env
          ? `CODEBLOCK_PY_STDLIB=${env}`
          : `${tried.filter((d) => d.startsWith('/usr/lib/')).join(', ')}, …`) +
      '); install python3 or set CODEBLOCK_PY_STDLIB',
    'E_INPUT',
  );
}

const SKIP_DIRS = new Set([
  'test',
  'tests',
  'idle_test',
  'idlelib',
  'site-packages',
  'dist-packages',
  '__pycache__',
  'turtledemo',
  'ensurepip',
  'lib2to3',
  'config-3.11-x86_64-linux-gnu',
  'encodings',
  'pydoc_data',
]);

/** All .py files under the stdlib root except tests and vendored trees, sorted by relative path. */
export function stdlibFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      const p = join(dir, name);
      let st: Stats;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (!SKIP_DIRS.has(name) && !name.startsWith('config-') && !name.startsWith('.')) walk(p);
      } else if (name.endsWith('.py') && st.size < 400_000 && !name.startsWith('test_')) out.push(relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

/** Every usable unit (2..120 lines, ≤ 6000 chars) of the stdlib, in file order. */
export function loadUnits(root: string): PyUnit[] {
  const units: PyUnit[] = [];
  for (const rel of stdlibFiles(root)) {
    let src: string;
    try {
      src = readFileSync(join(root, rel), 'utf8');
    } catch {
      continue;
    }
    if (src.includes('\uFFFD')) continue;
    src = src.replace(/\r\n?/g, '\n');
    for (const u of extractUnits(src, rel)) {
      const lines = u.code.split('\n').length - 1;
      if (u.kind === 'method' && u.name.startsWith('__') && u.name !== '__init__') continue;
      if (lines < 3 || lines > 120 || u.code.length > 6000) continue;
      units.push(u);
    }
  }
  return units;
}

/** sfc32 seeded through splitmix32: small, fast, good enough, and identical on every platform. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    const st = { s: seed >>> 0 };
    const mix = (): number => splitmix32(st);
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.next();
  }
  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  hex(chars: number): string {
    let s = '';
    while (s.length < chars) s += (this.int(0x10000) | 0x10000).toString(16).slice(1);
    return s.slice(0, chars);
  }
}

// ---------------------------------------------------------------------------------------------
// Record assembly

function humanize(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_+/g, ' ')
    .trim()
    .toLowerCase();
}

function lowerFirst(s: string): string {
  return s.length > 1 && /[A-Z][a-z]/.test(s.slice(0, 2)) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

function sentence(s: string): string {
  const t = s.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Parameter names of a def's parameter list (no self/cls, no * markers). */
function paramNames(params: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of params) {
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out
    .map((p) => p.trim())
    .filter((p) => p && p !== '/' && p !== '*' && !p.startsWith('*') && !p.includes('='))
    .map((p) => p.split(':')[0]!.trim())
    .filter((p) => p !== 'self' && p !== 'cls' && /^[A-Za-z_]\w*$/.test(p));
}

/** Parameter names that take a small integer. */
// biome-ignore lint/complexity/useRegexLiterals: as a literal the line would pass 120 columns
const INT_PARAM = new RegExp(
  '(^|_)(n|num|count|size|length|width|height|index|i|j|k|level|depth|pos|offset|limit|max|min|number|indent)($|_)',
);

/** A plausible literal argument for a parameter, from its name. */
function sampleArg(name: string, rng: Rng): string {
  const n = name.toLowerCase();
  if (INT_PARAM.test(n)) return String(1 + rng.int(12));
  if (/(path|file|filename|dir|directory)/.test(n))
    return rng.pick(["'data/input.txt'", "'/tmp/example.cfg'", "'notes.md'"]);
  if (/(url|uri|host)/.test(n)) return rng.pick(["'https://example.com/a?b=1'", "'localhost'"]);
  if (/(list|items|seq|values|args|elements|lines|names|words|data|iterable)/.test(n))
    return rng.pick(['[3, 1, 2]', "['alpha', 'beta']", '[1.5, 2.5]']);
  if (/(dict|mapping|map|kwargs|options|env|headers)/.test(n))
    return rng.pick(["{'a': 1, 'b': 2}", "{'key': 'value'}"]);
  if (/(flag|strict|verbose|force|recursive|enabled|^is_|^has_)/.test(n)) return rng.pick(['True', 'False']);
  if (/(func|callback|key|predicate|fn)/.test(n)) return rng.pick(['len', 'str.lower', 'lambda x: x']);
  if (/(s|str|string|text|name|prefix|suffix|sep|word|line|pattern|fmt|format|encoding|char|msg|message)$/.test(n))
    return rng.pick(["'hello world'", "'Example_Name'", "'a,b,c'", "'utf-8'"]);
  return rng.pick(['None', '0', "'x'", '[]', '42']);
}

function codeFeatures(code: string): string[] {
  const f: string[] = [];
  if (/\byield\b/.test(code))
    f.push(
      'It is a generator: it yields results one at a time instead of building a list, so it works on large inputs.',
    );
  if (/\btry:/.test(code))
    f.push(
      'Errors from the underlying calls are caught with `try`/`except` so that the caller gets a consistent result.',
    );
  if (/\bwith\b[^\n]*:/.test(code))
    f.push('Resources are managed with a `with` statement, so they are released even when an exception is raised.');
  const raises = [...new Set([...code.matchAll(/raise\s+([A-Z][A-Za-z]+)/g)].map((m) => m[1]!))].slice(0, 3);
  if (raises.length) f.push(`Invalid input raises ${raises.map((r) => `\`${r}\``).join(', ')}.`);
  if (/\bfor\b[^\n]*\bin\b/.test(code)) f.push('The main loop makes a single pass over the input.');
  if (/\bwhile\b/.test(code)) f.push('A `while` loop runs until the termination condition is met.');
  if (/\[[^\]\n]*\bfor\b[^\]\n]*\bin\b/.test(code)) f.push('A list comprehension keeps the transformation compact.');
  if (/\bisinstance\(/.test(code)) f.push('`isinstance` checks let it accept several input types.');
  if (/\breturn\b/.test(code)) f.push('The result is returned to the caller rather than printed.');
  if (/@\w+/.test(code)) f.push('Decorators add behaviour without changing the function body.');
  return f;
}

const INTROS = [
  'Here is an implementation:',
  'Below is a Python implementation that follows the requirements.',
  'The following function solves the task.',
  'Sure! Here is one way to do it:',
  'We can implement this directly in Python:',
  'To solve this, we handle each case explicitly in the function below.',
];

function instructionFor(u: PyUnit, rng: Rng): string {
  const doc = u.doc ? lowerFirst(u.doc.replace(/\.$/, '')) : '';
  const params = paramNames(u.params);
  if (u.kind === 'method') {
    let s = `Implement the \`${u.name}\` method of the \`${u.className}\` class`;
    s += doc ? `: it should ${doc.replace(/^(return|returns)\b/i, 'return')}.` : ` (${humanize(u.name)}).`;
    if (rng.chance(0.5)) s += ' Only the method body is needed; keep the signature unchanged.';
    return s;
  }
  if (u.kind === 'class') {
    const methods = u.methods.filter((m) => !m.startsWith('_') || m === '__init__').slice(0, 6);
    let s = `Design a Python class \`${u.name}\``;
    s += doc
      ? ` that ${/^(a|an|the)\b/i.test(doc) ? `represents ${doc}` : `implements the following: ${doc}`}.`
      : ` (${humanize(u.name)}).`;
    if (methods.length) s += ` The class should provide the methods ${methods.map((m) => `\`${m}\``).join(', ')}.`;
    if (rng.chance(0.4)) s += ' Include docstrings and handle invalid arguments gracefully.';
    return s;
  }
  const sig = `${u.async ? 'async ' : ''}${u.name}(${u.params})`;
  const variant = rng.int(4);
  if (variant === 0 || !doc) {
    let s = `Write a Python ${u.async ? 'coroutine' : 'function'} \`${u.name}\` with the signature \`def ${sig}\`.`;
    s += doc
      ? ` It should ${doc.replace(/^(return|returns)\b/i, 'return')}.`
      : ` As its name says, it should ${humanize(u.name)}.`;
    return s;
  }
  if (variant === 1) {
    let s = `You are given the task to implement \`${u.name}\`. ${sentence(doc[0]!.toUpperCase() + doc.slice(1))}`;
    if (params.length) {
      s += `\n\n**Input:**\n${params.map((p) => `- \`${p}\`: ${humanize(p)}`).join('\n')}`;
      s += `\n\n**Output:**\n- The result of ${humanize(u.name)}.`;
      s += `\n\n**Sample Input:**\n\`\`\`\n${u.name}(${params.map((p) => sampleArg(p, rng)).join(', ')})\n\`\`\``;
    }
    return s;
  }
  if (variant === 2) {
    return (
      `Implement a function \`${u.name}(${params.join(', ')})\` that ` +
      `${doc.replace(/^(return|returns)\b/i, 'returns')}. Your solution should be efficient and handle edge ` +
      'cases.'
    );
  }
  return (
    `In the \`${basename(u.module, '.py')}\` module we need a helper \`${u.name}\`. ` +
    `${sentence(doc[0]!.toUpperCase() + doc.slice(1))} Write it in Python.`
  );
}

function usageBlock(u: PyUnit, rng: Rng): string {
  if (u.kind === 'method') {
    const args = paramNames(u.params)
      .map((p) => sampleArg(p, rng))
      .join(', ');
    return `obj = ${u.className}.__new__(${u.className})\nprint(obj.${u.name}(${args}))\n`;
  }
  if (u.kind === 'class') {
    const init = /def __init__\(self,?\s*([^)]*)\)/.exec(u.code);
    const args = init
      ? paramNames(init[1] ?? '')
          .map((p) => sampleArg(p, rng))
          .join(', ')
      : '';
    const method = u.methods.find((m) => !m.startsWith('_'));
    return `obj = ${u.name}(${args})\n${method ? `print(obj.${method})\n` : 'print(obj)\n'}`;
  }
  const args = paramNames(u.params)
    .map((p) => sampleArg(p, rng))
    .join(', ');
  if (u.async) return `import asyncio\n\nresult = asyncio.run(${u.name}(${args}))\nprint(result)\n`;
  return rng.chance(0.5) ? `result = ${u.name}(${args})\nprint(result)\n` : `print(${u.name}(${args}))\n`;
}

function judgement(rng: Rng): { json: string; low: boolean } {
  const score = (): number => (rng.chance(0.78) ? 5 : rng.chance(0.6) ? 4 : 1 + rng.int(3));
  const rc = score();
  const lc = score();
  const ec = rng.chance(0.3) ? Math.max(1, score() - 1) : score();
  const just = (s: number, good: string, bad: string): string => (s >= 4 ? good : bad);
  const j = {
    requirement_conformance: {
      score: rc,
      justification: just(
        rc,
        'The function fully meets the specified requirements.',
        'The solution only partially addresses the requirements.',
      ),
    },
    logical_correctness: {
      score: lc,
      justification: just(
        lc,
        'The logic is correct and consistently structured.',
        'The logic has errors for some inputs.',
      ),
    },
    edge_case_consideration: {
      score: ec,
      justification: just(
        ec,
        'Edge cases are handled appropriately.',
        'Some edge cases, such as empty input, are not handled.',
      ),
    },
  };
  return { json: JSON.stringify(j), low: Math.min(rc, lc, ec) <= 2 };
}

function tests(u: PyUnit, rng: Rng, low: boolean): { unit: string; status: string; score: string } {
  const k = 3 + rng.int(8);
  const asserts: string[] = [];
  for (let i = 0; i < k; i++) {
    if (u.kind === 'class') asserts.push(`assert isinstance(${u.name}, type)`);
    else if (u.kind === 'method') asserts.push(`assert callable(${u.className}.${u.name})`);
    else
      asserts.push(
        `assert ${u.name}(${paramNames(u.params)
          .map((p) => sampleArg(p, rng))
          .join(', ')}) is not None`,
      );
  }
  const passRate = low ? rng.next() * 0.8 : rng.chance(0.82) ? 1 : 0.5 + rng.next() * 0.5;
  const statuses = asserts.map(() => (rng.next() < passRate ? 'pass' : 'fail'));
  const passed = statuses.filter((s) => s === 'pass').length;
  const score = passed / statuses.length;
  return {
    unit: JSON.stringify(asserts),
    status: JSON.stringify(statuses),
    score: score === 1 ? '1' : score === 0 ? '0' : String(Math.round(score * 100) / 100),
  };
}

export interface UnitPool {
  /** Top-level functions and classes. */
  top: PyUnit[];
  methods: PyUnit[];
}

/** Make record `index` of a pool (all randomness comes from `rng`, consumed in order). */
export function makeRecord(units: UnitPool, byModule: Map<string, PyUnit[]>, rng: Rng): OciRow {
  // methods are short; drawing them 30% of the time keeps response lengths close to real pools
  const from = units.methods.length && (rng.chance(0.3) || !units.top.length) ? units.methods : units.top;
  const u = from[rng.int(from.length)]!;
  const id = rng.hex(32);
  const input = instructionFor(u, rng);
  const parts: string[] = [];
  const style = rng.next();
  const fence = (lang: string, code: string): string =>
    `\`\`\`${lang}\n${code.endsWith('\n') ? code : `${code}\n`}\`\`\``;
  let code = u.code;
  // sometimes a helper from the same module that this unit calls goes first
  const helpers = (byModule.get(u.module) ?? []).filter((h) => u.calls.includes(h.name) && h.code.length < 2500);
  if (helpers.length && rng.chance(0.5)) code = `${helpers[0]!.code}\n\n${code}`;
  if (style < 0.3) {
    parts.push(fence(PY_FENCE, code));
  } else if (style < 0.62) {
    parts.push(rng.pick(INTROS), fence(PY_FENCE, code));
    const feats = codeFeatures(u.code);
    if (feats.length)
      parts.push(
        rng.chance(0.5)
          ? feats.slice(0, 3).join(' ')
          : feats
              .slice(0, 4)
              .map((f) => `- ${f}`)
              .join('\n'),
      );
  } else if (style < 0.88) {
    parts.push(
      rng.pick(INTROS),
      fence(PY_FENCE, code),
      rng.pick(['Example usage:', 'You can use it like this:', 'For example:']),
      fence(PY_FENCE, usageBlock(u, rng)),
    );
    if (rng.chance(0.5))
      parts.push(codeFeatures(u.code).slice(0, 2).join(' ') || 'This prints the result for the sample input.');
  } else if (style < 0.94) {
    parts.push(
      `Save the following as \`${basename(u.module)}\`:`,
      fence(rng.pick(PY_FENCES), code),
      'Then run it from the shell:',
      fence('bash', `python3 -c "from ${basename(u.module, '.py')} import ${u.name}; print(${u.name})"`),
    );
  } else if (style < 0.97) {
    // two units of the same module in separate blocks
    const sibs = (byModule.get(u.module) ?? []).filter((s) => s !== u && s.code.length < 3000);
    parts.push(rng.pick(INTROS), fence(PY_FENCE, code));
    if (sibs.length) parts.push('A related helper from the same module:', fence(PY_FENCE, rng.pick(sibs).code));
  } else {
    // bare code, no fences (some datasets ship responses like this)
    parts.push(code.trimEnd());
  }
  const response = parts.join('\n\n') + (rng.chance(0.5) ? '\n' : '');
  const j = judgement(rng);
  const t = tests(u, rng, j.low || rng.chance(0.05));
  return {
    id,
    input,
    output: response,
    domain: rng.chance(0.5) ? 'generic' : 'algorithmic',
    generation_algorithm: rng.chance(0.6) ? 'self-instruct' : 'evol-instruct',
    llm_judgement: j.json,
    unit_tests: t.unit,
    tests_execution_status: t.status,
    average_test_score: t.score,
  };
}

/** Write `records` OCI rows to `out` in the given format; deterministic in `seed` (and the stdlib). */
export async function generatePool(opts: GeneratePoolOptions): Promise<GeneratePoolResult> {
  const { records, seed, out, format } = opts;
  if (!Number.isSafeInteger(records) || records < 0)
    throw new RangeError(`records must be a non-negative integer, got ${String(records)}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${String(seed)}`);
  if (format !== 'jsonl' && format !== 'parquet' && format !== 'jsonl.gz') {
    throw new CodeblockError(
      `unknown pool format "${String(format)}" (expected jsonl, jsonl.gz or parquet)`,
      'E_USAGE',
    );
  }
  if (!existsSync(dirname(out) || '.'))
    throw new CodeblockError(`output directory does not exist: ${dirname(out)}`, 'E_INPUT');
  const root = findPythonStdlib(opts.stdlibDir);
  const units = loadUnits(root);
  if (units.length === 0) throw new CodeblockError(`no usable Python functions found under ${root}`, 'E_INPUT');
  const byModule = new Map<string, PyUnit[]>();
  for (const u of units) {
    const list = byModule.get(u.module);
    if (list) list.push(u);
    else byModule.set(u.module, [u]);
  }
  const pool: UnitPool = {
    top: units.filter((u) => u.kind !== 'method'),
    methods: units.filter((u) => u.kind === 'method'),
  };
  const rng = new Rng(seed);
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    if (format === 'parquet')
      await writeParquet(tmp, records, () => makeRecord(pool, byModule, rng), opts.rowGroupSize ?? 10_000);
    else await writeJsonl(tmp, records, () => makeRecord(pool, byModule, rng), format === 'jsonl.gz');
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return { out, records, bytes: statSync(out).size, stdlib: root, units: units.length };
}

async function writeJsonl(path: string, n: number, next: () => OciRow, gzip: boolean): Promise<void> {
  const file = createWriteStream(path);
  const sink = gzip ? createGzip({ level: 6 }) : file;
  if (gzip) (sink as ReturnType<typeof createGzip>).pipe(file);
  let buf: string[] = [];
  let chars = 0;
  const flush = async (): Promise<void> => {
    if (!buf.length) return;
    const ok = sink.write(buf.join(''));
    buf = [];
    chars = 0;
    if (!ok) await once(sink, 'drain');
  };
  for (let i = 0; i < n; i++) {
    const row = next();
    const line = `${JSON.stringify(row)}\n`;
    buf.push(line);
    chars += line.length;
    if (chars > 1 << 20) await flush();
  }
  await flush();
  sink.end();
  await once(file, 'close');
}

async function writeParquet(path: string, n: number, next: () => OciRow, rowGroupSize: number): Promise<void> {
  const writer = fileWriter(path);
  const empty = (): Record<string, string[]> => Object.fromEntries(OCI_COLUMNS.map((c) => [c, [] as string[]]));
  const schema = schemaFromColumnData({
    columnData: OCI_COLUMNS.map((name) => ({ name, data: [] as string[], type: 'STRING' as const, nullable: false })),
  });
  const pq = new ParquetWriter({ writer, schema, codec: 'SNAPPY' });
  let cols = empty();
  let rows = 0;
  const flushGroup = async (): Promise<void> => {
    if (rows === 0) return;
    await pq.write({ columnData: OCI_COLUMNS.map((name) => ({ name, data: cols[name]! })), rowGroupSize: rows });
    cols = empty();
    rows = 0;
  };
  for (let i = 0; i < n; i++) {
    const row = next();
    for (const c of OCI_COLUMNS) cols[c]!.push(row[c]);
    if (++rows >= rowGroupSize) await flushGroup();
  }
  await flushGroup();
  await pq.finish();
}
