/**
 * Read what inspect shows: the analysis records of a run (items, utilities, reach, bridge, edges)
 * joined with the training samples `select` wrote (which tokens are supervised).
 *
 * Where supervision comes from: the format the formats table (src/output/formats.ts, `inspect`) ranks first
 * among those written:
 *   - 'lines' (samples.jsonl, `--format …,jsonl`): text, offsets and labels of every written sample, in
 *      input order — joined in lockstep with the analysis records.
 *   - 'ids' (packs.parquet, samples.parquet): the labels of every sample by record id; the token offsets come
 *      from re-encoding the conversation with the run's target tokenizer (manifest config), and the
 *      re-encoded ids are checked against the written ones.
 * `rejected.jsonl` says which analyzed records `select` dropped, and why.
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CodeblockError } from '../errors.js';
import { FORMAT_TABLE, listedFormat, type FormatSpec } from '../output/formats.js';
import { listAnalysisParts, type AnalysisRecord } from '../analysis/format.js';
import { chunked, orderedRecords } from '../analysis/ordered.js';
import { itemScore } from '../budget/candidates.js';
import type { SelectKnobs } from '../budget/rules.js';
import { scoreBin } from '../budget/threshold.js';
import { firstItemMode, isItemMode, modeSpec } from '../budget/modes.js';
import { defaultMode, isEligible, itemLimits, knobsOfRecord, withPoolStats } from '../budget/rules.js';
import { gceFromLogprob } from '../scoring/utility.js';
import { TargetTokenizer } from '../tokenize/target.js';
import { cpLength } from '../tokenize/codepoints.js';
import type { InspectItem, InspectSample, ItemStatus, RunInfo } from './types.js';
import { itemLabel } from '../budget/labels.js';
import { fnv1aInts } from '../util/hash.js';
import { OWNED_FILES, STAGING_PREFIX } from '../output/commit.js';
import { readOutputManifest, verifyOutput } from '../output/verify.js';

const IGNORE = -100;

function isAnalysisDir(dir: string): boolean {
  try {
    return readdirSync(dir).some((d) => /^shard-\d+-of-\d+$/.test(d));
  } catch {
    return false;
  }
}

/** A directory holding select's files or staging directory but no manifest (an interrupted or failed select). */
function isInterruptedOutput(dir: string): boolean {
  try {
    return readdirSync(dir).some((n) => n.startsWith(STAGING_PREFIX) || OWNED_FILES.includes(n));
  } catch {
    return false;
  }
}

/**
 * Classify the directories given to inspect. An output directory (it has manifest.json) finds its
 * analysis files in `<out>/analysis` (what `run` writes), else in an analysis directory given beside
 * it (`inspect OUT A`). An analysis directory alone is inspected without supervision.
 */
