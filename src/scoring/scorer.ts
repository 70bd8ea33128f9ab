/**
 * The reference-LM scorer: tokenizes prompt + response with the model's own tokenizer, runs the fused
 * ONNX session in length-bucketed batches and returns, per record, the response tokens' code-point spans
 * and log-probs.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import { CodeblockError } from '../errors.js';
import { PACKAGE_ROOT } from '../native.js';
import { planBatches } from './batching.js';
import { DT, type ModelInterface, type ValueInfo } from './onnx-proto.js';
import { LOGPROBS_OUTPUT, isPastInput, prepareModel, type PreparedModel } from './fuse.js';
import { SessionHost } from './session-host.js';
import { DEVICES, scoreBatchTokensFor, type Device } from './devices.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tokenizers = require('tokenizers') as typeof import('tokenizers');
type HfTokenizer = import('tokenizers').Tokenizer;

/** Directory of the embedded default scorer model. */
export const DEFAULT_MODEL_DIR = join(PACKAGE_ROOT, 'models', 'default');

export type Template = 'plain' | 'chat';
export { DEVICES, type Device } from './devices.js';
export type OverflowPolicy = 'window' | 'reject';

export interface ScorerOptions {
  /**
   * 'cpu' (default), 'cuda' (needs the ONNX Runtime CUDA provider libraries) or 'webgpu' (bundled with
   * onnxruntime-node; needs a Vulkan loader and driver on Linux). See docs/scoring.md. A device that is not
   * there fails in one line (E_CUDA / E_WEBGPU); it never falls back to the CPU.
   */
  device?: Device;
  /**
   * the model file inside the directory (default: the first of model.onnx, decoder_model_merged.onnx,
   * decoder_model.onnx); the embedded int8 model is `model.int8.onnx` beside the fp32 `model.onnx`.
   */
  modelFile?: string;
  /** intra-op threads of the ONNX session (default: ORT's choice = physical cores). */
  threads?: number;
  /** where fused graphs are cached (default $CODEBLOCK_CACHE or ~/.cache/codeblock). */
  cacheDir?: string;
  /**
   * how prompt and response are joined: 'plain' = prompt + "\n" + response (default), 'chat' = a minimal role-tagged
   * format.
   */
  template?: Template;
  /** padded tokens per session.run (B × T_max); default: by device (DEVICE_BATCH_TOKENS: 1024 on cpu). */
  maxTokensPerBatch?: number;
  /** rows per session.run, default 64. */
  maxBatchSize?: number;
  /**
   * batches in flight (default 2: the next batch's feeds are built while one runs; 1 = one at a time).
   * Results do not depend on it.
   */
  pipelineDepth?: number;
  /** context length override (default: config.json max_position_embeddings / n_positions / n_ctx). */
  maxLength?: number;
  /**
   * response longer than the context: 'window' (default) scores it in overlapping windows; 'reject' returns status
   * context_overflow.
   */
  overflow?: OverflowPolicy;
  /**
   * prepend a BOS id when the tokenizer's post-processor adds none: 'auto' (config bos_token_id if any, default),
   * 'never'.
   */
  bos?: 'auto' | 'never';
}

export interface ScoreInput {
  id: string;
  prompt: string;
  response: string;
}

/**
 * Notes explaining how a record was scored (never silent):
 * - prompt_truncated: the prompt was cut from the left to fit the context (promptTokensDropped says how much);
 * - response_windowed: the response alone exceeds the context; it was scored in overlapping windows
 *   (each token still sees ≥ half a context of left context);
 * - first_token_unscored: empty prompt and no BOS: the first response token has no log-prob (NaN).
 */
export type ScoreNote = 'prompt_truncated' | 'response_windowed' | 'first_token_unscored';

export interface RecordScores {
  id: string;
  /** 'context_overflow' only with overflow: 'reject' (then the token arrays are empty) */
  status: 'ok' | 'context_overflow';
  notes: ScoreNote[];
  /** response-token spans: code points into `response`, [start, end) */
  start: Uint32Array;
  end: Uint32Array;
  /** natural-log probability of each response token given everything before it; NaN = not scored */
  logprob: Float32Array;
  /** token ids (scorer vocabulary) of the response tokens */
  ids: Int32Array;
  /** prompt/template tokens used as context (after truncation) */
  promptTokens: number;
  promptTokensDropped: number;
}

