import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { analyzeColumns, analyzeStructureBatch, nativeOptions, parseOnlyBatch } from '../src/structure/native.js';
import { dataResponses, median, medianBy } from './util.js';

export const STRUCTURE_PARSE_TARGET = 1.3;
const SIDES = ['structure', 'native', 'parse'] as const;
type Side = (typeof SIDES)[number];

export interface StructureParseOptions {
  workers?: number;
  repeat?: number;
  rounds?: number;
  batchSize?: number;
  dataDir?: string;
}

export interface StructureParseSide {
  seconds: number;
  cpuSeconds: number;
  recordsPerSec: number;
  /** MB/s of UTF-8 response bytes. */
  mbPerSec: number;
  /** Work done, so no side can be optimized away: items (structure sides) or tree nodes (parse-only). */
  checksum: number;
}

export interface StructureParseResult {
  records: number;
  bytes: number;
  workers: number;
  rounds: number;
  batchSize: number;
  structure: StructureParseSide;
  native: StructureParseSide;
  parse: StructureParseSide & { segments: number; parsedBytes: number; timedOut: number };
  /** structure seconds ÷ parse-only seconds (median rounds; target ≤ 1.3). */
  ratio: number;
  /** native analyzeStructure (no decoding) seconds ÷ parse-only seconds. */
  nativeRatio: number;
  /** structure CPU seconds ÷ parse-only CPU seconds. */
  cpuRatio: number;
  target: number;
}

function loadResponses(dir: string | undefined, repeat: number): string[] {
  const one = dataResponses(dir);
  const out: string[] = [];
  for (let r = 0; r < repeat; r++) out.push(...one);
  return out;
}

// ---- worker side ------------------------------------------------------------------------------
interface WorkerJob {
  side: Side;
}
interface WorkerAnswer {
  checksum: number;
  segments: number;
  parsedBytes: number;
  timedOut: number;
}

function workerMain(): void {
  const { responses, batchSize } = workerData as { responses: string[]; batchSize: number };
  const nopts = nativeOptions({});
  parentPort!.on('message', (job: WorkerJob) => {
    const a: WorkerAnswer = { checksum: 0, segments: 0, parsedBytes: 0, timedOut: 0 };
    for (let i = 0; i < responses.length; i += batchSize) {
      const batch = responses.slice(i, i + batchSize);
      if (job.side === 'structure') {
        for (const o of analyzeStructureBatch(batch)) if (o.ok) a.checksum += o.result.items.length;
      } else if (job.side === 'native') {
        const c = analyzeColumns(batch, nopts);
        a.checksum += c.itemStart.length;
      } else {
        const p = parseOnlyBatch(batch);
        for (let r = 0; r < p.count; r++) {
          a.checksum += p.nodes[r]!;
          a.segments += p.segments[r]!;
          a.parsedBytes += p.bytes[r]!;
          if (p.status[r] === 2) a.timedOut++;
        }
      }
    }
    parentPort!.postMessage(a);
  });
  parentPort!.postMessage('ready');
}

// ---- main side --------------------------------------------------------------------------------
class Threads {
  readonly workers: Worker[];
  constructor(shards: string[][], batchSize: number) {
    this.workers = shards.map(
      (responses) => new Worker(fileURLToPath(import.meta.url), { workerData: { responses, batchSize } }),
    );
  }
  async ready(): Promise<void> {
    await Promise.all(this.workers.map((w) => once(w)));
  }
  async run(side: Side): Promise<WorkerAnswer[]> {
    const answers = this.workers.map((w) => once(w) as Promise<WorkerAnswer>);
    for (const w of this.workers) w.postMessage({ side } satisfies WorkerJob);
    return Promise.all(answers);
  }
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function once(w: Worker): Promise<unknown> {
  return new Promise((res, rej) => {
    const onMsg = (m: unknown) => {
      w.off('error', onErr);
      res(m);
    };
    const onErr = (e: Error) => {
      w.off('message', onMsg);
      rej(e);
    };
    w.once('message', onMsg);
    w.once('error', onErr);
  });
}

export async function benchStructureParse(opts: StructureParseOptions = {}): Promise<StructureParseResult> {
  const workers = opts.workers ?? 2;
  const rounds = opts.rounds ?? 5;
  const batchSize = opts.batchSize ?? 64;
  const responses = loadResponses(opts.dataDir, opts.repeat ?? 2);
  const bytes = responses.reduce((a, r) => a + Buffer.byteLength(r, 'utf8'), 0);
  const shards: string[][] = Array.from({ length: workers }, () => []);
  responses.forEach((r, i) => shards[i % workers]!.push(r));
  const threads = new Threads(shards, batchSize);
  type Round = { seconds: number; cpuSeconds: number; answers: WorkerAnswer[] };
  const measured: Record<Side, Round[]> = { structure: [], native: [], parse: [] };
  try {
    await threads.ready();
    for (const side of SIDES) await threads.run(side); // warm-up: addon loaded, tables resolved
    for (let round = 0; round < rounds; round++) {
      const order = SIDES.map((_, k) => SIDES[(k + round) % SIDES.length]!);
      for (const side of order) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const answers = await threads.run(side);
        const seconds = (performance.now() - t0) / 1000;
        const cu = process.cpuUsage(c0);
        measured[side].push({ seconds, cpuSeconds: (cu.user + cu.system) / 1e6, answers });
      }
    }
  } finally {
    await threads.close();
  }
  const sum = (a: WorkerAnswer[], k: keyof WorkerAnswer) => a.reduce((s, x) => s + x[k], 0);
  const side = (s: Side): StructureParseSide => {
    const m = medianBy(measured[s], (x) => x.seconds);
    return {
      seconds: m.seconds,
      cpuSeconds: median(measured[s].map((x) => x.cpuSeconds)),
      recordsPerSec: responses.length / m.seconds,
      mbPerSec: bytes / 1e6 / m.seconds,
      checksum: sum(m.answers, 'checksum'),
    };
  };
  const structure = side('structure');
  const nat = side('native');
  const p = side('parse');
  const pa = measured.parse[0]!.answers;
  return {
    records: responses.length,
    bytes,
    workers,
    rounds,
    batchSize,
    structure,
    native: nat,
    parse: { ...p, segments: sum(pa, 'segments'), parsedBytes: sum(pa, 'parsedBytes'), timedOut: sum(pa, 'timedOut') },
    ratio: structure.seconds / p.seconds,
    nativeRatio: nat.seconds / p.seconds,
    cpuRatio: structure.cpuSeconds / p.cpuSeconds,
    target: STRUCTURE_PARSE_TARGET,
  };
}

if (!isMainThread && (workerData as { responses?: unknown } | null)?.responses) workerMain();
else if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [rounds, workers, repeat] = process.argv.slice(2).map(Number);
  benchStructureParse({ rounds: rounds || 5, workers: workers || 2, repeat: repeat || 2 }).then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
