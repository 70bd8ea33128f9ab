#!/usr/bin/env node
// Encodes the corpus (tools/train/filelist.txt) with models/default/tokenizer.json into flat uint16
// token streams for train.py: <work>/train.bin, <work>/val.bin (files joined by <|endoftext|>), in filelist
// order, and <work>/val_sources.json (token ranges of each source in val.bin, for per-source figures).
// Usage: node tools/train/encode_corpus.mjs [workDir=/tmp/codeblock-train] [tokenizerDir=models/default]
//        [--skip-missing]
// --skip-missing: leave out the listed files this machine lacks (e.g. no rust-src package), counted per source on
// stderr and in <work>/skipped.json; without it a missing file is an error.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEntry, readFilelist } from './corpus.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const tk = createRequire(join(repo, 'package.json'))('tokenizers');
const skipMissing = process.argv.includes('--skip-missing');
const argv = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const work = resolve(argv[0] ?? '/tmp/codeblock-train');
const tokDir = resolve(argv[1] ?? join(repo, 'models', 'default'));
mkdirSync(work, { recursive: true });
process.chdir(repo);
const tok = tk.Tokenizer.fromFile(join(tokDir, 'tokenizer.json'));
const eos = tok.tokenToId('<|endoftext|>');
const split = { train: [], val: [] };
const valSources = {};
const skipped = {};
for (const e of readFilelist(here)) {
  if (skipMissing && !existsSync(e.path.split('!')[0])) {
    skipped[`${e.split} ${e.source}`] = (skipped[`${e.split} ${e.source}`] ?? 0) + 1;
    continue;
  }
  const text = readEntry(e.path);
  const sha = createHash('sha256').update(text).digest('hex').slice(0, 16);
  if (sha !== e.sha) throw new Error(`${e.path}: content changed since filelist.txt was written`);
  const ids = (await tok.encode(text, null, { addSpecialTokens: false })).getIds();
  const out = split[e.split];
  const start = out.length;
  for (const id of ids) out.push(id);
  out.push(eos);
  if (e.split === 'val') (valSources[e.source] ??= []).push([start, out.length]);
}
for (const [k, ids] of Object.entries(split)) {
  writeFileSync(join(work, `${k}.bin`), Buffer.from(Uint16Array.from(ids).buffer));
  console.error(`${k}: ${ids.length} tokens`);
}
writeFileSync(join(work, 'val_sources.json'), JSON.stringify(valSources));
if (skipMissing) {
  writeFileSync(join(work, 'skipped.json'), JSON.stringify(skipped));
  console.error(`skipped (missing on this machine): ${JSON.stringify(skipped)}`);
}
