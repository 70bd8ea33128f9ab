/**
 * Pass 2 (`select`): every analysis file of every shard → global budget → target-tokenizer masks
 * → best-fit-decreasing packs → writers + manifest. Cheap; re-run it freely with other budgets
 * and modes: nothing is re-scored.
 *
 * Memory stays flat in the pool size except for one small record per selected sample (id, spill
 * offset, length): token ids and flags are spilled to a temporary file between masking and packing.
 *
 *   pass A  histogram: for every record (in input order) its candidates' scores and token costs
 *   cut     the score bin where the cumulative cost crosses the budget (src/budget/threshold.ts)
 *   pass B  decide, mask (native), spill tokens, write the debug JSONL rows
 *   pack    native BFD over all sample lengths
 *   pass C  assemble packs (native) chunk by chunk from the spill, write Parquet / .bin
 */
import { closeSync, mkdirSync, openSync, readdirSync, readSync, rmSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CodeblockError } from '../errors.js';
import type { CodeblockConfig } from '../config/index.js';
import { addPartCounts, type AnalysisPart, type AnalysisRecord, type PartCounts } from '../analysis/format.js';
import { openAnalysis } from '../analysis/integrity.js';
import { GlobalDedup, itemModeReject } from '../select/dedup.js';
import { chunked, orderedOutcomes, orderedRecords } from '../analysis/ordered.js';
import { recordCandidates, type RecordCandidates, type SelectKnobs } from '../budget/candidates.js';
import { BudgetGate, ScoreHistogram, binLowerEdge, type BudgetCut } from '../budget/threshold.js';
import { labelMask } from '../masks/index.js';
import { assembleInChunks, packBFD, packViews, packingEfficiency, IGNORE_INDEX } from '../pack/index.js';
import { TargetTokenizer, cpToUtf16Map } from '../tokenize/index.js';
import { OutputWriter } from '../output/writer.js';
import { writeManifest } from '../output/manifest.js';
import { AtomicFile } from '../output/atomic.js';
import type { OutputFile, SelectedSpan } from '../output/types.js';
import { Progress } from '../cli/progress.js';
import { version } from '../version.js';
import { growFloat64, growInt32 } from '../util/grow.js';

const CHUNK = 256;
const PACK_CHUNK = 512;

export interface SelectSummary {
  outDir: string;
  counts: { input: number; selected: number; rejected: Record<string, number>; quarantined: number; missing?: number };
  /** --allow-partial: what was missing from the analysis. */
  missing?: string[];
  tokens: { response: number; supervised: number; supervised_code: number; supervised_nl: number; ratio: number };
  packs: number;
  efficiency: number;
}

interface Encoded {
  text: string;
  ids: Int32Array;
  offsets: Int32Array;
  responseStart: number;
  responseEnd: number;
  responseOffset: number;
}

/** Config keys that determine select output (recorded in the manifest). */
export const SELECT_KEYS = ['ifdTopRatio', 'ifdTopN', 'mode', 'budget', 'nlRatio', 'lambdaReach', 'lambdaBridge', 'minItems', 'maxItems', 'allowFlagged', 'tokenizer', 'template', 'maxLen', 'format', 'seed'] as const;

function bump(map: Record<string, number>, key: string, n = 1): void {
  map[key] = (map[key] ?? 0) + n;
}

async function encodeChunk(tok: TargetTokenizer, recs: AnalysisRecord[]): Promise<Encoded[]> {
  const encs = await tok.renderAndEncode(recs.map((r) => ({ prompt: r.prompt, response: r.response })));
  return encs as unknown as Encoded[];
}

/**
 * Encodings of pass A kept for pass B up to a memory cap (rendering + tokenizing is ~95% of select's
 * time); records beyond the cap are simply encoded again, so memory stays bounded for any pool.
 */
class EncodingCache {
  private readonly map = new Map<number, Encoded>();
  private bytes = 0;
  constructor(private readonly capBytes: number) {}

  offer(ordinal: number, e: Encoded): void {
    // typed arrays + the rendered text (UTF-16) + object overhead, with V8's slack: measured RSS grows
    // about twice the raw payload, so the payload is counted double against the cap
    const cost = 2 * (e.ids.byteLength + e.offsets.byteLength + 2 * e.text.length) + 128;
    if (this.bytes + cost > this.capBytes) return;
    this.bytes += cost;
    this.map.set(ordinal, e);
  }

