/**
 * Pass 1 (`analyze`): read → pair filters → segments/items/def-use (native, worker pool) →
 * reference-LM scores → item utilities → analysis files, part by part.
 *
 * Sharding: a record belongs to shard `ordinal % n`. Inside a shard, records are grouped into
 * parts of `PART_RECORDS`; each part is committed atomically (data files renamed into place, then
 * its marker), so a killed run resumes at the first part without a marker (`--resume`, default).
 */
import { createHash, type Hash } from 'node:crypto';
import { rmSync, readdirSync } from 'node:fs';
import { lockDir, type DirLock } from '../util/dir-lock.js';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { CodeblockError } from '../errors.js';
import { parseShard, refuseScorerOptions, type CodeblockConfig } from '../config/index.js';
import { checkInputs, countInput, readRecordBatches } from '../io/index.js';
import { ShapeCheck } from '../io/shape.js';
import { testPause } from '../util/interrupt.js';
import { PairFilter, pairHashOf, type FilterVerdict } from '../filters/pair.js';
import { nativeOptions } from '../structure/native.js';
import { analyzeStructure, StructurePool } from '../structure/index.js';
import type { StructureOptions } from '../structure/types.js';
import { rejectedRecord } from './outcomes.js';
import { itemizedLanguages, resolveLanguages } from '../structure/languages.js';
import {
  analysisRecordOf,
  Classifier,
  isStructured,
  recordConfig,
  round5,
  unitUtilities,
  unscored,
  type BuiltBatch,
  type RecordConfig,
  type Structured,
} from './part-records.js';
import { records as buildRecords, type RecordsTask } from './analyze-worker.js';
import {
  Scorer,
  resolveEmbeddedModel,
  itemUtilities,
  meanNll,
  type RecordScores,
  type ScorerOptions,
} from '../scoring/index.js';
import { AtomicFile, writeFileAtomic } from '../output/atomic.js';
import type { CodeRecord, QuarantineEntry } from '../types.js';
import type { ProgressHook } from './progress.js';
import {
  ANALYSIS_FORMAT,
  ANALYSIS_VERSION,
  addPartCounts,
  analysisPart,
  hashJson,
  partBase,
  readMarker,
  shardDirName,
  verifyPart,
  type AnalysisOutcome,
  type AnalysisRecord,
  type PartMarker,
} from '../analysis/format.js';
import {
  COMPLETION_FORMAT,
  COMPLETION_VERSION,
  inputFingerprint,
  removeCompletion,
  writeCompletion,
} from '../analysis/completion.js';
import { inputName } from '../analysis/input-name.js';
import type { FileDigest } from '../io/digest.js';
import { addStageTime, stageMs, timedIterable } from '../util/timings.js';
import { makeDir } from '../util/fs-errors.js';

const gzipAsync = promisify(gzip);

/** Records per committed part (the unit of resume). */
export const PART_RECORDS = 1024;
/**
 * Parts computed or committed at once: the reader goes on with the next part while these are in the structure
 * stage (workers) or being committed (in part order).
 */
const PARTS_IN_FLIGHT = 2;

export interface AnalyzeSummary {
  dir: string;
  shard: { index: number; count: number };
  parts: number;
  resumedParts: number;
  /**
   * Parts a resume found but did not reuse, with why: their input changed, or a data file is missing or differs
   * from its marker. They were analyzed again (the CLI prints one line each).
   */
  redoneParts: Array<{ part: number; why: string }>;
  counts: { input: number; analyzed: number; rejected: Record<string, number>; quarantined: number };
  /**
   * Reference-LM figures: tokens scored, batch padding, and time — `busyMs` the session spent running batches,
   * `wallMs` from the first batch to the last result (summed over score calls), `openMs` to load the model
   * (all 0 with --scorer none). Timings are reported, never written into analysis files.
   */
  scorer: { tokens: number; paddingFraction: number; busyMs: number; wallMs: number; openMs: number };
  fileErrors: Array<{ file: string; error: string }>;
}

