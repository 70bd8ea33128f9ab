#!/usr/bin/env node
// Where the addon's C/C++ dependencies live, resolved the way Node resolves them (require.resolve from this
// package's directory, so hoisted copies in a consumer's node_modules are found). CMakeLists.txt and binding.gyp
// both call this; the grammar list is native/grammars.json. See docs/install.md.
//   node scripts/native-deps.cjs cmake          CMake set() commands (CMakeLists.txt includes them)
//   node scripts/native-deps.cjs gyp-ts-sources | gyp-ts-includes | gyp-napi-includes   one path a line
//   node scripts/native-deps.cjs check          exit 1 with one line naming what is missing
//   node scripts/native-deps.cjs fetch          fetch the C sources that are not installed (below)
//   node scripts/native-deps.cjs json           everything, for people and tests
// tree-sitter and the grammars are devDependencies: a checkout has them, a consumer install does not (the
// prebuilt addon needs none of them, and tree-sitter's own Node binding would compile for a minute). A consumer's
// from-source build fetches their pinned tarballs with `npm pack` (npm registry or cache; no install scripts run)
// into build-deps/node_modules/, which the resolution below also searches.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
/** Where `fetch` unpacks source packages that are not installed (build-*\/ is outside the package's files). */
const FETCHED = path.join(ROOT, 'build-deps');

class MissingDep extends Error {}

/** Directory of an installed package, found from ROOT with Node's own resolution. */
function packageDir(name) {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [ROOT, FETCHED] }));
  } catch (err) {
    if (err.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
      throw new MissingDep(`${name} is not installed (not resolvable from ${ROOT})`);
    }
  }
  // package.json not exported: resolve the entry point and walk up to the package's own package.json.
  let dir = path.dirname(require.resolve(name, { paths: [ROOT, FETCHED] }));
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj) && JSON.parse(fs.readFileSync(pj, 'utf8')).name === name) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new MissingDep(`${name}: no package.json found above its entry point`);
    dir = up;
  }
}

function requireFile(file, what) {
  if (!fs.existsSync(file)) throw new MissingDep(`${what}: ${file} missing`);
  return file;
}

function grammarList() {
  const file = path.join(ROOT, 'native', 'grammars.json');
  const { grammars } = JSON.parse(fs.readFileSync(file, 'utf8'));
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const declared = { ...pkg.dependencies, ...pkg.devDependencies };
  const seen = new Set();
  for (const g of grammars) {
    if (!/^[a-z_][a-z0-9_]*$/.test(g.language ?? '')) {
      throw new Error(`${file}: bad language name ${JSON.stringify(g.language)}`);
    }
    if (seen.has(g.language)) throw new Error(`${file}: language ${g.language} listed twice`);
    seen.add(g.language);
    if (!declared[g.package]) throw new Error(`${file}: ${g.package} is not a dependency in package.json`);
  }
  return grammars;
}

function resolveAll() {
  const tsDir = packageDir('tree-sitter');
  const runtime = path.join(tsDir, 'vendor', 'tree-sitter', 'lib');
  const out = {
    treeSitter: {
      package: tsDir,
      // the runtime, and our one C file that reads its internals (native/ts/flat_tree.c: built with it)
      sources: [
        requireFile(path.join(runtime, 'src', 'lib.c'), 'tree-sitter runtime'),
        path.join(ROOT, 'native', 'ts', 'flat_tree.c'),
      ],
      include: path.join(runtime, 'include'),
      privateInclude: path.join(runtime, 'src'),
    },
    grammars: [],
    nodeAddonApi: packageDir('node-addon-api'),
    nodeApiHeaders: require(path.join(packageDir('node-api-headers'), 'index.js')).include_dir,
  };
  requireFile(path.join(out.nodeAddonApi, 'napi.h'), 'node-addon-api');
  requireFile(path.join(out.nodeApiHeaders, 'node_api.h'), 'node-api-headers');
  for (const g of grammarList()) {
    const dir = path.join(packageDir(g.package), g.dir);
    const sources = [requireFile(path.join(dir, 'parser.c'), `${g.package} grammar`)];
    for (const s of ['scanner.c', 'scanner.cc'])
      if (fs.existsSync(path.join(dir, s))) sources.push(g.patch?.file === s ? patched(g, dir) : path.join(dir, s));
    out.grammars.push({ language: g.language, package: g.package, dir, sources });
  }
  return out;
}

/**
 * A grammar source with a `patch` in native/grammars.json (a known upstream bug): a copy with each `replace` pair
 * applied, written to build-deps/patched/<language>/ beside a copy of the grammar's tree_sitter/ headers (so its
 * includes resolve as they would beside the original). A pair that no longer matches stops the build: the patch
 * is stale (fixed upstream?) and native/grammars.json must say so.
 */
function patched(g, dir) {
  const { file, replace } = g.patch;
  let text = fs.readFileSync(path.join(dir, file), 'utf8');
  for (const [from, to] of replace) {
    if (!text.includes(from))
      throw new MissingDep(
        `${g.package}: native/grammars.json patches ${file}, but it no longer contains ${JSON.stringify(from)}`,
      );
    text = text.split(from).join(to);
  }
  const outDir = path.join(FETCHED, 'patched', g.language);
  fs.mkdirSync(path.join(outDir, 'tree_sitter'), { recursive: true });
  for (const h of fs.readdirSync(path.join(dir, 'tree_sitter')))
    fs.copyFileSync(path.join(dir, 'tree_sitter', h), path.join(outDir, 'tree_sitter', h));
  const out = path.join(outDir, file);
  if (!fs.existsSync(out) || fs.readFileSync(out, 'utf8') !== text) fs.writeFileSync(out, text);
  return out;
}