export interface ScoreStats {
  records: number;
  rows: number;
  batches: number;
  /** Σ response tokens given a log-prob */
  scoredTokens: number;
  /** Σ real positions run through the model (prompt + response + overlaps) */
  realPositions: number;
  /** Σ B × T_max over batches */
  paddedPositions: number;
  /** (paddedPositions − realPositions) / paddedPositions */
  paddingFraction: number;
  /** milliseconds the session spent running batches (on its own thread) */
  busyMs: number;
  /** milliseconds from the first batch submitted to the last result scattered; busyMs / wallMs = busy fraction */
  wallMs: number;
}

/**
 * One model input row: `ids`, of which positions [scoreFrom, scoreTo) are scored into record `rec`'s tokens from
 * `tokFrom`.
 */
export interface ScoringRow {
  rec: number;
  ids: number[];
  scoreFrom: number;
  scoreTo: number;
  tokFrom: number;
}
type Row = ScoringRow;

/** One row: the prompt as kept, then the whole response, scored from its first position (position 0 has no context). */
function wholeRow(rec: number, prefix: number[], resp: number[], tokFrom: number): Row {
  return {
    rec,
    ids: prefix.concat(resp),
    scoreFrom: Math.max(1, prefix.length),
    scoreTo: prefix.length + resp.length,
    tokFrom,
  };
}

export interface PreparedScoring {
  records: number;
  results: RecordScores[];
  rows: ScoringRow[];
  plan: import('./batching.js').BatchPlan;
}

interface ModelConfig {
  contextLength: number;
  contextSource: 'option' | 'config' | 'default';
  bosId: number | null;
  padId: number;
  kvHeads: number | null;
  headDim: number | null;
}

function readJson(path: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CodeblockError(
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'E_MODEL',
    );
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new CodeblockError(`${what} ${path} is not valid JSON: ${(err as Error).message}`, 'E_MODEL');
  }
}

const num = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : Array.isArray(v) && typeof v[0] === 'number' ? v[0] : null;

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1,
    e = (h >> 10) & 0x1f,
    m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

export class Scorer {
  readonly modelDir: string;
  readonly model: PreparedModel;
  readonly contextLength: number;
  readonly contextSource: ModelConfig['contextSource'];
  readonly device: Device;
  readonly template: Template;
  readonly vocabSize: number;
  private readonly cfg: ModelConfig;
  private readonly opts: Required<
    Pick<ScorerOptions, 'maxTokensPerBatch' | 'maxBatchSize' | 'overflow' | 'bos' | 'pipelineDepth'>
  >;
  private closed = false;
  /** cumulative statistics over every scoreRecords call */
  readonly totals: ScoreStats = {
    records: 0,
    rows: 0,
    batches: 0,
    scoredTokens: 0,
    realPositions: 0,
    paddedPositions: 0,
    paddingFraction: 0,
    busyMs: 0,
    wallMs: 0,
  };

  private constructor(
    modelDir: string,
    model: PreparedModel,
    /** The ONNX Runtime session, on its own thread (src/scoring/session-host.ts). */
    readonly session: SessionHost,
    readonly tokenizer: HfTokenizer,
    cfg: ModelConfig,
    opts: ScorerOptions,
  ) {
    this.modelDir = modelDir;
    this.model = model;
    this.cfg = cfg;
    this.contextLength = cfg.contextLength;
    this.contextSource = cfg.contextSource;
    this.device = opts.device ?? 'cpu';
    this.template = opts.template ?? 'plain';
    this.vocabSize = tokenizer.getVocabSize(true);
    this.opts = {
      maxTokensPerBatch: scoreBatchTokensFor(this.device, opts.maxTokensPerBatch ?? 0),
      maxBatchSize: opts.maxBatchSize ?? 64,
      pipelineDepth: opts.pipelineDepth ?? 2,
      overflow: opts.overflow ?? 'window',
      bos: opts.bos ?? 'auto',
    };
  }

