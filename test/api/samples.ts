/**
 * docs/api.md's samples are cut from tests: a test marks a region with `// docs:start <name>` …
 * `// docs:end`, and docs/api.md holds `<!-- sample: <name> -->` followed by a ```ts block that
 * `npm run docs` (scripts/gen-docs.mjs) replaces with the region. test/api/docs.test.ts checks that
 * docs/api.md is what splicing gives, so a sample can never drift from the test that runs it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Region {
  name: string;
  /** Test file (relative to the package root) holding the region. */
  file: string;
  /** The region's lines, de-indented. */
  code: string;
}

function testSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testSources(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function dedent(lines: string[]): string {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n');
}

/** Every `docs:start` region of the test sources under `<root>/test`; a name used twice throws. */
export function collectRegions(root: string): Map<string, Region> {
  const regions = new Map<string, Region>();
  for (const path of testSources(join(root, 'test'))) {
    const file = relative(root, path);
    const lines = readFileSync(path, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const m = /^\s*\/\/ docs:start (\S+)\s*$/.exec(lines[i]!);
      if (!m) continue;
      const name = m[1]!;
      const end = lines.findIndex((l, j) => j > i && /^\s*\/\/ docs:end\s*$/.test(l));
      if (end < 0) throw new Error(`${file}:${i + 1}: docs:start ${name} has no docs:end`);
      const other = regions.get(name);
      if (other) throw new Error(`${file}:${i + 1}: docs region ${name} is also in ${other.file}`);
      regions.set(name, { name, file, code: dedent(lines.slice(i + 1, end)) });
      i = end;
    }
  }
  return regions;
}

const MARKER = /<!-- sample: (\S+) -->\n```ts\n(?:(?!```)[^\n]*\n)*```/g;

/** docs/api.md with every sample block replaced by its region; an unknown name throws. */
export function spliceSamples(md: string, regions: ReadonlyMap<string, Region>): string {
  return md.replace(MARKER, (_, name: string) => {
    const r = regions.get(name);
    if (!r) throw new Error(`docs/api.md: no test region "${name}" (mark one with // docs:start ${name})`);
    return `<!-- sample: ${name} -->\n\`\`\`ts\n// ${r.file}\n${r.code}\n\`\`\``;
  });
}

/** The sample names docs/api.md uses. */
export function sampleNames(md: string): string[] {
  return [...md.matchAll(MARKER)].map((m) => m[1]!);
}

/** Names documented in docs/api.md: values in `###` headings, types in `Types:` lines (backticked). */
export function documentedNames(md: string): { values: string[]; types: string[] } {
  const values: string[] = [];
  const types: string[] = [];
  for (const line of md.split('\n')) {
    const target = line.startsWith('### ') ? values : line.startsWith('Types: ') ? types : undefined;
    if (target) for (const m of line.matchAll(/`([A-Za-z_$][\w$]*)`/g)) target.push(m[1]!);
  }
  return { values, types };
}
