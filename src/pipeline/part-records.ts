/**
 * One record's analysis, from its structure outcome to its analysis-record line: the same functions on the main
 * thread (scored runs, `run`'s live hand-off) and in the structure workers (`--scorer none`: the worker builds,
 * serializes and returns a batch's lines; src/pipeline/analyze-worker.ts), so the bytes cannot differ.
 */
import type { CodeblockConfig } from '../config/index.js';
import type { CodeRecord } from '../types.js';
import type { FilterVerdict } from '../filters/pair.js';
import type { StructureOutcome, StructureResult } from '../structure/types.js';
import type { RecordScores } from '../scoring/index.js';
import { sortedMessage, type AnalysisItem, type AnalysisOutcome, type AnalysisRecord } from '../analysis/format.js';
import { analyzedRecordExtras, deferredItemReject } from '../analysis/extras.js';
import { displayName, itemizedOf, languageList } from '../structure/languages.js';
import { rejectedRecord } from './outcomes.js';

/** What of the config the record functions read (plain data: it goes to the workers as it is). */
export type RecordConfig = Pick<
  CodeblockConfig,
  'workBudget' | 'wallTimeoutMs' | 'pairFilter' | 'allowFlagged' | 'dedup'
> & {
  /** The itemized languages (canonical names). */
  languages: readonly string[];
};

export function recordConfig(cfg: CodeblockConfig, languages: readonly string[]): RecordConfig {
  return {
    workBudget: cfg.workBudget,
    wallTimeoutMs: cfg.wallTimeoutMs,
    pairFilter: cfg.pairFilter,
    allowFlagged: cfg.allowFlagged,
    dedup: cfg.dedup,
    languages: [...languages],
  };
}

const STRUCTURE_DETAIL: Record<string, (cfg: RecordConfig) => string> = {
  work_budget: (cfg) => `structure analysis needed more than --work-budget ${cfg.workBudget} work units`,
  wall_timeout: (cfg) => `structure analysis ran past the --wall-timeout-ms safety net of ${cfg.wallTimeoutMs} ms`,
  no_code: () => 'no code segment that parses',
  too_many_items: () => 'more coding items than the structure stage accepts (data-flow metrics grow quadratically)',
};

export type Structured = {
  record: CodeRecord;
  result: StructureResult;
  itemReject?: FilterVerdict;
};

/** Decides one structure outcome: a record to build, or its rejection. */
export class Classifier {
  readonly #itemized: Set<string>;
  readonly #codeNames: string;
  constructor(readonly cfg: RecordConfig) {
    this.#itemized = itemizedOf(cfg.languages); // host-only languages (HTML) hold no items of their own
    this.#codeNames = languageList([...this.#itemized].map(displayName));
  }

  classify(o: StructureOutcome): Structured | AnalysisOutcome {
    const keepAll = this.cfg.pairFilter === 'off';
    if (!o.ok) {
      const detail = STRUCTURE_DETAIL[o.reason]!(this.cfg);
      // --pair-filter off: kept for full and token modes; item modes reject it in select
      return keepAll ? deferredItemReject(o.record, o.reason, detail) : rejectedRecord(o.record, o.reason, detail);
    }
    const itemized = this.#itemized;
    const codeLangs = [...new Set(o.result.segments.filter((s) => itemized.has(s.lang)).map((s) => s.lang))];
    const selectable = o.result.items.some((it) => it.flags.length === 0);
    if (codeLangs.length === 0 || o.result.items.length === 0 || (!selectable && !this.cfg.allowFlagged)) {
      const langs = [...new Set(o.result.segments.map((s) => s.lang))];
      const detail =
        codeLangs.length === 0
          ? `no ${this.#codeNames} code segment${langs.length ? ` (found: ${langs.join(', ')})` : ''}`
          : o.result.items.length === 0
            ? `${languageList(codeLangs.map(displayName))} segment(s) without statements`
            : 'every code item touches a parse error';
      if (keepAll) return { record: o.record, result: o.result, itemReject: { reason: 'no_code', detail } };
      return rejectedRecord(o.record, 'no_code', detail);
    }
    return { record: o.record, result: o.result };
  }
}

export const isStructured = (x: Structured | AnalysisOutcome): x is Structured => 'result' in x;

