/**
 * codeblock-sft as a dependency of someone else's project (docs/install.md), end to end and outside the repo:
 * `npm pack` a copy of the checkout (tracked and untracked-not-ignored files, as a fresh clone has them), check
 * the tarball's contents, then install it into two consumer projects from the npm registry (cache):
 *   A. the README's line (ONNXRUNTIME_NODE_INSTALL=skip) with no cmake and no compiler on PATH: nothing is
 *      compiled, at most 5 `npm warn` lines, the prebuilt addon is used; `npx codeblock run`, an ESM and a CommonJS
 *      script, and a TypeScript file that type-checks against the shipped types without @types/node and without
 *      skipLibCheck; the tarball's and node_modules' sizes are the ones docs/install.md states;
 *   B. CODEBLOCK_BUILD_FROM_SOURCE=1 with the compiler, onnxruntime-node's script denied through `allowScripts`:
 *      the C sources (tree-sitter and the grammars, devDependencies) are fetched with `npm pack`, the addon is
 *      compiled from them and gives the same output bytes as A.
 * Both from-source builds (the prepack's prebuilt addon and B's) fetch the C sources into build-deps/ and compile
 * them through one fresh ccache when ccache is installed (scripts/test-deps.sh): the prepack compiles every file,
 * and B's build, which runs every compile step itself, gets the grammar objects from that cache instead of
 * compiling the same 150 MB of parse tables a second time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { PACKAGE_ROOT } from '../../src/native.js';
import { SHARED_DATA } from '../helpers/cli.js';

const ROOT = PACKAGE_ROOT;
const DATA = join(SHARED_DATA, 'humaneval-markdown.jsonl');
const POOL = join(ROOT, 'examples', 'pool.jsonl');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  files: string[];
};
const PREBUILT = 'prebuilds/linux-x64/codeblock.napi.glibc.node';
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** The grammar packages native/grammars.json compiles in (C sources, devDependencies). */
const SOURCE_PACKAGES = (
  JSON.parse(readFileSync(join(ROOT, 'native', 'grammars.json'), 'utf8')) as { grammars: { package: string }[] }
).grammars.map((g) => g.package);
const COMPILERS = ['cc', 'c++', 'gcc', 'g++', 'clang', 'clang++', 'cmake', 'make', 'ninja'];
/** The documented ceiling for the tarball (docs/install.md gives the measured size). */
// 17 grammars in the prebuilt addon + the 14.3 MB reference LM + its 2.5 MB int8 variant
const MAX_TARBALL_BYTES = 22 * 1024 * 1024;

/**
 * The sizes docs/install.md states, in the one sentence that states them:
 * "**<t> MB tarball, <n> files**; … `node_modules` … **<m> MB** … **<o> MB** with `--omit=optional`".
 */
function documentedSizes(): { tarballMB: number; files: number; nodeModulesMB: number; omitOptionalMB: number } {
  const doc = readFileSync(join(ROOT, 'docs', 'install.md'), 'utf8');
  const m =
    /\*\*([\d.]+) MB tarball, (\d+) files\*\*[^*]*\*\*(\d+) MB\*\*[^*]*\*\*(\d+) MB\*\* with `--omit=optional`/.exec(
      doc,
    );
  assert.ok(m, 'docs/install.md states the tarball and node_modules sizes');
  return { tarballMB: Number(m[1]), files: Number(m[2]), nodeModulesMB: Number(m[3]), omitOptionalMB: Number(m[4]) };
}

/** Bytes of the regular files under `dir` (symlinks not followed), as `du --apparent-size -b` counts them. */
function treeBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += treeBytes(p);
    else if (e.isFile()) n += lstatSync(p).size;
  }
  return n;
}

const MB = 1e6;
/** |measured − documented| within this share of the documented figure. */
const SIZE_TOLERANCE = 0.05;
function nearDoc(measured: number, documented: number, what: string): void {
  assert.ok(
    Math.abs(measured - documented) <= SIZE_TOLERANCE * documented,
    `${what}: measured ${measured}, docs/install.md says ${documented} (update the docs)`,
  );
}

