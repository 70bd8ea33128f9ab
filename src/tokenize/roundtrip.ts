/**
 * Round-trip check of a label mask against the text it was built from (DESIGN §8): the supervised
 * tokens decode to exactly the text they cover, and they are exactly the tokens the boundary rule
 * selects — a token is supervised iff a strict majority of its code points lie in selected spans,
 * except the first token of a sample, which is never supervised.
 *
 * Normalization: the decoded text is compared with the tokenizer-normalized source text (NFC for
 * Qwen), and code points the normalizer merged into a neighbour (a combining mark composed into
 * the previous character gets no offset of its own) are attributed to the token before them.
 */
import type { TargetTokenizer } from './target.js';
import { cpToUtf16Map } from './codepoints.js';

export interface RoundTripInput {
  /** The exact text that was tokenized. */
  text: string;
  ids: Int32Array;
  /** Code point offsets into `text`, [start, end) pairs. */
  offsets: Int32Array;
  /** -100 where unsupervised, else the token id (not shifted). */
  labels: Int32Array;
  /** Selected spans, code points into `text` (overlaps allowed). */
  spans: readonly { start: number; end: number }[];
  /** Token index that starts the sample (its first token is never supervised). Default 0. */
  firstToken?: number;
}

export interface RoundTripRun {
  tokenStart: number;
  tokenEnd: number;
  charStart: number;
  charEnd: number;
  decoded: string;
  expected: string;
}

export interface RoundTripResult {
  ok: boolean;
  problems: string[];
  runs: RoundTripRun[];
  /** Supervised tokens counted. */
  supervised: number;
}

const MAX_PROBLEMS = 50;

/** Is token i (range [s,e)) majority-covered by the union of spans? Strict majority of code points. */
function coveredCounts(
  offsets: Int32Array,
  nTok: number,
  spans: readonly { start: number; end: number }[],
  textLen: number,
): Int32Array {
  // Coverage bitmap over code points, then per-token count: O(text + tokens).
  const cover = new Uint8Array(textLen + 1);
  for (const sp of spans) {
    const a = Math.max(0, sp.start);
    const b = Math.min(textLen, sp.end);
    for (let k = a; k < b; k++) cover[k] = 1;
  }
  const prefix = new Int32Array(textLen + 1);
  for (let k = 0; k < textLen; k++) prefix[k + 1] = prefix[k]! + cover[k]!;
  const out = new Int32Array(nTok);
  for (let i = 0; i < nTok; i++) {
    const s = Math.min(textLen, Math.max(0, offsets[2 * i]!));
    const e = Math.min(textLen, Math.max(s, offsets[2 * i + 1]!));
    out[i] = prefix[e]! - prefix[s]!;
  }
  return out;
}

export async function checkRoundTrip(tok: TargetTokenizer, input: RoundTripInput): Promise<RoundTripResult> {
  const { text, ids, offsets, labels, spans } = input;
  const firstToken = input.firstToken ?? 0;
  const n = ids.length;
  const problems: string[] = [];
  const report = (msg: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(msg);
  };
  if (labels.length !== n || offsets.length !== 2 * n) {
    return {
      ok: false,
      problems: [`length mismatch: ${n} ids, ${labels.length} labels, ${offsets.length / 2} offset pairs`],
      runs: [],
      supervised: 0,
    };
  }
  const map = cpToUtf16Map(text);
  const textLen = map.length - 1;
  const covered = coveredCounts(offsets, n, spans, textLen);

  let supervised = 0;
  for (let i = 0; i < n; i++) {
    const lab = labels[i]!;
    const sup = lab !== -100;
    if (sup) supervised++;
    if (sup && lab !== ids[i]) report(`token ${i}: label ${lab} is neither -100 nor its id ${ids[i]}`);
    const len = offsets[2 * i + 1]! - offsets[2 * i]!;
    const majority = len > 0 && 2 * covered[i]! > len;
    if (i === firstToken) {
      if (sup) report(`token ${i}: first token of the sample is supervised`);
      continue;
    }
    if (sup && !majority)
      report(
        `token ${i} [${offsets[2 * i]},${offsets[2 * i + 1]}) is supervised but only ${covered[i]}/${len} of ` +
          'its code points are selected',
      );
    if (!sup && majority)
      report(
        `token ${i} [${offsets[2 * i]},${offsets[2 * i + 1]}) has ${covered[i]}/${len} code points selected but ` +
          'is not supervised',
      );
  }

  // Decode every maximal run of supervised tokens and compare with the text it covers.
  const runs: RoundTripRun[] = [];
  let i = 0;
  while (i < n) {
    if (labels[i] === -100) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && labels[j] !== -100) j++;
    let cs = Infinity;
    let ce = -Infinity;
    for (let k = i; k < j; k++) {
      if (offsets[2 * k + 1]! > offsets[2 * k]!) {
        cs = Math.min(cs, offsets[2 * k]!);
        ce = Math.max(ce, offsets[2 * k + 1]!);
      }
    }
    if (cs === Infinity) {
      cs = offsets[2 * i]!;
      ce = cs;
    }
    // Code points after the run that no later token claims (merged by the normalizer) belong to it.
    let nextStart = textLen;
    for (let k = j; k < n; k++) {
      if (offsets[2 * k + 1]! > offsets[2 * k]!) {
        nextStart = offsets[2 * k]!;
        break;
      }
    }
    if (nextStart > ce) ce = nextStart;
    const decoded = await tok.decode(ids.subarray(i, j));
    const raw = text.slice(map[Math.max(0, Math.min(textLen, cs))]!, map[Math.max(0, Math.min(textLen, ce))]!);
    const expected = tok.normalize(raw);
    if (decoded !== expected)
      report(`tokens ${i}..${j} decode to ${JSON.stringify(decoded)} but cover ${JSON.stringify(expected)}`);
    runs.push({ tokenStart: i, tokenEnd: j, charStart: cs, charEnd: ce, decoded, expected });
    i = j;
  }
  return { ok: problems.length === 0, problems, runs, supervised };
}