export interface AnalyzeHooks {
  progress?: ProgressHook;
  /** Scorer options beyond the config's (benchmarks compare `pipelineDepth` 1 and 2 this way). */
  scorerOptions?: Pick<ScorerOptions, 'pipelineDepth'>;
  /** Called after each committed part (tests use it to kill at part boundaries). */
  onPart?: (part: number) => void;
  /** `run`'s overlap with select's pass A (src/pipeline/run.ts). */
  live?: LiveSink;
}

/**
 * Where `run` takes the analysis while it is made: the analysis config once it is known (before the first part),
 * then every part's analyzed records in part order, each as it is committed (a part reused on resume is read back
 * from its file). A commit waits for `records` to resolve (the hand-off's backpressure); a rejection fails analyze.
 */
export interface LiveSink {
  config(config: Record<string, unknown>): void;
  records(records: AnalysisRecord[]): Promise<void>;
}

/**
 * The analysis config: everything that changes analysis files (hashed into every part marker). Inputs are named
 * (`inputName`: real paths, so every spelling of one file is one input); their content is checked part by part
 * (`inputSha256` of each marker) and file by file (the completion record), as analyze reads them.
 */
export function analysisConfig(
  cfg: CodeblockConfig,
  inputs: readonly string[],
  modelSha256: string,
  modelName: string,
): Record<string, unknown> {
  return {
    analysisVersion: ANALYSIS_VERSION,
    inputs: inputs.map((p) => ({ path: inputName(p) })),
    preset: cfg.preset,
    ...(cfg.fields ? { fields: cfg.fields } : {}),
    maxLineBytes: cfg.maxLineBytes,
    pairFilter: cfg.pairFilter,
    maxResponseChars: cfg.maxResponseChars,
    minTestScore: cfg.minTestScore,
    minJudgement: cfg.minJudgement,
    dedup: cfg.dedup,
    ifd: cfg.ifd,
    minhashThreshold: cfg.minhashThreshold,
    granularity: cfg.granularity,
    blockMaxChars: cfg.blockMaxChars,
    workBudget: cfg.workBudget,
    wallTimeoutMs: cfg.wallTimeoutMs,
    languages: resolveLanguages(cfg.languages),
    model: modelName,
    modelSha256,
    scorer: cfg.scorer,
    q: cfg.q,
    reduce: cfg.reduce,
    scorerTemplate: cfg.scorerTemplate,
    // accelerators round differently (docs/scoring.md): their analyses are never mixed with CPU parts on resume;
    // the key is left out for the CPU so CPU analyses stay byte-identical to earlier versions
    ...(cfg.scorer !== 'none' && cfg.device !== 'cpu' ? { device: cfg.device } : {}),
  };
}

function promptText(rec: CodeRecord): string {
  return rec.prompt.map((m) => m.content).join('\n');
}

interface PendingPart {
  index: number;
  records: CodeRecord[];
  /** The pair-filter verdict of each record, decided at read time in global input order. */
  verdicts: Array<FilterVerdict | null>;
  quarantined: QuarantineEntry[];
  /** Shard-local input positions in this part (records + quarantined). */
  inputs: number;
  /** sha256 over what the part's units are besides their bytes (ordinal, line, preset, verdict; see inputSha256). */
  digest: Hash;
  /** The finished digest (set at flush). */
  inputSha256?: string;
  inputErrors: Array<{ file: string; error: string }>;
}

const newPart = (index: number): PendingPart => ({
  index,
  records: [],
  verdicts: [],
  quarantined: [],
  inputs: 0,
  digest: createHash('sha256'),
  inputErrors: [],
});

export async function analyze(
  inputs: readonly string[],
  cfg: CodeblockConfig,
  hooks: AnalyzeHooks = {},
): Promise<AnalyzeSummary> {
  if (!cfg.out) throw new CodeblockError('analyze needs an output directory (-o)');
  const started = performance.now(); // the `analyze` stage timer (src/util/timings.ts)
  try {
    return await analyzePass(inputs, cfg, hooks);
  } finally {
    addStageTime('analyze', performance.now() - started);
  }
}

