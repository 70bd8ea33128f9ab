/**
 * Pure helpers: generalized cross-entropy and item utilities over scorer tokens.
 *
 * GCE (Zhang & Sabuncu 2018): u = (1 − p^q) / q for q ∈ (0, 1]; q = 1 gives 1 − p and q → 0 gives −ln p
 * (cross-entropy). Computed from the log-prob as −expm1(q·lp)/q, exact for small q as well; q = 0 is
 * accepted and means the cross-entropy limit.
 */

export type Span = readonly [number, number];

/** Token spans + log-probs, as returned by the scorer (code points into the response). */
export interface ScoredTokens {
  start: ArrayLike<number>;
  end: ArrayLike<number>;
  logprob: ArrayLike<number>;
}

export type Reduce = 'mean' | 'sum' | 'max';

export interface UtilityOptions {
  /** GCE exponent, 0 ≤ q ≤ 1 (0 = cross-entropy limit). Default 0.7. */
  q?: number;
  /** How an item's core-token utilities combine. Default 'mean'. */
  reduce?: Reduce;
}

export const DEFAULT_Q = 0.7;

function checkQ(q: number): number {
  if (typeof q !== 'number' || !Number.isFinite(q) || q < 0 || q > 1)
    throw new RangeError(`GCE q must be a number in [0, 1], got ${String(q)}`);
  return q;
}

/** GCE of a probability p ∈ [0, 1]. */
export function gce(p: number, q: number = DEFAULT_Q): number {
  checkQ(q);
  if (typeof p !== 'number' || Number.isNaN(p) || p < 0 || p > 1)
    throw new RangeError(`probability must be in [0, 1], got ${String(p)}`);
  return gceFromLogprob(Math.log(p), q);
}

/**
 * An item is saturated when its U lies within this share of the bound 1/q (U ≥ 0.95/q): the reference LM
 * finds all of its core tokens about equally improbable, so U no longer ranks it (inspect, select's warning).
 */
export const SATURATION = 0.05;

/** Whether a mean-reduced utility `u` is saturated under exponent `q`. */
export function isSaturated(u: number, q: number): boolean {
  return u >= (1 - SATURATION) / q;
}

/** GCE from a natural-log probability lp ≤ 0 (no range check: hot path). NaN in → NaN out. */
export function gceFromLogprob(lp: number, q: number = DEFAULT_Q): number {
  if (q === 0) return -lp;
  return -Math.expm1(q * lp) / q;
}

/** u for every token (Float64Array, NaN where the token has no log-prob). */
export function tokenUtilities(tokens: ScoredTokens, q: number = DEFAULT_Q): Float64Array {
  checkQ(q);
  const n = tokens.logprob.length;
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) u[i] = gceFromLogprob(tokens.logprob[i]!, q);
  return u;
}

/** Index of the first token whose end > pos (tokens sorted by start and end, as tokenizers produce). */
function firstEndingAfter(end: ArrayLike<number>, pos: number): number {
  let lo = 0,
    hi = end.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (end[mid]! > pos) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Indices of tokens overlapping any of the ranges (overlap of at least one code point), ascending, unique. */
export function tokensOverlapping(tokens: Pick<ScoredTokens, 'start' | 'end'>, ranges: readonly Span[]): number[] {
  const hit = new Set<number>();
  const { start, end } = tokens;
  for (const [s, e] of ranges) {
    if (!(e > s)) continue;
    for (let i = firstEndingAfter(end, s); i < start.length && start[i]! < e; i++) {
      if (end[i]! > s && end[i]! > start[i]!) hit.add(i);
      else if (end[i] === start[i] && start[i]! >= s && start[i]! < e) hit.add(i);
    }
  }
  return [...hit].sort((a, b) => a - b);
}

export interface ItemUtility {
  /** combined utility over the item's core tokens; null when no scored core token overlaps the item */
  utility: number | null;
  /** number of scorer tokens overlapping the item's core ranges (and carrying a log-prob) */
  coreTokens: number;
}

/**
 * Item utility U = reduce(u over the scorer tokens overlapping the item's core ranges). A token
 * overlapping several core ranges of the same item counts once. Tokens without a log-prob (NaN) are skipped.
 */
export function itemUtilities(
  tokens: ScoredTokens,
  items: readonly { core: readonly Span[] }[],
  opts: UtilityOptions = {},
): ItemUtility[] {
  const q = checkQ(opts.q ?? DEFAULT_Q);
  const reduce = opts.reduce ?? 'mean';
  if (reduce !== 'mean' && reduce !== 'sum' && reduce !== 'max')
    throw new RangeError(`reduce must be mean | sum | max, got ${String(reduce)}`);
  return items.map((item) => {
    let n = 0,
      acc = reduce === 'max' ? -Infinity : 0;
    for (const i of tokensOverlapping(tokens, item.core)) {
      const lp = tokens.logprob[i]!;
      if (Number.isNaN(lp)) continue;
      const u = gceFromLogprob(lp, q);
      n++;
      acc = reduce === 'max' ? Math.max(acc, u) : acc + u;
    }
    if (n === 0) return { utility: null, coreTokens: 0 };
    return { utility: reduce === 'mean' ? acc / n : acc, coreTokens: n };
  });
}

export interface ProseToken {
  index: number;
  start: number;
  end: number;
  u: number;
}

/**
 * Prose tokens: scorer tokens that overlap none of `codeItemSpans` (the spans of code items), with their
 * GCE — the candidates for informative NL supervision. Docstrings/comments are prose-in-code: leave them
 * out of `codeItemSpans` and their tokens are returned here. Tokens without a log-prob are skipped.
 */
export function proseTokenUtilities(
  tokens: ScoredTokens,
  codeItemSpans: readonly Span[],
  q: number = DEFAULT_Q,
): ProseToken[] {
  checkQ(q);
  const inCode = new Set(tokensOverlapping(tokens, codeItemSpans));
  const out: ProseToken[] = [];
  for (let i = 0; i < tokens.logprob.length; i++) {
    const lp = tokens.logprob[i]!;
    if (inCode.has(i) || Number.isNaN(lp)) continue;
    out.push({ index: i, start: tokens.start[i]!, end: tokens.end[i]!, u: gceFromLogprob(lp, q) });
  }
  return out;
}
