/**
 * Imports flow one way (docs/architecture.md, "Layers"): every relative import of every `src/**\/*.ts` file goes
 * to its own folder or to a folder of a lower layer, and no two folders import each other, directly or through
 * others. The layer table is read from docs/architecture.md, so the map and this check cannot drift; imports are
 * found by the TypeScript scanner (`ts.preProcessFile`: `import`, `import type`, `export … from`, `import()`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { PACKAGE_ROOT } from '../../src/native.js';

const SRC = join(PACKAGE_ROOT, 'src');

/** The unit an import is judged by: a folder of `src/` (`io/`) or a file at the top of `src/` (`errors.ts`). */
function unitOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? `${parts[0]}/` : parts[0]!;
}

/** docs/architecture.md's "Layers" table: unit → layer. */
function layerTable(): Map<string, number> {
  const md = readFileSync(join(PACKAGE_ROOT, 'docs', 'architecture.md'), 'utf8');
  const start = md.indexOf('## Layers');
  assert.ok(start >= 0, 'docs/architecture.md has a "Layers" section');
  const end = md.indexOf('\n## ', start + 1);
  const layers = new Map<string, number>();
  for (const line of md.slice(start, end < 0 ? undefined : end).split('\n')) {
    const m = /^\| (\d+) \| ([^|]+) \|/.exec(line);
    if (!m) continue;
    for (const u of m[2]!.matchAll(/`([^`]+)`/g)) {
      assert.ok(!layers.has(u[1]!), `${u[1]} is in the layer table twice`);
      layers.set(u[1]!, Number(m[1]));
    }
  }
  return layers;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

interface Edge {
  from: string;
  to: string;
}

/** Every relative import of `file`, resolved to the .ts file it names. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = new Set(ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName));
  // type-position imports (`import('./x.js').T`), which the scanner does not list
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.add(m[1]!);
  const out: string[] = [];
  for (const spec of specs) {
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
    assert.ok(existsSync(target), `${relative(SRC, file)} imports ${spec}, which is not a file of src/`);
    out.push(target);
  }
  return out;
}

/** The import edges between different units of src/. */
function sourceEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of tsFiles(SRC)) {
    for (const target of importsOf(file)) {
      if (unitOf(file) !== unitOf(target)) edges.push({ from: relative(SRC, file), to: relative(SRC, target) });
    }
  }
  return edges;
}

/** Imports that do not go down a layer (a unit missing from the table is one too). */
export function backEdges(edges: readonly Edge[], layers: ReadonlyMap<string, number>): string[] {
  const bad: string[] = [];
  for (const e of edges) {
    const a = layers.get(unitOf(join(SRC, e.from)));
    const b = layers.get(unitOf(join(SRC, e.to)));
    if (a === undefined || b === undefined) bad.push(`${e.from} → ${e.to}: not in the layer table`);
    else if (b >= a) bad.push(`${e.from} (layer ${a}) → ${e.to} (layer ${b})`);
  }
  return bad;
}

/** The cycles between units (strongly connected components of more than one unit), each as its sorted units. */
export function unitCycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    const a = unitOf(join(SRC, e.from));
    const b = unitOf(join(SRC, e.to));
    if (!next.has(a)) next.set(a, new Set());
    if (!next.has(b)) next.set(b, new Set());
    next.get(a)!.add(b);
  }
  // Tarjan's strongly connected components
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) cycles.push(scc.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

test('the layer table lists every folder and top-level file of src/ once', () => {
  const layers = layerTable();
  const units = new Set(tsFiles(SRC).map(unitOf));
  assert.deepEqual(
    [...units].filter((u) => !layers.has(u)),
    [],
    'units of src/ missing from the layer table',
  );
  assert.deepEqual(
    [...layers.keys()].filter((u) => !units.has(u)),
    [],
    'layer table entries that are not in src/',
  );
});

test('src/ imports only from lower layers, and no folders import each other', () => {
  const edges = sourceEdges();
  // the scanner sees the imports (a broken scan would pass vacuously): well-known edges are among them
  assert.ok(edges.length > 200, `${edges.length} cross-folder imports found`);
  for (const [from, to] of [
    ['pipeline/select.ts', 'budget/rules.ts'],
    ['native.ts', 'addon.ts'],
    ['analysis/extras.ts', 'filters/minhash.ts'],
  ] as const) {
    assert.ok(
      edges.some((e) => e.from === from && e.to === to),
      `the scan finds ${from} → ${to}`,
    );
  }
  assert.deepEqual(backEdges(edges, layerTable()), [], 'imports that go up or sideways a layer');
  assert.deepEqual(unitCycles(edges), [], 'cycles between folders');
});

test('the checks catch each back-edge the layering removed (issue #30)', () => {
  const layers = layerTable();
  const edges = sourceEdges();
  // each of the back-edges of issue #30, as it was: the check names it, and the folder cycle it closed is found
  const removed: Edge[] = [
    { from: 'pipeline/analyze.ts', to: 'cli/progress.ts' },
    { from: 'budget/rules.ts', to: 'config/options.ts' },
    { from: 'filters/pair.ts', to: 'analysis/format.ts' },
    { from: 'addon.ts', to: 'structure/native.ts' },
    { from: 'io/read.ts', to: 'types.ts' }, // io/ read the record types from types.ts, which imported io/presets.ts
    { from: 'output/formats.ts', to: 'loader/loader.ts' },
    { from: 'budget/selection-stats.ts', to: 'inspect/load.ts' },
  ];
  for (const e of removed) {
    assert.deepEqual(backEdges([e], layers).length, 1, `${e.from} → ${e.to} is a back-edge`);
    const cycles = unitCycles([...edges, e]);
    assert.equal(cycles.length, 1, `${e.from} → ${e.to} closes a folder cycle`);
    assert.ok(cycles[0]!.includes(unitOf(join(SRC, e.from))) && cycles[0]!.includes(unitOf(join(SRC, e.to))));
  }
  // and an edge down a layer is neither
  const down = { from: 'cli/main.ts', to: 'errors.ts' };
  assert.deepEqual(backEdges([down], layers), []);
  assert.deepEqual(unitCycles([...edges, down]), []);
});
