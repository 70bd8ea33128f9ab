/**
 * The device check (issue #16), run by scripts/device-check.sh: the reference-LM scorer on every execution
 * provider this machine has, on the embedded default model and on a ≥ 100M-parameter export made by
 * tools/train/export.py (random weights, float32 and float16), with
 *  - tokens/s per provider and model (median of the timed rounds, one warm-up round first), and
 *  - agreement with the CPU: max |log p(device) − log p(cpu)| over every scored token, ≤ 1e-2 for float32
 *    models and ≤ 5e-2 for float16 ones.
 * Without an NVIDIA GPU (no `nvidia-smi -L` GPU) the CPU part runs and the GPU part is reported as skipped,
 * with the reason. A GPU provider that is present but fails is a failure (exit 1), never a silent skip.
 * Records: examples/pool.jsonl (in the repository, so the check runs wherever the repository is copied).
 *
 *   node dist/bench/device_check.js [--out FILE] [--quick]      (JSON result to FILE, default device-check.json)
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { PACKAGE_ROOT } from '../src/native.js';
import { DEFAULT_MODEL_DIR, Scorer, type Device, type ScoreInput } from '../src/scoring/index.js';
import { median, randomExport } from './util.js';

/** ≥ 100M parameters: 14 layers, d 768, 12 heads, FFN 3072, 4,096-id tokenizer, 1,024 positions (≈ 103M). */
export const LARGE_MODEL = ['--layers', '14', '--d-model', '768', '--heads', '12', '--ff', '3072', '--seed', '1'];
const TOLERANCE = { float32: 1e-2, float16: 5e-2 } as const;

interface ModelCase {
  name: string;
  dir: string;
  dtype: 'float32' | 'float16';
  params: number | null;
}

interface RunFigures {
  device: Device;
  ok: boolean;
  error?: string;
  tokensPerSecond?: number;
  seconds?: number[];
  /** max |log p − log p(cpu)| (absent for the CPU itself) */
  maxAbsDiffVsCpu?: number;
  tolerance?: number;
  agrees?: boolean;
}

function gpuName(): string | null {
  try {
    const out = execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n').find((l) => l.startsWith('GPU ')) ?? null;
  } catch {
    return null;
  }
}

function records(quick: boolean): ScoreInput[] {
  const lines = readFileSync(join(PACKAGE_ROOT, 'examples', 'pool.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean);
  return lines.slice(0, quick ? 8 : 12).map((l) => {
    const r = JSON.parse(l) as { id: string; input?: string; output?: string };
    return { id: r.id, prompt: r.input ?? '', response: r.output ?? '' };
  });
}

async function score(dir: string, device: Device, recs: ScoreInput[], rounds: number) {
  const s = await Scorer.open(dir, { device });
  try {
    await s.scoreRecords(recs.slice(0, 4)); // warm-up: first-run allocations, kernel selection
    const seconds: number[] = [];
    let results: Awaited<ReturnType<Scorer['scoreRecords']>>['results'] = [];
    let tokens = 0;
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      const out = await s.scoreRecords(recs);
      seconds.push((performance.now() - t0) / 1000);
      results = out.results;
      tokens = out.stats.scoredTokens;
    }
    return { results, tokensPerSecond: tokens / median(seconds), seconds, tokens };
  } finally {
    await s.close();
  }
}

const maxDiff = (a: { logprob: Float32Array }[], b: { logprob: Float32Array }[]): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!.logprob;
    const y = b[i]!.logprob;
    if (x.length !== y.length) return Infinity;
    for (let t = 0; t < x.length; t++) if (Number.isFinite(x[t]!)) m = Math.max(m, Math.abs(x[t]! - y[t]!));
  }
  return m;
};

