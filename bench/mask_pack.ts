/**
 * Tokenize + mask + pack benchmark (docs/benchmarks.md): tokens/s of the `select` path against its limit,
 * raw `tokenizers` `encodeBatch` on the same templated texts, measured in the same run.
 *
 * Setup (not timed): `analyze` a pool into a temporary directory (library call, `--scorer` as
 * given: `none` for generated pools, where every item utility is 1), then load every analysis
 * record into memory — so the timed work reads no analysis files.
 *
 * Timed, per round (rounds interleaved; every figure is the median round of its side, the ratio
 * the ratio of those medians):
 *   pipeline  exactly the calls `select()` (src/pipeline/select.ts) makes on these records, in the
 *             same chunks (256 records, 128 packs), minus its other file I/O (the token spill kept in
 *             memory, no writers):
 *               pass A  renderAndEncode (chat template + tokenizers encodeBatch + offsets), one
 *                       chunk ahead as select runs it (encodedChunks: chunk i+1 encodes on the
 *                       tokenizer's threads while chunk i's candidates are computed)
 *                       → candidates → score histogram (+ select's ReachIndex) → global cut;
 *                       each packable sample's ids and offsets written to select's EncodingSpill
 *                       (a temporary file, as select)
 *               pass B  samples no cut reaches skipped (ReachIndex); the others read back from the
 *                       spill, rendered again, their candidates computed again → budget gates →
 *                       native labelMask
 *               pack    native packBFD over all sample lengths
 *               pass C  native assemblePacks, chunk by chunk
 *   limit     raw `Tokenizer.encodeBatch` (the very tokenizer object select uses, same special-token
 *             setting) on the same templated texts, same 256-text batches, nothing else.
 *   select    the real `select()` end to end (reads the analysis files, writes Parquet + manifest)
 *             on the same analysis directory: the figure with I/O, for reference.
 * tokens = templated tokens of every sample select considers (after select's global duplicate filter);
 * each side is charged for the same token count, so ratio = limit seconds / pipeline seconds.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveConfig, type CodeblockConfig } from '../src/config/index.js';
import { listAnalysisParts, type AnalysisRecord } from '../src/analysis/format.js';
import { orderedRecords } from '../src/analysis/ordered.js';
import { candidatesOf } from '../src/budget/candidates.js';
import type { SelectKnobs } from '../src/budget/rules.js';
import { analysisLanguages, analysisQ, chooseSpans, knobsOf, withPoolStats } from '../src/budget/rules.js';
import { BudgetPlanner } from '../src/budget/plan.js';
import { BudgetGate } from '../src/budget/threshold.js';
import { labelMask } from '../src/masks/index.js';
import { assembleInChunks, packBFD, packingEfficiency } from '../src/pack/index.js';
import { encodedChunks } from '../src/pipeline/encoded-chunks.js';
import { EncodingSpill } from '../src/pipeline/encoding-spill.js';
import { ReachIndex } from '../src/pipeline/reach-index.js';
import { GlobalDedup, itemModeReject } from '../src/pipeline/dedup.js';
import { TargetTokenizer } from '../src/tokenize/index.js';
import { median, medianBy, since, sig } from './util.js';

const CHUNK = 256; // = select.ts CHUNK
const PACK_CHUNK = 128; // = select.ts PACK_CHUNK

export interface MaskPackBenchOptions {
  /** Input pool files (JSONL/Parquet); analyzed into `workDir` first. */
  inputs: string[];
  /** Scratch directory (analysis + select output); removed afterwards. */
  workDir: string;
  scorer?: 'none' | 'lm';
  workers?: number;
  tokenizer?: string;
  template?: string;
  maxLen?: number;
  rounds?: number;
  /** Also time the real select() with I/O (default true; every round). */
  selectEndToEnd?: boolean;
  label?: string;
}

export interface MaskPackStages {
  tokenize_a: number;
  candidates_a: number;
  tokenize_b: number;
  candidates_b: number;
  mask: number;
  pack: number;
  assemble: number;
}

export interface MaskPackBenchResult {
  label: string;
  inputs: string[];
  scorer: string;
  tokenizer: string;
  records: number;
  samples: number;
  tokens: number;
  supervised: number;
  packs: number;
  packing_efficiency: number;
  /** pipeline tokens/s ÷ raw encodeBatch tokens/s (target ≥ 0.8). */
  ratio: number;
  tokens_per_s: number;
  limit_tokens_per_s: number;
  seconds: { pipeline: number; limit: number; select: number | null; analyze: number };
  /** Seconds per stage of the median pipeline round. */
  stages: MaskPackStages;
  /** Share of the pipeline time spent tokenizing (both passes). */
  tokenize_share: number;
  /**
   * One select-side tokenization split up (median of rounds, seconds): chat template; TargetTokenizer.encodeBatch
   * (encodeBatch + ids + offsets).
   */
  components: { render: number; encode_with_offsets: number };
  /** real select() (with I/O) tokens/s ÷ raw encodeBatch tokens/s. */
  select_ratio: number | null;
  select_tokens_per_s: number | null;
  rounds: number;
}

