#!/usr/bin/env node
/**
 * Language detection study (issue #28; docs/languages.md, "Bare-code responses"). Three measurements on every
 * file of ../shared/data:
 *
 *  1. Hidden tags: each fence whose tag names a registered language is analyzed again as an untagged fence;
 *     per language, recall (detected as its tag / blocks) and precision (detected as its tag / all blocks
 *     detected as it).
 *  2. Bare responses (no fence at all): how many are detected as code, and on the hand-labelled sample
 *     (tools/study/bare-labels.json, truth written by reading each response) recall of code and precision:
 *     a prose-only answer taken for code is a false positive.
 *  3. `no_code` (a record with no item): among records with a fence and among records without one.
 *
 *   npx tsc -p tsconfig.json && node tools/study/detection.mjs [--root DIR] [--data DIR] [--languages a,b] [--json OUT]
 *
 * --root runs another checkout's build (its dist/ and addon), e.g. --root ../baseline-checkout for the baseline.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const ROOT = resolve(opt('--root', join(HERE, '..', '..')));
const DATA = resolve(opt('--data', join(ROOT, '..', 'shared', 'data')));
const languagesArg = opt('--languages', '');
const { analyzeStructureBatch, findLanguage, registeredLanguages } = await import(
  pathToFileURL(join(ROOT, 'dist', 'src', 'structure', 'index.js')).href
);
const structureOpts = languagesArg ? { languages: languagesArg.split(',') } : {};

const FENCE_LINE = /^[ \t]*(`{3,}|~{3,})/m;
const FENCE = /^([ \t]*)(`{3,}|~{3,})[ \t]*([^\s`{]*)[^\n]*\n([\s\S]*?)^\1\2[ \t]*$/gm;
const records = [];
for (const f of readdirSync(DATA)
  .filter((n) => n.endsWith('.jsonl'))
  .sort())
  for (const line of readFileSync(join(DATA, f), 'utf8').split('\n'))
    if (line.trim()) records.push({ file: f, ...JSON.parse(line) });

const pc = (a, b) => (b ? `${((100 * a) / b).toFixed(1)}%` : '–');
const out = { root: ROOT, records: records.length };

// 1. Hidden tags.
const blocks = [];
for (const r of records) {
  FENCE.lastIndex = 0;
  let m;
  while ((m = FENCE.exec(r.response))) {
    const l = findLanguage(m[3].toLowerCase());
    if (l && !l.testOnly && m[4].trim()) blocks.push({ lang: l.name, body: m[4] });
  }
}
// A Python fence after the hidden one keeps every record analyzed (a block of markup alone, HTML with no
// <script>, has no item: its record would be no_code and report no segment).
const hidden = analyzeStructureBatch(
  blocks.map((b) => `\`\`\`\n${b.body}\`\`\`\n\`\`\`python\npass\n\`\`\`\n`),
  structureOpts,
);
const rows = new Map();
const row = (l) => rows.get(l) ?? rows.set(l, { blocks: 0, ok: 0, none: 0, asOther: 0, takenFor: 0 }).get(l);
blocks.forEach((b, i) => {
  const h = hidden[i];
  const seg = h.ok ? h.result.segments[0] : undefined;
  const got = seg ? seg.lang : 'none';
  const r = row(b.lang);
  r.blocks++;
  if (got === b.lang) r.ok++;
  else if (got === 'none' || got === 'unknown') r.none++;
  else {
    r.asOther++;
    row(got).takenFor++;
  }
});
out.hiddenTags = Object.fromEntries(
  [...rows]
    .filter(([, r]) => r.blocks > 0)
    .sort((a, b) => b[1].blocks - a[1].blocks)
    .map(([l, r]) => [
      l,
      { ...r, recall: r.ok / r.blocks, precision: r.ok + r.takenFor ? r.ok / (r.ok + r.takenFor) : null },
    ]),
);
console.log(`# hidden tags (${blocks.length} tagged fences of registered languages)`);
console.log('| language | blocks | recall | precision | undetected | taken for another | taken for it |');
console.log('|---|---|---|---|---|---|---|');
for (const [l, r] of Object.entries(out.hiddenTags))
  console.log(
    `| ${l} | ${r.blocks} | ${pc(r.ok, r.blocks)} | ${pc(r.ok, r.ok + r.takenFor)} | ${r.none} | ${r.asOther} ` +
      `| ${r.takenFor} |`,
  );

// 2 and 3: whole records.
const all = analyzeStructureBatch(
  records.map((r) => r.response),
  structureOpts,
);
const bare = { responses: 0, code: 0, byLang: {} };
const noCode = {}; // per file
const labels = JSON.parse(readFileSync(join(HERE, 'bare-labels.json'), 'utf8')).labels;
const registered = new Set(registeredLanguages().map((l) => l.name));
const lab = { code: 0, codeDetected: 0, prose: 0, proseTaken: [], langRight: 0, langKnown: 0, missed: [] };
records.forEach((r, i) => {
  const o = all[i];
  const fenced = FENCE_LINE.test(r.response);
  const itemsOk = o.ok && o.result.items.length > 0;
  const nc = (noCode[r.file] ??= { fenced: 0, fencedNoCode: 0, bare: 0, bareNoCode: 0 });
  if (fenced) {
    nc.fenced++;
    if (!itemsOk) nc.fencedNoCode++;
    return;
  }
  nc.bare++;
  if (!itemsOk) nc.bareNoCode++;
  bare.responses++;
  const langs = o.ok ? [...new Set(o.result.segments.map((s) => s.lang))] : [];
  if (langs.length) {
    bare.code++;
    for (const l of langs) bare.byLang[l] = (bare.byLang[l] ?? 0) + 1;
  }
  const truth = labels[r.id];
  if (!truth) return;
  if (truth === 'prose') {
    lab.prose++;
    if (langs.length) lab.proseTaken.push(`${r.id}: ${langs.join(',')}`);
  } else {
    lab.code++;
    if (langs.length) lab.codeDetected++;
    else lab.missed.push(`${r.id} (${truth})`);
    if (registered.has(truth)) {
      lab.langKnown++;
      if (langs.includes(truth)) lab.langRight++;
    }
  }
});
out.bare = bare;
out.labelled = lab;
out.noCode = noCode;
console.log(
  `\n# bare responses (no fence): ${bare.responses}, detected as code ${bare.code} (${pc(bare.code, bare.responses)})`,
);
console.log(`  by segment language: ${JSON.stringify(bare.byLang)}`);
console.log(
  `  hand-labelled sample: ${lab.code} code, detected ${lab.codeDetected} (${pc(lab.codeDetected, lab.code)}); ` +
    `${lab.prose} prose-only, taken for code ${lab.proseTaken.length}; ` +
    `precision ${pc(lab.codeDetected, lab.codeDetected + lab.proseTaken.length)}; ` +
    `language right ${lab.langRight}/${lab.langKnown} (labels naming a registered language)`,
);
if (lab.proseTaken.length) console.log(`  prose taken for code: ${lab.proseTaken.join('; ')}`);
if (lab.missed.length) console.log(`  code missed: ${lab.missed.join(', ')}`);
for (const [f, n] of Object.entries(noCode))
  console.log(
    `\n# no_code (no item) in ${f}: with a fence ${n.fencedNoCode}/${n.fenced} (${pc(n.fencedNoCode, n.fenced)}), ` +
      `without ${n.bareNoCode}/${n.bare} (${pc(n.bareNoCode, n.bare)})`,
  );
const json = opt('--json', '');
if (json) writeFileSync(json, `${JSON.stringify(out, null, 1)}\n`);
