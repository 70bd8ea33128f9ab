/**
 * Pass 2 (`select`): every analysis file of every shard → global budget → target-tokenizer masks
 * → best-fit-decreasing packs → writers + manifest. Cheap; re-run it freely with other budgets
 * and modes: nothing is re-scored.
 *
 * Memory stays flat in the pool size except for typed-array entries per sample (36 bytes per packable
 * sample: reach index and encoding-spill index; the id, offset and length of each selected one) and the
 * exact-duplicate hash set: encodings go to a temporary file between pass A and pass B, token ids and
 * flags to another between masking and packing.
 *
 *   pass A  histogram: for every record (in input order) its candidates' scores and token costs;
 *           its encoding to the encoding spill
 *   cut     the score bin where the cumulative cost crosses the budget (src/budget/threshold.ts)
 *   pass B  decide (encodings read back, samples no cut reaches skipped), mask (native), spill
 *           tokens, write the debug JSONL rows
 *   pack    native BFD over all sample lengths
 *   pass C  assemble packs (native) chunk by chunk from the spill, write Parquet / .bin
 */
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { testPause } from '../util/interrupt.js';
import { CodeblockError } from '../errors.js';
import { SELECT_KEYS, type CodeblockConfig } from '../config/index.js';
import {
  addPartCounts,
  hashJson,
  type AnalysisPart,
  type AnalysisRecord,
  type PartCounts,
} from '../analysis/format.js';
import { openAnalysis } from '../analysis/integrity.js';
import { GlobalDedup, itemModeReject } from './dedup.js';
import { chunked, orderedOutcomes, orderedRecords } from '../analysis/ordered.js';
import { candidatesOf, responseToText, type Encoded } from '../budget/candidates.js';
import type { SelectKnobs } from '../budget/rules.js';
import {
  analysisLanguages,
  analysisQ,
  chooseSpans,
  ifdCutOf,
  knobsOf,
  readsPoolStats,
  refuseWithoutScores,
  type BudgetSplit,
} from '../budget/rules.js';
import { BudgetPlanner } from '../budget/plan.js';
import { BudgetGate, binLowerEdge, type BudgetCut } from '../budget/threshold.js';
import { labelMask } from '../masks/index.js';
import { assembleInChunks, packBFD, packViews, packingEfficiency, IGNORE_INDEX, type PackPlan } from '../pack/index.js';
import { TargetTokenizer } from '../tokenize/index.js';
import { OutputWriter } from '../output/writer.js';
import { encodedChunks } from './encoded-chunks.js';
import { EncodingSpill } from './encoding-spill.js';
import { ReachIndex } from './reach-index.js';
import { FILE_NAMES } from '../output/types.js';
import { buildManifest, manifestToJson } from '../output/manifest.js';
import { commitStaged, prepareStaging } from '../output/commit.js';
import { lockDir, type DirLock } from '../util/dir-lock.js';
import { AtomicFile } from '../output/atomic.js';
import type { OutputFile, SelectedSpan } from '../output/types.js';
import type { ProgressHook } from './progress.js';
import { version } from '../version.js';
import { growFloat64, growInt32 } from '../util/grow.js';
import { SpillFile } from '../util/spill-file.js';
import { outcomeJsonLine, rejection } from './outcomes.js';
import { poolStatsOfParts } from './pool-stats.js';
import { RejectSpill } from './reject-spill.js';
import type { RecordHandoff } from './record-handoff.js';
import { isSaturated } from '../scoring/utility.js';
import { RankTable, discrimination, flowTerm, shrunkU, type Discrimination } from '../budget/score-def.js';
import { addCount } from '../util/timings.js';
import { makeDir } from '../util/fs-errors.js';

const CHUNK = 256;
const NO_SUPERVISION = 'no item or token of this sample scored above the global threshold';
/** Packs per pass-C chunk (select yields to the event loop after each: see packPass). */
const PACK_CHUNK = 128;

