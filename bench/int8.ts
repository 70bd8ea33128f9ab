/**
 * CPU scoring with the int8 embedded model against the fp32 default (issue #30; docs/scoring.md, "The int8 CPU
 * model"), measured in the same run: both Scorers open, the same records, `Scorer.scoreRecords` end to end,
 * rounds interleaved ABBA (fp32 int8, int8 fp32, …) so machine load hits both alike; the median round per side.
 * Also the mean |Δ log p| of the int8 scores on these records (the full agreement check, with item U, is
 * tools/quantize/agreement.mjs). Target: int8 ≥ 1.5× fp32 tokens/s.
 *
 *   node dist/bench/int8.js [records] [rounds] [threads]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../src/native.js';
import { EMBEDDED_MODELS, Scorer, type ScoreInput } from '../src/scoring/index.js';

export interface Int8BenchResult {
  records: number;
  scoredTokens: number;
  rounds: number;
  threads: number | 'ort default';
  seconds: { fp32: number; int8: number };
  tokensPerSecond: { fp32: number; int8: number };
  /** int8 ÷ fp32 tokens/s (target ≥ 1.5) */
  ratio: number;
  meanAbsDeltaLogp: number;
  sha256: { fp32: string; int8: string };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchInt8(opts: { records?: number; rounds?: number; threads?: number } = {}) {
  const file = resolve(PACKAGE_ROOT, '..', 'shared', 'data', 'evol-instruct-code-r1.jsonl');
  const records: ScoreInput[] = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, opts.records ?? 200)
    .map((l) => {
      const r = JSON.parse(l) as Record<string, unknown>;
      return { id: String(r.id), prompt: String(r.instruction ?? ''), response: String(r.response ?? '') };
    });
  const rounds = opts.rounds ?? 3;
  const so = opts.threads ? { threads: opts.threads } : {};
  const fp32 = await Scorer.open(EMBEDDED_MODELS.fp32.dir, { ...so, modelFile: EMBEDDED_MODELS.fp32.file });
  const int8 = await Scorer.open(EMBEDDED_MODELS.int8.dir, { ...so, modelFile: EMBEDDED_MODELS.int8.file });
  try {
    await fp32.scoreRecords(records.slice(0, 8)); // warm-up: first-run allocations, arena growth
    await int8.scoreRecords(records.slice(0, 8));
    const t = { fp32: [] as number[], int8: [] as number[] };
    let tokens = 0,
      delta = 0,
      n = 0;
    const timed = async (s: Scorer) => {
      const t0 = performance.now();
      const out = await s.scoreRecords(records);
      return { out, s: (performance.now() - t0) / 1000 };
    };
    for (let r = 0; r < rounds; r++) {
      // ABBA: the side that runs first alternates, so neither always follows the other's leftover load
      let fa: Awaited<ReturnType<typeof timed>>, ib: Awaited<ReturnType<typeof timed>>;
      if (r % 2 === 0) {
        fa = await timed(fp32);
        ib = await timed(int8);
      } else {
        ib = await timed(int8);
        fa = await timed(fp32);
      }
      const [a, b] = [fa.out, ib.out];
      t.fp32.push(fa.s);
      t.int8.push(ib.s);
      tokens = a.stats.scoredTokens;
      if (r === 0)
        a.results.forEach((ra, i) =>
          ra.logprob.forEach((x, k) => {
            const y = b.results[i]!.logprob[k]!;
            if (Number.isFinite(x) && Number.isFinite(y)) {
              delta += Math.abs(x - y);
              n++;
            }
          }),
        );
    }
    const s = { fp32: median(t.fp32), int8: median(t.int8) };
    return {
      records: records.length,
      scoredTokens: tokens,
      rounds,
      threads: opts.threads ?? 'ort default',
      seconds: s,
      tokensPerSecond: { fp32: tokens / s.fp32, int8: tokens / s.int8 },
      ratio: s.fp32 / s.int8,
      meanAbsDeltaLogp: delta / n,
      sha256: { fp32: fp32.model.sourceSha256, int8: int8.model.sourceSha256 },
    } satisfies Int8BenchResult;
  } finally {
    await fp32.close();
    await int8.close();
  }
}

if (process.argv[1]?.endsWith('/bench/int8.js')) {
  const [n, rounds, threads] = process.argv.slice(2).map(Number);
  benchInt8({ records: n || undefined, rounds: rounds || undefined, threads: threads || undefined }).then(
    (r) => console.log(JSON.stringify(r, null, 1)),
    (e) => {
      console.error(String(e));
      process.exit(1);
    },
  );
}
