#!/usr/bin/env node
// The reference-LM targets of issue #14, measured on the responses of ../shared/data with the production
// path (`codeblock analyze --pair-filter off` with the model, so prose-only answers count too, then `select`
// in the default mode), for models/README.md:
//   - bits per character: Σ −log p over the scored response tokens / ln 2 / response code points;
//   - the median probability of items' core tokens;
//   - item U: median and interquartile range (items with core tokens), share saturated (U ≥ 0.95/q);
//   - the coefficient of variation of the selected items' scores on mbpp-markdown (default select);
//   - per language (the segment holding the token or item; "prose" outside code): CE (nats/token), bits per
//     character, U median and IQR.
// Needs `npx tsc -p tsconfig.json` first (reads dist/). Never run by CI.
// Usage: node tools/train/eval_model.mjs [modelDir=models/default] [maxRecordsPerFile=all] [workDir]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const dist = join(repo, 'dist', 'src');
const imp = (p) => import(pathToFileURL(join(dist, p)).href);
const { analyze, resolveConfig, select } = await imp('index.js');
const { openAnalysis } = await imp('analysis/integrity.js');
const { orderedRecords } = await imp('analysis/ordered.js');
const { tokensOverlapping } = await imp('scoring/utility.js');

const dataDir = resolve(repo, '..', 'shared', 'data');
const FILES = ['humaneval-markdown.jsonl', 'mbpp-markdown.jsonl', 'evol-instruct-code-r1.jsonl'];
const LN2 = Math.log(2);

const quantile = (sorted, p) => {
  if (!sorted.length) return NaN;
  const x = (sorted.length - 1) * p;
  const lo = Math.floor(x);
  const hi = Math.ceil(x);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (x - lo);
};
const spread = (values) => {
  const s = Float64Array.from(values).sort();
  return { n: s.length, median: quantile(s, 0.5), iqr: quantile(s, 0.75) - quantile(s, 0.25) };
};

function acc() {
  return { nats: 0, tokens: 0, chars: 0, u: [], coreP: [], saturated: 0, items: 0 };
}

/** Adds the analysis records of `dir` to the per-file accumulator `fa`, `all` and `byLang`. */
async function addAnalysis(dir, q, fa, all, byLang) {
  const { parts } = openAnalysis([dir], {});
  for await (const r of orderedRecords(parts)) {
    const segs = r.segments;
    const langAt = (p) => {
      for (const s of segs) if (s.start <= p && p < s.end) return s.lang;
      return 'prose';
    };
    const sp = r.scorer.spans;
    const lp = r.scorer.logp;
    const chars = Array.from(r.response ?? '').length;
    for (const a of [fa, all]) a.chars += chars;
    for (let t = 0; t < lp.length; t++) {
      if (lp[t] === null) continue;
      const lang = langAt(sp[2 * t]);
      const la = (byLang[lang] ??= acc());
      la.chars += sp[2 * t + 1] - sp[2 * t];
      for (const a of [fa, all, la]) {
        a.nats -= lp[t];
        a.tokens++;
      }
    }
    const tokens = { start: [], end: [] };
    for (let t = 0; t < lp.length; t++) {
      tokens.start.push(sp[2 * t]);
      tokens.end.push(sp[2 * t + 1]);
    }
    for (const it of r.items) {
      if (!it.nCore) continue;
      const la = (byLang[langAt(it.start)] ??= acc());
      const sat = it.u >= 0.95 / q;
      for (const a of [fa, all, la]) {
        a.u.push(it.u);
        a.items++;
        if (sat) a.saturated++;
      }
      for (const i of tokensOverlapping(tokens, it.core)) {
        if (lp[i] === null) continue;
        const p = Math.exp(lp[i]);
        for (const a of [fa, all, la]) a.coreP.push(p);
      }
    }
  }
}