  /** Encodings for `recs` in order: cached ones taken out of the cache, the rest encoded now. */
  async take(tok: TargetTokenizer, recs: AnalysisRecord[]): Promise<Encoded[]> {
    const out: Array<Encoded | undefined> = recs.map((r) => {
      const e = this.map.get(r.ordinal);
      if (e) this.map.delete(r.ordinal);
      return e;
    });
    const missing = recs.filter((_, i) => out[i] === undefined);
    if (missing.length) {
      const encs = await encodeChunk(tok, missing);
      let j = 0;
      for (let i = 0; i < out.length; i++) if (out[i] === undefined) out[i] = encs[j++];
    }
    return out as Encoded[];
  }
}

/** The selection knobs of a config (token modes give no share to prose). */
export function knobsOf(cfg: CodeblockConfig, q: number): SelectKnobs {
  return {
    mode: cfg.mode,
    lambdaReach: cfg.lambdaReach,
    lambdaBridge: cfg.lambdaBridge,
    minItems: cfg.minItems,
    maxItems: cfg.maxItems,
    allowFlagged: cfg.allowFlagged,
    nlRatio: cfg.mode === 'codeblock' || cfg.mode === 'items-no-dataflow' || cfg.mode === 'random-items' ? cfg.nlRatio : 0,
    seed: cfg.seed,
    q,
  };
}

/** Candidates of one record, given its target-tokenizer encoding. */
export function candidatesFor(rec: AnalysisRecord, enc: Encoded, k: SelectKnobs): RecordCandidates {
  const map = cpToUtf16Map(enc.text);
  return recordCandidates(rec, enc.text, enc, k, (cp) => map[cp]!);
}

export interface SelectHooks {
  progress?: Progress;
}