async function analyzePass(
  inputs: readonly string[],
  cfg: CodeblockConfig,
  hooks: AnalyzeHooks,
): Promise<AnalyzeSummary> {
  if (!cfg.out) throw new CodeblockError('analyze needs an output directory (-o)');
  // --scorer none with options that only mean something to the LM (--ifd, --model, --q, …): refuse before any work
  refuseScorerOptions(cfg);
  await checkInputs(inputs);
  // every spelling of a file (./pool.jsonl, pool.jsonl, a symlink) is one input, named by its real path
  const names = inputs.map((p) => inputName(p));
  const shard = parseShard(cfg.shard);
  const embeddedChoice = cfg.embeddedModel ?? 'auto'; // a library config built without the table's defaults
  if (cfg.model !== undefined && embeddedChoice !== 'auto')
    throw new CodeblockError(
      `--embedded-model ${embeddedChoice} chooses the embedded model, but --model gives another: drop one`,
    );
  const embedded = cfg.model === undefined ? resolveEmbeddedModel(embeddedChoice, cfg.device ?? 'cpu') : undefined;
  const modelDir = resolve(cfg.model ?? embedded!.dir);
  const opened = performance.now();
  const scorer =
    cfg.scorer === 'none'
      ? undefined
      : await Scorer.open(modelDir, {
          ...(embedded ? { modelFile: embedded.file } : {}),
          device: cfg.device,
          threads: cfg.threads || undefined,
          template: cfg.scorerTemplate,
          maxTokensPerBatch: cfg.scoreBatchTokens || undefined, // 0: the Scorer's by-device default
          ...hooks.scorerOptions,
        });
  const openMs = scorer ? performance.now() - opened : 0;
  const pool = new StructurePool({ workers: cfg.workers, worker: new URL('./analyze-worker.js', import.meta.url) });
  // Parts computed and committed, oldest first (see flush); the scorer's parts go through it one at a time.
  const inflight: Array<Promise<void>> = [];
  let scoring: Promise<unknown> = Promise.resolve();
  const settle = async (): Promise<void> => {
    while (inflight.length) await inflight.shift();
  };
  let lock: DirLock | undefined; // this shard's lock (one writer per shard; other shards never wait on it)
  const counting = new AbortController(); // the progress bar's count of the input (below)
  try {
    const config = analysisConfig(
      cfg,
      names,
      scorer?.model.sourceSha256 ?? 'none',
      scorer ? (embedded?.name ?? modelDir) : 'none',
    );
    const configHash = hashJson(config);
    hooks.live?.config(config);
    const dir = join(cfg.out, shardDirName(shard.index, shard.count));
    makeDir(dir);
    lock = await lockDir(dir, { wait: cfg.waitLock, what: `analyze shard ${shard.index}/${shard.count}` });
    // The shard is incomplete from now until its completion record is written (docs/scaling.md).
    removeCompletion(dir);
    for (const f of readdirSync(dir)) {
      // temporary files of a killed run are never trusted; without --resume nothing is
      if (/^\.part-.*\.tmp-/.test(f) || (!cfg.resume && /^part-/.test(f))) rmSync(join(dir, f), { force: true });
    }

    const filter = new PairFilter(cfg);
    const structureOpts: StructureOptions = {
      granularity: cfg.granularity,
      blockMaxCodePoints: cfg.blockMaxChars,
      workBudget: cfg.workBudget,
      wallTimeoutMs: cfg.wallTimeoutMs,
      languages: resolveLanguages(cfg.languages),
    };
    const summary: AnalyzeSummary = {
      dir,
      shard,
      parts: 0,
      resumedParts: 0,
      redoneParts: [],
      counts: { input: 0, analyzed: 0, rejected: {}, quarantined: 0 },
      scorer: { tokens: 0, paddingFraction: 0, busyMs: 0, wallMs: 0, openMs },
      fileErrors: [],
    };
    const progress = hooks.progress;
    progress?.stage(`analyze shard ${shard.index}/${shard.count}`);
    if (progress?.active) {
      // The bar's total: the input's records (Parquet: its metadata; JSONL: one streaming pass beside the run),
      // this shard's share of them (ordinal % count === index). Only for a bar on a terminal.
      countInput(inputs, { maxLineBytes: cfg.maxLineBytes, signal: counting.signal }).then(
        (n) => {
          if (!counting.signal.aborted)
            progress.setTotal(n > shard.index ? Math.floor((n - shard.index - 1) / shard.count) + 1 : 0);
        },
        () => undefined, // no total: the bar shows count and rate only
      );
    }

    let local = 0; // shard-local input position
    let totalInput = 0; // input units of every shard (for the completion record)
    const pendingErrors: Array<{ file: string; error: string }> = [];
    let part: PendingPart | undefined;
    const recordCfg = recordConfig(cfg, [...(structureOpts.languages ?? itemizedLanguages())]);
    const ctx: PartContext = {
      dir,
      shard,
      config,
      configHash,
      scorer,
      pool,
      structureOpts,
      cfg,
      recordCfg,
      live: hooks.live,
    };
    // PARTS_IN_FLIGHT parts in flight: part p is committed (records built, gzip, files renamed) while part p+1 is in
    // the structure stage (and the scorer) and part p+2 is read. Commits stay in part order; a failure surfaces at a
    // later flush (or at the end), before anything later is committed.
    const committed = (m: PartMarker, index: number): void => {
      addPartCounts(summary.counts, m);
      summary.scorer.tokens += m.scorer.tokens;
      summary.parts++;
      hooks.onPart?.(index);
    };
    const flush = async (p: PendingPart): Promise<void> => {
      if (p.inputErrors.length) p.digest.update(`E${JSON.stringify(p.inputErrors)}\n`);
      p.digest.update(`B${unitBytes.get(p.index)?.digest('hex') ?? ''}\n`);
      unitBytes.delete(p.index);
      p.inputSha256 = p.digest.digest('hex');
      const marker = cfg.resume ? readMarker(join(dir, `${partBase(p.index)}.json`)) : undefined;
      if (marker && marker.configHash === configHash) {
        // Reused only when its input is what it was made from and its files are what its marker recorded.
        await settle();
        const why = await reusable(dir, marker, p.inputSha256, hooks.live);
        if (typeof why !== 'string') {
          if (hooks.live) await hooks.live.records(why);
          addPartCounts(summary.counts, marker);
          summary.resumedParts++;
          summary.parts++;
          hooks.onPart?.(p.index);
          return;
        }
        summary.redoneParts.push({ part: p.index, why });
        removePart(dir, partBase(p.index)); // marker first: never trusted again, whatever happens next
      }
      while (inflight.length >= PARTS_IN_FLIGHT) await inflight.shift();
      const previous = inflight.at(-1);
      let computed: Promise<ComputedPart>;
      if (ctx.scorer || ctx.live) {
        computed = scoring.then(() => computePart(p, ctx));
        scoring = computed.catch(() => undefined);
      } else computed = computePart(p, ctx); // worker tasks only: any number of parts may queue
      computed.catch(() => undefined); // surfaced through the commit below
      const next = (async () => {
        const c = await computed;
        await previous;
        committed(await commitPart(c, ctx), p.index);
      })();
      next.catch(() => undefined); // awaited at a later flush or at the end
      inflight.push(next);
    };
    // Parts of another config can never be reused: drop them now so no stale part outlives this run.
    for (const f of readdirSync(dir).filter((x) => /^part-\d+\.json$/.test(x))) {
      const m = readMarker(join(dir, f));
      if (!m || m.configHash !== configHash) removePart(dir, f.replace(/\.json$/, ''));
    }
    const digests = new Map<string, FileDigest>();
    // The source bytes of this shard's input units (JSONL lines, Parquet rows as JSON), hashed per part as the reader
    // reads them (it runs a batch ahead of the parts, so the next part's hash may already be open).
    const unitBytes = new Map<number, Hash>();
    const onUnit = (ordinal: number, bytes: Uint8Array): void => {
      if (ordinal % shard.count !== shard.index) return;
      const index = Math.floor((ordinal - shard.index) / shard.count / PART_RECORDS);
      let h = unitBytes.get(index);
      if (!h) unitBytes.set(index, (h = createHash('sha256')));
      h.update(`${ordinal}:${bytes.length}\n`);
      h.update(bytes);
    };

    const shape = new ShapeCheck(names); // every shard sees every event: each refuses a wrong input alike
    const batches = readRecordBatches(names, {
      preset: cfg.preset,
      fields: cfg.fields,
      maxLineBytes: cfg.maxLineBytes,
      onFileDigest: (file, d) => digests.set(file, d),
      onUnit,
    });
    for await (const batch of timedIterable('read', batches)) {
      let filterMs = 0;
      for (const ev of batch) {
        shape.see(ev);
        if (ev.type === 'file_error') {
          summary.fileErrors.push({ file: ev.file, error: ev.error });
          // recorded in the part being read (or the next one), so select can report it in the manifest
          pendingErrors.push({ file: ev.file, error: ev.error });
          continue;
        }
        const ordinal = ev.type === 'record' ? ev.record.ordinal : ev.entry.ordinal;
        totalInput++;
        // Every record passes the filter, whatever its shard: exact duplicates are decided alike for any layout.
        const t0 = performance.now();
        const verdict = ev.type === 'record' ? filter.check(ev.record) : null;
        filterMs += performance.now() - t0;
        if (ordinal % shard.count !== shard.index) continue;
        const index = Math.floor(local / PART_RECORDS);
        if (!part || part.index !== index) {
          if (part) await flush(part);
          part = newPart(index);
        }
        local++;
        part.inputs++;
        if (pendingErrors.length) part.inputErrors.push(...pendingErrors.splice(0));
        // What the part is made from, besides its units' bytes (onUnit): ordinal, line and preset of each record and
        // its pair-filter verdict (exact duplicates depend on earlier records), each quarantine entry. Whether a
        // resumed part is reused is decided on this digest.
        if (ev.type === 'record') {
          const r = ev.record;
          const v = verdict ? `${verdict.reason}\t${verdict.detail}` : '';
          part.digest.update(`R${r.ordinal}\t${r.source.line}\t${r.preset}\t${v}\n`);
          part.records.push(ev.record);
          part.verdicts.push(verdict);
        } else {
          part.digest.update(`Q${JSON.stringify(ev.entry)}\n`);
          part.quarantined.push(ev.entry);
        }
        progress?.tick();
      }
      addStageTime('filters', filterMs);
    }
    shape.check(); // an empty input, or a file of no preset's shape: one line, exit 1 (the shard stays incomplete)
    if (pendingErrors.length) {
      // a file error after the shard's last record (e.g. the damaged tail of the last file)
      if (!part) part = newPart(0);
      part.inputErrors.push(...pendingErrors.splice(0));
    }
    if (part) await flush(part);
    await settle();
    // Parts beyond the end of the input (an earlier run over a longer input) are stale.
    for (const f of readdirSync(dir).filter((x) => /^part-\d+\.json$/.test(x))) {
      if (Number(f.slice(5, -5)) >= summary.parts) removePart(dir, f.replace(/\.json$/, ''));
    }
    summary.scorer.paddingFraction = scorer?.totals.paddingFraction ?? 0;
    summary.scorer.busyMs = scorer?.totals.busyMs ?? 0;
    summary.scorer.wallMs = scorer?.totals.wallMs ?? 0;
    // The shard's last act: every part is committed.
    lock.check();
    writeCompletion(dir, {
      format: COMPLETION_FORMAT,
      version: COMPLETION_VERSION,
      shard,
      parts: summary.parts,
      counts: summary.counts,
      totalInput,
      configHash,
      inputs: inputFingerprint(names, digests),
    });
    progress?.done();
    return summary;
  } finally {
    counting.abort();
    // an error elsewhere: let the parts in flight finish or fail first
    await Promise.allSettled(inflight);
    await lock?.release();
    await pool.destroy();
    await scorer?.close();
  }
}