  /** Open a model directory in optimum layout (model.onnx + tokenizer.json + config.json). */
  static async open(modelDir: string = DEFAULT_MODEL_DIR, opts: ScorerOptions = {}): Promise<Scorer> {
    validateOptions(opts);
    const dir = resolve(modelDir);
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new CodeblockError(`model directory ${dir} does not exist`, 'E_MODEL');
    const modelFile = (
      opts.modelFile ? [opts.modelFile] : ['model.onnx', 'decoder_model_merged.onnx', 'decoder_model.onnx']
    )
      .map((f) => join(dir, f))
      .find((p) => existsSync(p));
    if (!modelFile && opts.modelFile) throw new CodeblockError(`no ${opts.modelFile} in ${dir}`, 'E_MODEL');
    if (!modelFile)
      throw new CodeblockError(
        `no model.onnx in ${dir} (expected Hugging Face optimum layout: model.onnx, tokenizer.json, config.json)`,
        'E_MODEL',
      );
    const tokPath = join(dir, 'tokenizer.json');
    if (!existsSync(tokPath)) throw new CodeblockError(`no tokenizer.json in ${dir}`, 'E_MODEL');
    const config = existsSync(join(dir, 'config.json')) ? readJson(join(dir, 'config.json'), 'model config') : {};
    let tokenizer: HfTokenizer;
    try {
      tokenizer = tokenizers.Tokenizer.fromFile(tokPath);
    } catch (err) {
      throw new CodeblockError(`cannot load tokenizer ${tokPath}: ${(err as Error).message}`, 'E_MODEL');
    }
    const prepared = prepareModel(modelFile, opts.cacheDir);

    const ctxCfg =
      num(config.max_position_embeddings) ??
      num(config.n_positions) ??
      num(config.n_ctx) ??
      num(config.max_sequence_length) ??
      num(config.seq_length);
    const contextLength = opts.maxLength ?? ctxCfg ?? 2048;
    const nHeads = num(config.num_attention_heads) ?? num(config.n_head);
    const hidden = num(config.hidden_size) ?? num(config.n_embd) ?? num(config.d_model);
    const cfg: ModelConfig = {
      contextLength,
      contextSource: opts.maxLength ? 'option' : ctxCfg ? 'config' : 'default',
      bosId: num(config.bos_token_id),
      padId: num(config.pad_token_id) ?? num(config.eos_token_id) ?? 0,
      kvHeads: num(config.num_key_value_heads) ?? nHeads,
      headDim: num(config.head_dim) ?? (nHeads && hidden ? hidden / nHeads : null),
    };

    const device = opts.device ?? 'cpu';
    if (device === 'cuda') checkCudaProvider();
    if (device === 'webgpu') checkWebgpuProvider();
    const sessOpts: ort.InferenceSession.SessionOptions = {
      executionProviders: [device],
      graphOptimizationLevel: 'all',
      ...(opts.threads ? { intraOpNumThreads: opts.threads, interOpNumThreads: 1 } : {}),
    };
    let session: SessionHost;
    try {
      session = prepared.externalDataDir
        ? await SessionHost.open(readFileSync(prepared.path), {
            ...sessOpts,
            extra: { session: { model_external_initializers_file_folder_path: prepared.externalDataDir } },
          })
        : await SessionHost.open(prepared.path, sessOpts);
    } catch (err) {
      const msg = (err as Error).message.split('\n')[0];
      if (device === 'cuda') {
        throw new CodeblockError(`CUDA execution provider unavailable (${msg}). ${cudaHelp()}`, 'E_CUDA');
      }
      if (device === 'webgpu')
        throw new CodeblockError(`WebGPU unavailable (${webgpuReason(msg)}). ${WEBGPU_HELP}`, 'E_WEBGPU');
      throw new CodeblockError(`ONNX Runtime cannot load ${prepared.path}: ${msg}`, 'E_MODEL');
    }
    return new Scorer(dir, prepared, session, tokenizer, cfg, opts);
  }