export interface SelectSummary {
  outDir: string;
  counts: { input: number; selected: number; rejected: Record<string, number>; quarantined: number; missing?: number };
  /** --allow-partial: what was missing from the analysis. */
  missing?: string[];
  tokens: {
    response: number;
    supervised: number;
    supervised_code: number;
    supervised_nl: number;
    /** End-of-assistant-turn tokens (`--supervise-eos`), counted in `supervised` and the budget. */
    supervised_eos: number;
    /** Supervised response tokens by segment language ("prose": outside code segments). */
    supervised_by_language: Record<string, number>;
    ratio: number;
  };
  packs: number;
  efficiency: number;
  /** One-line warnings for the user (the CLI prints them), e.g. a reference LM that does not discriminate. */
  warnings: string[];
}

function bump(map: Record<string, number>, key: string, n = 1): void {
  map[key] = (map[key] ?? 0) + n;
}

export interface SelectHooks {
  progress?: ProgressHook;
  /**
   * The target tokenizer, already loaded with `cfg.tokenizer` and `cfg.template` (`run` loads it before the
   * analysis, while memory is low: parsing tokenizer.json is select's largest transient allocation).
   */
  tokenizer?: TargetTokenizer;
  /** `run`: the analysis as analyze makes it; pass A reads it from there, the later passes from the files. */
  live?: LiveAnalysis;
}

/** The analysis while analyze makes it (src/pipeline/run.ts). */
export interface LiveAnalysis {
  /** The analysis config analyze writes into every part marker. */
  config: Promise<Record<string, unknown>>;
  /** The analyzed records, in input order, as analyze commits them. */
  records: RecordHandoff;
  /** Resolves when analyze is done (with the progress for the passes after A); rejects when it failed. */
  complete: Promise<{ progress?: ProgressHook }>;
}

/** What every pass reads. */
interface SelectRun {
  cfg: CodeblockConfig;
  outDir: string;
  /** The analysis parts (`run`: set once analyze is done, after pass A). */
  parts: AnalysisPart[];
  analysisConfig: Record<string, unknown>;
  analyzed: number;
  k: SelectKnobs;
  tok: TargetTokenizer;
  /** Global duplicates (exact, and MinHash near-duplicates), decided over every shard in input order. */
  dedup: GlobalDedup;
  progress?: ProgressHook;
}

/** Why a record is rejected before masking. */
interface Exclusion {
  reason: string;
  detail: string;
}

/** Records pass 0 or pass A took out, rejected in pass B with this reason. */
interface Exclusions {
  excluded: Map<number, Exclusion>;
  /** Whether pass 0 ran (it then did the global duplicate filter too). */
  ifdCut: boolean;
}

/** Global duplicates and item modes' no-code rejections: records `r` out (remembered in `excluded`) when it is one. */
function exclude(run: SelectRun, excluded: Map<number, Exclusion>, r: AnalysisRecord): boolean {
  const dup = run.dedup.check(r);
  const why = dup !== null ? { reason: 'duplicate', detail: dup } : itemModeReject(run.cfg.mode, r);
  if (why) excluded.set(r.ordinal, why);
  return why !== null;
}

/** Pass 0 (only for an IFD cut): global duplicates, then rank the rest by IFD. */
async function ifdPass(run: SelectRun): Promise<Exclusions> {
  const { cfg, progress } = run;
  const excluded = new Map<number, Exclusion>();
  const ifdCut = ifdCutOf(cfg);
  if (!ifdCut) return { excluded, ifdCut };
  // select() refused a cut the analysis has no IFD scores for (refuseWithoutScores)
  const ords: number[] = [];
  const vals: number[] = [];
  progress?.stage('select: IFD', run.analyzed);
  for await (const r of orderedRecords(run.parts)) {
    progress?.tick();
    if (exclude(run, excluded, r)) continue;
    ords.push(r.ordinal);
    vals.push(typeof r.ifd === 'number' ? r.ifd : NaN);
  }
  const ifdPool = ords.length;
  let ifdKept = Math.ceil(cfg.ifdTopRatio * ifdPool);
  if (cfg.ifdTopN > 0) ifdKept = Math.min(ifdKept, cfg.ifdTopN);
  // Highest IFD first among IFD < 1 (the prompt helps); IFD >= 1 next; undefined last; ties by input order.
  const rank = (v: number): number => (Number.isFinite(v) ? (v < 1 ? 0 : 1) : 2);
  const order = Array.from({ length: ifdPool }, (_, j) => j).sort(
    (a, b) => rank(vals[a]!) - rank(vals[b]!) || vals[b]! - vals[a]! || ords[a]! - ords[b]!,
  );
  for (let j = ifdKept; j < ifdPool; j++) {
    const v = vals[order[j]!]!;
    const detail = `IFD ${Number.isFinite(v) ? v : 'undefined'} outside the top ${ifdKept} of ${ifdPool} by IFD`;
    excluded.set(ords[order[j]!]!, { reason: 'ifd', detail });
  }
  return { excluded, ifdCut };
}

