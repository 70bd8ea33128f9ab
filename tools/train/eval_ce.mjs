#!/usr/bin/env node
// Held-out per-token cross-entropy of the default scorer on ../shared/data responses (nats/token),
// next to unigram models of the same tokenizer:
//   - unigram(train): token frequencies of the LM's own training corpus (add-0.5 smoothing) — the fair baseline;
//   - unigram(oracle): frequencies fitted on the evaluated responses themselves — a lower bound for any unigram.
// The LM is scored with the production path (Scorer.scoreRecords, template plain: instruction + "\n" + response),
// and also without the prompt. Requires `npx tsc -p tsconfig.json --outDir dist-scoring` (or dist) first.
// Usage: node tools/train/eval_ce.mjs [distDir=dist] [maxRecordsPerFile=600]
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const dist = resolve(repo, process.argv[2] ?? 'dist');
const maxPer = Number(process.argv[3] ?? 600);
const { Scorer } = await import(pathToFileURL(join(dist, 'src', 'scoring', 'index.js')).href);
const tk = createRequire(join(repo, 'package.json'))('tokenizers');
const cfg = JSON.parse(readFileSync(join(here, 'config.json'), 'utf8'));
const dataDir = resolve(repo, '..', 'shared', 'data');

const scorer = await Scorer.open(join(repo, 'models', 'default'), { threads: 1 });
const V = scorer.vocabSize;
// unigram over the training split
const tok = tk.Tokenizer.fromFile(join(repo, 'models', 'default', 'tokenizer.json'));
const trainCounts = new Float64Array(V);
let trainTotal = 0;
for (const line of readFileSync(join(here, 'filelist.txt'), 'utf8').trim().split('\n')) {
  const [which, , rel] = line.split('\t');
  if (which !== 'train') continue;
  const enc = await tok.encode(readFileSync(join(cfg.corpus.root, rel), 'utf8'), null, { addSpecialTokens: false });
  for (const id of enc.getIds()) {
    trainCounts[id]++;
    trainTotal++;
  }
}
const uniTrain = (id) => Math.log((trainCounts[id] + 0.5) / (trainTotal + 0.5 * V));

const rows = [];
const all = { n: 0, lm: 0, lmNoPrompt: 0, uni: 0, ids: [] };
for (const f of ['humaneval-markdown.jsonl', 'mbpp-markdown.jsonl', 'evol-instruct-code-r1.jsonl']) {
  const p = join(dataDir, f);
  if (!existsSync(p)) continue;
  const recs = readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, maxPer)
    .map((l) => JSON.parse(l))
    .map((r) => ({ id: r.id, prompt: r.instruction, response: r.response }));
  const t0 = Date.now();
  const s = { n: 0, lm: 0, lmNoPrompt: 0, uni: 0, ids: [] };
  for (let i = 0; i < recs.length; i += 256) {
    const chunk = recs.slice(i, i + 256);
    const { results } = await scorer.scoreRecords(chunk);
    const { results: np } = await scorer.scoreRecords(chunk.map((r) => ({ ...r, prompt: '' })));
    results.forEach((r, k) => {
      for (let j = 0; j < r.logprob.length; j++) {
        if (!Number.isFinite(r.logprob[j]) || !Number.isFinite(np[k].logprob[j])) continue;
        s.n++;
        s.lm -= r.logprob[j];
        s.lmNoPrompt -= np[k].logprob[j];
        s.uni -= uniTrain(r.ids[j]);
        s.ids.push(r.ids[j]);
      }
    });
  }
  const secs = (Date.now() - t0) / 1000;
  rows.push({
    file: f,
    records: recs.length,
    tokens: s.n,
    lm: s.lm / s.n,
    lmNoPrompt: s.lmNoPrompt / s.n,
    unigramTrain: s.uni / s.n,
    unigramOracle: oracle(s.ids),
    seconds: secs,
  });
  for (const k of ['n', 'lm', 'lmNoPrompt', 'uni']) all[k] += s[k];
  for (const id of s.ids) all.ids.push(id);
}
function oracle(ids) {
  const c = new Map();
  for (const id of ids) c.set(id, (c.get(id) ?? 0) + 1);
  let h = 0;
  for (const v of c.values()) h -= v * Math.log(v / ids.length);
  return h / ids.length;
}
rows.push({
  file: 'all',
  records: rows.reduce((a, r) => a + r.records, 0),
  tokens: all.n,
  lm: all.lm / all.n,
  lmNoPrompt: all.lmNoPrompt / all.n,
  unigramTrain: all.uni / all.n,
  unigramOracle: oracle(all.ids),
});
console.log(JSON.stringify({ model: scorer.info.modelSha256, rows }, null, 1));
console.log(
  '\n| data | records | response tokens | LM CE (with prompt) | LM CE (no prompt) | unigram (train) | unigram ' +
    '(oracle) |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows)
  console.log(
    `| ${r.file} | ${r.records} | ${r.tokens} | ${r.lm.toFixed(3)} | ${r.lmNoPrompt.toFixed(3)} | ` +
      `${r.unigramTrain.toFixed(3)} | ${r.unigramOracle.toFixed(3)} |`,
  );
await scorer.close();