export async function deviceCheck(opts: { quick?: boolean; log?: (s: string) => void } = {}) {
  const log = opts.log ?? ((s: string) => console.log(s));
  const quick = opts.quick ?? false;
  const t0 = performance.now();
  const gpu = gpuName();
  const backends = ort.listSupportedBackends?.() ?? [];
  const recs = records(quick);
  const rounds = quick ? 1 : 3;
  const devices: Device[] = gpu ? ['cuda', 'webgpu'] : [];
  const cases: ModelCase[] = [{ name: 'default', dir: DEFAULT_MODEL_DIR, dtype: 'float32', params: null }];
  const exportNotes: string[] = [];
  for (const fp16 of [false, true]) {
    try {
      const e = randomExport(LARGE_MODEL, fp16);
      const cfg = JSON.parse(readFileSync(join(e.dir, 'config.json'), 'utf8')) as { codeblock?: { params?: number } };
      cases.push({
        name: `random-103M${fp16 ? '-fp16' : ''}`,
        dir: e.dir,
        dtype: fp16 ? 'float16' : 'float32',
        params: cfg.codeblock?.params ?? null,
      });
      if (e.seconds !== null) exportNotes.push(`exported ${e.dir} in ${e.seconds.toFixed(1)} s`);
    } catch (err) {
      exportNotes.push(`large model${fp16 ? ' (fp16)' : ''} not exported: ${(err as Error).message}`);
    }
  }
  const defCfg = JSON.parse(readFileSync(join(DEFAULT_MODEL_DIR, 'config.json'), 'utf8')) as {
    codeblock?: { params?: number };
  };
  cases[0]!.params = defCfg.codeblock?.params ?? null;
  for (const n of exportNotes) log(`# ${n}`);
  const out: { model: ModelCase; runs: RunFigures[] }[] = [];
  let scored = 0;
  let failed = false;
  for (const c of cases) {
    const runs: RunFigures[] = [];
    const cpu = await score(c.dir, 'cpu', recs, rounds);
    runs.push({ device: 'cpu', ok: true, tokensPerSecond: cpu.tokensPerSecond, seconds: cpu.seconds });
    scored = cpu.tokens;
    log(
      `${c.name.padEnd(18)} cpu     ${cpu.tokensPerSecond.toFixed(0).padStart(8)} tokens/s ` +
        `(${cpu.tokens} tokens × ${rounds} rounds, median)`,
    );
    for (const d of devices) {
      try {
        const g = await score(c.dir, d, recs, rounds);
        const diff = maxDiff(cpu.results, g.results);
        const tol = TOLERANCE[c.dtype];
        const agrees = diff <= tol;
        if (!agrees) failed = true;
        runs.push({
          device: d,
          ok: agrees,
          tokensPerSecond: g.tokensPerSecond,
          seconds: g.seconds,
          maxAbsDiffVsCpu: diff,
          tolerance: tol,
          agrees,
        });
        log(
          `${c.name.padEnd(18)} ${d.padEnd(7)} ${g.tokensPerSecond.toFixed(0).padStart(8)} tokens/s ` +
            `(${(g.tokensPerSecond / cpu.tokensPerSecond).toFixed(2)}× cpu); max |Δ log p| vs cpu ` +
            `${diff.toExponential(2)} (≤ ${tol}: ${agrees ? 'ok' : 'FAIL'})`,
        );
      } catch (err) {
        failed = true;
        const msg = (err as Error).message.split('\n')[0]!;
        runs.push({ device: d, ok: false, error: msg });
        log(`${c.name.padEnd(18)} ${d.padEnd(7)} FAILED: ${msg}`);
      }
    }
    out.push({ model: c, runs });
  }
  const gpuPart = gpu
    ? `ran on ${gpu}`
    : 'skipped: no NVIDIA GPU on this machine (nvidia-smi -L lists none); only the CPU part ran';
  log(`# GPU part ${gpuPart}`);
  return {
    date: new Date().toISOString(),
    machine: { cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`, memoryGb: totalmem() / 2 ** 30, gpu },
    versions: { node: process.versions.node, onnxruntime: ort.env.versions.common },
    backends,
    records: recs.length,
    scoredTokens: scored,
    rounds,
    gpuPart,
    exportNotes,
    cases: out,
    ok: !failed,
    seconds: (performance.now() - t0) / 1000,
  };
}

if (process.argv[1]?.endsWith('/bench/device_check.js')) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--out');
  const file = at >= 0 ? args[at + 1]! : 'device-check.json';
  deviceCheck({ quick: args.includes('--quick') }).then(
    (r) => {
      writeFileSync(file, `${JSON.stringify(r, null, 1)}\n`);
      console.log(`# wrote ${file}; ${r.ok ? 'ok' : 'FAILED'} in ${r.seconds.toFixed(1)} s`);
      process.exit(r.ok ? 0 : 1);
    },
    (e) => {
      console.error(`device-check: ${(e as Error).message}`);
      process.exit(1);
    },
  );
}