export function resolveRuns(dirs: readonly string[]): RunInfo[] {
  if (dirs.length === 0) throw new CodeblockError('inspect needs an output or analysis directory');
  const outputs: string[] = [];
  const analyses: string[] = [];
  for (const d of dirs) {
    const dir = resolve(d);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CodeblockError(`not a directory: ${d}`, 'E_INPUT');
    if (existsSync(join(dir, 'manifest.json'))) outputs.push(dir);
    else if (isAnalysisDir(dir)) analyses.push(dir);
    else if (isInterruptedOutput(dir))
      readOutputManifest(dir); // refuses: an output without its manifest
    else
      throw new CodeblockError(
        `${d} is neither a codeblock output directory (manifest.json) nor an analysis directory (shard-*/): run ` +
          `\`codeblock run\` or \`codeblock analyze\` first`,
        'E_INPUT',
      );
  }
  const runs: RunInfo[] = [];
  // an output without its own analysis files uses the analysis directories given beside it, else
  // those of another output given (mode comparison over one analysis); the sample join checks ids
  const sibling = outputs.map((d) => join(d, 'analysis')).find(isAnalysisDir);
  for (const dir of outputs) {
    // every file the manifest lists must be there, of its size and sha256 (src/output/verify.ts)
    // biome-ignore lint/suspicious/noExplicitAny: the manifest is read untyped below
    const manifest = verifyOutput(dir) as Record<string, any>;
    const own = join(dir, 'analysis');
    const analysisDirs = isAnalysisDir(own) ? [own] : analyses.length ? analyses : sibling ? [sibling] : [];
    if (analysisDirs.length === 0) {
      throw new CodeblockError(
        `${dir} has no analysis files (${own}): pass the analysis directory select read, e.g. \`codeblock ` +
          `inspect ${dir} <analysis-dir>\``,
        'E_INPUT',
      );
    }
    const sel = (manifest.config.select ?? {}) as Record<string, unknown>;
    const mode = String(sel.mode ?? defaultMode());
    const budget = typeof sel.budget === 'number' ? sel.budget : undefined;
    runs.push({ dir, label: mode, kind: 'output', analysisDirs, mode, budget, manifest });
  }
  if (outputs.length === 0) {
    runs.push({ dir: analyses[0]!, label: 'analysis', kind: 'analysis', analysisDirs: analyses, mode: defaultMode() });
  }
  // unique labels (two runs of the same mode: add the directory name)
  const seen = new Map<string, number>();
  for (const r of runs) seen.set(r.label, (seen.get(r.label) ?? 0) + 1);
  for (const r of runs) if (seen.get(r.label)! > 1) r.label = `${r.label} (${basename(r.dir)})`;
  return runs;
}

/** The item score threshold select recorded in the manifest (`selection.item_threshold`), if any. */
export function recordedThreshold(run: RunInfo): number | undefined {
  const t = (run.manifest?.selection as Record<string, unknown> | undefined)?.item_threshold;
  return typeof t === 'number' && Number.isFinite(t) ? t : undefined;
}

const analysisConfigs = new WeakMap<RunInfo, Record<string, unknown>>();

/**
 * The analysis config of a run (q, reduce, scorer, languages …): the one select recorded in the
 * manifest, else (analysis directory alone) the one in the analysis files' part markers.
 */
export function runAnalysisConfig(run: RunInfo): Record<string, unknown> {
  const recorded = run.manifest?.config?.analysis;
  if (recorded && typeof recorded === 'object') return recorded as Record<string, unknown>;
  let config = analysisConfigs.get(run);
  if (!config) {
    config = listAnalysisParts(run.analysisDirs)[0]?.marker.config ?? {};
    analysisConfigs.set(run, config);
  }
  return config;
}

const pooledKnobs = new WeakMap<RunInfo, SelectKnobs>();

/**
 * Selection knobs of a run: its manifest's select config (analysis-only: the defaults), its analysis config, and
 * the pool statistics its score reads once {@link loadRunKnobs} collected them.
 */
export function runKnobs(run: RunInfo): SelectKnobs {
  const pooled = pooledKnobs.get(run);
  if (pooled) return pooled;
  const select = (run.manifest?.config as { select?: Record<string, unknown> } | undefined)?.select;
  return knobsOfRecord(select, runAnalysisConfig(run));
}

/** {@link runKnobs} with the pool statistics of the run's score (read once per run, as select reads them). */
export async function loadRunKnobs(run: RunInfo): Promise<SelectKnobs> {
  let k = pooledKnobs.get(run);
  if (!k) {
    const base = runKnobs(run);
    // token and response modes show the first item mode's scores (inspectItems): that score's statistics
    const scoring = isItemMode(base.mode) ? base : { ...base, mode: firstItemMode() };
    const { pool } = await withPoolStats(scoring, () => orderedRecords(listAnalysisParts(run.analysisDirs)));
    k = pool ? { ...base, pool } : base;
    pooledKnobs.set(run, k);
  }
  return k;
}

