/**
 * Per-record selection candidates (DESIGN §7), in target-tokenizer terms.
 *
 * Everything here is a pure function of one analysis record, its templated/encoded form and the
 * config, so the histogram pass and the writing pass of `select` see identical candidates in an
 * identical order — which is what makes the global budget exact and deterministic.
 */
import type { AnalysisRecord } from '../analysis/format.js';
import type { Mode } from '../config/options.js';

export interface SelectKnobs {
  mode: Mode;
  lambdaReach: number;
  lambdaBridge: number;
  minItems: number;
  maxItems: number;
  allowFlagged: boolean;
  nlRatio: number;
  seed: number;
  /** GCE exponent used by the analysis (token-level u). */
  q: number;
}

/** A conversation as the target tokenizer saw it. */
export interface Encoded {
  /** Code point [start, end) pairs into the templated text, one pair per token. */
  offsets: Int32Array;
  /** Code point range of the response in the text, and the response code points the template dropped. */
  responseStart: number;
  responseEnd: number;
  responseOffset: number;
}

export interface ItemCandidate {
  item: number;
  score: number;
  /** Target tokens the item covers by the majority rule. */
  cost: number;
  /** Span in text code points. */
  start: number;
  end: number;
}

export interface TokenCandidate {
  token: number;
  score: number;
}

export interface RecordCandidates {
  /** Target tokens of the response (majority of characters inside it). */
  responseTokens: number;
  /** Tokens of the response, [first, last) token indices (a contiguous run). */
  responseTokenRange: [number, number];
  /** Items always selected (min_items), in item order. */
  forced: ItemCandidate[];
  /** Items competing for the global budget, in item order. */
  items: ItemCandidate[];
  /** Tokens competing for the NL share (codeblock modes) or the whole budget (token modes), in token order. */
  tokens: TokenCandidate[];
  /** mode=full: supervise the whole response. */
  full: boolean;
}

/** Deterministic uniform [0,1) from (seed, record id, index): independent of order and sharding. */
export function seededUniform(seed: number, id: string, index: number): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= index + 0x9e3779b9;
  // murmur3 finalizer
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** GCE u = (1 - p^q) / q from a log-probability. */
export function gceU(logp: number, q: number): number {
  return (1 - Math.exp(q * logp)) / q;
}

/** Item score per mode (DESIGN §6): U · (1 + λr·Reach + λb·Bridge). */
export function itemScore(rec: AnalysisRecord, i: number, k: SelectKnobs): number {
  const it = rec.items[i]!;
  switch (k.mode) {
    case 'codeblock':
      return it.u * (1 + k.lambdaReach * it.reach + k.lambdaBridge * it.bridge);
    case 'items-no-dataflow':
      return it.u;
    case 'random-items':
      return seededUniform(k.seed, rec.id, i);
    default:
      return 0;
  }
}

function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}

/** Response code point → text code point (or -1 when the template dropped it). */
export function responseToText(enc: Encoded, r: number): number {
  const len = enc.responseEnd - enc.responseStart;
  if (r < enc.responseOffset) return enc.responseStart;
  if (r > enc.responseOffset + len) return enc.responseEnd;
  return enc.responseStart + (r - enc.responseOffset);
}

const WS = /^\s*$/u;