interface Run {
  status: number | null;
  /** stdout then stderr */
  out: string;
  stdout: string;
}

/** The environment of a user's shell: nothing inherited from the `npm test` that runs this file. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|userconfig|globalconfig|registry)$/;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    const fromNpmTest = /^(npm_|INIT_CWD$|NODE_TEST_CONTEXT$|NODE_OPTIONS$|CODEBLOCK_|ONNXRUNTIME_NODE_INSTALL)/;
    if (fromNpmTest.test(k) && !keep.test(k)) continue;
    env[k] = v;
  }
  return { ...env, CI: 'true', ...extra };
}

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutS = 600): Run {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 256 << 20 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`;
  return { status: r.status, out, stdout: r.stdout ?? '' };
}

function ok(r: Run, what: string): string {
  assert.equal(r.status, 0, `${what} failed (exit ${r.status}):\n${r.out.slice(-6000)}`);
  return r.out;
}

function which(program: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    const p = join(dir, program);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A PATH of symlinks to every program on PATH except compilers, linkers and build tools. */
function pathWithoutCompilers(dir: string): string {
  const hidden =
    /^(cc|c\+\+|cpp|c89|c99|gcc|g\+\+|clang|clang\+\+|cmake|ccmake|ctest|cpack|make|gmake|ninja|ld|as|tcc)([-.].*)?$/;
  mkdirSync(dir, { recursive: true });
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const name of names) {
      if (hidden.test(name) || /^(x86_64|aarch64|i686)-.*-(gcc|g\+\+|cc|c\+\+|ld|as|cpp)/.test(name)) continue;
      const target = join(d, name);
      if (existsSync(join(dir, name))) continue;
      try {
        accessSync(target, constants.X_OK);
        if (!statSync(target).isFile()) continue;
      } catch {
        continue;
      }
      symlinkSync(target, join(dir, name));
    }
  }
  return dir;
}

/** Copy what a fresh clone of the checkout holds (tracked + untracked-not-ignored files). */
function copyCheckout(to: string): void {
  const ls = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(ls.status, 0, `git ls-files in ${ROOT} failed: ${ls.stderr}`);
  for (const f of ls.stdout.split('\0').filter((p) => p && p.split('/')[0] !== 'node_modules')) {
    const src = join(ROOT, f);
    if (!existsSync(src) || lstatSync(src).isDirectory()) continue;
    mkdirSync(dirname(join(to, f)), { recursive: true });
    cpSync(src, join(to, f));
  }
  // node_modules: every installed package linked in, except the C source packages (tree-sitter and the grammars,
  // devDependencies). The prepack build then fetches them with `npm pack` into build-deps/, exactly as consumer B's
  // from-source build does, so both compile the same files at the same paths relative to their build directory
  // and the compiler cache (compilerCache below) serves B's objects from the prepack's compile.
  const sources = new Set(['tree-sitter', ...SOURCE_PACKAGES]);
  const link = (rel: string): void => {
    if (sources.has(rel)) return;
    if (rel.startsWith('@') && !rel.includes('/')) {
      mkdirSync(join(to, 'node_modules', rel));
      for (const e of readdirSync(join(ROOT, 'node_modules', rel))) link(`${rel}/${e}`);
      return;
    }
    symlinkSync(join(ROOT, 'node_modules', rel), join(to, 'node_modules', rel));
  };
  mkdirSync(join(to, 'node_modules'));
  for (const e of readdirSync(join(ROOT, 'node_modules'))) link(e);
}

/**
 * The environment that puts ccache in front of the C/C++ compiler for the two from-source builds (the prepack's
 * prebuilt addon, then consumer B's), with an empty cache of its own: the prepack really compiles every file, and
 * B's compile of the same preprocessed source with the same flags is served from it (the bytes a compile gives).
 * Paths under `base` are hashed relative to the build directory, which is what makes the two builds' files the
 * same. Empty (no cache) where ccache is not installed: the test then compiles twice, only slower.
 */
