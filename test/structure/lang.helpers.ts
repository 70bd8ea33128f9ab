/**
 * Shared helpers of the per-language structure tests (test/structure/lang-<name>.test.ts):
 *   - analyze one fenced block and print its items and def-use edges as text (exact fixture asserts);
 *   - load the tagged fenced blocks of ../shared/data by canonical language (the registry's fence aliases);
 *   - shared-data coverage: share of fenced characters in segments that have items, records with items,
 *     flagged items.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../../src/native.js';
import { findLanguage } from '../../src/structure/languages.js';
import {
  analyzeStructureBatch,
  sliceCodePoints,
  type StructureOptions,
  type StructureResult,
} from '../../src/structure/index.js';

export const SHARED_DATA_DIR = resolve(PACKAGE_ROOT, '..', 'shared', 'data');

/** Analyzes one response (throws when rejected). Unlimited parse budget. */
export function analyzeText(text: string, opts: StructureOptions = {}): StructureResult {
  const [o] = analyzeStructureBatch([text], { parseTimeoutMs: 0, ...opts });
  if (!o?.ok) throw new Error(`rejected: ${o && !o.ok ? o.reason : 'none'}`);
  return o.result;
}

/** The response text of one fenced block: "```tag\n" + code + "\n```\n". */
export function fence(tag: string, code: string): string {
  return `\`\`\`${tag}\n${code}\n\`\`\`\n`;
}

/** Items of a fenced block as "kind text" lines (item text trimmed, inner whitespace runs collapsed);
 *  with `flags`, flagged items end in " !error" / " !missing". */
export function itemLines(text: string, r: StructureResult, opts: { type?: boolean; flags?: boolean } = {}): string[] {
  return r.items.map((it) => {
    const body = sliceCodePoints(text, it.start, it.end).trim().replace(/\s+/g, ' ');
    const type = opts.type ? ` <${it.type}>` : '';
    const fl = opts.flags && it.flags.length ? ` ${it.flags.map((f) => `!${f}`).join(' ')}` : '';
    return `${it.kind}${type} ${body}${fl}`;
  });
}

/** Edges as "def item text -> use item text" (texts as in itemLines, without the kind), sorted. */
export function edgeLines(text: string, r: StructureResult): string[] {
  const t = r.items.map((it) => sliceCodePoints(text, it.start, it.end).trim().replace(/\s+/g, ' '));
  return [...new Set(r.edges.map(([a, b]) => `${t[a]} -> ${t[b]}`))].sort();
}

/** Analyzes `code` as one ```tag fence; returns its item lines and edge lines. */
export function structureOf(
  tag: string,
  code: string,
  opts: StructureOptions = {},
): { items: string[]; edges: string[]; result: StructureResult; text: string } {
  const text = fence(tag, code);
  const result = analyzeText(text, opts);
  return { items: itemLines(text, result), edges: edgeLines(text, result), result, text };
}

export interface TaggedFence {
  /** "file:line:blockIndex" (blockIndex counts every fence of the response, from 0). */
  key: string;
  /** The response the block sits in, and the block's index among its fences. */
  response: string;
  block: number;
  /** The lower-case fence tag and the canonical language it maps to. */
  tag: string;
  lang: string;
  /** The code inside the fence: start code point in the response, and its text. */
  start: number;
  text: string;
}

/** Fenced blocks of one markdown text (CommonMark-style: ``` or ~~~, up to 3 spaces of indent). */
export function fencedBlocks(md: string): Array<{ tag: string; start: number; text: string }> {
  const cps = Array.from(md);
  const lines: Array<{ start: number; text: string }> = [];
  let ls = 0;
  for (let i = 0; i <= cps.length; i++) {
    if (i === cps.length || cps[i] === '\n') {
      lines.push({ start: ls, text: cps.slice(ls, i).join('') });
      ls = i + 1;
    }
  }
  const out: Array<{ tag: string; start: number; text: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^ {0,3}(`{3,}|~{3,})\s*([^\s`{]*)/.exec(lines[i]!.text);
    if (!m) continue;
    const open = m[1]!;
    let j = i + 1;
    while (j < lines.length) {
      const c = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[j]!.text);
      if (c && c[1]![0] === open[0] && c[1]!.length >= open.length) break;
      j++;
    }
    const start = i + 1 < lines.length ? lines[i + 1]!.start : cps.length;
    const end = j < lines.length ? lines[j]!.start : cps.length;
    const textEnd = end > start && cps[end - 1] === '\n' ? end - 1 : end;
    out.push({ tag: m[2]!.toLowerCase(), start, text: cps.slice(start, Math.max(start, textEnd)).join('') });
    i = j;
  }
  return out;
}

