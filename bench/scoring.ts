/**
 * Scoring benchmark (issue 5 item 9), called by the bench harness:
 *
 *   import { benchScoring } from './scoring.js';
 *   const r = await benchScoring({ dataFile: '…/evol-instruct-code-r1.jsonl', maxRecords: 256 });
 *
 * Figures, all measured in the same run on the same pre-built batches:
 *  - raw:      session.run on pre-built feeds fetching the fused output, one batch at a time (the limit for this
 *              stage; the session runs on its own thread, src/scoring/session-host.ts, for both sides);
 *  - scorer:   Scorer.scoreRecords end to end (tokenize, context policy, batching, feeds, run, scatter);
 *  - unfused:  session.run fetching the full logits [B,T,V] + log-softmax/gather in JS (what the fused head saves);
 *  - ratio = scorer tokens/s ÷ raw tokens/s (target ≥ 0.9), paddingFraction, tokens/s of the model on this CPU.
 * Each variant runs `repeats` times, interleaved; the median is reported. Tokens = scored response tokens.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus } from 'node:os';
import type * as ort from 'onnxruntime-node';
import { PACKAGE_ROOT } from '../src/native.js';
import { Scorer, DEFAULT_MODEL_DIR, LOGPROBS_OUTPUT, type ScoreInput } from '../src/scoring/index.js';

export interface ScoringBenchOptions {
  modelDir?: string;
  /** records to score; default: the first `maxRecords` of `dataFile` */
  records?: ScoreInput[];
  dataFile?: string;
  maxRecords?: number;
  threads?: number;
  repeats?: number;
  /** also time the unfused path (logits out + JS log-softmax); default true when the model exposes `logits` */
  unfused?: boolean;
  maxTokensPerBatch?: number;
}

export interface ScoringBenchResult {
  model: { dir: string; sha256: string; contextLength: number; vocabSize: number };
  device: 'cpu';
  threads: number;
  cpu: string;
  records: number;
  batches: number;
  scoredTokens: number;
  realPositions: number;
  paddingFraction: number;
  /** median seconds per full pass */
  seconds: { raw: number; scorer: number; unfused: number | null };
  tokensPerSecond: { raw: number; scorer: number; unfused: number | null };
  /** scorer ÷ raw tokens/s (target ≥ 0.9) */
  ratio: number;
  /** fused raw ÷ unfused tokens/s (> 1: the fused head is faster) */
  fusedSpeedup: number | null;
  /** bytes fetched per pass: fused output vs full logits */
  outputBytes: { fused: number; logits: number };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function loadRecords(file: string, n: number): ScoreInput[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, n)
    .map((l) => {
      const r = JSON.parse(l) as Record<string, unknown>;
      return {
        id: String(r.id),
        prompt: String(r.instruction ?? r.input ?? ''),
        response: String(r.response ?? r.output ?? ''),
      };
    });
}

