#!/usr/bin/env node
// Encodes the corpus (tools/train/filelist.txt) with models/default/tokenizer.json into flat uint16
// token streams for train.py: <work>/train.bin, <work>/val.bin (files joined by <|endoftext|>), in filelist
// order, and <work>/val_sources.json (token ranges of each source in val.bin, for per-source figures).
// Usage: node tools/train/encode_corpus.mjs [workDir=/tmp/codeblock-train] [tokenizerDir=models/default]
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEntry, readFilelist } from './corpus.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const tk = createRequire(join(repo, 'package.json'))('tokenizers');
const work = resolve(process.argv[2] ?? '/tmp/codeblock-train');
const tokDir = resolve(process.argv[3] ?? join(repo, 'models', 'default'));
mkdirSync(work, { recursive: true });
process.chdir(repo);
const tok = tk.Tokenizer.fromFile(join(tokDir, 'tokenizer.json'));
const eos = tok.tokenToId('<|endoftext|>');
const split = { train: [], val: [] };
const valSources = {};
for (const e of readFilelist(here)) {
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
