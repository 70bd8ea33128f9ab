/**
 * Per-record selection candidates (docs/pipeline.md), in target-tokenizer terms. What a mode
 * scores and in which unit comes from its entry in src/budget/modes.ts; the item rules from
 * src/budget/rules.ts.
 *
 * Everything here is a pure function of one analysis record, its templated/encoded form and the
 * config, so the histogram pass and the writing pass of `select` see identical candidates in an
 * identical order — which is what makes the global budget exact and deterministic.
 */
import type { AnalysisRecord } from '../analysis/format.js';
import { timed } from '../util/timings.js';
import type { EncodedConversation } from '../tokenize/target.js';
import { cpLength, cpToUtf16Map } from '../tokenize/codepoints.js';
import { gceFromLogprob } from '../scoring/utility.js';
import { markupIntervals } from './markup.js';
import { modeSpec } from './modes.js';
import { isEligible, itemLimits, type SelectKnobs } from './rules.js';

/** What candidates need of a conversation as the target tokenizer saw it (offsets: code points). */
export type Encoded = Pick<EncodedConversation, 'offsets' | 'responseStart' | 'responseEnd' | 'responseOffset'> & {
  /** Token ids (needed for the end-of-turn tokens only). */
  ids?: Int32Array;
};

export interface ItemCandidate {
  item: number;
  score: number;
  /** Target tokens the item covers by the majority rule. */
  cost: number;
  /** Span in text code points. */
  start: number;
  end: number;
}

/**
 * Token candidates of one record as two parallel typed arrays (no object per token: a response has hundreds of
 * candidate tokens and select sees millions of responses), in token order.
 */
export interface TokenCandidates {
  /** Target-token index of each candidate. */
  token: Int32Array;
  /** Its score. */
  score: Float64Array;
  /** Number of candidates. */
  length: number;
}

const NO_TOKENS: TokenCandidates = { token: new Int32Array(0), score: new Float64Array(0), length: 0 };

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
  tokens: TokenCandidates;
  /** mode=full: supervise the whole response. */
  full: boolean;
  /** End-of-assistant-turn tokens [first, last) (empty without --supervise-eos or an end-of-turn token). */
  eos: [number, number];
}

/** Score of item `i` under the knobs' mode (its table entry's score function). */
export function itemScore(rec: AnalysisRecord, i: number, k: SelectKnobs): number {
  return modeSpec(k.mode).score({ rec, index: i, logp: NaN, knobs: k });
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
const WORDISH = /[\p{L}\p{N}]/u;

/** `WS.test(text.slice(a, b))` without the slice for ASCII text (the regex decides once a non-ASCII unit shows). */
export function blank(text: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return WS.test(text.slice(a, b));
    if (c !== 0x20 && (c < 0x09 || c > 0x0d)) return false;
  }
  return true;
}

/** `WORDISH.test(text.slice(a, b))`, likewise: ASCII letters and digits are the ASCII of \p{L} and \p{N}. */
export function wordish(text: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return WORDISH.test(text.slice(a, b));
    if ((c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a)) return true;
  }
  return false;
}

/**
 * The end-of-assistant-turn tokens after the response's last token `last`: through the first special token,
 * when only whitespace template text lies between (Qwen: `<|im_end|>`). Empty when there is none.
 */
export function endOfTurnRange(
  ids: Int32Array | undefined,
  offsets: Int32Array,
  last: number,
  special: ReadonlySet<number> | undefined,
  text?: string,
  cpToUtf16?: (cp: number) => number,
): [number, number] {
  if (!ids || !special || special.size === 0) return [last, last];
  const n = ids.length;
  for (let t = last; t < n && t < last + 4; t++) {
    if (special.has(ids[t]!)) return [last, t + 1];
    if (text !== undefined && cpToUtf16) {
      const tt = text.slice(cpToUtf16(offsets[2 * t]!), cpToUtf16(offsets[2 * t + 1]!));
      if (!WS.test(tt)) break;
    }
  }
  return [last, last];
}