function compilerCache(base: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!which('ccache', env.PATH ?? '')) return {};
  return {
    CMAKE_C_COMPILER_LAUNCHER: 'ccache',
    CMAKE_CXX_COMPILER_LAUNCHER: 'ccache',
    CCACHE_DIR: join(base, 'ccache'),
    CCACHE_BASEDIR: base,
    CCACHE_NOHASHDIR: '1',
    CCACHE_TEMPDIR: join(base, 'ccache-tmp'),
  };
}

function filesUnder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** Which codeblock addon file a process mapped (from /proc/self/maps), printed by the consumer scripts. */
const MAPPED_ADDON = `
  (await import('node:fs')).readFileSync('/proc/self/maps', 'utf8').split('\\n')
    .map((l) => l.slice(l.indexOf('/'))).find((p) => /codeblock[^/]*\\.node$/.test(p))`;

const ESM_SCRIPT = `import { run, loadPacks, resolveConfig } from 'codeblock-sft';
import { readFileSync } from 'node:fs';
const [cliOut, pool, libOut] = process.argv.slice(2);
async function read(dir) {
  let packs = 0, supervised = 0;
  for await (const b of loadPacks(dir, { batchSize: 4 })) {
    packs += b.packIndices.length;
    for (const l of b.labels) if (l !== -100) supervised++;
  }
  return { packs, supervised };
}
const r = await run([pool], resolveConfig('run', { out: libOut, scorer: 'none', workers: 1, progress: false }));
const manifest = (d) => JSON.parse(readFileSync(d + '/manifest.json', 'utf8'));
console.log(JSON.stringify({
  cli: await read(cliOut), cliManifest: manifest(cliOut),
  lib: await read(libOut), libManifest: manifest(libOut), libPacks: r.select.packs,
  addon: ${MAPPED_ADDON},
}));
`;

const CJS_SCRIPT = `const { loadPacks, CodeblockError } = require('codeblock-sft');
(async () => {
  let packs = 0;
  for await (const b of loadPacks(process.argv[2], { batchSize: 3 })) packs += b.packIndices.length;
  console.log(JSON.stringify({ packs, error: typeof CodeblockError }));
})();
`;

const TS_GOOD = `import { run, loadPacks, resolveConfig, type PackBatch, type CodeblockConfig } from 'codeblock-sft';
const cfg: CodeblockConfig = resolveConfig('run', { out: 'out', scorer: 'none' });
export async function main(): Promise<number> {
  const r = await run(['in.jsonl'], cfg);
  let total: number = r.select.packs;
  for await (const b of loadPacks('out', { batchSize: 8, shuffle: true, seed: 1 })) {
    const batch: PackBatch = b;
    const ids: Int32Array = batch.input_ids;
    total += ids.length;
  }
  return total;
}
`;

/** Must not type-check: proves the types are real (an `any` import would accept it). */
const TS_BAD = `import { loadPacks } from 'codeblock-sft';
export const x = loadPacks('out', { batchSize: 'eight' });
`;