/** Run pass 2 over analysis directories into `outDir`. */
export async function select(analysisDirs: readonly string[], cfg: CodeblockConfig, hooks: SelectHooks = {}): Promise<SelectSummary> {
  const outDir = cfg.out;
  if (!outDir) throw new CodeblockError('select needs an output directory (-o)');
  const { parts, missing } = openAnalysis(analysisDirs, { allowPartial: cfg.allowPartial });
  const analysisConfig = parts[0]!.marker.config ?? {};
  const q = typeof analysisConfig.q === 'number' ? analysisConfig.q : 0.7;
  const k = knobsOf(cfg, q);
  const tok = await TargetTokenizer.load(cfg.tokenizer, { template: cfg.template });
  const progress = hooks.progress;

  // Accounting from the analysis pass.
  const fromAnalysis: PartCounts = { input: 0, analyzed: 0, rejected: {}, quarantined: 0 };
  for (const p of parts) addPartCounts(fromAnalysis, p.marker);
  const analyzed = fromAnalysis.analyzed;
  const counts = {
    input: fromAnalysis.input,
    selected: 0,
    rejected: fromAnalysis.rejected,
    quarantined: fromAnalysis.quarantined,
    ...(missing ? { missing: missing.records } : {}),
  };

  // ---- pass 0 (only for an IFD cut): global duplicates, then rank the rest by IFD -------------
  // Records excluded here or in pass A are rejected in pass B with the same reason.
  const excluded = new Map<number, { reason: string; detail: string }>();
  const dedup = new GlobalDedup(analysisConfig);
  // global duplicates (exact, and MinHash near-duplicates) and item modes' no-code rejections
  const exclude = (r: AnalysisRecord): boolean => {
    const dup = dedup.check(r);
    const ex = dup !== null ? { reason: 'duplicate', detail: dup } : itemModeReject(cfg.mode, r);
    if (ex) excluded.set(r.ordinal, ex);
    return ex !== null;
  };
  const ifdCut = cfg.ifdTopRatio < 1 || cfg.ifdTopN > 0;
  let ifdKept = 0;
  let ifdPool = 0;
  if (ifdCut) {
    if (!analysisConfig.ifd) throw new CodeblockError('--ifd-top-ratio / --ifd-top-n need IFD scores: run `codeblock analyze --ifd` first');
    const ords: number[] = [];
    const vals: number[] = [];
    progress?.stage('select: IFD', analyzed);
    for await (const r of orderedRecords(parts)) {
      progress?.tick();
      if (exclude(r)) continue;
      ords.push(r.ordinal);
      vals.push(typeof r.ifd === 'number' ? r.ifd : NaN);
    }
    ifdPool = ords.length;
    ifdKept = Math.ceil(cfg.ifdTopRatio * ifdPool);
    if (cfg.ifdTopN > 0) ifdKept = Math.min(ifdKept, cfg.ifdTopN);
    // Highest IFD first among IFD < 1 (the prompt helps); IFD >= 1 next; undefined last; ties by input order.
    const rank = (v: number): number => (Number.isFinite(v) ? (v < 1 ? 0 : 1) : 2);
    const order = Array.from({ length: ifdPool }, (_, j) => j).sort((a, b) => rank(vals[a]!) - rank(vals[b]!) || vals[b]! - vals[a]! || ords[a]! - ords[b]!);
    for (let j = ifdKept; j < ifdPool; j++) {
      const v = vals[order[j]!]!;
      const detail = `IFD ${Number.isFinite(v) ? v : 'undefined'} outside the top ${ifdKept} of ${ifdPool} by IFD`;
      excluded.set(ords[order[j]!]!, { reason: 'ifd', detail });
    }
  }

  // ---- pass A: histogram ------------------------------------------------------------------
  const itemHist = new ScoreHistogram();
  const tokenHist = new ScoreHistogram();
  let responseTokens = 0;
  let forcedCost = 0;
  const cache = new EncodingCache(cfg.selectCacheMb * 1024 * 1024);
  progress?.stage('select: budget', analyzed);
  for await (const chunk of chunked(orderedRecords(parts), CHUNK)) {
    const keep: AnalysisRecord[] = [];
    for (const r of chunk) {
      if (excluded.has(r.ordinal) || (!ifdCut && exclude(r))) continue;
      keep.push(r);
    }
    const encs = await encodeChunk(tok, keep);
    for (let i = 0; i < keep.length; i++) {
      cache.offer(keep[i]!.ordinal, encs[i]!);
      const c = candidatesFor(keep[i]!, encs[i]!, k);
      responseTokens += c.responseTokens;
      for (const f of c.forced) forcedCost += f.cost;
      for (const it of c.items) itemHist.add(it.score, it.cost);
      for (const t of c.tokens) tokenHist.add(t.score, 1);
    }
    progress?.tick(chunk.length);
  }
  dedup.clear();

  const budgetTokens = cfg.budget * responseTokens;
  const tokenModes = cfg.mode === 'token-gce' || cfg.mode === 'random-tokens';
  const nlBudget = tokenModes ? budgetTokens : budgetTokens * k.nlRatio;
  const itemBudget = tokenModes ? 0 : Math.max(0, budgetTokens - nlBudget - forcedCost);
  const itemCut = itemHist.cut(itemBudget);
  const tokenCut = tokenHist.cut(nlBudget);

  // ---- pass B: decide, mask, spill ----------------------------------------------------------
  mkdirSync(outDir, { recursive: true });
  // Temporary files of an earlier run that was killed before it could rename them.
  for (const f of readdirSync(outDir)) if (/^\.(packs\.(parquet|bin|idx)|samples\.jsonl|manifest\.json|rejected\.jsonl|quarantine\.jsonl)\.tmp-/.test(f)) rmSync(join(outDir, f), { force: true });
  const tmpDir = join(outDir, '.codeblock-tmp');
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir, { recursive: true });
  const spillPath = join(tmpDir, 'samples.spill');
  const spill = openSync(spillPath, 'w+');
  let spillPos = 0;
  const sampleIds: string[] = [];
  const sampleLens = growInt32();
  const sampleOffsets = growFloat64();
  const itemGate = new BudgetGate(itemCut);
  const tokenGate = new BudgetGate(tokenCut);
  const writer = new OutputWriter(outDir, { formats: cfg.format, maxLen: cfg.maxLen });
  let supervised = 0;
  let supervisedNl = 0;
  const rejectedSelect: OutcomeLine[] = [];

  try {
    progress?.stage('select: masks', analyzed);
    for await (const chunk of chunked(orderedRecords(parts), CHUNK)) {
      const keep: AnalysisRecord[] = [];
      for (const r of chunk) {
        const ex = excluded.get(r.ordinal);
        if (ex) rejectedSelect.push({ id: r.id, ordinal: r.ordinal, file: r.file, line: r.line, ...ex });
        else keep.push(r);
      }
      const encs = await cache.take(tok, keep);
      // Selected spans per sample (text code points), for the native mask.
      const spans: number[] = [];
      const sampleSpans = new Int32Array(keep.length + 1);
      const sampleTokens = new Int32Array(keep.length + 1);
      const selectedMeta: SelectedSpan[][] = [];
      const nlTokens: number[] = [];
      for (let i = 0; i < keep.length; i++) {
        const rec = keep[i]!;
        const enc = encs[i]!;
        const c = candidatesFor(rec, enc, k);
        const sel: SelectedSpan[] = [];
        let nl = 0;
        if (c.full) {
          const [a, b] = c.responseTokenRange;
          if (b > a) sel.push({ start: enc.offsets[2 * a]!, end: enc.offsets[2 * (b - 1) + 1]!, kind: 'item', score: 1 });
        } else {
          for (const f of c.forced) sel.push({ start: f.start, end: f.end, kind: 'item', score: f.score });
          for (const it of c.items) if (itemGate.take(it.score, it.cost)) sel.push({ start: it.start, end: it.end, kind: 'item', score: it.score });
          for (const t of c.tokens) {
            if (tokenGate.take(t.score, 1)) {
              sel.push({ start: enc.offsets[2 * t.token]!, end: enc.offsets[2 * t.token + 1]!, kind: tokenModes ? 'item' : 'nl', score: t.score });
              if (!tokenModes && t.token !== 0) nl++;
            }
          }
        }
        sel.sort((a, b) => a.start - b.start || a.end - b.end);
        for (const s of sel) spans.push(s.start, s.end);
        sampleSpans[i + 1] = spans.length / 2;
        sampleTokens[i + 1] = sampleTokens[i]! + enc.ids.length;
        selectedMeta.push(sel);
        nlTokens.push(nl);
      }
      const offsets = new Int32Array(sampleTokens[keep.length]! * 2);
      for (let i = 0; i < keep.length; i++) offsets.set(encs[i]!.offsets, sampleTokens[i]! * 2);
      const mask = labelMask({ charOffsets: offsets, sampleTokens, spans: Int32Array.from(spans), sampleSpans });
      for (let i = 0; i < keep.length; i++) {
        const rec = keep[i]!;
        const enc = encs[i]!;
        const n = mask.counts[i]!;
        if (n === 0) {
          rejectedSelect.push({ id: rec.id, ordinal: rec.ordinal, file: rec.file, line: rec.line, reason: 'no_supervision', detail: 'no item or token of this sample scored above the global threshold' });
          continue;
        }
        const len = enc.ids.length;
        if (len > cfg.maxLen) {
          rejectedSelect.push({ id: rec.id, ordinal: rec.ordinal, file: rec.file, line: rec.line, reason: 'pack_too_long', detail: `${len} tokens > maxLen ${cfg.maxLen} (never truncated)` });
          continue;
        }
        const flags = mask.supervised.subarray(sampleTokens[i]!, sampleTokens[i + 1]!);
        // spill: ids (int32 LE) then flags (uint8)
        const buf = Buffer.allocUnsafe(len * 5);
        Buffer.from(enc.ids.buffer, enc.ids.byteOffset, len * 4).copy(buf, 0);
        Buffer.from(flags.buffer, flags.byteOffset, len).copy(buf, len * 4);
        writeSync(spill, buf, 0, buf.length, spillPos);
        sampleOffsets.push(spillPos);
        spillPos += buf.length;
        sampleLens.push(len);
        sampleIds.push(rec.id);
        supervised += n;
        supervisedNl += Math.min(nlTokens[i]!, n);
        if (writer.wantsSamples) {
          const labels = new Int32Array(len).fill(IGNORE_INDEX);
          for (let t = 1; t < len; t++) if (flags[t]) labels[t] = enc.ids[t]!;
          writer.writeSample({ id: rec.id, text: enc.text, inputIds: enc.ids, labels, offsets: enc.offsets, selected: selectedMeta[i]! });
        }
      }
      progress?.tick(chunk.length);
    }

    // ---- pack ---------------------------------------------------------------------------------
    const lens = sampleLens.view();
    const plan = packBFD(lens, cfg.maxLen);
    if (plan.rejected.length) throw new CodeblockError(`internal: packer rejected ${plan.rejected.length} samples that were checked against maxLen`, 'E_INTERNAL');
    const nPacks = plan.packStarts.length - 1;
    progress?.stage('select: packs', nPacks);
    const readSpilled = (s: number, ids: Int32Array, sup: Uint8Array, at: number): void => {
      const len = lens[s]!;
      const buf = Buffer.allocUnsafeSlow(len * 5); // own ArrayBuffer at offset 0: int32-aligned
      readSync(spill, buf, 0, buf.length, sampleOffsets.a[s]!);
      ids.set(new Int32Array(buf.buffer, 0, len), at);
      sup.set(buf.subarray(len * 4, len * 5), at);
    };
    for (const { batch, members } of assembleInChunks(plan, lens, readSpilled, PACK_CHUNK)) {
      for (const pack of packViews(batch, Array.from(members, (s) => sampleIds[s]!))) writer.writePack(pack);
      progress?.tick(batch.packStarts.length - 1);
    }
    closeSync(spill);

    // ---- outcomes, manifest ----------------------------------------------------------------
    rejectedSelect.sort((a, b) => a.ordinal - b.ordinal);
    for (const r of rejectedSelect) bump(counts.rejected, r.reason);
    counts.selected = sampleIds.length;
    const summary = writer.close();
    const extraFiles = await writeOutcomeFiles(outDir, parts, rejectedSelect);
    const efficiency = packingEfficiency(plan);
    const tokens = {
      response: responseTokens,
      supervised,
      supervised_code: supervised - supervisedNl,
      supervised_nl: supervisedNl,
    };
    const selectConfig: Record<string, unknown> = {};
    for (const key of SELECT_KEYS) selectConfig[key] = cfg[key];
    const { manifest } = writeManifest(outDir, {
      version: version(),
      config: { analysis: analysisConfig, select: selectConfig },
      counts,
      tokens,
      packing: { packs: summary.packs, max_len: cfg.maxLen, tokens: summary.tokens },
      files: [...summary.files, ...extraFiles].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
      extra: {
        selection: {
          budget_tokens: Math.round(budgetTokens),
          item_budget_tokens: Math.round(itemBudget),
          nl_budget_tokens: Math.round(nlBudget),
          forced_tokens: forcedCost,
          item_candidates: itemHist.count,
          item_threshold: cutThreshold(itemCut),
          token_threshold: cutThreshold(tokenCut),
          token_candidates: tokenHist.count,
        },
        tokenizer: tok.description,
        input_errors: inputErrors(parts),
        ...(missing ? { missing: missing.what } : {}),
      },
    });
    rmSync(tmpDir, { recursive: true, force: true });
    progress?.done();
    const ratio = manifest.tokens.ratio;
    const partial = missing ? { missing: missing.what } : {};
    return { outDir, counts, ...partial, tokens: { ...tokens, ratio }, packs: summary.packs, efficiency };
  } catch (err) {
    writer.abort();
    try {
      closeSync(spill);
    } catch {
      /* already closed */
    }
    rmSync(tmpDir, { recursive: true, force: true });
    throw err;
  }
}

