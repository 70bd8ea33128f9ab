// Shared by scripts/install.mjs and scripts/prebuild.mjs: compile the addon with cmake-js, and check that a
// built .node loads. See docs/install.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The prebuilt addon inside the package (prebuildify's naming; src/native.ts loads it after build/Release). */
export const PREBUILT_DIR = join(ROOT, 'prebuilds', 'linux-x64');
export const PREBUILT = join(PREBUILT_DIR, 'codeblock.napi.glibc.node');
export const DOCS = 'docs/install.md in the codeblock-sft package';

/** One line on stderr, then exit 1. */
export function fail(message) {
  process.stderr.write(`codeblock: ${message}\n`);
  process.exit(1);
}

export function onPath(program) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, program))) return join(dir, program);
  }
  return undefined;
}

/** glibc version of this process ('2.36'), or undefined on musl and non-Linux systems. */
export function glibcVersion() {
  return process.report?.getReport?.().header?.glibcVersionRuntime;
}

/** Load `file` in a fresh Node process; the first line of the failure, or null when it loads. */
export function loadError(file) {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)}).info()`], { encoding: 'utf8' });
  if (r.status === 0) return null;
  const lines = `${r.stderr}`.split('\n').map((l) => l.trim());
  return lines.find((l) => /^Error|not found|cannot open/i.test(l)) ?? lines.find(Boolean) ?? `exit ${r.status}`;
}

/** Run `cmake-js compile --out <out> ...extra` in the package root; exits with one line when it cannot. */
export function compile(out, extra = []) {
  if (!onPath('cmake')) {
    fail(`cannot compile the addon: cmake is not on PATH (it needs cmake and a C/C++ compiler; see ${DOCS})`);
  }
  // tree-sitter and the grammars are devDependencies: fetched (npm pack) where they are not installed.
  const deps = spawnSync(process.execPath, [join(ROOT, 'scripts', 'native-deps.cjs'), 'fetch'], { stdio: 'inherit' });
  if (deps.status !== 0) process.exit(1);
  const require = createRequire(join(ROOT, 'package.json'));
  const cmakeJsDir = dirname(require.resolve('cmake-js/package.json'));
  const bin = JSON.parse(readFileSync(join(cmakeJsDir, 'package.json'), 'utf8')).bin;
  const cli = join(cmakeJsDir, typeof bin === 'string' ? bin : bin['cmake-js']);
  const r = spawnSync(process.execPath, [cli, 'compile', '--out', out, ...extra], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) fail(`compiling the addon failed (cmake-js output above; see ${DOCS})`);
  const built = join(ROOT, out, 'Release', 'codeblock.node');
  const err = existsSync(built) ? loadError(built) : `${built} missing`;
  if (err) fail(`the compiled addon does not load: ${err}`);
  return built;
}
