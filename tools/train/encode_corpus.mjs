#!/usr/bin/env node
// Encodes the corpus (tools/train/filelist.txt) with models/default/tokenizer.json into flat uint16
// token streams for train.py: <work>/train.bin, <work>/val.bin (files joined by <|endoftext|>).
// Usage: node tools/train/encode_corpus.mjs [workDir=/tmp/codeblock-train]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const tk = createRequire(join(repo, 'package.json'))('tokenizers');
const cfg = JSON.parse(readFileSync(join(here, 'config.json'), 'utf8'));
const work = resolve(process.argv[2] ?? '/tmp/codeblock-train');
mkdirSync(work, { recursive: true });
const tok = tk.Tokenizer.fromFile(join(repo, 'models', 'default', 'tokenizer.json'));
const eos = tok.tokenToId('<|endoftext|>');
const split = { train: [], val: [] };
for (const line of readFileSync(join(here, 'filelist.txt'), 'utf8').trim().split('\n')) {
  const [which, , rel] = line.split('\t');
  const text = readFileSync(join(cfg.corpus.root, rel), 'utf8');
  const enc = await tok.encode(text, null, { addSpecialTokens: false });
  split[which].push(...enc.getIds(), eos);
}
for (const [k, ids] of Object.entries(split)) {
  writeFileSync(join(work, `${k}.bin`), Buffer.from(Uint16Array.from(ids).buffer));
  console.error(`${k}: ${ids.length} tokens`);
}