  get info(): {
    modelDir: string;
    modelSha256: string;
    fused: PreparedModel['origin'];
    contextLength: number;
    contextSource: string;
    vocabSize: number;
    device: string;
    template: Template;
    inputs: string[];
  } {
    return {
      modelDir: this.modelDir,
      modelSha256: this.model.sourceSha256,
      fused: this.model.origin,
      contextLength: this.contextLength,
      contextSource: this.contextSource,
      vocabSize: this.vocabSize,
      device: this.device,
      template: this.template,
      inputs: this.model.info.inputs.map((i) => i.name),
    };
  }

  /** The text the scorer tokenizes and the code-point offset where the response starts in it. */
  renderText(prompt: string, response: string): { text: string; responseStart: number } {
    const prefix =
      this.template === 'chat' ? `### User:\n${prompt}\n### Assistant:\n` : prompt === '' ? '' : `${prompt}\n`;
    let cps = 0;
    for (const _ of prefix) cps++;
    return { text: prefix + response, responseStart: cps };
  }

  /**
   * Score a batch of records. Records are scored independently (a record's result does not depend on
   * the other records of the call, up to float rounding in batched kernels; tested to 1e-4). Pass a few
   * hundred records per call so length bucketing keeps padding low.
   */
  async scoreRecords(records: readonly ScoreInput[]): Promise<{ results: RecordScores[]; stats: ScoreStats }> {
    return this.execute(await this.prepare(records));
  }