test('npm install codeblock-sft in a consumer project: prebuilt without a compiler, from source with one', {
  timeout: 1_500_000,
}, async (t) => {
  assert.ok(existsSync(DATA), `${DATA} missing (../shared/data beside the checkout)`);
  const tmp = mkdtempSync(join(tmpdir(), 'codeblock-pkg-'));
  const nocc = pathWithoutCompilers(join(tmp, 'bin-nocc'));
  const env = userEnv();
  const cache = compilerCache(tmp, env);
  const cacheStats = (): string => {
    if (!cache.CCACHE_DIR) return 'no ccache on PATH: no compiler cache';
    const st = sh('ccache', ['--print-stats'], tmp, { ...env, ...cache }).stdout;
    const n = (k: string): number => Number(new RegExp(`^${k}\\t(\\d+)$`, 'm').exec(st)?.[1] ?? 0);
    const hits = n('direct_cache_hit') + n('preprocessed_cache_hit');
    return `compiler cache: ${hits} hits, ${n('cache_miss')} misses`;
  };
  let tarball = '';
  const t0 = Date.now();
  const lap = (what: string): void => t.diagnostic(`${what}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  try {
    await t.test('npm pack of a fresh copy builds dist/src and the prebuilt addon; contents follow "files"', () => {
      const src = join(tmp, 'src');
      copyCheckout(src);
      const packed = ok(sh('npm', ['pack', '--pack-destination', tmp], src, { ...env, ...cache }), 'npm pack');
      assert.match(packed, /codeblock: fetching the C sources of tree-sitter, tree-sitter-python, .* \(npm pack\)/);
      t.diagnostic(`prepack: ${cacheStats()}`);
      tarball = join(tmp, `${PKG.name}-${PKG.version}.tgz`);
      assert.ok(existsSync(tarball), `${tarball} missing`);
      lap('packed');
      const dry = sh('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], src, env);
      ok(dry, 'npm pack --dry-run');
      const listing = (JSON.parse(dry.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).sort();
      const inTar = ok(sh('tar', ['tzf', tarball], tmp, env), 'tar tzf')
        .split('\n')
        .filter((l) => l && !l.endsWith('/'))
        .map((l) => l.replace(/^package\//, ''))
        .sort();
      assert.deepEqual(inTar, listing, 'the tarball holds exactly what npm pack --dry-run lists');
      const always = new Set(['package.json', 'README.md', 'LICENSE']);
      const allow = PKG.files.filter((f) => !f.startsWith('!'));
      for (const p of listing) {
        assert.ok(always.has(p) || allow.some((f) => p === f || p.startsWith(`${f}/`)), `${p} is not in "files"`);
        assert.doesNotMatch(p, /^(src|test|bench|tools|\.ci|build[^/]*|node_modules|dist\/(test|bench))\//, p);
        assert.doesNotMatch(p, /\.map$|^native\/test\//, p);
      }
      for (const need of [
        'dist/src/index.js',
        'dist/src/index.d.ts',
        'dist/src/cli/main.js',
        'dist/src/inspect/page/client.js',
        'bin/codeblock',
        PREBUILT,
        'CMakeLists.txt',
        'binding.gyp',
        'native/grammars.json',
        'native/codeblock.h',
        'scripts/native-deps.cjs',
        'scripts/install.mjs',
        'models/default/model.onnx',
        'models/default/model.int8.onnx',
        'docs/install.md',
      ]) {
        assert.ok(listing.includes(need), `${need} missing from the tarball`);
      }
      const size = statSync(tarball).size;
      t.diagnostic(`tarball ${size} bytes, ${listing.length} files`);
      assert.ok(size < MAX_TARBALL_BYTES, `tarball is ${size} bytes`);
      const doc = documentedSizes();
      nearDoc(size / MB, doc.tarballMB, 'tarball MB');
      nearDoc(listing.length, doc.files, 'tarball files');
    });

    await t.test('the prebuilt addon needs glibc ≤ 2.18 and libgcc_s only (no libstdc++)', () => {
      const so = join(tmp, 'src', PREBUILT);
      const syms = ok(sh('objdump', ['-T', so], tmp, env), 'objdump -T');
      const glibc = [...syms.matchAll(/\(GLIBC_(\d+)\.(\d+)(?:\.\d+)?\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
      const max = glibc.reduce((a, b) => (a[0]! * 1000 + a[1]! >= b[0]! * 1000 + b[1]! ? a : b));
      t.diagnostic(`highest GLIBC_ symbol version: ${max.join('.')}`);
      assert.ok(max[0] === 2 && max[1]! <= 18, `needs GLIBC_${max.join('.')}`);
      assert.doesNotMatch(syms, /GLIBCXX|CXXABI/);
      const needed = ok(sh('readelf', ['-d', so], tmp, env), 'readelf -d').match(/\(NEEDED\).*\[(.*)\]/g) ?? [];
      assert.deepEqual(needed.map((l) => l.replace(/.*\[(.*)\]/, '$1')).sort(), [
        'ld-linux-x86-64.so.2',
        'libc.so.6',
        'libgcc_s.so.1',
      ]);
    });

    const a = join(tmp, 'consumer-a');
    await t.test('consumer A: npm install without cmake or a compiler uses the prebuilt addon', () => {
      for (const c of COMPILERS) assert.equal(which(c, nocc), undefined, `${c} is still on the test PATH`);
      mkdirSync(a);
      writeFileSync(join(a, 'package.json'), JSON.stringify({ name: 'consumer-a', version: '1.0.0', private: true }));
      // README: ONNXRUNTIME_NODE_INSTALL=skip npm install codeblock-sft (here the tarball in its place)
      const out = ok(
        sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts', tarball], a, {
          ...env,
          PATH: nocc,
          ONNXRUNTIME_NODE_INSTALL: 'skip',
        }),
        'npm install (no compiler)',
      );
      lap('consumer A installed');
      assert.match(out, new RegExp(`codeblock: using the prebuilt addon ${PREBUILT.replace(/\./g, '\\.')}`));
      assert.doesNotMatch(out, /compiling the addon|nuget|Unknown project config|gyp (info|ERR)/);
      const warns = out.split('\n').filter((l) => /^npm warn/i.test(l));
      t.diagnostic(`${warns.length} npm warn line(s)${warns.length ? `:\n${warns.join('\n')}` : ''}`);
      assert.ok(warns.length <= 5, `${warns.length} npm warn lines:\n${warns.join('\n')}`);
      // no native compile: no codeblock build/, no tree-sitter binding, no node-gyp output anywhere
      const nm = join(a, 'node_modules');
      assert.ok(!existsSync(join(nm, PKG.name, 'build')), 'nothing was compiled');
      for (const p of ['tree-sitter', 'tree-sitter-python', 'cmake-js/node_modules/tree-sitter']) {
        assert.ok(!existsSync(join(nm, p)), `${p} is installed: only a build from source needs it`);
      }
      const built = sh('find', [nm, '-path', '*/build/Release/*.node'], a, env).stdout.trim();
      assert.equal(built, '', `compiled at install: ${built}`);
      // sizes, as docs/install.md states them (the optional packages are what --omit=optional leaves out)
      const lock = JSON.parse(readFileSync(join(nm, '.package-lock.json'), 'utf8')) as {
        packages: Record<string, { optional?: boolean }>;
      };
      const total = treeBytes(nm);
      const optional = Object.entries(lock.packages)
        .filter(([p, v]) => v.optional && existsSync(join(a, p)))
        .reduce((n, [p]) => n + treeBytes(join(a, p)), 0);
      t.diagnostic(`node_modules ${total} bytes, ${total - optional} without the optional packages`);
      const doc = documentedSizes();
      nearDoc(total / MB, doc.nodeModulesMB, 'node_modules MB');
      nearDoc((total - optional) / MB, doc.omitOptionalMB, 'node_modules MB with --omit=optional');
    });

    await t.test('consumer A: npx codeblock run, ESM and CommonJS scripts, TypeScript types', () => {
      const aEnv = { ...env, PATH: nocc };
      ok(sh('npx', ['codeblock', 'run', DATA, '-o', 'out'], a, aEnv), 'npx codeblock run');
      lap('consumer A ran');
      // the HTML report inlines the in-page script the package ships (dist/src/inspect/page/client.js)
      ok(sh('npx', ['codeblock', 'inspect', 'out', '--html', 'report.html'], a, aEnv), 'npx codeblock inspect --html');
      const shipped = readFileSync(join(a, 'node_modules', PKG.name, 'dist/src/inspect/page/client.js'), 'utf8');
      assert.ok(readFileSync(join(a, 'report.html'), 'utf8').includes(`<script>${shipped}</script>`));
      writeFileSync(join(a, 'consumer.mjs'), ESM_SCRIPT);
      const esm = JSON.parse(
        ok(sh('node', ['consumer.mjs', 'out', POOL, 'lib-out'], a, aEnv), 'ESM script')
          .trim()
          .split('\n')
          .pop()!,
      );
      assert.equal(esm.addon, join(a, 'node_modules', PKG.name, PREBUILT), 'the prebuilt addon is what loads');
      assert.equal(esm.cli.packs, esm.cliManifest.packing.packs);
      assert.equal(esm.cli.supervised, esm.cliManifest.tokens.supervised);
      assert.equal(esm.cliManifest.counts.input, 164);
      assert.ok(esm.libPacks > 0);
      assert.equal(esm.lib.packs, esm.libPacks);
      assert.equal(esm.lib.supervised, esm.libManifest.tokens.supervised);

      writeFileSync(join(a, 'consumer.cjs'), CJS_SCRIPT);
      const cjs = JSON.parse(ok(sh('node', ['consumer.cjs', 'out'], a, aEnv), 'CommonJS script').trim());
      assert.deepEqual(cjs, { packs: esm.cli.packs, error: 'function' });

      writeFileSync(
        join(a, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: 'nodenext',
            moduleResolution: 'nodenext',
            target: 'es2022',
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types: [], // no @types/node: the consumer has none, and codeblock-sft's declarations need none
          },
          files: ['consumer.ts', 'consumer-bad.ts'],
        }),
      );
      writeFileSync(join(a, 'consumer.ts'), TS_GOOD);
      writeFileSync(join(a, 'consumer-bad.ts'), TS_BAD);
      const tsc = sh(process.execPath, [TSC, '-p', 'tsconfig.json'], a, aEnv);
      // skipLibCheck off, so codeblock-sft's shipped declarations are checked too; only the tokenizers dependency's
      // own broken ones are excused (docs/install.md).
      const errors = tsc.out
        .split('\n')
        .filter((l) => /error TS\d+/.test(l))
        .filter((l) => !l.startsWith('node_modules/tokenizers/'));
      assert.notEqual(tsc.status, 0, 'consumer-bad.ts must not type-check');
      assert.ok(errors.length > 0 && errors.every((l) => l.startsWith('consumer-bad.ts(2,')), tsc.out.slice(-4000));
      assert.match(errors[0]!, /error TS2322: Type 'string' is not assignable to type 'number'/);
    });

    await t.test('consumer A: forcing a compile without the sources or a compiler refuses in one line', () => {
      const dir = join(a, 'node_modules', PKG.name);
      const r = sh('node', ['scripts/install.mjs'], dir, { ...env, PATH: nocc, CODEBLOCK_BUILD_FROM_SOURCE: '1' });
      assert.equal(r.status, 1, r.out);
      assert.equal(
        r.out,
        'codeblock: compiling the addon from source (CODEBLOCK_BUILD_FROM_SOURCE=1)\n' +
          'codeblock: cannot compile the addon: cmake is not on PATH (it needs cmake and a C/C++ compiler; see ' +
          'docs/install.md in the codeblock-sft package)\n',
      );
      const bad = sh('node', ['scripts/install.mjs'], dir, { ...env, CODEBLOCK_BUILD_FROM_SOURCE: 'yes' });
      assert.equal(bad.status, 1);
      assert.equal(bad.out, 'codeblock: CODEBLOCK_BUILD_FROM_SOURCE must be 1 or 0, got "yes"\n');
    });

    const b = join(tmp, 'consumer-b');
    await t.test('consumer B: CODEBLOCK_BUILD_FROM_SOURCE=1 compiles from fetched sources, same bytes', () => {
      mkdirSync(b);
      // docs/install.md's other way to keep onnxruntime-node from downloading: allowScripts (npm 11.19+)
      const consumer = {
        name: 'consumer-b',
        version: '1.0.0',
        private: true,
        allowScripts: { 'onnxruntime-node': false },
      };
      writeFileSync(join(b, 'package.json'), JSON.stringify(consumer));
      const bEnv = { ...env, ...cache, CODEBLOCK_BUILD_FROM_SOURCE: '1' };
      const out = ok(
        sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts', tarball], b, bEnv),
        'npm install (from source)',
      );
      lap('consumer B installed');
      t.diagnostic(`consumer B: ${cacheStats()} (the prepack's and B's together)`);
      assert.match(out, /codeblock: compiling the addon from source \(CODEBLOCK_BUILD_FROM_SOURCE=1\)/);
      assert.match(out, /codeblock: fetching the C sources of tree-sitter, tree-sitter-python, .* \(npm pack\)/);
      assert.match(out, /codeblock: built build\/Release\/codeblock\.node/);
      assert.doesNotMatch(out, /nuget/);
      const pkgDir = join(b, 'node_modules', PKG.name);
      assert.ok(!existsSync(join(b, 'node_modules', 'tree-sitter')), 'tree-sitter is not installed, only fetched');
      const fetched = join(pkgDir, 'build-deps', 'node_modules');
      const deps = readFileSync(join(pkgDir, 'build', 'native-deps.cmake'), 'utf8');
      const lib = join(fetched, 'tree-sitter', 'vendor', 'tree-sitter', 'lib', 'src', 'lib.c');
      assert.ok(deps.includes(`"${lib}"`), deps);
      assert.ok(deps.includes(`"${join(fetched, 'tree-sitter-python', 'src', 'parser.c')}"`), deps);
      // B's own build (its build/ is not in the tarball) compiled every fetched C source into an object of its own
      // (through the compiler cache where there is one)
      const grammarC = [...deps.matchAll(/"([^"]+\.c)"/g)].map((m) => m[1]!).filter((p) => p.startsWith(fetched));
      assert.ok(grammarC.length >= SOURCE_PACKAGES.length, deps);
      for (const c of grammarC) {
        const obj = join(pkgDir, 'build', 'CMakeFiles', 'treesitter.dir', `${relative(pkgDir, c)}.o`);
        assert.ok(existsSync(obj) && statSync(obj).size > 0, `${obj} missing`);
      }

      ok(sh('npx', ['codeblock', 'run', DATA, '-o', 'out'], b, env), 'npx codeblock run');
      lap('consumer B ran');
      const mapped = ok(
        sh(
          'node',
          [
            '--input-type=module',
            '-e',
            `import { native } from '${PKG.name}'; native(); console.log(${MAPPED_ADDON});`,
          ],
          b,
          env,
        ),
        'addon check',
      ).trim();
      assert.equal(mapped, join(pkgDir, 'build', 'Release', 'codeblock.node'), 'the local build is what loads');
      const fromA = filesUnder(join(a, 'out'));
      const fromB = filesUnder(join(b, 'out'));
      assert.deepEqual([...fromB.keys()].sort(), [...fromA.keys()].sort());
      for (const [f, bytes] of fromA) assert.ok(bytes.equals(fromB.get(f)!), `${f} differs between A and B`);
      assert.ok(fromA.has('packs.parquet'));
    });

    await t.test('consumer B: a prebuilt addon that does not load falls back to compiling', () => {
      const pkgDir = join(b, 'node_modules', PKG.name);
      writeFileSync(join(pkgDir, PREBUILT), 'not an ELF file');
      const out = ok(sh('npm', ['rebuild', PKG.name, '--foreground-scripts'], b, env), 'npm rebuild codeblock-sft');
      assert.match(out, /codeblock: compiling the addon from source \(the prebuilt addon does not load here \(.+\)\)/);
      assert.match(out, /codeblock: built build\/Release\/codeblock\.node/);
    });
  } finally {
    lap('done');
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('npm commands in the checkout print no config warnings (no .npmrc key npm does not know)', () => {
  // `npx codeblock` loads the same config; `npm pkg` does it without reading the whole node_modules tree.
  const r = sh('npm', ['pkg', 'get', 'version'], ROOT, userEnv(), 120);
  assert.equal(r.status, 0, r.out);
  assert.equal(r.out, `"${PKG.version}"\n`);
});
