/**
 * Scorer busy fraction (issue #16): how much of an `analyze` run the ONNX Runtime session spends running
 * batches, on the CPU, with a reference LM of ≥ 20M parameters exported by tools/train/export.py (random
 * weights: speed does not depend on them). The session runs on its own thread and the next batch's feeds are
 * prepared while one runs (src/scoring/session-host.ts), so the session should rarely wait: target ≥ 0.9.
 *
 *   busy fraction = Σ session.run time ÷ (analyze wall time − model load time)
 *
 * The same figure for the scoring calls alone (first batch submitted → last result scattered) sits beside
 * it, with the pipeline depth 1 (no overlap) run for comparison on the same records.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../src/native.js';
import { resolveConfig } from '../src/config/index.js';
import { analyze } from '../src/pipeline/analyze.js';
import { randomExport } from './util.js';

/** The export's shape: 6 layers, d 512, 8 heads, FFN 2048, the default tokenizer (4,096 ids): 21.5M parameters. */
export const BUSY_MODEL = ['--layers', '6', '--d-model', '512', '--heads', '8', '--ff', '2048', '--seed', '1'];

export interface ScorerBusyResult {
  model: { dir: string; params: number; exportSeconds: number | null };
  records: number;
  scoredTokens: number;
  tokensPerSecond: number;
  /** busy ÷ (analyze wall − load), pipeline depth 2 (the default) */
  busyFraction: number;
  /** busy ÷ the scoring calls' own wall time */
  busyInScoring: number;
  /** the same with pipeline depth 1 (one batch at a time) */
  depth1: { busyFraction: number; busyInScoring: number; tokensPerSecond: number };
  seconds: { analyze: number; load: number; busy: number };
}

/** The ≥ 20M-parameter random export, made once into the cache (bench/util.ts randomExport). */
export function ensureBusyModel(): { dir: string; exportSeconds: number | null } {
  const { dir, seconds } = randomExport(BUSY_MODEL);
  return { dir, exportSeconds: seconds };
}

async function once(pool: string, modelDir: string, depth: number, out: string) {
  const cfg = resolveConfig('analyze', { out, model: modelDir, workers: 2, scoreBatchTokens: 8192 });
  const t0 = performance.now();
  const s = await analyze([pool], cfg, { scorerOptions: { pipelineDepth: depth } });
  return { s, wall: performance.now() - t0 };
}

export async function benchScorerBusy(opts: { records?: number; dataFile?: string } = {}): Promise<ScorerBusyResult> {
  const n = opts.records ?? 200;
  const file = opts.dataFile ?? resolve(PACKAGE_ROOT, '..', 'shared', 'data', 'evol-instruct-code-r1.jsonl');
  const { dir, exportSeconds } = ensureBusyModel();
  const params = Number(
    (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { codeblock?: { params?: number } }).codeblock
      ?.params,
  );
  if (!(params >= 20e6)) throw new Error(`the busy-fraction model has ${params} parameters, expected ≥ 20M`);
  const tmp = mkdtempSync(join(tmpdir(), 'cb-busy-'));
  try {
    // the first n records of the file, as a pool of their own (a temp file, removed below)
    const pool = join(tmp, 'pool.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(0, n);
    writeFileSync(pool, `${lines.join('\n')}\n`);
    const d2 = await once(pool, dir, 2, join(tmp, 'a2'));
    const d1 = await once(pool, dir, 1, join(tmp, 'a1'));
    const frac = (r: typeof d2) => r.s.scorer.busyMs / (r.wall - r.s.scorer.openMs);
    const inScoring = (r: typeof d2) => r.s.scorer.busyMs / r.s.scorer.wallMs;
    const tps = (r: typeof d2) => r.s.scorer.tokens / ((r.wall - r.s.scorer.openMs) / 1000);
    return {
      model: { dir, params, exportSeconds },
      records: lines.length,
      scoredTokens: d2.s.scorer.tokens,
      tokensPerSecond: tps(d2),
      busyFraction: frac(d2),
      busyInScoring: inScoring(d2),
      depth1: { busyFraction: frac(d1), busyInScoring: inScoring(d1), tokensPerSecond: tps(d1) },
      seconds: { analyze: d2.wall / 1000, load: d2.s.scorer.openMs / 1000, busy: d2.s.scorer.busyMs / 1000 },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// `node dist/bench/scorer_busy.js [records]` prints the figures as JSON.
if (process.argv[1]?.endsWith('/bench/scorer_busy.js')) {
  benchScorerBusy({ records: Number(process.argv[2] ?? 200) }).then(
    (r) => console.log(JSON.stringify(r, null, 1)),
    (e) => {
      console.error(String(e));
      process.exit(1);
    },
  );
}
