/**
 * Selection modes, one entry each: the single source of `--mode` (choices, --help, docs/config.md),
 * of candidates (src/budget/candidates.ts), of the select rules (src/budget/rules.ts), of inspect
 * and of the benchmark. Adding a mode = one entry here plus its score function
 * (docs/architecture.md, "Add a selection mode").
 *
 * unit     what competes for the global budget:
 *            items     complete code items (their target tokens are the cost); prose tokens take
 *                      the `nlRatio` share when `usesNl`
 *            tokens    single response tokens take the whole budget
 *            response  the whole response of every sample (no budget)
 * score    the candidate's score (higher = taken first); items: `index` is the item, tokens: the
 *          response token (0 = the response's first token) and `logp` its scorer log-prob
 * usesNl   prose tokens compete for the `nlRatio` share of the budget (scored by GCE)
 * needsScores  the score reads the reference LM's scores (item utility / token log-prob): a
 *          token without a log-prob is then no candidate
 * readsPool  the score follows the score definition (--score-combine, --u-transform, --reach-norm, --u-shrink,
 *          src/budget/score-def.ts), which may read pool statistics: select and inspect collect them first
 * withoutScores  what the mode does on an analysis made with `--scorer none` (every item U = 1, no
 *          log-probs): `runs`, or `refuses` (select stops with a usage error instead of ranking by
 *          nothing); `reason` says why, in a few words (it goes into the refusal and docs/config.md)
 */
import type { AnalysisRecord } from '../analysis/format.js';
import { gceFromLogprob } from '../scoring/utility.js';
import { seededUniform } from '../util/hash.js';
import { codeblockItemScore, utilityItemScore, type PoolStats, type ScoreDef } from './score-def.js';

export type ModeUnit = 'items' | 'tokens' | 'response';

/** The knobs a score function may read. */
export interface ScoreKnobs extends ScoreDef {
  seed: number;
  /** Pool statistics the score definition reads (src/budget/score-def.ts); absent when it reads none. */
  pool?: PoolStats;
  /** GCE exponent the analysis used. */
  q: number;
}

export interface ScoreArgs {
  rec: AnalysisRecord;
  /** Item index (unit items) or response token index (unit tokens). */
  index: number;
  /** Unit tokens with needsScores: the scorer log-prob under the token; NaN otherwise. */
  logp: number;
  knobs: ScoreKnobs;
}

/** What a mode does on an analysis without LM scores (`analyze --scorer none`), and why. */
export interface WithoutScores {
  readonly verdict: 'runs' | 'refuses';
  readonly reason: string;
}

export interface ModeSpec {
  readonly name: string;
  readonly unit: ModeUnit;
  readonly score: (a: ScoreArgs) => number;
  readonly usesNl: boolean;
  readonly needsScores: boolean;
  readonly readsPool: boolean;
  readonly withoutScores: WithoutScores;
  /** One line for --help and docs/config.md. */
  readonly help: string;
}

/** Item score of the data-flow rule: U · (1 + λr·Reach + λb·Bridge) (docs/pipeline.md, docs/structure.md). */
export function dataflowScore(
  utility: number,
  reach: number,
  bridge: number,
  lambdaReach: number,
  lambdaBridge: number,
): number {
  return utility * (1 + lambdaReach * reach + lambdaBridge * bridge);
}

