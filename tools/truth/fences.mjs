/**
 * Tagged fenced code blocks of the shared data (../shared/data/*.jsonl, `response` or `output` field), per tier-1
 * language. Each block: { key: 'file:line:blockIndex', lang, start (code point of the code inside the response),
 * text }. blockIndex counts every fence of the response (tagged or not), from 0.
 * CLI: node tools/truth/fences.mjs [dataDir]  → prints counts per language.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DATA_DIR = resolve(HERE, '..', '..', '..', 'shared', 'data');

export const FENCE_LANGS = {
  js: 'javascript',
  javascript: 'javascript',
  jsx: 'jsx',
  ts: 'typescript',
  typescript: 'typescript',
  tsx: 'tsx',
  java: 'java',
  c: 'c',
  cpp: 'cpp',
  'c++': 'cpp',
  go: 'go',
  golang: 'go',
};

/** Fenced blocks of one markdown text: [{ tag, start, text }] with start in code points. */
export function fencedBlocks(md) {
  const cps = Array.from(md);
  const lines = [];
  let ls = 0;
  for (let i = 0; i <= cps.length; i++) {
    if (i === cps.length || cps[i] === '\n') {
      lines.push({ start: ls, text: cps.slice(ls, i).join(''), end: i });
      ls = i + 1;
    }
  }
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^ {0,3}(`{3,}|~{3,})\s*([^\s`{]*)/.exec(lines[i].text);
    if (!m) continue;
    const fence = m[1];
    let j = i + 1;
    while (j < lines.length) {
      const c = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[j].text);
      if (c && c[1][0] === fence[0] && c[1].length >= fence.length) break;
      j++;
    }
    const start = i + 1 < lines.length ? lines[i + 1].start : cps.length;
    const end = j < lines.length ? lines[j].start : cps.length;
    // the code ends before the newline that precedes the closing fence
    const textEnd = end > start && cps[end - 1] === '\n' ? end - 1 : end;
    out.push({ tag: m[2].toLowerCase(), start, text: cps.slice(start, Math.max(start, textEnd)).join('') });
    i = j;
  }
  return out;
}

/** Tier-1 tagged blocks of every response in dataDir/*.jsonl (sorted file names, then line order). */
export function loadFences(dataDir = DATA_DIR) {
  const out = [];
  if (!existsSync(dataDir)) return out;
  for (const f of readdirSync(dataDir).sort()) {
    if (!f.endsWith('.jsonl')) continue;
    const lines = readFileSync(join(dataDir, f), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let o;
      try {
        o = JSON.parse(line);
      } catch {
        return;
      }
      const md = typeof o.response === 'string' ? o.response : typeof o.output === 'string' ? o.output : undefined;
      if (md === undefined || !md.includes('```')) return;
      fencedBlocks(md).forEach((b, k) => {
        const lang = FENCE_LANGS[b.tag];
        if (lang) out.push({ key: `${f}:${i + 1}:${k}`, lang, start: b.start, text: b.text });
      });
    });
  }
  return out;
}

if (process.argv[1] && basename(process.argv[1]) === 'fences.mjs') {
  const blocks = loadFences(process.argv[2] ?? DATA_DIR);
  const n = {};
  for (const b of blocks) n[b.lang] = (n[b.lang] ?? 0) + 1;
  console.log(JSON.stringify(n));
}