  /**
   * First half of scoreRecords: tokenize, apply the context policy, cut rows into length-bucketed
   * batches. `execute` runs them. Split so benchmarks can time the model on the very same batches.
   */
  async prepare(records: readonly ScoreInput[]): Promise<PreparedScoring> {
    if (this.closed) throw new CodeblockError('scorer is closed', 'E_USAGE');
    if (!Array.isArray(records)) throw new TypeError('scoreRecords expects an array of { id, prompt, response }');
    records.forEach((r, i) => {
      if (!r || typeof r.prompt !== 'string' || typeof r.response !== 'string')
        throw new TypeError(`record ${i} (${String(r?.id)}): prompt and response must be strings`);
    });
    const rendered = records.map((r) => this.renderText(r.prompt, r.response));
    const encs = rendered.length
      ? await this.tokenizer.encodeBatch(
          rendered.map((x) => x.text),
          { addSpecialTokens: true },
        )
      : [];

    const results: RecordScores[] = [];
    const rows: Row[] = [];
    const n = this.contextLength;
    for (let r = 0; r < records.length; r++) {
      const enc = encs[r]!;
      const allIds = enc.getIds();
      const offs = enc.getOffsets();
      const special = enc.getSpecialTokensMask();
      const rs = rendered[r]!.responseStart;
      // drop post-processor tokens appended after the text (e.g. a trailing EOS): they are not part of it
      let len = allIds.length;
      while (len > 0 && special[len - 1] === 1 && offs[len - 1]![0] === offs[len - 1]![1] && len - 1 > 0) len--;
      const seq: number[] = [];
      const leadingSpecial = len > 0 && special[0] === 1 && offs[0]![0] === offs[0]![1];
      if (!leadingSpecial && this.opts.bos === 'auto' && this.cfg.bosId !== null) seq.push(this.cfg.bosId);
      let firstResp = -1;
      const start: number[] = [],
        end: number[] = [],
        rids: number[] = [];
      for (let i = 0; i < len; i++) {
        const [s, e] = offs[i]!;
        if (firstResp < 0 && e > rs && !(special[i] === 1 && s === e)) firstResp = seq.length;
        if (firstResp >= 0) {
          start.push(Math.max(0, s! - rs));
          end.push(Math.max(0, e! - rs));
          rids.push(allIds[i]!);
        }
        seq.push(allIds[i]!);
      }
      const nResp = rids.length;
      const res: RecordScores = {
        id: records[r]!.id,
        status: 'ok',
        notes: [],
        start: Uint32Array.from(start),
        end: Uint32Array.from(end),
        ids: Int32Array.from(rids),
        logprob: new Float32Array(nResp).fill(NaN),
        promptTokens: 0,
        promptTokensDropped: 0,
      };
      results.push(res);
      if (nResp === 0) {
        res.promptTokens = seq.length;
        continue;
      }
      let prefix = seq.slice(0, firstResp);
      const resp = seq.slice(firstResp);
      let tokFrom = 0;
      if (prefix.length === 0) {
        res.notes.push('first_token_unscored');
        tokFrom = 1;
      }
      if (prefix.length + resp.length <= n) {
        res.promptTokens = prefix.length;
        rows.push(wholeRow(r, prefix, resp, tokFrom));
        continue;
      }
      // Over the context. Keep a leading BOS, cut the prompt from the left.
      const bosKept =
        !leadingSpecial && seq[0] === this.cfg.bosId && this.opts.bos === 'auto' && this.cfg.bosId !== null
          ? 1
          : leadingSpecial
            ? 1
            : 0;
      const head = prefix.slice(0, bosKept);
      let body = prefix.slice(bosKept);
      const room = n - head.length - resp.length;
      if (room >= 0 && head.length + room >= 1) {
        res.promptTokensDropped = body.length - room;
        body = body.slice(body.length - room);
        prefix = head.concat(body);
        res.promptTokens = prefix.length;
        res.notes.push('prompt_truncated');
        rows.push(wholeRow(r, prefix, resp, tokFrom));
        continue;
      }
      if (this.opts.overflow === 'reject') {
        res.status = 'context_overflow';
        res.start = new Uint32Array(0);
        res.end = new Uint32Array(0);
        res.ids = new Int32Array(0);
        res.logprob = new Float32Array(0);
        continue;
      }
      // Windowed: keep at most half a context of prompt, then windows of n advancing by n/2.
      const half = Math.max(1, Math.floor(n / 2));
      const keepPrompt = Math.min(body.length, Math.max(0, half - head.length));
      res.promptTokensDropped = body.length - keepPrompt;
      if (res.promptTokensDropped > 0) res.notes.push('prompt_truncated');
      res.notes.push('response_windowed');
      prefix = head.concat(body.slice(body.length - keepPrompt));
      res.promptTokens = prefix.length;
      const full = prefix.concat(resp);
      let scored = Math.max(1, prefix.length); // next position to score
      let ws = 0;
      while (scored < full.length) {
        const we = Math.min(full.length, ws + n);
        rows.push({
          rec: r,
          ids: full.slice(ws, we),
          scoreFrom: scored - ws,
          scoreTo: we - ws,
          tokFrom: scored - prefix.length,
        });
        scored = we;
        ws = Math.max(ws + 1, we - half);
      }
    }

    const plan = planBatches(
      rows.map((x) => x.ids.length),
      this.opts.maxTokensPerBatch,
      this.opts.maxBatchSize,
    );
    return { records: records.length, results, rows, plan };
  }