/** Coefficient of variation of the item scores a default `select` of `analysisDir` takes. */
export async function selectedScoreCv(analysisDir, outDir) {
  await select([analysisDir], resolveConfig('select', { out: outDir, format: ['jsonl'] }));
  const scores = [];
  for (const line of readFileSync(join(outDir, 'samples.jsonl'), 'utf8').split('\n').filter(Boolean)) {
    for (const s of JSON.parse(line).selected) if (s.kind === 'item') scores.push(s.score);
  }
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const sd = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length);
  return { items: scores.length, mean, sd, cv: sd / mean };
}

const row = (name, a) => {
  const u = spread(a.u);
  const p = spread(a.coreP);
  return {
    name,
    tokens: a.tokens,
    chars: a.chars,
    ce: a.nats / a.tokens,
    bpc: a.nats / LN2 / a.chars,
    coreTokens: p.n,
    coreMedianP: p.median,
    items: a.items,
    uMedian: u.median,
    uIqr: u.iqr,
    saturated: a.items ? a.saturated / a.items : NaN,
  };
};

/**
 * The figures of analysis directories `{ [file]: dir }` made with GCE exponent `q`: per file, overall, per
 * segment language.
 */
export async function measureAnalyses(dirs, q) {
  const byFile = {};
  const byLang = {};
  const all = acc();
  for (const [f, dir] of Object.entries(dirs)) await addAnalysis(dir, q, (byFile[f] = acc()), all, byLang);
  const rows = [...Object.entries(byFile).map(([f, a]) => row(f, a)), row('all', all)];
  const langs = Object.entries(byLang)
    .sort((a, b) => b[1].tokens - a[1].tokens)
    .map(([l, a]) => row(l, a));
  return { rows, langs };
}

async function main() {
  const modelDir = resolve(process.argv[2] ?? join(repo, 'models', 'default'));
  const maxPer = process.argv[3] && process.argv[3] !== 'all' ? Number(process.argv[3]) : Infinity;
  const work = process.argv[4] ? resolve(process.argv[4]) : mkdtempSync(join(tmpdir(), 'cb-eval-'));

  const t0 = Date.now();
  const dirs = {};
  let q = 0.7;
  let mbppCv = null;
  for (const f of FILES) {
    let input = join(dataDir, f);
    const lines = readFileSync(input, 'utf8').split('\n').filter(Boolean);
    if (lines.length > maxPer) {
      input = join(work, `head-${f}`);
      writeFileSync(input, `${lines.slice(0, maxPer).join('\n')}\n`);
    }
    const out = join(work, `a-${f}`);
    const cfg = resolveConfig('analyze', { out, model: modelDir, workers: 2, pairFilter: 'off' });
    q = cfg.q;
    await analyze([input], cfg);
    dirs[f] = out;
    if (f.startsWith('mbpp')) mbppCv = await selectedScoreCv(out, join(work, `s-${f}`));
  }
  const { rows, langs } = await measureAnalyses(dirs, q);
  const result = { model: modelDir, maxPerFile: maxPer, q, seconds: (Date.now() - t0) / 1000, rows, langs, mbppCv };
  console.log(JSON.stringify(result, null, 1));
  const f3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : '–');
  console.log(
    '\n| data | response tokens | CE nats/token | bits/char | median core-token p | U median | U IQR | saturated |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(
      `| ${r.name} | ${r.tokens} | ${f3(r.ce)} | ${f3(r.bpc)} | ${f3(r.coreMedianP)} | ${f3(r.uMedian)} | ` +
        `${f3(r.uIqr)} | ${(100 * r.saturated).toFixed(1)}% |`,
    );
  console.log('\n| segment language | scored tokens | CE nats/token | bits/char | items | U median | U IQR |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of langs)
    console.log(
      `| ${r.name} | ${r.tokens} | ${f3(r.ce)} | ${f3(r.bpc)} | ${r.items} | ${f3(r.uMedian)} | ${f3(r.uIqr)} |`,
    );
  if (mbppCv) console.log(`\nmbpp-markdown selected item scores: ${mbppCv.items} items, CV ${f3(mbppCv.cv)}`);
  if (!process.argv[4]) rmSync(work, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main();