/** What pass A found: the global cuts and how the budget split. */
interface BudgetPlan {
  split: BudgetSplit;
  responseTokens: number;
  forcedCost: number;
  itemCut: BudgetCut;
  tokenCut: BudgetCut;
  itemCandidates: number;
  tokenCandidates: number;
  reach: ReachIndex;
  /** Items of the packable pool, and those with a saturated U (scored, mean-reduced analyses only). */
  utility?: { items: number; saturated: number };
  /** Mode codeblock on a scored analysis: does U discriminate against the data-flow factor? */
  discrimination?: Discrimination;
}

/** Pass A: samples that cannot be packed out, every candidate's score and token cost into the plan, the cuts. */
async function budgetPass(
  run: SelectRun,
  ex: Exclusions,
  encodings: EncodingSpill,
  records: AsyncIterable<AnalysisRecord>,
): Promise<BudgetPlan> {
  const { cfg, k, tok, progress } = run;
  const planner = new BudgetPlanner();
  const reach = new ReachIndex();
  const ac = run.analysisConfig;
  const utility = ac.scorer !== 'none' && (ac.reduce ?? 'mean') === 'mean' ? { items: 0, saturated: 0 } : undefined;
  // U′ and the data-flow term F of the item candidates (mode codeblock, scored analyses): the discrimination check
  const parts = ac.scorer !== 'none' && k.mode === 'codeblock' ? { u: new RankTable(), f: new RankTable() } : undefined;
  progress?.stage('select: budget', run.analyzed);
  const pick = (chunk: AnalysisRecord[]): AnalysisRecord[] =>
    chunk.filter((r) => !(ex.excluded.has(r.ordinal) || (!ex.ifdCut && exclude(run, ex.excluded, r))));
  // the next chunk encodes while this one's candidates are computed
  for await (const { chunk, keep, encs } of encodedChunks(tok, chunked(records, CHUNK), pick)) {
    addCount('select_encoded', keep.length);
    for (let i = 0; i < keep.length; i++) {
      const enc = encs[i]!;
      // a sample that cannot be packed is out before the threshold: its tokens never enter the budget
      if (enc.ids.length > cfg.maxLen) {
        const detail = `${enc.ids.length} tokens > maxLen ${cfg.maxLen} (never truncated)`;
        ex.excluded.set(keep[i]!.ordinal, { reason: 'pack_too_long', detail });
        continue;
      }
      const cands = candidatesOf(keep[i]!, enc, k);
      if (parts) {
        const rec = keep[i]!;
        for (const c of [...cands.forced, ...cands.items]) {
          const it = rec.items[c.item]!;
          parts.u.add(shrunkU(it, k, k.pool));
          parts.f.add(flowTerm(it, rec.items.length, k));
        }
      }
      const best = planner.add(cands);
      reach.add(keep[i]!.ordinal, best);
      encodings.push(keep[i]!.ordinal, enc); // pass B reads it back instead of tokenizing again
      if (utility) {
        for (const it of keep[i]!.items) {
          utility.items++;
          if (isSaturated(it.u, k.q)) utility.saturated++;
        }
      }
    }
    progress?.tick(chunk.length);
  }
  run.dedup.clear();
  const { split, itemCut, tokenCut } = planner.plan(k, cfg.budget);
  return {
    split,
    responseTokens: planner.responseTokens,
    forcedCost: planner.forcedCost,
    itemCut,
    tokenCut,
    itemCandidates: planner.itemHist.count,
    tokenCandidates: planner.tokenHist.count,
    reach,
    ...(utility ? { utility } : {}),
    ...(parts ? { discrimination: discrimination(parts.u.freeze(), parts.f.freeze(), k, k.pool) } : {}),
  };
}