  /** Second half of scoreRecords: run the prepared batches and scatter log-probs into the results. */
  async execute(prep: PreparedScoring): Promise<{ results: RecordScores[]; stats: ScoreStats }> {
    const { results, rows, plan } = prep;
    let scoredTokens = 0;
    const scatter = (b: number, lp: Float32Array): void => {
      const idx = plan.batches[b]!;
      const T = plan.lengths[b]!;
      for (let k = 0; k < idx.length; k++) {
        const row = rows[idx[k]!]!;
        const out = results[row.rec]!.logprob;
        for (let pos = row.scoreFrom; pos < row.scoreTo; pos++) {
          out[row.tokFrom + pos - row.scoreFrom] = lp[k * (T - 1) + pos - 1]!;
          scoredTokens++;
        }
      }
    };
    // Double buffering: the feeds of batch b+1 are built while batch b runs on the session's thread.
    const inflight: { b: number; lp: Promise<Float32Array> }[] = [];
    const t0 = performance.now();
    const busy0 = this.session.busyMs;
    try {
      for (let b = 0; b < plan.batches.length; b++) {
        const idx = plan.batches[b]!;
        inflight.push({
          b,
          lp: this.runBatch(
            idx.map((i) => rows[i]!.ids),
            plan.lengths[b]!,
          ),
        });
        if (inflight.length >= this.opts.pipelineDepth) {
          const f = inflight.shift()!;
          scatter(f.b, await f.lp);
        }
      }
      while (inflight.length) {
        const f = inflight.shift()!;
        scatter(f.b, await f.lp);
      }
    } finally {
      // a failed batch: the ones still in flight settle before the error leaves (no unhandled rejection)
      await Promise.allSettled(inflight.map((f) => f.lp));
    }
    const busyMs = this.session.busyMs - busy0;
    const wallMs = performance.now() - t0;
    this.totals.busyMs += busyMs;
    this.totals.wallMs += wallMs;
    const stats: ScoreStats = {
      records: prep.records,
      rows: rows.length,
      batches: plan.batches.length,
      scoredTokens,
      realPositions: plan.realPositions,
      paddedPositions: plan.paddedPositions,
      paddingFraction: plan.paddedPositions ? (plan.paddedPositions - plan.realPositions) / plan.paddedPositions : 0,
      busyMs,
      wallMs,
    };
    const t = this.totals;
    t.records += stats.records;
    t.rows += stats.rows;
    t.batches += stats.batches;
    t.scoredTokens += scoredTokens;
    t.realPositions += stats.realPositions;
    t.paddedPositions += stats.paddedPositions;
    t.paddingFraction = t.paddedPositions ? (t.paddedPositions - t.realPositions) / t.paddedPositions : 0;
    return { results, stats };
  }

  /**
   * Instruction-following difficulty (DESIGN §2): IFD = loss(response | prompt) / loss(response), each the
   * mean negative log-prob over the response tokens that got one. `null` where a side has no scored token
   * (empty response, or context_overflow under overflow: 'reject').
   */
  async ifd(
    records: readonly ScoreInput[],
  ): Promise<{ id: string; conditioned: number | null; unconditioned: number | null; ifd: number | null }[]> {
    const withPrompt = (await this.scoreRecords(records)).results;
    const alone = (await this.scoreRecords(records.map((r) => ({ id: r.id, prompt: '', response: r.response }))))
      .results;
    return withPrompt.map((r, i) => {
      const c = meanNll(r.logprob),
        u = meanNll(alone[i]!.logprob);
      return { id: r.id, conditioned: c, unconditioned: u, ifd: c !== null && u !== null && u > 0 ? c / u : null };
    });
  }

  /** Build the feeds for right-padded rows of length ≤ T. Exposed for benchmarks and tests. */
  buildFeeds(rows: readonly (readonly number[])[], T: number): Record<string, ort.Tensor> {
    return buildFeeds(this.model.info, this.cfg, rows, T);
  }

  /** Run one padded batch; returns log-probs [B, T-1] as a flat Float32Array. */
  async runBatch(rows: readonly (readonly number[])[], T: number): Promise<Float32Array> {
    if (T < 2) return new Float32Array(0);
    const feeds = this.buildFeeds(rows, T);
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await this.session.run(feeds, [LOGPROBS_OUTPUT]);
    } catch (err) {
      throw new CodeblockError(
        `model run failed on a batch of ${rows.length}×${T}: ${(err as Error).message.split('\n')[0]}`,
        'E_MODEL_RUN',
      );
    }
    const t = out[LOGPROBS_OUTPUT] as ort.Tensor;
    if (t.dims.length !== 2 || t.dims[0] !== rows.length || t.dims[1] !== T - 1) {
      throw new CodeblockError(
        `fused head returned shape [${t.dims.join(', ')}], expected [${rows.length}, ${T - 1}]`,
        'E_MODEL_RUN',
      );
    }
    if (t.type === 'float32') return t.data as Float32Array;
    if (t.type === 'float16') {
      const src = t.data as unknown as ArrayLike<number>;
      const f = new Float32Array(src.length);
      const isU16 = src instanceof Uint16Array;
      for (let i = 0; i < src.length; i++) f[i] = isU16 ? f16ToF32(src[i]!) : Number(src[i]);
      return f;
    }
    return Float32Array.from(t.data as ArrayLike<number>);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }
}