interface Rejection {
  reason: string;
  detail: string;
}

/** rejected.jsonl lines of analyzed records (select's own rejections), by ordinal. */
async function readSelectRejections(dir: string): Promise<Map<number, Rejection>> {
  const out = new Map<number, Rejection>();
  const path = join(dir, 'rejected.jsonl');
  if (!existsSync(path)) return out;
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line) continue;
    const r = JSON.parse(line) as { ordinal: number; reason: string; detail?: string };
    // Analysis-stage rejections never reach the analysis records, so looked up by an analysis record's
    // ordinal this finds only select's own rejections, whatever their reason (docs/pipeline.md).
    out.set(r.ordinal, { reason: r.reason, detail: r.detail ?? '' });
  }
  return out;
}

interface SampleLine {
  id: string;
  text: string;
  input_ids: number[];
  labels: number[];
  offsets: Array<[number, number]>;
}

/** Where the response sits in the templated text. */
interface Placement {
  responseStart: number;
  responseEnd: number;
  responseOffset: number;
}

/** Find the response in a templated text without the template (fallback when the tokenizer is unavailable). */
export function locateResponse(text: string, response: string): Placement | undefined {
  const tries: Array<[string, number]> = [[response, 0]];
  const lead = response.length - response.trimStart().length;
  const trimmed = response.trim();
  if (trimmed !== response) tries.push([trimmed, cpLength(response.slice(0, lead))]);
  for (const [needle, offset] of tries) {
    if (!needle) continue;
    const at = text.lastIndexOf(needle);
    if (at >= 0) {
      const start = cpLength(text.slice(0, at));
      return { responseStart: start, responseEnd: start + cpLength(needle), responseOffset: offset };
    }
  }
  return undefined;
}

function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}

/** Items of a record in inspect form (scores of the run's mode; status filled later). */
export function inspectItems(rec: AnalysisRecord, knobs: SelectKnobs): InspectItem[] {
  const cps = rec.items.length ? Array.from(rec.response) : [];
  const items: InspectItem[] = rec.items.map((it, index) => ({
    index,
    start: it.start,
    end: it.end,
    kind: it.kind,
    type: it.type,
    label: itemLabel(it.type, it.kind, cps.slice(it.start, it.end).join('')),
    flags: it.flags,
    u: it.u,
    nCore: it.nCore,
    reach: it.reach,
    bridge: it.bridge,
    // token and response modes score no items: show the first item mode's score
    score: itemScore(rec, index, isItemMode(knobs.mode) ? knobs : { ...knobs, mode: firstItemMode() }),
    defs: [],
    uses: [],
    tokens: -1,
    supervised: 0,
    status: 'analysis' as ItemStatus,
  }));
  for (const [a, b] of rec.edges) {
    if (items[a] && items[b]) {
      items[a]!.uses.push(b);
      items[b]!.defs.push(a);
    }
  }
  return items;
}

/**
 * Fill tokens/supervised of a sample from its templated text offsets and per-token supervision, and
 * count each item's tokens (majority rule, as select does).
 */
