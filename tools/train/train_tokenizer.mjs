#!/usr/bin/env node
// Byte-level BPE trainer (GPT-2 style) for the default scorer tokenizer.
// Pre-tokenization is done by the npm `tokenizers` ByteLevel pre-tokenizer itself, so the
// emitted tokenizer.json encodes exactly what was trained. Deterministic: merges are picked by
// (count desc, left id asc, right id asc). Writes <out>/tokenizer.json and tools/train/filelist.txt.
// Usage: node tools/train/train_tokenizer.mjs [outDir=models/default]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { listCorpus, readEntry } from './corpus.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const require = createRequire(join(repo, 'package.json'));
const tk = require('tokenizers');
const cfg = JSON.parse(readFileSync(join(here, 'config.json'), 'utf8'));
const outDir = resolve(process.argv[2] ?? join(repo, 'models', 'default'));
mkdirSync(outDir, { recursive: true });

process.chdir(repo); // relative source roots (node_modules) are the repo's
const entries = listCorpus(cfg);
writeFileSync(
  join(here, 'filelist.txt'),
  `${entries.map((e) => `${e.split}\t${e.sha}\t${e.source}\t${e.path}`).join('\n')}\n`,
);
const trainFiles = entries.filter((e) => e.split === 'train');
console.error(`corpus: ${entries.length} files, ${trainFiles.length} for training`);

const pre = tk.byteLevelPreTokenizer(false, true);
const wordCounts = new Map();
for (const f of trainFiles) {
  const text = readEntry(f.path);
  for (const [piece] of pre.preTokenizeString(text)) wordCounts.set(piece, (wordCounts.get(piece) ?? 0) + 1);
}
console.error(`unique pre-tokens: ${wordCounts.size}`);

// Symbols: the 256 byte-level characters in the canonical GPT-2 order (ids 0..255).
const alphabet = tk
  .byteLevelAlphabet()
  .slice()
  .sort((a, b) => {
    // GPT-2 bytes_to_unicode order: by underlying byte value.
    return byteOf(a) - byteOf(b);
  });
function byteOf(ch) {
  const c = ch.codePointAt(0);
  if ((c >= 33 && c <= 126) || (c >= 161 && c <= 172) || (c >= 174 && c <= 255)) return c;
  // the remaining bytes are mapped to 256 + n in increasing byte order
  const rest = [];
  for (let b = 0; b < 256; b++)
    if (!((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255))) rest.push(b);
  return rest[c - 256];
}
if (alphabet.length !== 256) throw new Error('unexpected byte-level alphabet size');
const symbols = alphabet.slice();
const symId = new Map(symbols.map((s, i) => [s, i]));

const words = []; // { syms: number[], count }
for (const [w, count] of [...wordCounts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
  words.push({
    syms: [...w].map((ch) => {
      const id = symId.get(ch);
      if (id === undefined) throw new Error(`char ${ch} not in alphabet`);
      return id;
    }),
    count,
  });
}

const K = 1 << 13;
const pairCount = new Map();
const pairWhere = new Map();
// Max-heap of [count, key] with lazy deletion (an entry is live while it equals pairCount's value); the
// order (count desc, key asc) is the deterministic merge order.
const heap = [];
const before = (x, y) => x[0] > y[0] || (x[0] === y[0] && x[1] < y[1]);
function heapPush(e) {
  heap.push(e);
  let i = heap.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!before(heap[i], heap[p])) break;
    [heap[i], heap[p]] = [heap[p], heap[i]];
    i = p;
  }
}
function heapPop() {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l], heap[m])) m = l;
      if (r < heap.length && before(heap[r], heap[m])) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  }
  return top;
}
const touched = new Set();
const addPair = (key, wi, c) => {
  pairCount.set(key, (pairCount.get(key) ?? 0) + c);
  touched.add(key);
  let s = pairWhere.get(key);
  if (!s) {
    s = new Set();
    pairWhere.set(key, s);
  }
  s.add(wi);
};
const flushTouched = () => {
  for (const k of touched) {
    const c = pairCount.get(k);
    if (c > 0) heapPush([c, k]);
  }
  touched.clear();
};
words.forEach((w, wi) => {
  for (let i = 0; i + 1 < w.syms.length; i++) addPair(w.syms[i] * K + w.syms[i + 1], wi, w.count);
});
flushTouched();

const nMerges = cfg.tokenizer.vocab_size - 256 - cfg.tokenizer.special_tokens.length;
const merges = [];
for (let m = 0; m < nMerges; m++) {
  let best = -1;
  let bestC = 0;
  while (heap.length) {
    const [c, k] = heapPop();
    if (pairCount.get(k) === c) {
      best = k;
      bestC = c;
      break;
    }
  }
  if (best < 0 || bestC < 2) break;
  const a = Math.floor(best / K),
    b = best % K;
  const nid = symbols.length;
  symbols.push(symbols[a] + symbols[b]);
  merges.push(`${symbols[a]} ${symbols[b]}`);
  for (const wi of [...pairWhere.get(best)]) {
    const w = words[wi];
    const s = w.syms;
    for (let i = 0; i + 1 < s.length; i++) {
      const k = s[i] * K + s[i + 1];
      pairCount.set(k, pairCount.get(k) - w.count);
      touched.add(k);
    }
    const ns = [];
    for (let i = 0; i < s.length; i++) {
      if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
        ns.push(nid);
        i++;
      } else ns.push(s[i]);
    }
    w.syms = ns;
    for (let i = 0; i + 1 < ns.length; i++) addPair(ns[i] * K + ns[i + 1], wi, w.count);
  }
  pairCount.delete(best);
  pairWhere.delete(best);
  touched.delete(best);
  flushTouched();
  if (m % 500 === 0) console.error(`merge ${m}: ${JSON.stringify(symbols[nid])} x${bestC}`);
}

const vocab = {};
symbols.forEach((s, i) => {
  vocab[s] = i;
});
const added = cfg.tokenizer.special_tokens.map((t, i) => ({
  id: symbols.length + i,
  content: t,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
}));
const tokJson = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: added,
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
  post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
  decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
  model: {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: false,
    byte_fallback: false,
    vocab,
    merges,
  },
};
const outPath = join(outDir, 'tokenizer.json');
writeFileSync(outPath, JSON.stringify(tokJson));

// Self-check: the npm tokenizer loads it and round-trips a sample.
const t = tk.Tokenizer.fromFile(outPath);
const sample = 'def f(x):\n    return x ** 2  # é😀\n';
const enc = await t.encode(sample, null, { addSpecialTokens: false });
const dec = await t.decode(enc.getIds(), false);
if (dec !== sample) throw new Error(`round trip failed: ${JSON.stringify(dec)}`);
console.error(
  `wrote ${outPath}: vocab ${t.getVocabSize(true)}, ${merges.length} merges; sample -> ${enc.getLength()} tokens`,
);