/** Token ids and flags of the written samples, spilled to a temporary file between pass B and pass C. */
class Spill {
  private readonly file: SpillFile;
  readonly ids: string[] = [];
  readonly lens = growInt32();
  private readonly offsets = growFloat64();
  constructor(path: string) {
    this.file = new SpillFile(path);
  }

  /** spill: ids (int32 LE) then flags (uint8) */
  push(id: string, ids: Int32Array, flags: Uint8Array): void {
    const len = ids.length;
    const buf = Buffer.allocUnsafe(len * 5);
    Buffer.from(ids.buffer, ids.byteOffset, len * 4).copy(buf, 0);
    Buffer.from(flags.buffer, flags.byteOffset, len).copy(buf, len * 4);
    this.offsets.push(this.file.append(buf));
    this.lens.push(len);
    this.ids.push(id);
  }

  /** Sample `s` into `ids`/`sup` at `at`. */
  read(s: number, ids: Int32Array, sup: Uint8Array, at: number): void {
    const len = this.lens.view()[s]!;
    const buf = Buffer.allocUnsafeSlow(len * 5); // own ArrayBuffer at offset 0: int32-aligned
    this.file.readAt(buf, 0, buf.length, this.offsets.a[s]!);
    ids.set(new Int32Array(buf.buffer, 0, len), at);
    sup.set(buf.subarray(len * 4, len * 5), at);
  }

  close(): void {
    this.file.close();
  }
}

interface MaskResult {
  supervised: number;
  supervisedNl: number;
  supervisedEos: number;
  /** Supervised response tokens by the language of the segment holding them ("prose" outside code). */
  byLanguage: Record<string, number>;
}

/** Adds the sample's supervised response tokens to `out` by the language of the segment they lie in. */
function countByLanguage(rec: AnalysisRecord, enc: Encoded, flags: Uint8Array, out: Record<string, number>): void {
  const segs = rec.segments.map((g) => [responseToText(enc, g.start), responseToText(enc, g.end), g.lang] as const);
  let g = 0;
  for (let t = 0; t < flags.length; t++) {
    if (!flags[t]) continue;
    const s = enc.offsets[2 * t]!;
    const e = enc.offsets[2 * t + 1]!;
    if (s < enc.responseStart || e > enc.responseEnd) continue; // prompt / template tokens
    const mid = (s + e) / 2;
    while (g < segs.length && segs[g]![1] <= mid) g++;
    const lang = g < segs.length && segs[g]![0] <= mid ? segs[g]![2] : 'prose';
    out[lang] = (out[lang] ?? 0) + 1;
  }
}