export function attachTokens(
  s: InspectSample,
  offsets: ArrayLike<number>,
  sup: ArrayLike<number>,
  place: Placement,
): void {
  const n = offsets.length >> 1;
  const len = place.responseEnd - place.responseStart;
  const toks: number[] = [];
  const flags: number[] = [];
  let inside = 0;
  let outside = 0;
  for (let t = 0; t < n; t++) {
    const a = offsets[2 * t]!;
    const b = offsets[2 * t + 1]!;
    const isSup = sup[t]! !== 0;
    const inResp =
      b > a
        ? 2 * overlap(a, b, place.responseStart, place.responseEnd) > b - a
        : a > place.responseStart && a < place.responseEnd;
    if (!inResp) {
      if (isSup) outside++;
      continue;
    }
    const ra = Math.max(0, Math.min(len, a - place.responseStart)) + place.responseOffset;
    const rb = Math.max(0, Math.min(len, b - place.responseStart)) + place.responseOffset;
    toks.push(ra, rb);
    flags.push(isSup ? 1 : 0);
    if (isSup) inside++;
  }
  s.tokens = Int32Array.from(toks);
  s.supervised = Uint8Array.from(flags);
  s.numSupervised = inside + outside;
  s.supervisedOutside = outside;
  s.numTokens = n;
  // item token counts: items are disjoint; one sweep in start order
  const order = s.items.map((_, i) => i).sort((x, y) => s.items[x]!.start - s.items[y]!.start || x - y);
  for (const it of s.items) {
    it.tokens = 0;
    it.supervised = 0;
  }
  let p = 0;
  for (let t = 0; t < flags.length; t++) {
    const a = toks[2 * t]!;
    const b = toks[2 * t + 1]!;
    if (b <= a) continue;
    while (p < order.length && s.items[order[p]!]!.end <= a) p++;
    for (let q = p; q < order.length && s.items[order[q]!]!.start < b; q++) {
      const it = s.items[order[q]!]!;
      if (2 * overlap(a, b, it.start, it.end) > b - a) {
        it.tokens++;
        if (flags[t]) it.supervised++;
        break;
      }
    }
  }
}

function baseSample(rec: AnalysisRecord, knobs: SelectKnobs): InspectSample {
  return {
    id: rec.id,
    ordinal: rec.ordinal,
    file: rec.file,
    line: rec.line,
    prompt: rec.prompt,
    response: rec.response,
    segments: rec.segments,
    items: inspectItems(rec, knobs),
    edges: rec.edges,
    state: 'analyzed',
  };
}

function scorerView(rec: AnalysisRecord, q: number): { spans: number[]; u: number[] } {
  const u = rec.scorer.logp.map((lp) => (lp === null ? 0 : Math.round(gceFromLogprob(lp, q) * 1e4) / 1e4));
  return { spans: rec.scorer.spans, u };
}

export interface SampleStreamOptions {
  /** Attach the scorer tokens' GCE u to each sample (analysis view). */
  scorer?: boolean;
}

/**
 * Every analyzed record of a run, in input order, as an InspectSample with supervision attached
 * (statuses are provisional until `finalizeStatuses`).
 */