/** Mean negative log-prob over the finite entries; null when there are none. */
export function meanNll(logprob: ArrayLike<number>): number | null {
  let s = 0,
    n = 0;
  for (let i = 0; i < logprob.length; i++)
    if (Number.isFinite(logprob[i]!)) {
      s -= logprob[i]!;
      n++;
    }
  return n ? s / n : null;
}

const cudaHelp = () =>
  `onnxruntime-node ${ort.env.versions.common} downloads its CUDA provider at install when asked: reinstall with ` +
  '`ONNXRUNTIME_NODE_INSTALL=cuda12 npm install codeblock-sft` (or `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild ' +
  'onnxruntime-node`); it needs CUDA 12.x and cuDNN 9 on the loader path (docs/scoring.md) — or use --device cpu';

/** Fail fast (one line, before ONNX Runtime logs its own loader errors) when the CUDA provider is absent. */
function checkCudaProvider(): void {
  if (process.platform !== 'linux') return; // other platforms: let ONNX Runtime decide
  let binDir: string | undefined;
  try {
    const pkgRoot = resolve(dirname(require.resolve('onnxruntime-node')), '..');
    const base = join(pkgRoot, 'bin');
    const napi = readdirSync(base)
      .filter((d) => d.startsWith('napi-v'))
      .sort()
      .reverse();
    binDir = napi
      .map((d) => join(base, d, process.platform, process.arch))
      .find((d) => existsSync(join(d, 'onnxruntime_binding.node')));
  } catch {
    return;
  }
  if (!binDir) return;
  const missing = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'].filter(
    (f) => !existsSync(join(binDir!, f)),
  );
  if (missing.length)
    throw new CodeblockError(
      `CUDA execution provider unavailable (${missing.join(', ')} not found in ${binDir}). ${cudaHelp()}`,
      'E_CUDA',
    );
}

const WEBGPU_HELP =
  'onnxruntime-node bundles the WebGPU provider (Dawn); on Linux it needs the Vulkan loader (Debian: libvulkan1) ' +
  'and a Vulkan driver for the GPU (docs/scoring.md), or use --device cpu';

/** ORT's adapter failure, shortened to its reason (its message carries a source path and a lambda signature). */
function webgpuReason(msg: string): string {
  const m = /Failed to get a WebGPU adapter:?\s*([^\n]*)/.exec(msg);
  return m ? `no WebGPU adapter: ${m[1]!.trim() || 'none found'}` : msg;
}