export function recordCandidates(
  rec: AnalysisRecord,
  text: string,
  enc: Encoded,
  k: SelectKnobs,
  cpToUtf16?: (cp: number) => number,
): RecordCandidates {
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
  const spec = modeSpec(k.mode);
  const full = spec.unit === 'response';
  const out: RecordCandidates = {
    responseTokens: last - first,
    responseTokenRange: [first, last],
    forced: [],
    items: [],
    tokens: NO_TOKENS,
    full,
    eos: last > first ? endOfTurnRange(enc.ids, off, last, k.endOfTurn, text, cpToUtf16) : [last, last],
  };
  if (full || last === first) return out;

  const itemModes = spec.unit === 'items';

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
      if (!isEligible(it.flags, cost[i]!, k.allowFlagged)) continue;
      const score = spec.score({ rec, index: i, logp: NaN, knobs: k });
      eligible.push({ item: i, score, cost: cost[i]!, start: itemStart[i]!, end: itemEnd[i]! });
    }
    let pool = eligible;
    if (k.maxItems > 0 || k.minItems > 0) {
      const { keep, force } = itemLimits(eligible, k.minItems, k.maxItems);
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
  // Code segments of languages the registry does not itemize are code, never prose.
  const itemized = k.itemized;
  const otherCode: Array<[number, number]> = rec.segments
    .filter((s) => !itemized.has(s.lang))
    .map((s) => [responseToText(enc, s.start), responseToText(enc, s.end)]);
  // Informative NL (DESIGN §7): words of prose, and comment/docstring words inside code outside items.
  // Markdown markup (fences, heading hashes, bullets, table pipes, emphasis, backticks, link syntax) is
  // never a candidate: a token touching it is skipped, as are tokens without a letter or digit.
  const markup =
    itemModes && cpToUtf16
      ? markupIntervals(
          text,
          cpToUtf16(enc.responseStart),
          cpToUtf16(enc.responseEnd),
          rec.segments.map((g) => [cpToUtf16(responseToText(enc, g.start)), cpToUtf16(responseToText(enc, g.end))]),
        )
      : [];
  let sIdx = 0;
  let oc = 0;
  let mk = 0;
  const candToken = new Int32Array(last - first);
  const candScore = new Float64Array(last - first);
  let nCand = 0;
  for (let t = first; t < last; t++) {
    const s = off[2 * t]!;
    const e = off[2 * t + 1]!;
    if (e <= s) continue;
    if (itemModes && tokenItem[t - first]! >= 0) continue; // prose only: not inside a code item
    if (itemModes) {
      while (oc < otherCode.length && otherCode[oc]![1] <= s) oc++;
      if (oc < otherCode.length && 2 * overlap(s, e, otherCode[oc]![0], otherCode[oc]![1]) > e - s) continue;
    }
    const u0 = cpToUtf16 ? cpToUtf16(s) : 0;
    const u1 = cpToUtf16 ? cpToUtf16(e) : 0;
    if (cpToUtf16 && blank(text, u0, u1)) continue;
    if (itemModes && cpToUtf16) {
      if (!wordish(text, u0, u1)) continue;
      while (mk < markup.length && markup[mk + 1]! <= u0) mk += 2;
      if (mk < markup.length && markup[mk]! < u1) continue;
    }
    let score: number;
    if (!itemModes && !spec.needsScores) {
      score = spec.score({ rec, index: t - first, logp: NaN, knobs: k });
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
      // prose tokens of item modes by GCE; token modes by their own score function
      const logp = lp[best]!;
      score = itemModes ? gceFromLogprob(logp, k.q) : spec.score({ rec, index: t - first, logp, knobs: k });
    }
    candToken[nCand] = t;
    candScore[nCand++] = score;
  }
  // views, not copies: candidates live only while their sample is worked on
  if (nCand > 0)
    out.tokens = { token: candToken.subarray(0, nCand), score: candScore.subarray(0, nCand), length: nCand };
  return out;
}

const identity = (cp: number): number => cp;

/** Candidates of one record, given its target-tokenizer encoding (what select and the benchmark call). */
export function candidatesOf(
  rec: AnalysisRecord,
  enc: Pick<EncodedConversation, 'text'> & Encoded,
  k: SelectKnobs,
): RecordCandidates {
  return timed('candidates', () => {
    // without surrogate pairs code points are UTF-16 units: no map needed
    if (cpLength(enc.text) === enc.text.length) return recordCandidates(rec, enc.text, enc, k, identity);
    const map = cpToUtf16Map(enc.text);
    return recordCandidates(rec, enc.text, enc, k, (cp) => map[cp]!);
  });
}
