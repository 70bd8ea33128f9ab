/** A two-item analysis record for candidate tests (no tests here). */
import type { AnalysisRecord } from '../../src/analysis/format.js';

/** The target-token view that `recordCandidates` takes. */
export interface TwoItemEnc {
  offsets: Int32Array;
  responseStart: number;
  responseEnd: number;
  responseOffset: number;
}

const TWO_ITEM_PREFIX = 'Q: hi\n';
const TWO_ITEM_RESPONSE = 'Use x:\nx = 1\ny = x\n';
/** The target tokens over the text, one per word: "x = 1\n" is tokens 6-8, "y = x\n" tokens 9-11. */
const TWO_ITEM_TOKENS = ['Q:', ' hi', '\n', 'Use', ' x', ':\n', 'x', ' =', ' 1\n', 'y', ' = x', '\n'];

const stmt = (start: number, end: number) => ({
  start,
  end,
  kind: 'simple' as const,
  type: 'expression_statement',
  flags: [] as string[],
});

/**
 * text = "Q: hi\n" + "Use x:\nx = 1\ny = x\n": items "x = 1\n" (u 1, reach 1, bridge 0) and "y = x\n"
 * (u 2, reach 0, bridge `bridge1`), one edge 0 → 1, five scorer tokens. `tokensEnd` is where the
 * last target token ends (the text's length when the tokens cover it).
 */
export function twoItemRecord(bridge1 = 0): {
  rec: AnalysisRecord;
  text: string;
  enc: TwoItemEnc;
  tokensEnd: number;
} {
  const response = TWO_ITEM_RESPONSE;
  const text = TWO_ITEM_PREFIX + response;
  const toks: number[] = [];
  let pos = 0;
  for (const t of TWO_ITEM_TOKENS) {
    toks.push(pos, pos + t.length);
    pos += t.length;
  }
  const rec: AnalysisRecord = {
    id: 'r1',
    ordinal: 0,
    file: 'f',
    line: 1,
    preset: 'magicoder',
    prompt: [{ role: 'user', content: 'hi' }],
    response,
    hash: '0',
    segments: [{ start: 7, end: 19, lang: 'python' }],
    items: [
      { ...stmt(7, 13), u: 1, nCore: 3, reach: 1, bridge: 0, core: [] },
      { ...stmt(13, 19), u: 2, nCore: 3, reach: 0, bridge: bridge1, core: [] },
    ],
    edges: [[0, 1]],
    scorer: { spans: [0, 3, 3, 5, 5, 7, 7, 13, 13, 19], logp: [-1, -2, -3, -0.5, -0.1] },
  };
  const offsets = Int32Array.from(toks);
  const enc = { offsets, responseStart: TWO_ITEM_PREFIX.length, responseEnd: text.length, responseOffset: 0 };
  return { rec, text, enc, tokensEnd: pos };
}