/** Pass B: decide every sample's spans against the cuts, mask (native), spill, write sample rows. */
async function maskPass(
  run: SelectRun,
  ex: Exclusions,
  plan: BudgetPlan,
  encodings: EncodingSpill,
  spill: Spill,
  rejected: RejectSpill,
  writer: OutputWriter,
): Promise<MaskResult> {
  const { cfg, k, tok, progress } = run;
  const itemGate = new BudgetGate(plan.itemCut);
  const tokenGate = new BudgetGate(plan.tokenCut);
  let supervised = 0;
  let supervisedNl = 0;
  let supervisedEos = 0;
  const byLanguage: Record<string, number> = {};
  progress?.stage('select: masks', run.analyzed);
  for await (const chunk of chunked(orderedRecords(run.parts), CHUNK)) {
    const keep: AnalysisRecord[] = [];
    for (const r of chunk) {
      const why = ex.excluded.get(r.ordinal);
      if (why) rejected.push(rejection(r, why.reason, why.detail));
      else if (plan.reach.unreachable(r.ordinal, plan.itemCut, plan.tokenCut)) {
        addCount('select_unreachable', 1);
        rejected.push(rejection(r, 'no_supervision', NO_SUPERVISION));
      } else keep.push(r);
    }
    const encs = encodings.take(tok, keep);
    // Selected spans per sample (text code points), for the native mask.
    const spans: number[] = [];
    const sampleSpans = new Int32Array(keep.length + 1);
    const sampleTokens = new Int32Array(keep.length + 1);
    const selectedMeta: SelectedSpan[][] = [];
    const nlTokens: number[] = [];
    const eosTokens: number[] = [];
    for (let i = 0; i < keep.length; i++) {
      const enc = encs[i]!;
      const cands = candidatesOf(keep[i]!, enc, k);
      const chosen = chooseSpans(cands, enc.offsets, k, itemGate, tokenGate);
      for (const sp of chosen.spans) spans.push(sp.start, sp.end);
      sampleSpans[i + 1] = spans.length / 2;
      sampleTokens[i + 1] = sampleTokens[i]! + enc.ids.length;
      selectedMeta.push(chosen.spans);
      nlTokens.push(chosen.nl);
      eosTokens.push(chosen.eos);
    }
    const offsets = new Int32Array(sampleTokens[keep.length]! * 2);
    for (let i = 0; i < keep.length; i++) offsets.set(encs[i]!.offsets, sampleTokens[i]! * 2);
    const mask = labelMask({ charOffsets: offsets, sampleTokens, spans: Int32Array.from(spans), sampleSpans });
    for (let i = 0; i < keep.length; i++) {
      const rec = keep[i]!;
      const enc = encs[i]!;
      const n = mask.counts[i]!;
      if (n === 0) {
        rejected.push(rejection(rec, 'no_supervision', NO_SUPERVISION));
        continue;
      }
      const len = enc.ids.length;
      if (len > cfg.maxLen) {
        rejected.push(rejection(rec, 'pack_too_long', `${len} tokens > maxLen ${cfg.maxLen} (never truncated)`));
        continue;
      }
      const flags = mask.supervised.subarray(sampleTokens[i]!, sampleTokens[i + 1]!);
      spill.push(rec.id, enc.ids, flags);
      supervised += n;
      supervisedNl += Math.min(nlTokens[i]!, n);
      supervisedEos += eosTokens[i]!;
      countByLanguage(rec, enc, flags, byLanguage);
      if (writer.wantsSamples) {
        const labels = new Int32Array(len).fill(IGNORE_INDEX);
        for (let t = 1; t < len; t++) if (flags[t]) labels[t] = enc.ids[t]!;
        const selected = selectedMeta[i]!;
        writer.writeSample({ id: rec.id, text: enc.text, inputIds: enc.ids, labels, offsets: enc.offsets, selected });
      }
    }
    rejected.flush();
    progress?.tick(chunk.length);
  }
  return { supervised, supervisedNl, supervisedEos, byLanguage };
}

/**
 * Pack (native BFD over all sample lengths), then pass C: assemble packs chunk by chunk from the spill. Between
 * chunks it yields to the event loop: the assembled chunks' native buffers are freed by finalizers that run there,
 * so a long synchronous pass C held every chunk's buffers until its end (a 300K-record pool: 170 MB more peak RSS).
 */