/** The source packages (tree-sitter + every grammar's package) with the exact versions package.json pins. */
function sourcePackages() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const pinned = { ...pkg.dependencies, ...pkg.devDependencies };
  const names = ['tree-sitter', ...new Set(grammarList().map((g) => g.package))];
  return names.map((name) => ({ name, version: pinned[name] }));
}

function installed(name) {
  try {
    packageDir(name);
    return true;
  } catch (err) {
    if (err instanceof MissingDep) return false;
    throw err;
  }
}

/** `npm pack` the pinned source packages that are not installed, and unpack them under FETCHED/node_modules. */
function fetchSources() {
  const { spawnSync } = require('node:child_process');
  const missing = sourcePackages().filter((p) => !installed(p.name));
  if (!missing.length) return;
  const tarballs = path.join(FETCHED, 'tarballs');
  fs.mkdirSync(tarballs, { recursive: true });
  process.stderr.write(`codeblock: fetching the C sources of ${missing.map((p) => p.name).join(', ')} (npm pack)\n`);
  // Inside an npm lifecycle script npm_execpath is npm's own CLI; elsewhere use npm from PATH.
  const npm = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath);
  const specs = missing.map((p) => `${p.name}@${p.version}`);
  const args = ['pack', ...specs, '--pack-destination', tarballs, '--json', '--ignore-scripts'];
  const r = npm
    ? spawnSync(process.execPath, [process.env.npm_execpath, ...args], { encoding: 'utf8' })
    : spawnSync('npm', args, { encoding: 'utf8', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    const why =
      `${r.stderr ?? ''}${r.error?.message ?? ''}`.split('\n').find((l) => /error|ERR/.test(l)) ?? `exit ${r.status}`;
    throw new MissingDep(`npm pack ${specs.join(' ')} failed: ${why.trim()}`);
  }
  const packed = JSON.parse(r.stdout);
  for (const p of missing) {
    const file = packed.find((x) => x.name === p.name && x.version === p.version)?.filename;
    if (!file) throw new MissingDep(`npm pack did not give ${p.name}@${p.version}`);
    const dir = path.join(FETCHED, 'node_modules', p.name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const t = spawnSync('tar', ['xzf', path.join(tarballs, file), '-C', dir, '--strip-components=1']);
    if (t.status !== 0) throw new MissingDep(`cannot unpack ${file}: ${t.stderr}`);
  }
  fs.rmSync(tarballs, { recursive: true, force: true }); // npm's cache keeps them
}

const allSources = (d) => [...d.treeSitter.sources, ...d.grammars.flatMap((g) => g.sources)];
const cm = (s) => `"${s.replace(/\\/g, '/').replace(/"/g, '\\"')}"`;

function main(cmd) {
  let d;
  try {
    if (cmd === 'fetch') fetchSources();
    d = resolveAll();
  } catch (err) {
    if (!(err instanceof MissingDep)) throw err;
    process.stderr.write(
      `codeblock: cannot build the addon from source: ${err.message} ` +
        '(the sources come from the npm registry or cache; docs/install.md)\n',
    );
    process.exit(1);
  }
  const lines = [];
  switch (cmd) {
    case 'cmake':
      lines.push(`set(CB_TS_RUNTIME_SOURCES ${d.treeSitter.sources.map(cm).join(' ')})`);
      lines.push(`set(CB_TS_INCLUDE ${cm(d.treeSitter.include)})`);
      lines.push(`set(CB_TS_PRIVATE_INCLUDE ${cm(d.treeSitter.privateInclude)})`);
      lines.push(`set(CB_NODE_ADDON_API_INCLUDE ${cm(d.nodeAddonApi)})`);
      lines.push(`set(CB_NODE_API_HEADERS_INCLUDE ${cm(d.nodeApiHeaders)})`);
      lines.push(`set(CB_GRAMMARS ${d.grammars.map((g) => g.language).join(' ')})`);
      for (const g of d.grammars) {
        lines.push(`set(CB_GRAMMAR_${g.language}_DIR ${cm(g.dir)})`);
        lines.push(`set(CB_GRAMMAR_${g.language}_SOURCES ${g.sources.map(cm).join(' ')})`);
      }
      break;
    case 'gyp-ts-sources': // relative to binding.gyp: gyp's make generator mangles absolute source paths
      lines.push(...allSources(d).map((f) => path.relative(ROOT, f)));
      break;
    case 'gyp-ts-includes': // grammar dirs last: only headers outside a grammar's src/ (typescript's common/) need them
      lines.push(d.treeSitter.include, d.treeSitter.privateInclude, ...d.grammars.map((g) => g.dir));
      break;
    case 'gyp-napi-includes':
      lines.push(d.nodeApiHeaders, d.nodeAddonApi, d.treeSitter.include);
      break;
    case 'check':
    case 'fetch':
      break;
    case 'json':
      lines.push(JSON.stringify(d, null, 2));
      break;
    default:
      process.stderr.write(
        'usage: node scripts/native-deps.cjs cmake|gyp-ts-sources|gyp-ts-includes|gyp-napi-includes|check|fetch|json\n',
      );
      process.exit(2);
  }
  if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
}

main(process.argv[2]);
