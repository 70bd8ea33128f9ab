/**
 * The select rules, once (docs/pipeline.md, "select"): the knobs of a run, the budget split, which
 * items are eligible or forced, and which spans a sample supervises. `select`
 * (src/pipeline/select.ts), the benchmark (bench/mask_pack.ts) and `inspect` (src/inspect/load.ts)
 * all call these; none re-derives them.
 */
import type { SelectedSpan } from '../output/types.js';
import type { RecordCandidates } from './candidates.js';
import { CodeblockError } from '../errors.js';
import { MODES, isMode, modeReadsPool, modeSpec, modesWithoutScores, type Mode } from './modes.js';
import { itemizedLanguages, itemizedOf } from '../structure/languages.js';
import type { BudgetGate } from './threshold.js';
import type { AnalysisRecord } from '../analysis/format.js';
import {
  RANK_WITHIN_NAMES,
  REACH_NORM_NAMES,
  SCORE_COMBINE_NAMES,
  U_TRANSFORM_NAMES,
  V2,
  collectPoolStats,
  needsPoolStats,
  type PoolStats,
  type RankWithin,
  type ReachNorm,
  type ScoreCombine,
  type ScoreDef,
  type UTransform,
} from './score-def.js';

/** The knobs of a select run, as candidates, the budget and the span choice read them. */
export interface SelectKnobs extends ScoreDef {
  mode: Mode;
  /** Pool statistics of the score definition (src/budget/score-def.ts), once collected. */
  pool?: PoolStats;
  minItems: number;
  maxItems: number;
  allowFlagged: boolean;
  nlRatio: number;
  seed: number;
  /** GCE exponent used by the analysis (token-level u). */
  q: number;
  /** Languages the analysis itemized: code of other languages is never prose. */
  itemized: ReadonlySet<string>;
  /**
   * `--supervise-eos`: the target tokenizer's special token ids; the first of them after the response is the
   * end-of-assistant-turn token the sample supervises (with any template text between). Absent: off.
   */
  endOfTurn?: ReadonlySet<number>;
}

/**
 * The defaults of the knobs the select rules read. The option table (src/config/options.ts) takes its defaults
 * for these keys from here, and a recorded run missing a key takes the same value, so there is one place each
 * default lives.
 */
export const KNOB_DEFAULTS = {
  mode: 'codeblock' as Mode,
  q: 0.7,
  seed: 0,
  minhashThreshold: 0.85,
  nlRatio: 0.1,
  lambdaReach: 0.5,
  lambdaBridge: 0.5,
  scoreCombine: 'fisher' as ScoreCombine,
  rankWithin: 'kind' as RankWithin,
  uTransform: 'pct' as UTransform,
  reachNorm: 'log' as ReachNorm,
  uShrink: 4,
  minItems: 0,
  maxItems: 0,
  allowFlagged: false,
} as const;

/** The config a run's knobs come from (a resolved `CodeblockConfig` has these fields). */
export interface KnobConfig {
  mode: Mode;
  lambdaReach: number;
  lambdaBridge: number;
  scoreCombine: ScoreCombine;
  rankWithin: RankWithin;
  uTransform: UTransform;
  reachNorm: ReachNorm;
  uShrink: number;
  minItems: number;
  maxItems: number;
  allowFlagged: boolean;
  nlRatio: number;
  seed: number;
  /** `--ifd-top-ratio` / `--ifd-top-n`: select's IFD cut. */
  ifdTopRatio: number;
  ifdTopN: number;
}

type NumberKnob = {
  [K in keyof typeof KNOB_DEFAULTS]: (typeof KNOB_DEFAULTS)[K] extends number ? K : never;
}[keyof typeof KNOB_DEFAULTS];
type ChoiceKnob = 'scoreCombine' | 'rankWithin' | 'uTransform' | 'reachNorm';

/** Default of a knob ({@link KNOB_DEFAULTS}). */
export function optionDefault<K extends keyof typeof KNOB_DEFAULTS>(key: K): (typeof KNOB_DEFAULTS)[K] {
  return KNOB_DEFAULTS[key];
}

/** The mode a run without a recorded mode used (the option default). */
export function defaultMode(): Mode {
  return optionDefault('mode');
}

/** The GCE exponent an analysis used (its recorded config; the option default otherwise). */
export function analysisQ(analysisConfig: Record<string, unknown> | undefined): number {
  const q = analysisConfig?.q;
  return typeof q === 'number' && Number.isFinite(q) ? q : optionDefault('q');
}

