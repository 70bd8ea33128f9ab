// `npm test`'s file list: every dist/test/**/*.test.js, the slowest first. node --test starts files in the order
// given, --test-concurrency at a time, so a slow file started last would run alone at the end on an idle core;
// starting the long ones first lets the many short files fill the other core (longest-first scheduling).
// The list below is ordered by measured CPU time on the 2-core CI machine (docs/benchmarks.md has no timed
// assertions; this is scheduling only). A file missing from it simply runs after them, in path order.
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const SLOWEST_FIRST = [
  'package/install.test.js',
  'reliability/transaction.test.js',
  'python/reader.test.js',
  'ablate/quick.test.js',
  'reliability/budget-load.test.js',
];

function testFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const root = join('dist', 'test');
const all = testFiles(root).sort();
const rank = (f) => {
  const i = SLOWEST_FIRST.indexOf(relative(root, f).replaceAll(sep, '/'));
  return i < 0 ? SLOWEST_FIRST.length : i;
};
process.stdout.write(`${all.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)).join('\n')}\n`);
