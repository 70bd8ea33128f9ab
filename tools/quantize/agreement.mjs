#!/usr/bin/env node
// Agreement of the int8 CPU model with the fp32 default (docs/scoring.md, "The int8 CPU model"): `codeblock analyze`
// of the same records with --embedded-model fp32 and int8, then, over the records both analyzed:
//   mean |Δ log p| over every scored response token (the analysis files' log-probs, rounded to 1e-5), and
//   Spearman's rank correlation of item U (what select ranks; average ranks for ties) over every item.
// Sample: the first N records (default 300) of each file of ../shared/data, in file order — fixed and deterministic.
// Usage: npx tsc -p tsconfig.json && node tools/quantize/agreement.mjs [N] [--json OUT]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { listAnalysisParts, readPartsRecords } = await import(join(ROOT, 'dist/src/analysis/format.js'));
const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const jsonOut = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : undefined;
const N = Number(args[0] ?? 300);
const DATA = resolve(ROOT, '..', 'shared', 'data');

export function spearman(a, b) {
  const rank = (xs) => {
    const idx = xs.map((_, i) => i).sort((i, j) => xs[i] - xs[j]);
    const r = new Float64Array(xs.length);
    for (let i = 0; i < idx.length; ) {
      let j = i;
      while (j + 1 < idx.length && xs[idx[j + 1]] === xs[idx[i]]) j++;
      for (let k = i; k <= j; k++) r[idx[k]] = (i + j) / 2 + 1;
      i = j + 1;
    }
    return r;
  };
  const ra = rank(a),
    rb = rank(b);
  const n = a.length,
    m = (n + 1) / 2;
  let num = 0,
    da = 0,
    db = 0;
  for (let i = 0; i < n; i++) {
    num += (ra[i] - m) * (rb[i] - m);
    da += (ra[i] - m) ** 2;
    db += (rb[i] - m) ** 2;
  }
  return num / Math.sqrt(da * db);
}

const tmp = mkdtempSync(join(tmpdir(), 'codeblock-agree-'));
try {
  const inputs = readdirSync(DATA)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => {
      const out = join(tmp, f);
      writeFileSync(out, `${readFileSync(join(DATA, f), 'utf8').split('\n').filter(Boolean).slice(0, N).join('\n')}\n`);
      return out;
    });
  const analyses = {};
  const seconds = {};
  for (const m of ['fp32', 'int8']) {
    const out = join(tmp, `analysis-${m}`);
    const t = performance.now();
    execFileSync(
      process.execPath,
      [join(ROOT, 'bin/codeblock'), 'analyze', ...inputs, '-o', out, '--embedded-model', m, '--no-progress'],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    seconds[m] = (performance.now() - t) / 1000;
    const recs = new Map();
    for await (const r of readPartsRecords(listAnalysisParts([out]))) recs.set(`${r.id}\0${r.file}`, r);
    analyses[m] = recs;
  }
  let sum = 0,
    tokens = 0,
    worst = 0,
    records = 0;
  const ua = [],
    ub = [];
  for (const [key, a] of analyses.fp32) {
    const b = analyses.int8.get(key);
    if (!b) continue;
    records++;
    if (a.scorer.logp.length !== b.scorer.logp.length) throw new Error(`${a.id}: token counts differ`);
    a.scorer.logp.forEach((x, i) => {
      const y = b.scorer.logp[i];
      if (x === null || y === null) return;
      const d = Math.abs(x - y);
      sum += d;
      tokens++;
      if (d > worst) worst = d;
    });
    if (a.items.length !== b.items.length) throw new Error(`${a.id}: item counts differ`);
    a.items.forEach((it, i) => {
      if (it.nCore === 0) return;
      ua.push(it.u);
      ub.push(b.items[i].u);
    });
  }
  const result = {
    sample: `first ${N} records of each ../shared/data/*.jsonl`,
    records,
    onlyOneSide: analyses.fp32.size + analyses.int8.size - 2 * records,
    tokens,
    meanAbsDeltaLogp: sum / tokens,
    maxAbsDeltaLogp: worst,
    items: ua.length,
    itemUSpearman: spearman(ua, ub),
    analyzeSeconds: seconds,
  };
  console.log(JSON.stringify(result, null, 1));
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(result, null, 1)}\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