/** The languages an analysis itemized (its recorded config; every registered language otherwise). */
export function analysisLanguages(analysisConfig: Record<string, unknown> | undefined): ReadonlySet<string> {
  const l = analysisConfig?.languages;
  if (Array.isArray(l) && l.every((x) => typeof x === 'string')) return itemizedOf(l as string[]);
  return itemizedLanguages();
}

/** Whether select drops later copies of a pair (the analysis ran with pair filters and dedup on). */
export function dedupApplies(analysisConfig: Record<string, unknown> | undefined): boolean {
  return analysisConfig?.pairFilter !== 'off' && analysisConfig?.dedup !== 'off';
}

/** What an analysis holds of the reference LM (its recorded `scorer` and `ifd`). */
export interface AnalysisScores {
  /** `none`: no LM scores (every item U = 1, no log-probs, no IFD). */
  scorer: unknown;
  ifd: unknown;
}

/** How a refusal names the analysis and the fix: select reads one; `run` is about to make one. */
const UNSCORED = {
  analysis: {
    unscored: 'the analysis ran with --scorer none',
    ifdFix: 're-run `codeblock analyze --ifd` with a scorer (--scorer lm)',
    noIfdFix: 'run `codeblock analyze --ifd` first',
    modeFix: 're-run `codeblock analyze` with a scorer (--scorer lm)',
  },
  run: {
    unscored: 'this run has --scorer none',
    ifdFix: 'use --scorer lm with --ifd',
    noIfdFix: 'add --ifd',
    modeFix: 'use --scorer lm',
  },
} as const;

/** Whether a config asks for an IFD cut (`--ifd-top-ratio` < 1 or `--ifd-top-n` > 0): select's pass 0 ranks the
 * whole analysis first, so such a run cannot overlap analyze and select. */
export function ifdCutOf(cfg: Pick<KnobConfig, 'ifdTopRatio' | 'ifdTopN'>): boolean {
  return cfg.ifdTopRatio < 1 || cfg.ifdTopN > 0;
}

/**
 * Refuses (E_USAGE, one line) select options the analysis cannot serve, before any work: an IFD cut
 * (`--ifd-top-ratio` < 1, `--ifd-top-n` > 0) without IFD scores, and a mode whose table entry
 * refuses to run without LM scores (`withoutScores`, src/budget/modes.ts) on an analysis made with
 * `--scorer none`. `select` passes the analysis' recorded config; `run` the one it is about to use.
 */
export function refuseWithoutScores(
  cfg: Pick<KnobConfig, 'mode' | 'ifdTopRatio' | 'ifdTopN'>,
  analysis: AnalysisScores,
  where: keyof typeof UNSCORED = 'analysis',
): void {
  const w = UNSCORED[where];
  const noScores = analysis.scorer === 'none';
  const cut = [...(cfg.ifdTopRatio < 1 ? ['--ifd-top-ratio'] : []), ...(cfg.ifdTopN > 0 ? ['--ifd-top-n'] : [])];
  const needs = `${cut.join(' and ')} need${cut.length > 1 ? '' : 's'} IFD scores`;
  if (cut.length && noScores) throw new CodeblockError(`${needs}, but ${w.unscored} (no LM scores): ${w.ifdFix}`);
  if (cut.length && !analysis.ifd) throw new CodeblockError(`${needs}: ${w.noIfdFix}`);
  const spec = modeSpec(cfg.mode);
  if (noScores && spec.withoutScores.verdict === 'refuses') {
    throw new CodeblockError(
      `--mode ${spec.name} needs LM scores (${spec.withoutScores.reason}), but ${w.unscored}: ${w.modeFix}, or ` +
        `pick a mode that runs without scores (${modesWithoutScores().join(', ')})`,
    );
  }
}

/** The selection knobs of a config. Modes that do not use prose give it no share. */
type KnobKeys =
  | 'mode'
  | 'lambdaReach'
  | 'lambdaBridge'
  | 'scoreCombine'
  | 'rankWithin'
  | 'uTransform'
  | 'reachNorm'
  | 'uShrink'
  | 'minItems'
  | 'maxItems'
  | 'allowFlagged'
  | 'nlRatio'
  | 'seed';