/**
 * Whether a committed part can be reused: made from the same input (its marker's inputSha256) and every data file
 * what its marker recorded (read and hashed). Its analyzed records when it can (`run` hands them on: read from the
 * same verified bytes), else why not.
 */
async function reusable(
  dir: string,
  marker: PartMarker,
  inputSha256: string,
  live: LiveSink | undefined,
): Promise<AnalysisRecord[] | string> {
  if (marker.inputSha256 !== inputSha256) {
    return marker.inputSha256 ? 'its input changed since it was analyzed' : 'its marker records no input digest';
  }
  try {
    return await verifyPart(analysisPart(dir, marker), { records: live !== undefined });
  } catch (e) {
    if (!(e instanceof CodeblockError)) throw e;
    const m = /: (part-\d+\.[^ ]+ [^;]+);/.exec(e.message);
    return m ? m[1]! : e.message;
  }
}

function removePart(dir: string, base: string): void {
  // marker first: a part without its marker is ignored by readers
  for (const suffix of ['.json', '.records.jsonl.gz', '.outcomes.jsonl'])
    rmSync(join(dir, base + suffix), { force: true });
}

function ifdOf(conditioned: RecordScores, unconditioned: RecordScores): number | null {
  const c = meanNll(conditioned.logprob);
  const u = meanNll(unconditioned.logprob);
  return c !== null && u !== null && u > 0 ? round5(c / u) : null;
}