async function packPass(run: SelectRun, spill: Spill, writer: OutputWriter): Promise<PackPlan> {
  const lens = spill.lens.view();
  const plan = packBFD(lens, run.cfg.maxLen);
  if (plan.rejected.length) {
    const n = plan.rejected.length;
    throw new CodeblockError(`internal: packer rejected ${n} samples that were checked against maxLen`, 'E_INTERNAL');
  }
  run.progress?.stage('select: packs', plan.packStarts.length - 1, 'packs');
  const read = (s: number, ids: Int32Array, sup: Uint8Array, at: number): void => spill.read(s, ids, sup, at);
  for (const { batch, members } of assembleInChunks(plan, lens, read, PACK_CHUNK)) {
    for (const pack of packViews(
      batch,
      Array.from(members, (s) => spill.ids[s]!),
    ))
      writer.writePack(pack);
    run.progress?.tick(batch.packStarts.length - 1);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return plan;
}

/**
 * Lock the output directory (src/util/dir-lock.ts), then, holding it, remove what killed runs left and make this
 * run's staging directory (src/output/commit.ts) with its spill directory inside.
 */
async function prepareOutDir(
  cfg: CodeblockConfig,
  outDir: string,
): Promise<{ lock: DirLock; staging: string; tmpDir: string }> {
  makeDir(outDir);
  const lock = await lockDir(outDir, { wait: cfg.waitLock, what: 'select' });
  try {
    const staging = prepareStaging(outDir);
    const tmpDir = join(staging, 'spill');
    makeDir(tmpDir);
    return { lock, staging, tmpDir };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/** Run pass 2 over analysis directories into `outDir`. */
export async function select(
  analysisDirs: readonly string[],
  cfg: CodeblockConfig,
  hooks: SelectHooks = {},
): Promise<SelectSummary> {
  try {
    return await selectPass(analysisDirs, cfg, hooks);
  } finally {
    hooks.live?.records.stop(); // finished or failed: analyze never waits on a reader that is gone
  }
}

/** The analysis once it is complete: its parts (integrity-checked) and counts. */
function finishedAnalysis(analysisDirs: readonly string[], cfg: CodeblockConfig) {
  const { parts, missing } = openAnalysis(analysisDirs, { allowPartial: cfg.allowPartial });
  const counts: PartCounts = { input: 0, analyzed: 0, rejected: {}, quarantined: 0 };
  for (const p of parts) addPartCounts(counts, p.marker);
  return { parts, missing, counts };
}

async function selectPass(
  analysisDirs: readonly string[],
  cfg: CodeblockConfig,
  hooks: SelectHooks,
): Promise<SelectSummary> {
  const outDir = cfg.out;
  if (!outDir) throw new CodeblockError('select needs an output directory (-o)');
  const live = hooks.live;
  // run: pass A reads the analysis while analyze makes it; the files are opened (and checked) once it is complete
  let finished = live ? undefined : finishedAnalysis(analysisDirs, cfg);
  const analysisConfig = live ? await live.config : (finished!.parts[0]!.marker.config ?? {});
  // Options the analysis cannot serve (an IFD cut without IFD, a mode that needs LM scores on an
  // analysis without them) stop here, before anything is read or written.
  refuseWithoutScores(cfg, { scorer: analysisConfig.scorer, ifd: analysisConfig.ifd });
  const tok = hooks.tokenizer ?? (await TargetTokenizer.load(cfg.tokenizer, { template: cfg.template }));
  const eot = cfg.superviseEos ? tok.specialIds : undefined;
  const k = knobsOf(cfg, analysisQ(analysisConfig), analysisLanguages(analysisConfig), eot);
  const dedup = new GlobalDedup(analysisConfig);
  const run: SelectRun = {
    cfg,
    outDir,
    parts: finished?.parts ?? [],
    analysisConfig,
    analyzed: finished?.counts.analyzed ?? 0,
    k,
    tok,
    dedup,
    progress: live ? undefined : hooks.progress, // live: analyze's progress is on screen until it is done
  };

  const { lock, staging, tmpDir } = await prepareOutDir(cfg, outDir);
  const encodings = new EncodingSpill(join(tmpDir, 'encodings.spill'));
  const spill = new Spill(join(tmpDir, 'samples.spill'));
  const rejects = new RejectSpill(join(tmpDir, 'rejects.spill'));
  await testPause('select-spill'); // the spill files exist here (tests of SIGINT)
  let writer: OutputWriter | undefined;
  try {
    if (live && (ifdCutOf(cfg) || readsPoolStats(k))) {
      const what = ifdCutOf(cfg) ? 'an IFD cut' : 'a score with pool statistics';
      throw new CodeblockError(`internal: ${what} reads the whole analysis before pass A`, 'E_INTERNAL');
    }
    const ex = await ifdPass(run);
    // the score's pool statistics (percentile tables, mean U): every analyzed record, in input order
    if (readsPoolStats(k)) {
      run.progress?.stage('select: pool statistics', run.analyzed);
      run.k = await poolStatsOfParts(k, run.parts, cfg.workers);
    }
    const plan = await budgetPass(run, ex, encodings, live ? live.records.records() : orderedRecords(run.parts));
    if (live) {
      const after = await live.complete;
      finished = finishedAnalysis(analysisDirs, cfg);
      if (hashJson(finished.parts[0]!.marker.config ?? {}) !== hashJson(analysisConfig))
        throw new CodeblockError('internal: the finished analysis has another config than pass A read', 'E_INTERNAL');
      if (finished.counts.analyzed !== live.records.pushed) {
        const n = `${live.records.pushed} records handed over, ${finished.counts.analyzed} in the analysis`;
        throw new CodeblockError(`internal: pass A did not read the whole analysis (${n})`, 'E_INTERNAL');
      }
      run.parts = finished.parts;
      run.analyzed = finished.counts.analyzed;
      run.progress = after.progress;
    }
    const { missing } = finished!;
    const { input, rejected, quarantined } = finished!.counts;
    const counts = { input, selected: 0, rejected, quarantined, ...(missing ? { missing: missing.records } : {}) };
    const parts = run.parts;
    writer = new OutputWriter(staging, { formats: cfg.format, maxLen: cfg.maxLen });
    const masked = await maskPass(run, ex, plan, encodings, spill, rejects, writer);
    encodings.close();
    const packPlan = await packPass(run, spill, writer);
    spill.close();

    // ---- outcomes, manifest ----------------------------------------------------------------
    for (const [reason, n] of Object.entries(rejects.counts)) bump(counts.rejected, reason, n);
    counts.selected = spill.ids.length;
    const summary = writer.close();
    const extraFiles = await writeOutcomeFiles(staging, parts, rejects.read());
    rejects.close();
    await testPause('select-staged'); // every new file is in the staging directory, nothing committed (SIGINT tests)
    const tokens = {
      response: plan.responseTokens,
      supervised: masked.supervised,
      supervised_code: masked.supervised - masked.supervisedNl - masked.supervisedEos,
      supervised_nl: masked.supervisedNl,
      supervised_eos: masked.supervisedEos,
      supervised_by_language: Object.fromEntries(
        Object.entries(masked.byLanguage).sort(([a], [b]) => (a < b ? -1 : 1)),
      ),
    };
    const selectConfig: Record<string, unknown> = {};
    for (const key of SELECT_KEYS) selectConfig[key] = cfg[key];
    const files = [...summary.files, ...extraFiles].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const manifest = buildManifest({
      version: version(),
      config: { analysis: analysisConfig, select: selectConfig },
      counts,
      tokens,
      packing: { packs: summary.packs, max_len: cfg.maxLen, tokens: summary.tokens },
      files,
      extra: {
        selection: {
          budget_tokens: Math.round(plan.split.budgetTokens),
          item_budget_tokens: Math.round(plan.split.itemBudget),
          nl_budget_tokens: Math.round(plan.split.nlBudget),
          eos_budget_tokens: Math.round(plan.split.eosTokens),
          forced_tokens: plan.forcedCost,
          item_candidates: plan.itemCandidates,
          item_threshold: cutThreshold(plan.itemCut),
          token_threshold: cutThreshold(plan.tokenCut),
          token_candidates: plan.tokenCandidates,
          ...(plan.utility ? { saturated_items: plan.utility.saturated, scored_items: plan.utility.items } : {}),
          ...(run.k.pool ? { pool_items: run.k.pool.items, pool_u_mean: run.k.pool.uMean } : {}),
          ...(plan.discrimination ? { discrimination: discriminationRecord(plan.discrimination) } : {}),
        },
        tokenizer: tok.description,
        input_errors: inputErrors(parts),
        // always present, so a reader sees the outer wall-clock safety net's count even when it is 0 (normally)
        structure_limits: {
          wall_timeout: counts.rejected.wall_timeout ?? 0,
          work_budget: counts.rejected.work_budget ?? 0,
        },
        ...(missing ? { missing: missing.what } : {}),
      },
    });
    rmSync(tmpDir, { recursive: true, force: true });
    lock.check(); // still ours: nobody else has touched the directory
    // the old manifest out, the new files in, codeblock's files the new manifest does not list out, the manifest last
    commitStaged(outDir, staging, files, manifestToJson(manifest));
    await lock.release();
    run.progress?.done(); // the pass's own bar (in `run`, the one afterAnalyze gave), so the summary starts a line
    const efficiency = packingEfficiency(packPlan);
    const ratio = manifest.tokens.ratio;
    const partial = missing ? { missing: missing.what } : {};
    const warnings: string[] = [];
    const u = plan.utility;
    const weak = plan.discrimination?.problem;
    if (u && u.items > 0 && u.saturated > u.items / 2) {
      const share = ((100 * u.saturated) / u.items).toFixed(0);
      warnings.push(`reference LM does not discriminate; use --model (${share}% of items have U within 5% of 1/q)`);
    } else if (weak) warnings.push(`reference LM does not discriminate; use --model (${weak})`);
    return {
      outDir,
      counts,
      ...partial,
      tokens: { ...tokens, ratio },
      packs: summary.packs,
      efficiency,
      warnings,
    };
  } catch (err) {
    writer?.abort();
    encodings.close();
    spill.close();
    rejects.close();
    rmSync(staging, { recursive: true, force: true });
    await lock.release();
    throw err;
  }
}

/** Whole-file input problems recorded by analyze (every shard reads every file: deduplicated). */
function inputErrors(parts: readonly AnalysisPart[]): Array<{ file: string; error: string }> {
  const seen = new Map<string, { file: string; error: string }>();
  for (const p of parts) for (const e of p.marker.inputErrors ?? []) seen.set(`${e.file}\u0000${e.error}`, e);
  return [...seen.keys()].sort().map((k) => seen.get(k)!);
}

/** The discrimination check as the manifest records it (rounded to 1e-6; null for a value that is not finite). */
function discriminationRecord(d: Discrimination): Record<string, number | string | null> {
  const r = (x: number | undefined) =>
    x === undefined ? undefined : Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : null;
  const out: Record<string, number | string | null> = { u_log_iqr: r(d.uLogIqr) ?? null };
  if (d.uUpper !== undefined) out.u_upper = r(d.uUpper) ?? null;
  if (d.flowUpper !== undefined) out.flow_upper = r(d.flowUpper) ?? null;
  if (d.problem) out.problem = d.problem;
  return out;
}

/** Lowest score a cut can take (null when nothing or everything is cut). */
function cutThreshold(c: BudgetCut): number | null {
  return c.cutBin >= 0 && c.cutBin < 1 << 19 ? binLowerEdge(c.cutBin) : null;
}

/**
 * rejected.jsonl and quarantine.jsonl of the output directory: every record that was not selected,
 * with its reason, in input order (analysis outcomes merged with select's own rejections).
 */
async function writeOutcomeFiles(
  outDir: string,
  parts: AnalysisPart[],
  selectRejects: Iterator<[number, string]>,
): Promise<OutputFile[]> {
  const rejected = new AtomicFile(join(outDir, FILE_NAMES.rejected));
  const quarantine = new AtomicFile(join(outDir, FILE_NAMES.quarantine));
  try {
    let next = selectRejects.next();
    const emitSelect = (upTo: number) => {
      while (!next.done && next.value[0] < upTo) {
        rejected.writeString(next.value[1]);
        next = selectRejects.next();
      }
    };
    for await (const o of orderedOutcomes(parts)) {
      emitSelect(o.ordinal);
      const line = outcomeJsonLine(o);
      if (o.status === 'quarantined') quarantine.writeString(line);
      else rejected.writeString(line);
    }
    emitSelect(Infinity);
    return [rejected.commit(), quarantine.commit()].map((f) => ({
      path: relative(outDir, f.path),
      sha256: f.sha256,
      bytes: f.bytes,
    }));
  } catch (err) {
    rejected.abort();
    quarantine.abort();
    throw err;
  }
}