export async function benchScoring(opts: ScoringBenchOptions = {}): Promise<ScoringBenchResult> {
  const threads = opts.threads ?? 1;
  const repeats = opts.repeats ?? 3;
  const records =
    opts.records ??
    loadRecords(
      opts.dataFile ?? resolve(PACKAGE_ROOT, '..', 'shared', 'data', 'evol-instruct-code-r1.jsonl'),
      opts.maxRecords ?? 256,
    );
  const scorer = await Scorer.open(opts.modelDir ?? DEFAULT_MODEL_DIR, {
    threads,
    ...(opts.maxTokensPerBatch ? { maxTokensPerBatch: opts.maxTokensPerBatch } : {}),
  });
  try {
    const prep = await scorer.prepare(records);
    const feeds = prep.plan.batches.map((idx, b) =>
      scorer.buildFeeds(
        idx.map((i) => prep.rows[i]!.ids),
        prep.plan.lengths[b]!,
      ),
    );
    const hasLogits = scorer.session.outputNames.includes('logits');
    const doUnfused = (opts.unfused ?? true) && hasLogits;
    // warm-up (first-run allocations, ORT arena growth)
    await scorer.scoreRecords(records.slice(0, 8));
    let scoredTokens = 0,
      logitsBytes = 0,
      fusedBytes = 0;
    const tRaw: number[] = [],
      tScorer: number[] = [],
      tUnfused: number[] = [];
    for (let r = 0; r < repeats; r++) {
      let t0 = performance.now();
      for (const f of feeds) {
        const o = await scorer.session.run(f, [LOGPROBS_OUTPUT], { transfer: false });
        if (r === 0) fusedBytes += ((o[LOGPROBS_OUTPUT] as ort.Tensor).data as Float32Array).byteLength;
      }
      tRaw.push((performance.now() - t0) / 1000);
      t0 = performance.now();
      const { stats } = await scorer.scoreRecords(records);
      tScorer.push((performance.now() - t0) / 1000);
      scoredTokens = stats.scoredTokens;
      if (doUnfused) {
        t0 = performance.now();
        for (let b = 0; b < feeds.length; b++) {
          const o = await scorer.session.run(feeds[b]!, ['logits'], { transfer: false });
          const t = o.logits as ort.Tensor;
          if (r === 0) logitsBytes += (t.data as Float32Array).byteLength;
          logSoftmaxGather(
            t.data as Float32Array,
            t.dims as number[],
            prep.plan.batches[b]!.map((i) => prep.rows[i]!.ids),
          );
        }
        tUnfused.push((performance.now() - t0) / 1000);
      }
    }
    const sRaw = median(tRaw),
      sScorer = median(tScorer),
      sUnfused = doUnfused ? median(tUnfused) : null;
    return {
      model: {
        dir: scorer.modelDir,
        sha256: scorer.model.sourceSha256,
        contextLength: scorer.contextLength,
        vocabSize: scorer.vocabSize,
      },
      device: 'cpu',
      threads,
      cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
      records: records.length,
      batches: prep.plan.batches.length,
      scoredTokens,
      realPositions: prep.plan.realPositions,
      paddingFraction: (prep.plan.paddedPositions - prep.plan.realPositions) / prep.plan.paddedPositions,
      seconds: { raw: sRaw, scorer: sScorer, unfused: sUnfused },
      tokensPerSecond: {
        raw: scoredTokens / sRaw,
        scorer: scoredTokens / sScorer,
        unfused: sUnfused ? scoredTokens / sUnfused : null,
      },
      ratio: sRaw / sScorer,
      fusedSpeedup: sUnfused ? sUnfused / sRaw : null,
      outputBytes: { fused: fusedBytes, logits: logitsBytes },
    };
  } finally {
    await scorer.close();
  }
}

/** What a caller without the fused head must do per batch: log-softmax over V and gather the next token. */
function logSoftmaxGather(logits: Float32Array, dims: number[], rows: number[][]): Float32Array {
  const [B, T, V] = dims as [number, number, number];
  const out = new Float32Array(B * (T - 1));
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T - 1; t++) {
      const base = (b * T + t) * V;
      let mx = -Infinity;
      for (let v = 0; v < V; v++) if (logits[base + v]! > mx) mx = logits[base + v]!;
      let s = 0;
      for (let v = 0; v < V; v++) s += Math.exp(logits[base + v]! - mx);
      out[b * (T - 1) + t] = logits[base + (rows[b]![t + 1] ?? 0)]! - mx - Math.log(s);
    }
  }
  return out;
}

// `node dist/bench/scoring.js [maxRecords] [threads]` prints the figures as JSON.
if (
  (process.argv[1] && resolve(process.argv[1]) === resolve(join(PACKAGE_ROOT, 'dist', 'bench', 'scoring.js'))) ||
  process.argv[1]?.endsWith('/bench/scoring.js')
) {
  const n = Number(process.argv[2] ?? 256),
    th = Number(process.argv[3] ?? 1);
  benchScoring({ maxRecords: n, threads: th }).then(
    (r) => console.log(JSON.stringify(r, null, 1)),
    (e) => {
      console.error(String(e));
      process.exit(1);
    },
  );
}