/** Where the dynamic loader looks for libvulkan.so.1 (the ld.so cache is read for its paths). */
function vulkanLoaderFound(): boolean {
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
    `/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
    '/usr/lib64',
    '/usr/lib',
    '/lib64',
    '/lib',
  ];
  if (dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')))) return true;
  try {
    return readFileSync('/etc/ld.so.cache').includes('libvulkan.so.1');
  } catch {
    return false;
  }
}

/** Fail fast, in one line and before Dawn prints its own loader warnings, when WebGPU cannot work. */
function checkWebgpuProvider(): void {
  const listed = ort.listSupportedBackends?.().some((b) => b.name === 'webgpu') ?? false;
  if (!listed)
    throw new CodeblockError(
      `WebGPU unavailable (this onnxruntime-node ${ort.env.versions.common} build has no WebGPU provider). ` +
        'Use --device cpu or --device cuda',
      'E_WEBGPU',
    );
  if (process.platform === 'linux' && !vulkanLoaderFound())
    throw new CodeblockError(`WebGPU unavailable (libvulkan.so.1 not found). ${WEBGPU_HELP}`, 'E_WEBGPU');
}

function validateOptions(o: ScorerOptions): void {
  if (o === null || typeof o !== 'object') throw new TypeError('scorer options must be an object');
  if (o.device !== undefined && !(DEVICES as readonly string[]).includes(o.device))
    throw new RangeError(`device must be ${DEVICES.join(' | ')}, got ${String(o.device)}`);
  if (o.template !== undefined && o.template !== 'plain' && o.template !== 'chat')
    throw new RangeError(`template must be plain | chat, got ${String(o.template)}`);
  if (o.overflow !== undefined && o.overflow !== 'window' && o.overflow !== 'reject')
    throw new RangeError(`overflow must be window | reject, got ${String(o.overflow)}`);
  if (o.bos !== undefined && o.bos !== 'auto' && o.bos !== 'never')
    throw new RangeError(`bos must be auto | never, got ${String(o.bos)}`);
  for (const k of ['threads', 'maxTokensPerBatch', 'maxBatchSize', 'pipelineDepth'] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isInteger(v) && v > 0))
      throw new RangeError(`${k} must be a positive integer, got ${String(v)}`);
  }
  if (o.maxLength !== undefined && !(Number.isInteger(o.maxLength) && o.maxLength >= 4))
    throw new RangeError(`maxLength must be an integer ≥ 4, got ${String(o.maxLength)}`);
}

function intTensor(elemType: number, data: ArrayLike<number>, dims: number[]): ort.Tensor {
  if (elemType === DT.INT32) return new ort.Tensor('int32', Int32Array.from(data), dims);
  const a = new BigInt64Array(data.length);
  for (let i = 0; i < data.length; i++) a[i] = BigInt(data[i]!);
  return new ort.Tensor('int64', a, dims);
}

function buildFeeds(
  info: ModelInterface,
  cfg: ModelConfig,
  rows: readonly (readonly number[])[],
  T: number,
): Record<string, ort.Tensor> {
  const B = rows.length;
  const ids = new Int32Array(B * T).fill(cfg.padId);
  const mask = new Int32Array(B * T);
  const pos = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const row = rows[b]!;
    for (let t = 0; t < T; t++) pos[b * T + t] = t;
    for (let t = 0; t < row.length; t++) {
      ids[b * T + t] = row[t]!;
      mask[b * T + t] = 1;
    }
  }
  const feeds: Record<string, ort.Tensor> = {};
  for (const inp of info.inputs) {
    if (inp.name === 'input_ids') feeds[inp.name] = intTensor(inp.elemType, ids, [B, T]);
    else if (inp.name === 'attention_mask') feeds[inp.name] = intTensor(inp.elemType || DT.INT64, mask, [B, T]);
    else if (inp.name === 'position_ids') feeds[inp.name] = intTensor(inp.elemType || DT.INT64, pos, [B, T]);
    else if (inp.name === 'use_cache_branch') feeds[inp.name] = new ort.Tensor('bool', Uint8Array.from([0]), [1]);
    else if (isPastInput(inp.name)) feeds[inp.name] = emptyPast(inp, cfg, B);
  }
  return feeds;
}

/** A zero-length past key/value tensor [B, heads, 0, head_dim] (dims from the graph, else config.json). */
function emptyPast(inp: ValueInfo, cfg: ModelConfig, B: number): ort.Tensor {
  const d = inp.dims ?? [];
  if (d.length !== 4)
    throw new CodeblockError(
      `cannot feed an empty past for "${inp.name}": expected rank 4 [batch, heads, past, head_dim], got ` +
        `${d.length ? `rank ${d.length}` : 'no shape'}`,
      'E_MODEL_INPUTS',
    );
  const heads = d[1]!.value ?? cfg.kvHeads;
  const hd = d[3]!.value ?? cfg.headDim;
  if (!heads || !hd)
    throw new CodeblockError(
      `cannot size the empty past for "${inp.name}": set num_key_value_heads/head_dim in config.json`,
      'E_MODEL_INPUTS',
    );
  const dims = [B, heads, 0, hd];
  if (inp.elemType === DT.FLOAT16) return new ort.Tensor('float16', new Uint16Array(0), dims);
  if (inp.elemType === DT.FLOAT || inp.elemType === 0) return new ort.Tensor('float32', new Float32Array(0), dims);
  throw new CodeblockError(`past input "${inp.name}" has unsupported element type ${inp.elemType}`, 'E_MODEL_INPUTS');
}
