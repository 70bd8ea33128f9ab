/**
 * Seeded, deterministic samples of real code per tier-1 language, from what this machine has installed.
 * Each sampler returns [{ key, lang, text }] (whole files, 1–30 KB). Sources:
 *   javascript / typescript: .js/.mjs/.cjs/.ts/.d.ts files of node_modules (minified files excluded);
 *   java: java.base/ entries of the JDK's lib/src.zip (read with node zlib);
 *   go: /usr/lib/go/src (no _test.go, no testdata);
 *   c: .c and .h files of tree-sitter's vendored lib and the grammars' scanners (npm-pinned; with include dirs);
 *   cpp: libstdc++'s top-level headers (/usr/include/c++/N/<name>, no extension).
 * CLI: node tools/truth/corpus.mjs <lang> [n] [seed]  → JSON lines on stdout.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const MIN = 1024;
const MAX = 30 * 1024;
/** The JDK 17 sources (Debian package openjdk-17-source), else another installed JDK's. */
export const JDK_SRC =
  ['/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip', '/usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip'].find((p) =>
    existsSync(p),
  ) ?? '/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip';
export const GO_SRC = '/usr/lib/go/src';

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n items of a sorted list, seeded Fisher–Yates (the order is the sample order). */
export function pick(list, n, seed = 1) {
  const a = [...list].sort();
  const rnd = mulberry32(seed);
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, n);
}

function walk(dir, keep, skipDir = () => false, out = []) {
  let ents;
  try {
    ents = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of ents) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!skipDir(e.name, p)) walk(p, keep, skipDir, out);
    } else if (e.isFile() && keep(e.name, p)) {
      const size = statSync(p).size;
      if (size >= MIN && size <= MAX) out.push(p);
    }
  }
  return out;
}

const minified = (text) => text.split('\n').some((l) => l.length > 500);

function records(paths, lang, n, seed, langOf = () => lang, prefix = ROOT) {
  const out = [];
  for (const p of pick(paths, paths.length, seed)) {
    if (out.length >= n) break;
    const text = readFileSync(p, 'utf8');
    if (text.includes('\u0000') || minified(text)) continue;
    out.push({ key: p.startsWith(prefix) ? p.slice(prefix.length + 1) : p, lang: langOf(p), text });
  }
  return out;
}

/** JavaScript and TypeScript files of node_modules: lang 'javascript' or 'typescript' (.ts, .d.ts included). */
export function sampleJsTs(n = 600, seed = 1, root = join(ROOT, 'node_modules')) {
  const paths = walk(
    root,
    (name) => /\.(m?js|cjs|ts|mts|cts)$/.test(name) && !/\.min\.js$/.test(name),
    (name) => name === '.bin' || name === 'test' || name === 'tests',
  );
  return records(paths, '', n, seed, (p) => (/\.[mc]?ts$/.test(p) ? 'typescript' : 'javascript'));
}

/** Central-directory entries of a zip file: { name, size, method, offset, csize }. */
export function zipEntries(buf) {
  let e = buf.length - 22;
  while (e >= 0 && buf.readUInt32LE(e) !== 0x06054b50) e--;
  const count = buf.readUInt16LE(e + 10);
  let p = buf.readUInt32LE(e + 16);
  const out = [];
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nlen = buf.readUInt16LE(p + 28);
    const xlen = buf.readUInt16LE(p + 30);
    const clen = buf.readUInt16LE(p + 32);
    const offset = buf.readUInt32LE(p + 42);
    out.push({ name: buf.toString('utf8', p + 46, p + 46 + nlen), size, method, offset, csize });
    p += 46 + nlen + xlen + clen;
  }
  return out;
}

/** The text of one entry of zipEntries(buf). */
export function zipRead(buf, ent) {
  const nlen = buf.readUInt16LE(ent.offset + 26);
  const xlen = buf.readUInt16LE(ent.offset + 28);
  const data = buf.subarray(ent.offset + 30 + nlen + xlen, ent.offset + 30 + nlen + xlen + ent.csize);
  return (ent.method === 8 ? inflateRawSync(data) : data).toString('utf8');
}