export function recordCandidates(rec: AnalysisRecord, text: string, enc: Encoded, k: SelectKnobs, cpToUtf16?: (cp: number) => number): RecordCandidates {
  const off = enc.offsets;
  const nTok = off.length >> 1;
  // Response token range: tokens with more than half of their characters inside the response.
  let first = -1;
  let last = -1;
  for (let t = 0; t < nTok; t++) {
    const s = off[2 * t]!;
    const e = off[2 * t + 1]!;
    if (e > s && 2 * overlap(s, e, enc.responseStart, enc.responseEnd) > e - s) {
      if (first < 0) first = t;
      last = t + 1;
    }
  }
  if (first < 0) {
    first = 0;
    last = 0;
  }
  const out: RecordCandidates = { responseTokens: last - first, responseTokenRange: [first, last], forced: [], items: [], tokens: [], full: k.mode === 'full' };
  if (k.mode === 'full' || last === first) return out;

  const itemModes = k.mode === 'codeblock' || k.mode === 'items-no-dataflow' || k.mode === 'random-items';

  // Item spans in text coordinates, and which tokens each covers (majority rule, per item).
  const nItems = rec.items.length;
  const itemStart = new Int32Array(nItems);
  const itemEnd = new Int32Array(nItems);
  for (let i = 0; i < nItems; i++) {
    itemStart[i] = responseToText(enc, rec.items[i]!.start);
    itemEnd[i] = responseToText(enc, rec.items[i]!.end);
  }
  // token → item it belongs to (-1 none); items are disjoint, so one sweep in start order.
  const order = Array.from({ length: nItems }, (_, i) => i).sort((a, b) => itemStart[a]! - itemStart[b]! || a - b);
  const tokenItem = new Int32Array(last - first).fill(-1);
  const cost = new Int32Array(nItems);
  let p = 0;
  for (let t = first; t < last; t++) {
    const s = off[2 * t]!;
    const e = off[2 * t + 1]!;
    while (p < order.length && itemEnd[order[p]!]! <= s) p++;
    for (let q = p; q < order.length && itemStart[order[q]!]! < e; q++) {
      const i = order[q]!;
      if (2 * overlap(s, e, itemStart[i]!, itemEnd[i]!) > e - s) {
        tokenItem[t - first] = i;
        cost[i]!++;
        break;
      }
    }
  }

  if (itemModes) {
    const eligible: ItemCandidate[] = [];
    for (let i = 0; i < nItems; i++) {
      const it = rec.items[i]!;
      if (!k.allowFlagged && it.flags.length > 0) continue;
      if (cost[i] === 0) continue;
      eligible.push({ item: i, score: itemScore(rec, i, k), cost: cost[i]!, start: itemStart[i]!, end: itemEnd[i]! });
    }
    let pool = eligible;
    if (k.maxItems > 0 || k.minItems > 0) {
      const ranked = [...eligible].sort((a, b) => b.score - a.score || a.item - b.item);
      const keep = k.maxItems > 0 ? new Set(ranked.slice(0, k.maxItems).map((c) => c.item)) : undefined;
      const force = new Set(ranked.slice(0, Math.min(k.minItems, keep ? k.maxItems : Infinity)).map((c) => c.item));
      pool = eligible.filter((c) => (keep ? keep.has(c.item) : true));
      out.forced = pool.filter((c) => force.has(c.item));
      pool = pool.filter((c) => !force.has(c.item));
    }
    out.items = pool;
    if (k.nlRatio <= 0) return out;
  }

  // Token candidates: u of the scorer token overlapping each target token most.
  const sp = rec.scorer.spans;
  const lp = rec.scorer.logp;
  const nS = lp.length;
  // Non-Python code segments are code, never prose.
  const otherCode: Array<[number, number]> = rec.segments.filter((s) => s.lang !== 'python').map((s) => [responseToText(enc, s.start), responseToText(enc, s.end)]);
  let sIdx = 0;
  let oc = 0;
  for (let t = first; t < last; t++) {
    const s = off[2 * t]!;
    const e = off[2 * t + 1]!;
    if (e <= s) continue;
    if (itemModes && tokenItem[t - first]! >= 0) continue; // prose only: not inside a code item
    if (itemModes) {
      while (oc < otherCode.length && otherCode[oc]![1] <= s) oc++;
      if (oc < otherCode.length && 2 * overlap(s, e, otherCode[oc]![0], otherCode[oc]![1]) > e - s) continue;
    }
    const tokText = cpToUtf16 ? text.slice(cpToUtf16(s), cpToUtf16(e)) : undefined;
    if (tokText !== undefined && WS.test(tokText)) continue;
    let score: number;
    if (k.mode === 'random-tokens') {
      score = seededUniform(k.seed, rec.id, t - first);
    } else {
      // scorer spans are in response coordinates
      const rs = s - enc.responseStart + enc.responseOffset;
      const re = e - enc.responseStart + enc.responseOffset;
      while (sIdx < nS && sp[2 * sIdx + 1]! <= rs) sIdx++;
      let best = -1;
      let bestOv = 0;
      for (let j = sIdx; j < nS && sp[2 * j]! < re; j++) {
        const ov = overlap(rs, re, sp[2 * j]!, sp[2 * j + 1]!);
        if (ov > bestOv) {
          bestOv = ov;
          best = j;
        }
      }
      if (best < 0 || lp[best] === null || lp[best] === undefined) continue; // unscored token (null log-prob)
      score = gceU(lp[best]!, k.q);
    }
    out.tokens.push({ token: t, score });
  }
  return out;
}