export async function* runSamples(run: RunInfo, options: SampleStreamOptions = {}): AsyncGenerator<InspectSample> {
  const knobs = await loadRunKnobs(run);
  const parts = listAnalysisParts(run.analysisDirs);
  if (run.kind === 'analysis') {
    for await (const rec of orderedRecords(parts)) {
      const s = baseSample(rec, knobs);
      if (options.scorer) s.scorer = scorerView(rec, knobs.q);
      yield s;
    }
    return;
  }
  const rejections = await readSelectRejections(run.dir);
  // among the files the (verified) manifest lists, as loadPacks chooses (docs/formats.md, "The manifest contract")
  const listed = new Set<string>((run.manifest?.files ?? []).map((f: { path: string }) => f.path));
  const format = listedFormat(listed, 'inspect');
  if (!format) {
    const all = FORMAT_TABLE as readonly FormatSpec[];
    const readable = all.filter((f) => f.inspect).map((f) => f.files[0]);
    const unreadable = all.filter((f) => !f.inspect).map((f) => `--format ${f.name}'s ${f.files.join(' + ')}`);
    throw new CodeblockError(
      `${run.dir} has none of ${readable.join(', ')} (${unreadable.join(', ')}: no sample ids): re-run ` +
        `select with --format ${all
          .filter((f) => f.inspect)
          .map((f) => f.name)
          .join(' or ')} to inspect it`,
      'E_INPUT',
    );
  }
  const inspectSpec = format.inspect!;
  const path = join(run.dir, format.files[0]!);
  // biome-ignore lint/suspicious/noExplicitAny: manifest and analysis JSON are read untyped
  const sel = (run.manifest!.config.select ?? {}) as Record<string, any>;
  let tokenizer: TargetTokenizer | undefined;
  let tokenizerError: string | undefined;
  try {
    tokenizer = TargetTokenizer.loadSync(String(sel.tokenizer ?? 'qwen2.5'), {
      template: String(sel.template ?? 'auto'),
    });
  } catch (err) {
    tokenizerError = (err as Error).message;
  }

  /** The sample of an analysis record, already marked when select rejected it. */
  const begin = (rec: AnalysisRecord): InspectSample => {
    const s = baseSample(rec, knobs);
    if (options.scorer) s.scorer = scorerView(rec, knobs.q);
    const rej = rejections.get(rec.ordinal);
    if (rej) {
      s.state = 'rejected';
      s.reason = rej.reason;
      s.detail = rej.detail;
    }
    return s;
  };

  if (inspectSpec.kind === 'lines') {
    const samplesPath = path;
    const rl = createInterface({ input: createReadStream(samplesPath), crlfDelay: Infinity })[Symbol.asyncIterator]();
    let lineNo = 0;
    for await (const rec of orderedRecords(parts)) {
      const s = begin(rec);
      if (s.state === 'rejected') {
        yield s;
        continue;
      }
      let next = await rl.next();
      lineNo++;
      while (!next.done && next.value === '') {
        next = await rl.next();
        lineNo++;
      }
      if (next.done)
        throw new CodeblockError(
          `${samplesPath} ends before record ${rec.id} (ordinal ${rec.ordinal}): it does not belong to these ` +
            'analysis files',
          'E_INPUT',
        );
      const row = JSON.parse(next.value) as SampleLine;
      if (row.id !== rec.id)
        throw new CodeblockError(
          `${samplesPath}:${lineNo} is sample ${row.id}, the analysis files expect ${rec.id}: the output was ` +
            'not made from these analysis files',
          'E_INPUT',
        );
      let place: Placement | undefined;
      if (tokenizer) {
        const r = tokenizer.renderConversation(rec.prompt, rec.response);
        if (r.text === row.text) place = r;
      }
      place ??= locateResponse(row.text, rec.response);
      if (!place)
        throw new CodeblockError(
          `${samplesPath}:${lineNo}: cannot find the response of ${rec.id} in its templated text`,
          'E_INPUT',
        );
      const offsets = new Int32Array(row.offsets.length * 2);
      row.offsets.forEach(([a, b], i) => {
        offsets[2 * i] = a;
        offsets[2 * i + 1] = b;
      });
      s.state = 'selected';
      attachTokens(
        s,
        offsets,
        row.labels.map((l) => (l === IGNORE ? 0 : 1)),
        place,
      );
      yield s;
    }
    return;
  }

  if (!tokenizer)
    throw new CodeblockError(
      `inspecting ${path} needs the target tokenizer of that run, which does not load ` +
        `(${tokenizerError}); re-run select with --format jsonl to inspect without it`,
      'E_INPUT',
    );
  const packed = await inspectSpec.read(path);
  for await (const chunk of chunked(orderedRecords(parts), 128)) {
    const keep = chunk.filter((r) => !rejections.has(r.ordinal));
    const encs = await tokenizer.renderAndEncode(keep.map((r) => ({ prompt: r.prompt, response: r.response })));
    let k = 0;
    for (const rec of chunk) {
      const s = begin(rec);
      if (s.state === 'rejected') {
        yield s;
        continue;
      }
      const enc = encs[k++]!;
      const list = packed.get(rec.id);
      const h = fnv1aInts(enc.ids);
      const at = list ? list.findIndex((p) => p.hash === h && p.length === enc.ids.length) : -1;
      if (at < 0) {
        throw new CodeblockError(
          `sample ${rec.id} is not in ${path} as the run's tokenizer encodes it (tokenizer or template ` +
            'changed since select?); re-run select with --format jsonl to inspect it',
          'E_INPUT',
        );
      }
      const p = list!.splice(at, 1)[0]!;
      const flags = new Uint8Array(enc.ids.length);
      for (const t of p.supervised) flags[t] = 1;
      s.state = 'selected';
      attachTokens(s, enc.offsets, flags, enc);
      yield s;
    }
  }
}