/** java.base/ sources of the JDK's src.zip. */
export function sampleJava(n = 200, seed = 1, zip = JDK_SRC) {
  if (!existsSync(zip)) return [];
  const buf = readFileSync(zip);
  const ents = zipEntries(buf).filter(
    (e) => e.name.startsWith('java.base/') && e.name.endsWith('.java') && e.size >= MIN && e.size <= MAX,
  );
  const byName = new Map(ents.map((e) => [e.name, e]));
  return pick([...byName.keys()], n, seed).map((name) => ({
    key: `src.zip:${name}`,
    lang: 'java',
    text: zipRead(buf, byName.get(name)),
  }));
}

/** Go standard library files (no tests, no testdata). */
export function sampleGo(n = 500, seed = 1, root = GO_SRC) {
  const paths = walk(
    root,
    (name) => name.endsWith('.go') && !name.endsWith('_test.go'),
    (name) => name === 'testdata',
  );
  return records(paths, 'go', n, seed, () => 'go', root);
}

/**
 * C sources and headers from pinned inputs only (package-lock.json): tree-sitter's vendored lib (sources,
 * headers, its public header) and the grammars' external scanners and their tree_sitter/ headers; byte-identical
 * copies count once. Nothing is read from the system, whose headers differ between machines (kernel headers
 * are updated often), so the sample is the same wherever `npm ci` ran. Each record carries `include`: the
 * directories clang needs to resolve its includes (its own directory, the lib's include/ and src/).
 */
export function sampleC(n = 200, seed = 1) {
  const nm = join(ROOT, 'node_modules');
  const lib = join(nm, 'tree-sitter', 'vendor', 'tree-sitter', 'lib');
  const grammars = existsSync(nm)
    ? readdirSync(nm)
        .filter((d) => d.startsWith('tree-sitter-'))
        .map((d) => join(nm, d, 'src'))
    : [];
  const paths = [lib, ...grammars].flatMap((d) => walk(d, (name) => /\.[ch]$/.test(name) && name !== 'parser.c'));
  const byText = new Map();
  for (const p of [...paths].sort()) {
    const text = readFileSync(p, 'utf8');
    if (!byText.has(text)) byText.set(text, p);
  }
  return records([...byText.values()], 'c', n, seed).map((r) => ({
    ...r,
    include: [dirname(join(ROOT, r.key)), join(lib, 'include'), join(lib, 'src')],
  }));
}

/** libstdc++'s top-level headers (self-contained C++). */
export function sampleCpp(n = 20, seed = 1) {
  const roots = existsSync('/usr/include/c++')
    ? readdirSync('/usr/include/c++').map((v) => `/usr/include/c++/${v}`)
    : [];
  const paths = roots.flatMap((r) =>
    readdirSync(r)
      .filter((f) => !f.includes('.'))
      .map((f) => join(r, f))
      .filter((p) => statSync(p).isFile() && statSync(p).size >= MIN && statSync(p).size <= MAX),
  );
  return records(paths, 'cpp', n, seed);
}

export const SAMPLERS = { javascript: sampleJsTs, java: sampleJava, go: sampleGo, c: sampleC, cpp: sampleCpp };

if (process.argv[1] && basename(process.argv[1]) === 'corpus.mjs') {
  const [lang, n, seed] = process.argv.slice(2);
  const f = SAMPLERS[lang === 'typescript' ? 'javascript' : lang];
  if (!f) {
    console.error(`usage: corpus.mjs <${Object.keys(SAMPLERS).join('|')}> [n] [seed]`);
    process.exit(2);
  }
  const recs = n ? f(Number(n), seed ? Number(seed) : 1) : f();
  for (const r of recs) process.stdout.write(`${JSON.stringify(r)}\n`);
}