interface RawEncoding {
  getIds(): number[];
  getOffsets(): number[][];
}
interface RawTokenizer {
  encodeBatch(s: string[], opts?: { addSpecialTokens?: boolean }): Promise<RawEncoding[]>;
}

/** The `tokenizers` object inside a TargetTokenizer (the same instance select encodes with). */
export function rawTokenizer(tok: TargetTokenizer): RawTokenizer {
  const hf = (tok as unknown as { hf?: RawTokenizer }).hf;
  if (!hf || typeof hf.encodeBatch !== 'function')
    throw new Error(
      'TargetTokenizer no longer exposes its tokenizers instance (field `hf`): update bench/mask_pack.ts',
    );
  return hf;
}

interface PipelineRun {
  seconds: number;
  stages: MaskPackStages;
  tokens: number;
  samples: number;
  supervised: number;
  packs: number;
  efficiency: number;
}

/** One pass of select's compute path over in-memory records (see module doc). */
export async function pipelineOnce(
  tok: TargetTokenizer,
  records: AnalysisRecord[],
  cfg: CodeblockConfig,
  k: SelectKnobs,
  spillPath: string,
): Promise<PipelineRun> {
  const st: MaskPackStages = {
    tokenize_a: 0,
    candidates_a: 0,
    tokenize_b: 0,
    candidates_b: 0,
    mask: 0,
    pack: 0,
    assemble: 0,
  };
  const tStart = performance.now();
  // pass A
  const planner = new BudgetPlanner();
  // as select: pass A's encodings go to the encoding spill (a temporary file), pass B reads back those it needs
  const spill = new EncodingSpill(spillPath);
  const reach = new ReachIndex();
  const tooLong = new Set<number>();
  let tokens = 0;
  // as select: the next chunk renders and encodes (tokenizers' threads) while this one's candidates are computed
  const chunks = function* () {
    for (let c0 = 0; c0 < records.length; c0 += CHUNK) yield records.slice(c0, c0 + CHUNK);
  };
  const encoded = encodedChunks(tok, chunks(), (chunk) => chunk)[Symbol.asyncIterator]();
  for (;;) {
    let t = performance.now();
    const n = await encoded.next();
    if (n.done) break;
    const { keep: chunk, encs } = n.value;
    st.tokenize_a += since(t);
    t = performance.now();
    for (let i = 0; i < chunk.length; i++) {
      tokens += encs[i]!.ids.length;
      if (encs[i]!.ids.length > cfg.maxLen) {
        tooLong.add(chunk[i]!.ordinal); // pack_too_long, out before the threshold as in select
        continue;
      }
      const cands = candidatesOf(chunk[i]!, encs[i]!, k);
      reach.add(chunk[i]!.ordinal, planner.add(cands));
      spill.push(chunk[i]!.ordinal, encs[i]!);
    }
    st.candidates_a += since(t);
  }
  const { itemCut, tokenCut } = planner.plan(k, cfg.budget);
  const itemGate = new BudgetGate(itemCut);
  const tokenGate = new BudgetGate(tokenCut);

  // pass B (the spill is kept in memory: no I/O)
  const sampleIds: Int32Array[] = [];
  const sampleFlags: Uint8Array[] = [];
  const lens: number[] = [];
  let supervised = 0;
  for (let c0 = 0; c0 < records.length; c0 += CHUNK) {
    // as select: a sample no cut reaches is rejected without reading its encoding back
    const chunk = records
      .slice(c0, c0 + CHUNK)
      .filter((r) => !tooLong.has(r.ordinal) && !reach.unreachable(r.ordinal, itemCut, tokenCut));
    let t = performance.now();
    const encs = spill.take(tok, chunk);
    st.tokenize_b += since(t);
    t = performance.now();
    const spans: number[] = [];
    const sampleSpans = new Int32Array(chunk.length + 1);
    const sampleTokens = new Int32Array(chunk.length + 1);
    for (let i = 0; i < chunk.length; i++) {
      const enc = encs[i]!;
      const cands = candidatesOf(chunk[i]!, enc, k);
      const { spans: sel } = chooseSpans(cands, enc.offsets, k, itemGate, tokenGate);
      for (const s of sel) spans.push(s.start, s.end);
      sampleSpans[i + 1] = spans.length / 2;
      sampleTokens[i + 1] = sampleTokens[i]! + enc.ids.length;
    }
    const offsets = new Int32Array(sampleTokens[chunk.length]! * 2);
    for (let i = 0; i < chunk.length; i++) offsets.set(encs[i]!.offsets, sampleTokens[i]! * 2);
    st.candidates_b += since(t);
    t = performance.now();
    const mask = labelMask({ charOffsets: offsets, sampleTokens, spans: Int32Array.from(spans), sampleSpans });
    for (let i = 0; i < chunk.length; i++) {
      const n = mask.counts[i]!;
      const len = encs[i]!.ids.length;
      if (n === 0) continue; // no_supervision, as select
      sampleIds.push(encs[i]!.ids);
      sampleFlags.push(mask.supervised.slice(sampleTokens[i]!, sampleTokens[i + 1]!));
      lens.push(len);
      supervised += n;
    }
    st.mask += since(t);
  }

  // pack
  let t = performance.now();
  const lengths = Int32Array.from(lens);
  const plan = packBFD(lengths, cfg.maxLen);
  st.pack = since(t);

  // pass C
  t = performance.now();
  const nPacks = plan.packStarts.length - 1;
  const fromMemory = (sample: number, ids: Int32Array, sup: Uint8Array, at: number): void => {
    ids.set(sampleIds[sample]!, at);
    sup.set(sampleFlags[sample]!, at);
  };
  for (const chunk of assembleInChunks(plan, lengths, fromMemory, PACK_CHUNK)) void chunk;
  st.assemble = since(t);
  spill.close();
  rmSync(spillPath, { force: true });
  return {
    seconds: since(tStart),
    stages: st,
    tokens,
    samples: lens.length,
    supervised,
    packs: nPacks,
    efficiency: packingEfficiency(plan),
  };
}