/** The responses (response / output field) of ../shared/data/*.jsonl: [{ key: "file:line", response }]. */
export function sharedResponses(dir = SHARED_DATA_DIR): Array<{ key: string; response: string }> {
  const out: Array<{ key: string; response: string }> = [];
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.jsonl')) continue;
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.trim()) return;
        let o: Record<string, unknown>;
        try {
          o = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return;
        }
        const md = typeof o.response === 'string' ? o.response : typeof o.output === 'string' ? o.output : undefined;
        if (md?.includes('```') || md?.includes('~~~')) out.push({ key: `${f}:${i + 1}`, response: md });
      });
  }
  return out;
}

/** Tagged fences of the shared data whose tag the registry maps to one of `langs` (canonical names). */
export function taggedFences(langs: string[], dir = SHARED_DATA_DIR): TaggedFence[] {
  const want = new Set(langs);
  const out: TaggedFence[] = [];
  for (const { key, response } of sharedResponses(dir)) {
    fencedBlocks(response).forEach((b, k) => {
      const lang = b.tag ? findLanguage(b.tag)?.name : undefined;
      if (lang && want.has(lang)) out.push({ key: `${key}:${k}`, response, block: k, lang, ...b });
    });
  }
  return out;
}

export interface Coverage {
  /** Responses holding at least one such fence, and those of them with an item of the language. */
  records: number;
  recordsWithItems: number;
  /** Fenced blocks, blocks whose segment has items, blocks with a flagged item. */
  blocks: number;
  blocksWithItems: number;
  blocksFlagged: number;
  items: number;
  flaggedItems: number;
  /** Code points in the blocks, and in those blocks whose segment has items: covered / chars. */
  chars: number;
  coveredChars: number;
  share: number;
  /** Blocks with no segment found at the fence (the segmenter disagreed on the fence). */
  unmatched: number;
}

/** Shared-data coverage of the languages `langs`: each response with such a fence is analyzed once; a block
 *  counts as covered when the segment that starts at its code has an item. */
export function sharedCoverage(langs: string[], dir = SHARED_DATA_DIR): Coverage {
  const fences = taggedFences(langs, dir);
  const byResponse = new Map<string, TaggedFence[]>();
  for (const f of fences) {
    const k = f.key.slice(0, f.key.lastIndexOf(':'));
    const l = byResponse.get(k);
    if (l) l.push(f);
    else byResponse.set(k, [f]);
  }
  const c: Coverage = {
    records: byResponse.size,
    recordsWithItems: 0,
    blocks: fences.length,
    blocksWithItems: 0,
    blocksFlagged: 0,
    items: 0,
    flaggedItems: 0,
    chars: 0,
    coveredChars: 0,
    share: 0,
    unmatched: 0,
  };
  const groups = [...byResponse.values()];
  const outcomes = analyzeStructureBatch(
    groups.map((g) => g[0]!.response),
    { parseTimeoutMs: 0 },
  );
  groups.forEach((g, gi) => {
    const o = outcomes[gi]!;
    let any = false;
    for (const f of g) {
      const n = Array.from(f.text).length;
      c.chars += n;
      if (!o.ok) continue;
      const si = o.result.segments.findIndex((s) => s.start === f.start);
      if (si < 0) {
        c.unmatched++;
        continue;
      }
      const its = o.result.items.filter((it) => it.segment === si);
      const flagged = its.filter((it) => it.flags.length > 0).length;
      c.items += its.length;
      c.flaggedItems += flagged;
      if (flagged) c.blocksFlagged++;
      if (its.length) {
        c.blocksWithItems++;
        c.coveredChars += n;
        any = true;
      }
    }
    if (any) c.recordsWithItems++;
  });
  c.share = c.chars ? c.coveredChars / c.chars : 1;
  return c;
}

/** One line of coverage figures for the test log. */
export function coverageLine(name: string, c: Coverage): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  return (
    `${name}: ${c.records} records (${c.recordsWithItems} with items), ${c.blocks} blocks ` +
    `(${c.blocksWithItems} with items, ${c.blocksFlagged} with flagged items, ${c.unmatched} unmatched), ` +
    `${c.items} items (${c.flaggedItems} flagged), chars in itemized segments ${pct(c.share)} ` +
    `(${c.coveredChars}/${c.chars})`
  );
}