interface PartContext {
  dir: string;
  shard: { index: number; count: number };
  config: Record<string, unknown>;
  configHash: string;
  scorer: Scorer | undefined;
  pool: StructurePool;
  structureOpts: StructureOptions;
  cfg: CodeblockConfig;
  /** What the record functions read of cfg (src/pipeline/part-records.ts). */
  recordCfg: RecordConfig;
  live: LiveSink | undefined;
}

/** A part after structure and scoring, before its analysis records are built and committed. */
type ComputedPart =
  | {
      part: PendingPart;
      outcomes: AnalysisOutcome[];
      structured: Structured[];
      scores: RecordScores[];
      alone: RecordScores[] | undefined;
    }
  | {
      part: PendingPart;
      outcomes: AnalysisOutcome[];
      /** `--scorer none`: the workers built and serialized the records (batches in order). */
      built: BuiltBatch[];
    };

/** Records per worker task of the `--scorer none` path (the structure stage's batch). */
const BUILD_BATCH = 64;

/** Records between two yields of commitPart to the event loop (so the next part's structure keeps its workers fed). */
const COMMIT_SLICE = 64;
const yieldToLoop = (): Promise<void> => new Promise((res) => setImmediate(res));

/** Pair-filter verdicts, structure on the worker pool and reference-LM scores of one part. */
async function computePart(p: PendingPart, ctx: PartContext): Promise<ComputedPart> {
  const outcomes: AnalysisOutcome[] = [];
  for (const q of p.quarantined) {
    outcomes.push({
      status: 'quarantined',
      id: q.id,
      ordinal: q.ordinal,
      file: q.file,
      line: q.line,
      reason: q.reason,
      detail: q.error,
    });
  }
  // Cheap filters first (a 20 MB response is never parsed).
  const survivors: CodeRecord[] = [];
  for (let i = 0; i < p.records.length; i++) {
    const r = p.records[i]!;
    const v = p.verdicts[i];
    if (v) outcomes.push(rejectedRecord(r, v.reason, v.detail));
    else survivors.push(r);
  }
  // the previous part's commit runs in this part's awaits: its main-thread time is charged to analysis_write only
  let overlapped = stageMs('analysis_write');
  const tStructure = performance.now();
  if (!ctx.scorer && !ctx.live) {
    // --scorer none: each batch's records are built and serialized where its structure is computed (a worker)
    const nopts = nativeOptions(ctx.structureOpts);
    const tasks: Array<Promise<BuiltBatch>> = [];
    for (let i = 0; i < survivors.length; i += BUILD_BATCH) {
      const batch = survivors.slice(i, i + BUILD_BATCH);
      const task: RecordsTask = { records: batch, hashes: batch.map(pairHashOf), opts: nopts, cfg: ctx.recordCfg };
      const t = ctx.pool.runNamed<BuiltBatch>('records', task) ?? Promise.resolve().then(() => buildRecords(task));
      t.catch(() => undefined); // awaited below, in order
      tasks.push(t);
    }
    const built: BuiltBatch[] = [];
    for (const t of tasks) built.push(await t);
    addStageTime('structure', performance.now() - tStructure - (stageMs('analysis_write') - overlapped));
    return { part: p, outcomes, built };
  }
  // Structure on the worker pool, in order. A record needs a segment of a registered language.
  const classifier = new Classifier(ctx.recordCfg);
  const structured: Structured[] = [];
  for await (const o of analyzeStructure(survivors, { ...ctx.structureOpts, pool: ctx.pool })) {
    const c = classifier.classify(o);
    if (isStructured(c)) structured.push(c);
    else outcomes.push(c);
  }
  addStageTime('structure', performance.now() - tStructure - (stageMs('analysis_write') - overlapped));
  // Reference-LM scores.
  overlapped = stageMs('analysis_write');
  const tScoring = performance.now();
  const scores: RecordScores[] = ctx.scorer
    ? (
        await ctx.scorer.scoreRecords(
          structured.map((s) => ({ id: s.record.id, prompt: promptText(s.record), response: s.record.response })),
        )
      ).results
    : structured.map((s) => unscored(s.record.id));
  // IFD: the same scorer on the response alone (one more pass), only when asked for.
  const alone: RecordScores[] | undefined =
    ctx.cfg.ifd && ctx.scorer
      ? (
          await ctx.scorer.scoreRecords(
            structured.map((s) => ({ id: s.record.id, prompt: '', response: s.record.response })),
          )
        ).results
      : undefined;
  addStageTime('scoring', performance.now() - tScoring - (stageMs('analysis_write') - overlapped));
  return { part: p, outcomes, structured, scores, alone };
}