/** select's --min-items / --max-items rule (src/budget/rules.ts) on a sample's items, with inspect's token counts. */
function sampleLimits(s: InspectSample, k: SelectKnobs): ReturnType<typeof itemLimits> {
  const eligible = s.items
    .filter((it) => isEligible(it.flags, it.tokens, k.allowFlagged))
    .map((it) => ({ item: it.index, score: it.score }));
  return itemLimits(eligible, k.minItems, k.maxItems);
}

/** Global facts needed to say why an item was not selected (collected over a whole run). */
export class ThresholdTracker {
  /** Lowest score among items selected by the budget (not forced by --min-items). */
  minSelected = Infinity;
  maxSelected = -Infinity;

  /**
   * @param explicitThreshold the run's recorded item threshold (manifest `selection.item_threshold`,
   * when select records it); otherwise the threshold is read off the selection itself.
   */
  constructor(
    readonly knobs: SelectKnobs,
    readonly explicitThreshold?: number,
  ) {}

  /** Items forced in by --min-items (top scores of an eligible sample). */
  forced(s: InspectSample): Set<number> {
    const k = this.knobs;
    if (k.minItems <= 0) return new Set();
    return new Set(sampleLimits(s, k).force);
  }

  observe(s: InspectSample): void {
    if (s.state !== 'selected' || !isItemMode(this.knobs.mode)) return;
    const forced = this.forced(s);
    for (const it of s.items) {
      if (it.supervised > 0 && !forced.has(it.index)) {
        if (it.score < this.minSelected) this.minSelected = it.score;
        if (it.score > this.maxSelected) this.maxSelected = it.score;
      }
    }
  }

  /** The score bin of the cut (items in higher bins are all taken), or undefined when nothing was cut. */
  get cutBin(): number | undefined {
    if (this.explicitThreshold !== undefined) return scoreBin(this.explicitThreshold);
    return Number.isFinite(this.minSelected) ? scoreBin(this.minSelected) : undefined;
  }
}

/** Assign each item's status (needs the run's threshold; call after a full pass, or with a manifest threshold). */
export function finalizeStatuses(s: InspectSample, run: RunInfo, tracker: ThresholdTracker): void {
  const k = tracker.knobs;
  if (run.kind === 'analysis') {
    for (const it of s.items) it.status = it.flags.length > 0 && !k.allowFlagged ? 'flagged' : 'analysis';
    return;
  }
  const itemMode = isItemMode(k.mode);
  const wholeResponse = modeSpec(k.mode).unit === 'response';
  const dropped = s.state === 'rejected' && s.reason !== 'no_supervision';
  const keep = k.maxItems > 0 ? sampleLimits(s, k).keep : undefined;
  const cut = tracker.cutBin;
  for (const it of s.items) {
    let st: ItemStatus;
    if (s.state === 'selected' && it.supervised > 0 && (itemMode || wholeResponse)) st = 'selected';
    else if (dropped) st = 'sample_dropped';
    else if (!itemMode)
      st = 'mode'; // token modes: `supervised` tells how much of the item the tokens cover
    else if (it.flags.length > 0 && !k.allowFlagged) st = 'flagged';
    else if (it.tokens === 0) st = 'no_tokens';
    else if (keep && !keep.has(it.index)) st = 'max_items';
    else if (cut !== undefined && scoreBin(it.score) >= cut) st = 'budget';
    else st = 'below_threshold';
    it.status = st;
  }
}