// ---- Agreement with an independent truth tool (tools/truth/*: one JSON line per input line) ----

/** [start, end, kind] in code points, relative to the segment text. */
export type TruthSpan = [number, number, string];

export interface TruthSegment {
  ok: boolean;
  error?: string;
  simple?: TruthSpan[];
  compound?: TruthSpan[];
  clauses?: TruthSpan[];
  fields?: TruthSpan[];
  /** [declaration name start, use start] (code points). */
  bindings?: Array<[number, number]>;
  member_bindings?: Array<[number, number]>;
}

export interface TruthInput {
  key: string;
  lang: string;
  text: string;
}

/** Runs a truth tool (argv) over segments, one record per segment; returns one TruthSegment per input. */
export function runTruth(argv: string[], inputs: TruthInput[], cwd = PACKAGE_ROOT): TruthSegment[] {
  const lines = inputs.map((x) => JSON.stringify({ key: x.key, lang: x.lang, segments: [{ start: 0, text: x.text }] }));
  const r = spawnSync(argv[0]!, argv.slice(1), {
    cwd,
    input: `${lines.join('\n')}\n`,
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(0, 2000)}`);
  const out = r.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { segments: TruthSegment[] }).segments[0]!);
  if (out.length !== inputs.length) throw new Error(`truth: ${out.length} answers for ${inputs.length} inputs`);
  return out;
}

export interface Agreement {
  segments: number;
  /** Segments left out: the truth tool rejected them (syntax errors), or our analysis did. */
  skippedTruth: number;
  skippedOurs: number;
  spansTruth: number;
  spansFound: number;
  itemsOurs: number;
  itemsMatched: number;
  edgesTruth: number;
  edgesFound: number;
  edgesOurs: number;
  edgesMatched: number;
  /** Truth bindings that map to no edge: declaration or use outside every item, or both in one item. */
  bindingsUnmapped: number;
  /** A few disagreements, for the log: "key: missed|extra <text>". */
  misses: string[];
}

export const emptyAgreement = (): Agreement => ({
  segments: 0,
  skippedTruth: 0,
  skippedOurs: 0,
  spansTruth: 0,
  spansFound: 0,
  itemsOurs: 0,
  itemsMatched: 0,
  edgesTruth: 0,
  edgesFound: 0,
  edgesOurs: 0,
  edgesMatched: 0,
  bindingsUnmapped: 0,
  misses: [],
});

const EMPTY_RESULT: StructureResult = { segments: [], items: [], edges: [], reach: [], bridge: [], prose: [] };

/** Compares our items and edges (each segment analyzed alone as one ```tag fence) with the truth's statement
 *  spans (exact [start, end)) and bindings (mapped to (item of declaration, item of use)). `normalize` brings
 *  a truth segment to the item model first (js-truth.helpers.ts). */
export function agreement(
  tag: string,
  inputs: TruthInput[],
  truth: TruthSegment[],
  acc: Agreement = emptyAgreement(),
  opts: { maxMisses?: number; normalize?: (inp: TruthInput, t: TruthSegment) => TruthSegment } = {},
): Agreement {
  const maxMisses = opts.maxMisses ?? 40;
  const prefix = Array.from(`\`\`\`${tag}\n`).length;
  const texts = inputs.map((x) => fence(tag, x.text));
  const outs = analyzeStructureBatch(texts, { parseTimeoutMs: 0, maxItems: 0 });
  const miss = (s: string) => {
    if (acc.misses.length < maxMisses) acc.misses.push(s.length > 200 ? `${s.slice(0, 200)}…` : s);
  };
  inputs.forEach((inp, i) => {
    acc.segments++;
    const t = opts.normalize ? opts.normalize(inp, truth[i]!) : truth[i]!;
    if (!t.ok) {
      acc.skippedTruth++;
      return;
    }
    let o = outs[i]!;
    if (!o.ok && o.reason === 'no_code') o = { ok: true, result: EMPTY_RESULT }; // no item: all missed
    if (!o.ok) {
      acc.skippedOurs++;
      return;
    }
    const cps = Array.from(inp.text);
    const slice = (a: number, b: number) => cps.slice(a, b).join('').replace(/\s+/g, ' ');
    const items = o.result.items
      .map((it, k) => ({ s: it.start - prefix, e: it.end - prefix, k, seg: it.segment }))
      .filter((it) => it.seg === 0);
    // items are whole-line spans: compared without the blanks around them
    const blank = (c: string | undefined) => c !== undefined && /\s/.test(c);
    const ours = new Set(
      items.map((it) => {
        let s = it.s;
        let e = Math.min(it.e, cps.length);
        while (s < e && blank(cps[s])) s++;
        while (e > s && blank(cps[e - 1])) e--;
        return `${s}:${e}`;
      }),
    );
    const spans = [...(t.simple ?? []), ...(t.compound ?? []), ...(t.clauses ?? []), ...(t.fields ?? [])];
    const truthSet = new Set(spans.map(([s, e]) => `${s}:${e}`));
    acc.spansTruth += truthSet.size;
    acc.itemsOurs += ours.size;
    for (const k of truthSet) {
      if (ours.has(k)) acc.spansFound++;
      else {
        const [s, e] = k.split(':').map(Number) as [number, number];
        miss(`${inp.key}: missed span ${slice(s, e)}`);
      }
    }
    for (const k of ours) {
      if (truthSet.has(k)) acc.itemsMatched++;
      else {
        const [s, e] = k.split(':').map(Number) as [number, number];
        miss(`${inp.key}: extra item ${slice(s, e)}`);
      }
    }
    // items by position: the item holding code point p
    const starts = items.map((it) => it.s);
    const at = (p: number): number => {
      let lo = 0;
      let hi = starts.length - 1;
      let f = -1;
      while (lo <= hi) {
        const m = (lo + hi) >> 1;
        if (starts[m]! <= p) {
          f = m;
          lo = m + 1;
        } else hi = m - 1;
      }
      return f >= 0 && p < items[f]!.e ? items[f]!.k : -1;
    };
    const byK = new Map(items.map((it) => [it.k, it]));
    const want = new Set<string>();
    for (const [d, u] of t.bindings ?? []) {
      const a = at(d);
      const b = at(u);
      if (a < 0 || b < 0 || a === b) acc.bindingsUnmapped++;
      else want.add(`${a}>${b}`);
    }
    const got = new Set(o.result.edges.filter(([a, b]) => byK.has(a) && byK.has(b)).map(([a, b]) => `${a}>${b}`));
    acc.edgesTruth += want.size;
    acc.edgesOurs += got.size;
    const txt = (k: number) => {
      const it = byK.get(k)!;
      return slice(it.s, it.e).slice(0, 60);
    };
    for (const k of want) {
      if (got.has(k)) acc.edgesFound++;
      else {
        const [a, b] = k.split('>').map(Number) as [number, number];
        miss(`${inp.key}: missed edge ${txt(a)} -> ${txt(b)}`);
      }
    }
    for (const k of got) {
      if (want.has(k)) acc.edgesMatched++;
      else {
        const [a, b] = k.split('>').map(Number) as [number, number];
        miss(`${inp.key}: extra edge ${txt(a)} -> ${txt(b)}`);
      }
    }
  });
  return acc;
}

/** Figures of an agreement: span recall / precision, edge recall / precision (1 when there is nothing). */
export function agreementFigures(a: Agreement): {
  spanRecall: number;
  spanPrecision: number;
  edgeRecall: number;
  edgePrecision: number;
} {
  const r = (x: number, n: number) => (n ? x / n : 1);
  return {
    spanRecall: r(a.spansFound, a.spansTruth),
    spanPrecision: r(a.itemsMatched, a.itemsOurs),
    edgeRecall: r(a.edgesFound, a.edgesTruth),
    edgePrecision: r(a.edgesMatched, a.edgesOurs),
  };
}

export function agreementLine(name: string, a: Agreement): string {
  const f = agreementFigures(a);
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  return (
    `${name}: ${a.segments} segments (skipped: ${a.skippedTruth} truth syntax errors, ${a.skippedOurs} ours); ` +
    `spans recall ${pct(f.spanRecall)} (${a.spansFound}/${a.spansTruth}) precision ${pct(f.spanPrecision)} ` +
    `(${a.itemsMatched}/${a.itemsOurs}); def-use recall ${pct(f.edgeRecall)} (${a.edgesFound}/${a.edgesTruth}) ` +
    `precision ${pct(f.edgePrecision)} (${a.edgesMatched}/${a.edgesOurs}); ${a.bindingsUnmapped} bindings within ` +
    'one item or outside items'
  );
}