export function knobsOf(
  cfg: Pick<KnobConfig, KnobKeys>,
  q: number,
  itemized: ReadonlySet<string> = itemizedLanguages(),
  endOfTurn?: ReadonlySet<number>,
): SelectKnobs {
  return {
    itemized,
    ...(endOfTurn ? { endOfTurn } : {}),
    mode: cfg.mode,
    lambdaReach: cfg.lambdaReach,
    lambdaBridge: cfg.lambdaBridge,
    combine: cfg.scoreCombine,
    rankWithin: cfg.rankWithin,
    uTransform: cfg.uTransform,
    reachNorm: cfg.reachNorm,
    uShrink: cfg.uShrink,
    minItems: cfg.minItems,
    maxItems: cfg.maxItems,
    allowFlagged: cfg.allowFlagged,
    nlRatio: modeSpec(cfg.mode).usesNl ? cfg.nlRatio : 0,
    seed: cfg.seed,
    q,
  };
}

/**
 * Knobs of a recorded run (manifest `config.select` / `config.analysis`): keys missing from the
 * record take their OPTIONS default, except the score definition of a run recorded before it had one
 * (no `scoreCombine`): that run scored by v2's definition (src/budget/score-def.ts V2).
 */
export function knobsOfRecord(
  select: Record<string, unknown> | undefined,
  analysis: Record<string, unknown> | undefined,
): SelectKnobs {
  const sel = select ?? {};
  const num = (key: NumberKnob): number => {
    const v = sel[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : optionDefault(key);
  };
  const mode = (typeof sel.mode === 'string' ? sel.mode : optionDefault('mode')) as Mode;
  const recorded = typeof sel.scoreCombine === 'string';
  const choice = <T extends string>(key: ChoiceKnob, names: readonly string[], v2: T): T => {
    const v = sel[key];
    if (!recorded) return v2;
    return (typeof v === 'string' && names.includes(v) ? v : optionDefault(key)) as T;
  };
  if (!isMode(mode)) {
    const known = MODES.join(', ');
    const msg = `the run was selected with mode "${mode}", which this codeblock does not know (known: ${known})`;
    throw new CodeblockError(msg, 'E_INPUT');
  }
  return knobsOf(
    {
      mode,
      lambdaReach: num('lambdaReach'),
      lambdaBridge: num('lambdaBridge'),
      scoreCombine: choice('scoreCombine', SCORE_COMBINE_NAMES, V2.combine),
      rankWithin: choice('rankWithin', RANK_WITHIN_NAMES, V2.rankWithin),
      uTransform: choice('uTransform', U_TRANSFORM_NAMES, V2.uTransform),
      reachNorm: choice('reachNorm', REACH_NORM_NAMES, V2.reachNorm),
      uShrink: recorded ? num('uShrink') : V2.uShrink,
      minItems: num('minItems'),
      maxItems: num('maxItems'),
      allowFlagged: typeof sel.allowFlagged === 'boolean' ? sel.allowFlagged : optionDefault('allowFlagged'),
      nlRatio: num('nlRatio'),
      seed: num('seed'),
    },
    analysisQ(analysis),
    analysisLanguages(analysis),
  );
}

/** Whether the run's scores read pool statistics (a pre-pass over the whole analysis before pass A). */
export function readsPoolStats(k: Pick<SelectKnobs, 'mode'> & Parameters<typeof needsPoolStats>[0]): boolean {
  return modeReadsPool(k.mode) && needsPoolStats(k);
}

/** The config's knobs as {@link readsPoolStats} reads them. */
export function configReadsPoolStats(
  cfg: Pick<
    KnobConfig,
    'mode' | 'scoreCombine' | 'rankWithin' | 'uTransform' | 'reachNorm' | 'uShrink' | 'lambdaReach' | 'lambdaBridge'
  >,
): boolean {
  return readsPoolStats({ ...cfg, combine: cfg.scoreCombine, rankWithin: cfg.rankWithin });
}

/**
 * The knobs with the pool statistics their score reads (src/budget/score-def.ts), counted over `records()` — every
 * analyzed record, in input order; the knobs themselves when the score reads none.
 */
export async function withPoolStats(
  k: SelectKnobs,
  records: () => AsyncIterable<AnalysisRecord>,
): Promise<SelectKnobs> {
  if (!readsPoolStats(k)) return k;
  return { ...k, pool: await collectPoolStats(records, k, k.allowFlagged) };
}

export interface BudgetSplit {
  /** budget × response tokens of the pool. */
  budgetTokens: number;
  /** Tokens for the item candidates (after prose, forced items and end-of-turn tokens). */
  itemBudget: number;
  /** Tokens for the token candidates: prose in item modes, every token in token modes. */
  nlBudget: number;
  /** End-of-turn tokens the plan expects the selected samples to supervise (`--supervise-eos`). */
  eosTokens: number;
}

/**
 * How the global budget splits between item and token candidates. The NL share is capped at the
 * `nlAvailable` token candidates there are (the rest goes to items); `eosTokens` come off the top.
 */
export function budgetSplit(
  k: SelectKnobs,
  budget: number,
  responseTokens: number,
  forcedCost: number,
  nlAvailable = Number.POSITIVE_INFINITY,
  eosTokens = 0,
): BudgetSplit {
  const budgetTokens = budget * responseTokens;
  const rest = Math.max(0, budgetTokens - eosTokens);
  if (modeSpec(k.mode).unit === 'tokens') return { budgetTokens, itemBudget: 0, nlBudget: rest, eosTokens };
  const nlBudget = Math.min(budgetTokens * k.nlRatio, nlAvailable);
  return { budgetTokens, nlBudget, itemBudget: Math.max(0, rest - nlBudget - forcedCost), eosTokens };
}

/** An item may be selected: it covers a target token and touches no parse error (unless allowed). */
export function isEligible(flags: readonly string[], tokens: number, allowFlagged: boolean): boolean {
  return (allowFlagged || flags.length === 0) && tokens !== 0;
}

/** What --min-items / --max-items make of a sample's eligible items. */
export interface ItemLimits {
  /** Items --max-items keeps (undefined: no limit). */
  keep: ReadonlySet<number> | undefined;
  /** Items --min-items forces in (taken before the budget). */
  force: ReadonlySet<number>;
}

/** Eligible items ranked by score (ties: item order); the top min(minItems, maxItems) are forced. */
export function itemLimits(
  eligible: ReadonlyArray<{ item: number; score: number }>,
  minItems: number,
  maxItems: number,
): ItemLimits {
  if (maxItems <= 0 && minItems <= 0) return { keep: undefined, force: new Set() };
  const ranked = [...eligible].sort((a, b) => b.score - a.score || a.item - b.item);
  const keep = maxItems > 0 ? new Set(ranked.slice(0, maxItems).map((c) => c.item)) : undefined;
  const force = new Set(ranked.slice(0, Math.min(minItems, keep ? maxItems : Infinity)).map((c) => c.item));
  return { keep, force };
}

export interface ChosenSpans {
  /** Selected spans in text code points, sorted by start then end. */
  spans: SelectedSpan[];
  /** Prose tokens taken (the first token of the text never counts: it is never a label). */
  nl: number;
  /** End-of-turn tokens supervised. */
  eos: number;
}

/**
 * The spans one sample supervises, given its candidates and the global gates. Gates are taken in
 * record order, so callers must call this once per sample, in input order. The end-of-turn tokens
 * come with anything else the sample supervises (alone they never keep a sample); `full` always has them.
 */
export function chooseSpans(
  c: RecordCandidates,
  offsets: Int32Array,
  k: SelectKnobs,
  itemGate: BudgetGate,
  tokenGate: BudgetGate,
): ChosenSpans {
  const spans: SelectedSpan[] = [];
  let nl = 0;
  if (c.full) {
    const [a, b] = c.responseTokenRange;
    if (b > a) spans.push({ start: offsets[2 * a]!, end: offsets[2 * (b - 1) + 1]!, kind: 'item', score: 1 });
  } else {
    const tokenUnit = modeSpec(k.mode).unit === 'tokens';
    for (const f of c.forced) spans.push({ start: f.start, end: f.end, kind: 'item', score: f.score });
    for (const it of c.items) {
      if (itemGate.take(it.score, it.cost)) spans.push({ start: it.start, end: it.end, kind: 'item', score: it.score });
    }
    const { token, score } = c.tokens;
    for (let j = 0; j < c.tokens.length; j++) {
      if (tokenGate.take(score[j]!, 1)) {
        const t = token[j]!;
        const kind = tokenUnit ? 'item' : 'nl';
        spans.push({ start: offsets[2 * t]!, end: offsets[2 * t + 1]!, kind, score: score[j]! });
        if (!tokenUnit && t !== 0) nl++;
      }
    }
  }
  let eos = 0;
  const [ea, eb] = c.eos;
  if (spans.length && eb > ea) {
    spans.push({ start: offsets[2 * ea]!, end: offsets[2 * (eb - 1) + 1]!, kind: 'eos', score: 1 });
    eos = eb - ea;
  }
  spans.sort((a, b) => a.start - b.start || a.end - b.end);
  return { spans, nl, eos };
}