/** Whole-file input problems recorded by analyze (every shard reads every file: deduplicated). */
function inputErrors(parts: readonly AnalysisPart[]): Array<{ file: string; error: string }> {
  const seen = new Map<string, { file: string; error: string }>();
  for (const p of parts) for (const e of p.marker.inputErrors ?? []) seen.set(`${e.file}\u0000${e.error}`, e);
  return [...seen.keys()].sort().map((k) => seen.get(k)!);
}

/** Lowest score a cut can take (null when nothing or everything is cut). */
function cutThreshold(c: BudgetCut): number | null {
  return c.cutBin >= 0 && c.cutBin < 1 << 19 ? binLowerEdge(c.cutBin) : null;
}

interface OutcomeLine {
  id?: string;
  ordinal: number;
  file?: string;
  line?: number;
  reason: string;
  detail: string;
}

/**
 * rejected.jsonl and quarantine.jsonl of the output directory: every record that was not selected,
 * with its reason, in input order (analysis outcomes merged with select's own rejections).
 */
async function writeOutcomeFiles(outDir: string, parts: AnalysisPart[], selectRejects: OutcomeLine[]): Promise<OutputFile[]> {
  const rejected = new AtomicFile(join(outDir, 'rejected.jsonl'));
  const quarantine = new AtomicFile(join(outDir, 'quarantine.jsonl'));
  try {
    let j = 0;
    const emitSelect = (upTo: number) => {
      while (j < selectRejects.length && selectRejects[j]!.ordinal < upTo) {
        const r = selectRejects[j++]!;
        rejected.writeString(JSON.stringify({ id: r.id, ordinal: r.ordinal, file: r.file, line: r.line, reason: r.reason, detail: r.detail }) + '\n');
      }
    };
    for await (const o of orderedOutcomes(parts)) {
      emitSelect(o.ordinal);
      const line = JSON.stringify({ id: o.id, ordinal: o.ordinal, file: o.file, line: o.line, reason: o.reason, detail: o.detail }) + '\n';
      if (o.status === 'quarantined') quarantine.writeString(line);
      else rejected.writeString(line);
    }
    emitSelect(Infinity);
    return [rejected.commit(), quarantine.commit()].map((f) => ({ path: relative(outDir, f.path), sha256: f.sha256, bytes: f.bytes }));
  } catch (err) {
    rejected.abort();
    quarantine.abort();
    throw err;
  }
}
