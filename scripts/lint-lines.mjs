#!/usr/bin/env node
// Line-length check (part of `npm run lint`): no line of the TypeScript / JavaScript sources may exceed
// 120 characters (code points). Biome's formatter wraps code at 120 columns but leaves long string
// literals, template literals and comments alone; this catches those. Prints one `file:line: N characters`
// line per offending line and exits 1; prints nothing and exits 0 when every line fits.
// Scope: src/, test/, bench/, scripts/ (.ts .mts .cts .js .mjs .cjs), tools/ (.mjs .cjs .js) and bin/,
// skipping fixtures/ directories (test data kept byte-exact).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX = 120;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SCOPES = [
  { dir: 'src', match: SOURCE },
  { dir: 'test', match: SOURCE },
  { dir: 'bench', match: SOURCE },
  { dir: 'scripts', match: SOURCE },
  { dir: 'tools', match: /\.(mjs|cjs|js)$/ },
  { dir: 'bin', match: () => true },
];
const SKIP_DIRS = new Set(['fixtures', 'node_modules']);

function* walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (err.code === 'ENOENT') return;
    throw err;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) yield* walk(p);
    } else if (e.isFile() || (e.isSymbolicLink() && statSync(p).isFile())) yield p;
  }
}

const problems = [];
for (const { dir, match } of SCOPES) {
  for (const file of walk(join(ROOT, dir))) {
    if (typeof match === 'function' ? !match(file) : !match.test(file)) continue;
    const lines = readFileSync(file, 'utf8').split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const n = [...lines[i]].length;
      if (n > MAX) problems.push(`${relative(ROOT, file)}:${i + 1}: ${n} characters (max ${MAX})`);
    }
  }
}
if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
