#!/usr/bin/env node
/**
 * The selection study of issue #29 (docs/scoring.md, "Item score"): on the validation half of a pool, what each
 * score definition selects — statement-kind mix against the pool's, the share of selected items that open their
 * response, and its Jaccard overlap with the U-only selection (items-no-dataflow, same U definition and raw U)
 * and with a flow-only ranking (the top items by v2's data-flow term λr·Reach + λb·Bridge, as many as the variant
 * selected). Every selection is a real `select` run (default budget, default target tokenizer); selected items
 * are read back from the samples it wrote (src/inspect/load.ts).
 *
 *   npx tsc -p tsconfig.json && node tools/study/selection.mjs [DATA.jsonl] [--work DIR] [--model DIR] [--json OUT]
 *
 * DATA defaults to ../shared/data/evol-instruct-code-r1.jsonl. The validation half is every line whose FNV-1a hash
 * is even (deterministic); its LM-scored analysis is cached in --work (default $TMPDIR/codeblock-study-<name>).
 * --model scores with another reference LM (an ONNX export, docs/scoring.md): the study then tells how the
 * definitions behave with it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(pathToFileURL(join(ROOT, 'dist', 'src', p)).href);

/** The definitions compared (flags of `codeblock select`); `v2` is the one before issue #29. */
const def = (combine, rankWithin, reachNorm, uShrink, uTransform = 'pct') => ({
  scoreCombine: combine,
  rankWithin,
  uTransform,
  reachNorm,
  uShrink,
});
export const VARIANTS = [
  { name: 'v2 (old default)', flags: def('product', 'pool', 'pairs', 0, 'raw') },
  { name: 'v2 + log reach', flags: def('product', 'pool', 'log', 0, 'raw') },
  { name: 'v2 + shrink 4', flags: def('product', 'pool', 'pairs', 4, 'raw') },
  { name: 'pct(U)·(1+F), log, pool', flags: def('product', 'pool', 'log', 0) },
  { name: 'rank-mean, log, pool', flags: def('rank-mean', 'pool', 'log', 0) },
  { name: 'fisher, log, pool', flags: def('fisher', 'pool', 'log', 0) },
  { name: 'rank-mean, log, kind', flags: def('rank-mean', 'kind', 'log', 0) },
  { name: 'fisher, pairs, kind', flags: def('fisher', 'kind', 'pairs', 0) },
  { name: 'fisher, log, kind', flags: def('fisher', 'kind', 'log', 0) },
  { name: 'fisher, log, kind, shrink 4 (default)', flags: def('fisher', 'kind', 'log', 4) },
  { name: 'fisher, log, kind, shrink 16', flags: def('fisher', 'kind', 'log', 16) },
];

/** The validation half of a JSONL pool: lines whose FNV-1a hash is even. */
export async function validationSplit(data, out) {
  const { fnv1a } = await dist('util/hash.js');
  const lines = readFileSync(data, 'utf8').split('\n').filter(Boolean);
  const val = lines.filter((l) => (fnv1a(l) & 1) === 0);
  writeFileSync(out, `${val.join('\n')}\n`);
  return { lines: lines.length, validation: val.length };
}

/** Selected items of an output (record id → item indices) and the analysis records' stats, via inspect's reader. */
export async function selectedItems(outDir, analysisDir) {
  const { resolveRuns, runSamples } = await dist('inspect/load.js');
  const { SelectionStatsBuilder, itemKey } = await dist('budget/selection-stats.js');
  const [run] = resolveRuns([outDir, analysisDir]);
  const b = new SelectionStatsBuilder();
  const keys = new Set();
  for await (const s of runSamples(run)) {
    const sel = s.state === 'selected' ? s.items.filter((it) => it.supervised > 0).map((it) => it.index) : [];
    b.add({ segments: s.segments, items: s.items, response: s.response }, sel);
    for (const i of sel) keys.add(itemKey(s.id, i));
  }
  return { stats: b.finish(), keys };
}

/** Top `n` selectable items by v2's data-flow term (ties: input order), as keys. */
export async function flowOnly(analysisDir, n, lambdaReach = 0.5, lambdaBridge = 0.5) {
  const { listAnalysisParts } = await dist('analysis/format.js');
  const { orderedRecords } = await dist('analysis/ordered.js');
  const { itemKey } = await dist('budget/selection-stats.js');
  const all = [];
  for await (const r of orderedRecords(listAnalysisParts([analysisDir])))
    r.items.forEach((it, i) => {
      if (it.flags.length === 0 && it.nCore > 0)
        all.push([lambdaReach * it.reach + lambdaBridge * it.bridge, itemKey(r.id, i)]);
    });
  const order = all.map((_, i) => i).sort((a, b) => all[b][0] - all[a][0] || a - b);
  return new Set(order.slice(0, n).map((i) => all[i][1]));
}