/**
 * Components of one select-side tokenization, timed separately (diagnostics, not a figure):
 * the chat template alone, and TargetTokenizer.encodeBatch (encodeBatch + ids + offsets: from the ids for
 * byte-level BPE, else getOffsets), one chunk at a time.
 */
async function componentsOnce(
  tok: TargetTokenizer,
  records: AnalysisRecord[],
): Promise<{ render: number; encodeWithOffsets: number }> {
  let t = performance.now();
  const texts = records.map((r) => tok.renderConversation(r.prompt, r.response).text);
  const render = since(t);
  t = performance.now();
  for (let c0 = 0; c0 < texts.length; c0 += CHUNK) await tok.encodeBatch(texts.slice(c0, c0 + CHUNK));
  return { render, encodeWithOffsets: since(t) };
}

/** Raw tokenizers encodeBatch over the same texts and batches: the limit. Returns seconds and tokens. */
export async function limitOnce(
  raw: RawTokenizer,
  texts: string[],
  addSpecialTokens: boolean,
): Promise<{ seconds: number; tokens: number }> {
  const t0 = performance.now();
  let tokens = 0;
  for (let c0 = 0; c0 < texts.length; c0 += CHUNK) {
    const encs = await raw.encodeBatch(texts.slice(c0, c0 + CHUNK), { addSpecialTokens });
    // getIds() is what any consumer must call to use the result; the count check keeps both sides honest.
    for (const e of encs) tokens += e.getIds().length;
  }
  return { seconds: since(t0), tokens };
}