/**
 * The analysis records of a computed part, compressed and committed (data files first, marker last). It runs
 * while the next part is in the structure stage, so it hands the event loop back every COMMIT_SLICE records.
 */
async function commitPart(c: ComputedPart, ctx: PartContext): Promise<PartMarker> {
  const { part: p, outcomes } = c;
  let tWrite = performance.now(); // analysis records built, compressed and committed (main-thread time)
  let text: Buffer;
  let analyzed = 0;
  let scoredTokens = 0;
  let records: AnalysisRecord[] | undefined;
  if ('built' in c) {
    // the workers built and serialized the records: their lines, joined in order
    const chunks: Uint8Array[] = [];
    for (const b of c.built) {
      chunks.push(b.lines);
      analyzed += b.analyzed;
      for (const o of b.outcomes) outcomes.push(o);
    }
    text = Buffer.concat(chunks);
    outcomes.sort((a, b) => a.ordinal - b.ordinal);
  } else {
    const { structured, scores, alone } = c;
    records = [];
    for (let i = 0; i < structured.length; i++) {
      if (i > 0 && i % COMMIT_SLICE === 0) {
        addStageTime('analysis_write', performance.now() - tWrite);
        await yieldToLoop();
        tWrite = performance.now();
      }
      const s = structured[i]!;
      const sc = scores[i]!;
      if (sc.status !== 'ok') {
        outcomes.push(rejectedRecord(s.record, 'context_overflow', 'response longer than the scorer context'));
        continue;
      }
      const utils = ctx.scorer
        ? itemUtilities(sc, s.result.items, { q: ctx.cfg.q, reduce: ctx.cfg.reduce })
        : unitUtilities(s.result);
      scoredTokens += sc.start.length;
      const ifd = alone ? ifdOf(sc, alone[i]!) : undefined;
      records.push(analysisRecordOf(s, sc, utils, ifd, pairHashOf(s.record), ctx.recordCfg));
    }
    records.sort((a, b) => a.ordinal - b.ordinal);
    outcomes.sort((a, b) => a.ordinal - b.ordinal);
    analyzed = records.length;
    const lines: string[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      if (i > 0 && i % COMMIT_SLICE === 0) {
        addStageTime('analysis_write', performance.now() - tWrite);
        await yieldToLoop();
        tWrite = performance.now();
      }
      lines[i] = `${JSON.stringify(records[i])}\n`;
    }
    text = Buffer.from(lines.join(''), 'utf8');
  }
  // Commit: data files first, marker last. The whole part in one gzip call, on libuv's pool (a stream written line
  // by line cost the main thread 2 s per 100K records in zlib's per-chunk bookkeeping). Level 1: analysis files are
  // intermediate; level 6 made gzip the serial step of a commit (2.1x slower, files 18% smaller on LM-scored records)
  const base = partBase(p.index);
  const recFile = new AtomicFile(join(ctx.dir, `${base}.records.jsonl.gz`));
  await testPause('analyze-commit'); // a temporary part file exists here (tests of SIGINT)
  addStageTime('analysis_write', performance.now() - tWrite);
  const gz = await gzipAsync(text, { level: 1 });
  tWrite = performance.now();
  recFile.write(gz);
  const recWritten = recFile.commit();
  const outWritten = writeFileAtomic(
    join(ctx.dir, `${base}.outcomes.jsonl`),
    outcomes.map((o) => JSON.stringify(o)).join('\n') + (outcomes.length ? '\n' : ''),
  );
  const rejected: Record<string, number> = {};
  let quarantined = 0;
  for (const o of outcomes) {
    if (o.status === 'quarantined') quarantined++;
    else rejected[o.reason] = (rejected[o.reason] ?? 0) + 1;
  }
  const ords = [...p.records.map((r) => r.ordinal), ...p.quarantined.map((q) => q.ordinal)];
  const marker: PartMarker = {
    format: ANALYSIS_FORMAT,
    version: ANALYSIS_VERSION,
    shard: ctx.shard,
    part: p.index,
    configHash: ctx.configHash,
    config: ctx.config,
    counts: { input: p.inputs, analyzed, rejected, quarantined },
    ordinals: ords.length ? [ords.reduce((a, b) => Math.min(a, b)), ords.reduce((a, b) => Math.max(a, b))] : null,
    files: [recWritten, outWritten].map((f) => ({ path: relative(ctx.dir, f.path), sha256: f.sha256, bytes: f.bytes })),
    inputSha256: p.inputSha256,
    scorer: {
      model: String(ctx.config.model),
      modelSha256: String(ctx.config.modelSha256),
      tokens: scoredTokens,
      paddedTokens: 0,
    },
    ...(p.inputErrors.length ? { inputErrors: p.inputErrors } : {}),
  };
  if (
    marker.counts.input !==
    marker.counts.analyzed + quarantined + Object.values(rejected).reduce((a, b) => a + b, 0)
  ) {
    throw new CodeblockError(`internal: part ${p.index} accounting does not add up`, 'E_INTERNAL');
  }
  writeFileAtomic(join(ctx.dir, `${base}.json`), `${JSON.stringify(marker, null, 1)}\n`);
  addStageTime('analysis_write', performance.now() - tWrite);
  // run: the committed records go on to select's pass A (waits while its hand-off is full)
  if (ctx.live) await ctx.live.records(records ?? []);
  return marker;
}