export const MODE_TABLE = [
  {
    name: 'codeblock',
    unit: 'items',
    score: ({ rec, index, knobs }) => codeblockItemScore(rec, index, knobs, knobs.pool),
    usesNl: true,
    needsScores: true,
    readsPool: true,
    withoutScores: { verdict: 'runs', reason: 'it ranks items by data flow alone (every item U = 1)' },
    help: 'code items by U and data flow (--score-combine, docs/scoring.md "Item score"), prose tokens by GCE',
  },
  {
    name: 'full',
    unit: 'response',
    score: () => 1,
    usesNl: false,
    needsScores: false,
    readsPool: false,
    withoutScores: { verdict: 'runs', reason: 'it supervises the whole response' },
    help: 'the whole response (ordinary SFT; no budget)',
  },
  {
    name: 'items-no-dataflow',
    unit: 'items',
    score: ({ rec, index, knobs }) => utilityItemScore(rec, index, knobs, knobs.pool),
    usesNl: true,
    needsScores: true,
    readsPool: true,
    withoutScores: {
      verdict: 'refuses',
      reason: 'it ranks items by U alone, and without scores every item has U = 1, so it would keep input order',
    },
    help: 'code items by utility U alone (shrunk and ranked as in codeblock), prose tokens by GCE',
  },
  {
    name: 'random-items',
    unit: 'items',
    score: ({ rec, index, knobs }) => seededUniform(knobs.seed, rec.id, index),
    usesNl: true,
    needsScores: false,
    readsPool: false,
    withoutScores: { verdict: 'runs', reason: 'it ranks items at random' },
    help: 'code items at random (seeded), prose tokens by GCE',
  },
  {
    name: 'token-gce',
    unit: 'tokens',
    score: ({ logp, knobs }) => gceFromLogprob(logp, knobs.q),
    usesNl: false,
    needsScores: true,
    readsPool: false,
    withoutScores: { verdict: 'refuses', reason: 'it ranks single response tokens by the GCE of their LM log-probs' },
    help: 'single response tokens by GCE',
  },
  {
    name: 'random-tokens',
    unit: 'tokens',
    score: ({ rec, index, knobs }) => seededUniform(knobs.seed, rec.id, index),
    usesNl: false,
    needsScores: false,
    readsPool: false,
    withoutScores: { verdict: 'runs', reason: 'it ranks tokens at random' },
    help: 'single response tokens at random (seeded)',
  },
] as const satisfies readonly ModeSpec[];

export type Mode = (typeof MODE_TABLE)[number]['name'];

/** Mode names in table order (the `--mode` choices). */
export const MODES = MODE_TABLE.map((m) => m.name) as readonly Mode[] as readonly [Mode, ...Mode[]];

const BY_NAME = new Map<string, ModeSpec>(MODE_TABLE.map((m) => [m.name, m]));

/** The table entry of a mode; throws on a name the table does not have. */
export function modeSpec(mode: string): ModeSpec {
  const m = BY_NAME.get(mode);
  if (!m) throw new RangeError(`unknown selection mode "${mode}" (known: ${MODES.join(', ')})`);
  return m;
}

/** Whether `name` is a mode of the table. */
export function isMode(name: string): name is Mode {
  return BY_NAME.has(name);
}

/** Whether a mode's score reads the score definition's pool statistics (when the definition needs any). */
export function modeReadsPool(mode: string): boolean {
  return BY_NAME.get(mode)?.readsPool === true;
}

/** Whether a mode's budget unit is code items (the item modes). */
export function isItemMode(mode: string): boolean {
  return BY_NAME.get(mode)?.unit === 'items';
}

/** The first item mode of the table (what inspect scores items by under a token or response mode). */
export function firstItemMode(): Mode {
  return MODE_TABLE.find((m) => m.unit === 'items')!.name;
}

/** Modes that run on an analysis without LM scores, in table order. */
export function modesWithoutScores(): Mode[] {
  return MODE_TABLE.filter((m) => m.withoutScores.verdict === 'runs').map((m) => m.name);
}

/** `--mode` help: the option's line, then one line per mode. */
export function modesHelp(): string {
  const each = MODE_TABLE.map((m) => `${m.name} = ${m.help}`).join('; ');
  const refuse = MODE_TABLE.filter((m) => m.withoutScores.verdict === 'refuses').map((m) => m.name);
  const verb = refuse.length > 1 ? 'refuse' : 'refuses';
  const unscored = refuse.length
    ? `. On an analysis without LM scores (analyze --scorer none) ${refuse.join(', ')} ${verb}; the others run`
    : '';
  return `what to supervise (ablations share the budget and output format): ${each}${unscored}`;
}