export async function benchMaskPack(opts: MaskPackBenchOptions): Promise<MaskPackBenchResult> {
  const rounds = opts.rounds ?? 3;
  const scorer = opts.scorer ?? 'none';
  mkdirSync(opts.workDir, { recursive: true });
  const analysisDir = join(opts.workDir, 'analysis');
  const selectDir = join(opts.workDir, 'select');
  rmSync(analysisDir, { recursive: true, force: true });

  // ---- setup: analyze (not part of the figure) --------------------------------------------
  const { analyze } = await import('../src/pipeline/analyze.js');
  const aCfg = resolveConfig('analyze', {
    out: analysisDir,
    scorer,
    workers: opts.workers ?? 2,
    progress: false,
    shard: '0/1',
    resume: false,
  });
  let t0 = performance.now();
  await analyze(opts.inputs, aCfg);
  const analyzeSeconds = since(t0);

  const sCfg = resolveConfig('select', {
    out: selectDir,
    tokenizer: opts.tokenizer ?? 'qwen2.5',
    template: opts.template ?? 'auto',
    maxLen: opts.maxLen ?? 2048,
    format: ['parquet'],
    progress: false,
  });
  const parts = listAnalysisParts([analysisDir]);
  const analysisConfig = parts[0]?.marker.config ?? {};
  const tok = await TargetTokenizer.load(sCfg.tokenizer, { template: sCfg.template });
  // as select: the end-of-turn tokens are supervised (--supervise-eos, default on)
  const eot = sCfg.superviseEos ? tok.specialIds : undefined;
  // as select: the score's pool statistics come from every analyzed record first
  const k = await withPoolStats(knobsOf(sCfg, analysisQ(analysisConfig), analysisLanguages(analysisConfig), eot), () =>
    orderedRecords(parts),
  );
  // records as select sees them after its global duplicate filter (and item modes' no-code rejections)
  const records: AnalysisRecord[] = [];
  const dedup = new GlobalDedup(analysisConfig);
  let analyzed = 0;
  for await (const r of orderedRecords(parts)) {
    analyzed++;
    if (dedup.check(r) !== null || itemModeReject(sCfg.mode, r)) continue;
    records.push(r);
  }
  if (records.length === 0) throw new Error('analysis produced no records to select from');
  const raw = rawTokenizer(tok);
  const spillPath = join(opts.workDir, 'encodings.spill');
  const texts = records.map((r) => tok.renderConversation(r.prompt, r.response).text);
  const addSpecial = tok.description.addSpecialTokens;

  // warm-up (tokenizer thread pool, JIT, addon)
  await pipelineOnce(tok, records.slice(0, Math.min(records.length, 512)), sCfg, k, spillPath);
  await limitOnce(raw, texts.slice(0, 512), addSpecial);

  const pipelineRuns: PipelineRun[] = [];
  const limitSeconds: number[] = [];
  let limitTokens = 0;
  const selectSeconds: number[] = [];
  const renderSeconds: number[] = [];
  const encOffSeconds: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const c = await componentsOnce(tok, records);
    renderSeconds.push(c.render);
    encOffSeconds.push(c.encodeWithOffsets);
    pipelineRuns.push(await pipelineOnce(tok, records, sCfg, k, spillPath));
    const l = await limitOnce(raw, texts, addSpecial);
    limitTokens = l.tokens;
    limitSeconds.push(l.seconds);
    if (opts.selectEndToEnd ?? true) {
      const { select } = await import('../src/pipeline/select.js');
      rmSync(selectDir, { recursive: true, force: true });
      t0 = performance.now();
      await select([analysisDir], sCfg);
      selectSeconds.push(since(t0));
    }
  }
  const best = medianBy(pipelineRuns, (p) => p.seconds);
  const bestLimit = median(limitSeconds);
  const bestSelect = selectSeconds.length ? median(selectSeconds) : null;
  const bestRender = median(renderSeconds);
  const bestEncOff = median(encOffSeconds);
  rmSync(selectDir, { recursive: true, force: true });
  rmSync(analysisDir, { recursive: true, force: true });
  const b = best!;
  if (limitTokens !== b.tokens)
    throw new Error(`token count mismatch: pipeline ${b.tokens}, raw encodeBatch ${limitTokens}`);
  const tps = b.tokens / b.seconds;
  const limitTps = b.tokens / bestLimit;
  const selectTps = bestSelect !== null ? b.tokens / bestSelect : null;
  const stages = Object.fromEntries(
    Object.entries(b.stages).map(([key, v]) => [key, sig(v)!]),
  ) as unknown as MaskPackStages;
  return {
    label: opts.label ?? 'pool',
    inputs: opts.inputs,
    scorer,
    tokenizer: `${sCfg.tokenizer} (template ${sCfg.template})`,
    records: analyzed,
    samples: b.samples,
    tokens: b.tokens,
    supervised: b.supervised,
    packs: b.packs,
    packing_efficiency: b.efficiency,
    ratio: tps / limitTps,
    tokens_per_s: tps,
    limit_tokens_per_s: limitTps,
    seconds: { pipeline: b.seconds, limit: bestLimit, select: bestSelect, analyze: analyzeSeconds },
    stages,
    tokenize_share: (b.stages.tokenize_a + b.stages.tokenize_b) / b.seconds,
    components: { render: sig(bestRender)!, encode_with_offsets: sig(bestEncOff)! },
    select_ratio: selectTps !== null ? selectTps / limitTps : null,
    select_tokens_per_s: selectTps,
    rounds,
  };
}