const pct = (x) => `${(100 * x).toFixed(1)}%`;

/** Runs every variant (and its U-only twin) on an analysis; returns the table rows. */
export async function study(analysisDir, work, variants = VARIANTS) {
  const { resolveConfig, select } = await dist('index.js');
  const sel = await dist('budget/selection-stats.js');
  const run = async (name, flags) => {
    const out = join(work, `s-${name.replace(/[^a-z0-9]+/gi, '-')}`);
    await select([analysisDir], resolveConfig('select', { out, format: ['jsonl'], progress: false, ...flags }));
    return selectedItems(out, analysisDir);
  };
  // the U-only twin of a definition: items-no-dataflow with the same U part (reach does not enter it)
  const uOnly = new Map();
  const uOnlyOf = async (flags) => {
    const ranked = flags.scoreCombine !== 'product' || flags.uTransform === 'pct';
    const key = ranked
      ? `ranked-${flags.scoreCombine === 'product' ? 'pool' : flags.rankWithin}-${flags.uShrink}`
      : `raw-${flags.uShrink}`;
    if (!uOnly.has(key)) uOnly.set(key, await run(`u-only-${key}`, { ...flags, mode: 'items-no-dataflow' }));
    return uOnly.get(key);
  };
  const rows = [];
  const random = await run('random', { mode: 'random-items' });
  const raw = await uOnlyOf(VARIANTS[0].flags);
  const row = (name, r, extra) => ({
    name,
    items: r.stats.selectedItems,
    mix: sel.kindShares(r.stats.selected),
    body: sel.bodyShare(r.stats.selected),
    bodyRatio: sel.bodyRatio(r.stats),
    first: sel.firstShare(r.stats),
    ...extra,
  });
  const pool = random.stats;
  rows.push({
    name: 'pool (selectable items)',
    items: pool.poolItems,
    mix: sel.kindShares(pool.pool),
    body: sel.bodyShare(pool.pool),
    bodyRatio: 1,
    first: pool.poolFirst / pool.poolItems,
  });
  rows.push(row('random-items', random, { jU: sel.jaccard(random.keys, raw.keys) }));
  rows.push(row('items-no-dataflow (raw U)', raw, { jU: 1 }));
  for (const v of variants) {
    const r = await run(v.name, v.flags);
    const u = await uOnlyOf(v.flags);
    const f = await flowOnly(analysisDir, r.keys.size);
    rows.push(
      row(v.name, r, {
        flags: v.flags,
        jU: sel.jaccard(r.keys, u.keys),
        jRaw: sel.jaccard(r.keys, raw.keys),
        jFlow: sel.jaccard(r.keys, f),
      }),
    );
  }
  return rows;
}

/** The rows as a markdown table. */
export function markdown(rows) {
  const kinds = ['def', 'import', 'assignment', 'condition', 'return', 'call', 'loop', 'other'];
  const head = [
    '',
    'items',
    ...kinds,
    'bodies',
    'bodies ÷ pool',
    'first item',
    'J U-only',
    'J raw-U-only',
    'J flow-only',
  ];
  const f2 = (x) => (x === undefined ? '' : x.toFixed(2));
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const cells = [r.name, r.items, ...kinds.map((k) => pct(r.mix[k])), pct(r.body), f2(r.bodyRatio), pct(r.first)];
    lines.push(`| ${[...cells, f2(r.jU), f2(r.jRaw), f2(r.jFlow)].join(' | ')} |`);
  }
  return lines.join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const workArg = opt('--work');
  const model = opt('--model');
  const jsonOut = opt('--json');
  const data = resolve(args[0] ?? join(ROOT, '..', 'shared', 'data', 'evol-instruct-code-r1.jsonl'));
  const work = resolve(workArg ?? join(tmpdir(), `codeblock-study-${basename(data, '.jsonl')}`));
  mkdirSync(work, { recursive: true });
  const analysisDir = join(work, `analysis${model ? `-${basename(model)}` : ''}`);
  if (!existsSync(join(analysisDir, 'shard-00000-of-00001', 'complete.json'))) {
    const split = await validationSplit(data, join(work, 'validation.jsonl'));
    console.error(`validation half: ${split.validation} of ${split.lines} records → analyzing (LM scorer)`);
    const { analyze, resolveConfig } = await dist('index.js');
    await analyze(
      [join(work, 'validation.jsonl')],
      resolveConfig('analyze', { out: analysisDir, progress: false, ...(model ? { model } : {}) }),
    );
  }
  const rows = await study(analysisDir, work);
  console.log(markdown(rows));
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(rows, null, 2)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