// `|| 0`: never -0, which JSON writes as 0, so a record handed to select in memory (run) equals the one read back
export const round5 = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 1e5) / 1e5 || 0 : null);

/** A record's scores without a reference LM (`--scorer none`). */
export function unscored(id: string): RecordScores {
  return {
    id,
    status: 'ok',
    notes: [],
    start: new Uint32Array(0),
    end: new Uint32Array(0),
    logprob: new Float32Array(0),
    ids: new Int32Array(0),
    promptTokens: 0,
    promptTokensDropped: 0,
  };
}

/** `--scorer none`: every item gets utility 1 (ranking by data flow alone). */
export const unitUtilities = (result: StructureResult): Array<{ utility: number | null; coreTokens: number }> =>
  result.items.map((it) => ({ utility: 1, coreTokens: it.core.length }));

/**
 * The analysis record of a structured, scored record. Keys in sorted order at every level (the prompt's messages
 * too): the line is then one JSON.stringify call, byte for byte what stableStringify writes
 * (test/analysis/canonical-lines.test.ts holds every line to it).
 */
export function analysisRecordOf(
  s: Structured,
  sc: RecordScores,
  utils: ReadonlyArray<{ utility: number | null; coreTokens: number }>,
  ifd: number | null | undefined,
  hash: string,
  cfg: RecordConfig,
): AnalysisRecord {
  const { record, result } = s;
  const items: AnalysisItem[] = result.items.map((it, k) => ({
    bridge: round5(result.bridge[k]!) ?? 0,
    core: it.core,
    end: it.end,
    flags: it.flags,
    kind: it.kind as AnalysisItem['kind'],
    nCore: utils[k]!.coreTokens,
    reach: round5(result.reach[k]!) ?? 0,
    start: it.start,
    type: it.type,
    u: round5(utils[k]!.utility ?? 0) ?? 0,
  }));
  const spans: number[] = new Array(sc.start.length * 2);
  for (let t = 0; t < sc.start.length; t++) {
    spans[2 * t] = sc.start[t]!;
    spans[2 * t + 1] = sc.end[t]!;
  }
  const extras = analyzedRecordExtras(record, cfg, s.itemReject);
  return {
    edges: result.edges,
    file: record.source.file,
    hash,
    id: record.id,
    ...(ifd !== undefined ? { ifd } : {}),
    ...(extras.itemReject ? { itemReject: extras.itemReject } : {}),
    items,
    line: record.source.line,
    ...(extras.minhash !== undefined ? { minhash: extras.minhash } : {}),
    ...(sc.notes.length ? { notes: [...sc.notes] } : {}),
    ordinal: record.ordinal,
    preset: record.preset,
    prompt: record.prompt.map(sortedMessage),
    response: record.response,
    scorer: { logp: Array.from(sc.logprob, (x) => round5(x)), spans },
    segments: result.segments.map((g) => ({ end: g.end, lang: g.lang, start: g.start })),
  };
}

/** What a worker hands back for one batch of `--scorer none` records (src/pipeline/analyze-worker.ts). */
export interface BuiltBatch {
  /** The analysis-record lines of the batch's analyzed records, in order, UTF-8, each ending in '\n'. */
  lines: Uint8Array;
  /** How many lines. */
  analyzed: number;
  /** The batch's rejections (the structure stage's), in order. */
  outcomes: AnalysisOutcome[];
}

/** One batch of `--scorer none` records: structure outcomes in, serialized analysis records and rejections out. */
export function buildUnscoredBatch(
  outcomes: Iterable<StructureOutcome>,
  hashes: readonly string[],
  classifier: Classifier,
): { text: string; analyzed: number; outcomes: AnalysisOutcome[] } {
  const rejected: AnalysisOutcome[] = [];
  let text = '';
  let analyzed = 0;
  let i = 0;
  for (const o of outcomes) {
    const hash = hashes[i++]!;
    const c = classifier.classify(o);
    if (!isStructured(c)) {
      rejected.push(c);
      continue;
    }
    const rec = analysisRecordOf(c, unscored(c.record.id), unitUtilities(c.result), undefined, hash, classifier.cfg);
    text += `${JSON.stringify(rec)}\n`;
    analyzed++;
  }
  return { text, analyzed, outcomes: rejected };
}
