/**
 * Structure benchmark (issue 3 item 10), called by the bench harness: `benchStructure()` returns
 * figures. Records/s of the full structure stage (segments, items, core ranges, def-use, reach,
 * bridge; results decoded to objects) with N piscina workers, against the Python peer
 * (tools/py/peer_structure.py: CPython ast + beniget + pure-Python graph metrics) with N processes,
 * over the same records (../shared/data, repeated `repeat` times), in the same run. Each side's
 * time includes starting its workers; records are already in memory on both sides. Both sides run
 * `rounds` (at least 5) times, interleaved; the median round of each side is compared, and the
 * absolute figures shown beside the ratio are those same medians (docs/benchmarks.md).
 * Also reported: CPU seconds of each side (all threads / all processes) and their ratio, which a
 * loaded machine distorts less than wall time.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PACKAGE_ROOT } from '../src/native.js';
import type { CodeRecord } from '../src/types.js';
import { analyzeStructure, StructurePool } from '../src/structure/index.js';
import { dataFiles, dataResponses, median, medianBy, SHARED_DATA_DIR } from './util.js';

export interface StructureBenchOptions {
  workers?: number;
  repeat?: number;
  rounds?: number;
  batchSize?: number;
  dataDir?: string;
}

/** The Python side of a round (and of the result: its median round). */
export interface PythonRound {
  seconds: number;
  recordsPerSec: number;
  cpuSeconds: number;
  processes: number;
  items: number;
  edges: number;
}

export interface StructureBenchResult {
  records: number;
  workers: number;
  codeblock: {
    seconds: number;
    recordsPerSec: number;
    cpuSeconds: number;
    items: number;
    edges: number;
    rejected: number;
  };
  python: PythonRound;
  /** codeblock records/s ÷ Python records/s, wall clock (target ≥ 4: bench/run.ts STRUCTURE_PEER_TARGET). */
  ratio: number;
  /** Python CPU seconds ÷ codeblock CPU seconds (all threads / processes): less sensitive to a loaded machine. */
  cpuRatio: number;
  /** Interleaved rounds per side (every figure is the median round). */
  rounds: number;
}

export async function benchStructure(opts: StructureBenchOptions = {}): Promise<StructureBenchResult> {
  const workers = opts.workers ?? 2;
  const repeat = opts.repeat ?? 3;
  const rounds = opts.rounds ?? 5;
  const dir = opts.dataDir ?? SHARED_DATA_DIR;
  const files = dataFiles(dir);
  const responses = dataResponses(dir);
  const records: CodeRecord[] = [];
  for (let r = 0; r < repeat; r++)
    responses.forEach((response, i) =>
      records.push({
        id: `${r}:${i}`,
        ordinal: records.length,
        source: { file: 'bench', line: i + 1 },
        preset: 'magicoder',
        prompt: [],
        response,
        meta: {},
      }),
    );

  const ours: Array<{ seconds: number; cpuSeconds: number; items: number; edges: number; rejected: number }> = [];
  const theirs: PythonRound[] = [];
  for (let round = 0; round < rounds; round++) {
    const c0 = process.cpuUsage(); // the whole process: main thread and worker threads
    const t0 = performance.now();
    const pool = new StructurePool({ workers });
    let items = 0;
    let edges = 0;
    let rejected = 0;
    try {
      for await (const o of analyzeStructure(records, { pool, batchSize: opts.batchSize ?? 64 })) {
        if (o.ok) {
          items += o.result.items.length;
          edges += o.result.edges.length;
        } else rejected++;
      }
    } finally {
      await pool.destroy();
    }
    const seconds = (performance.now() - t0) / 1000;
    const cu = process.cpuUsage(c0);
    const cpuSeconds = (cu.user + cu.system) / 1e6;
    ours.push({ seconds, cpuSeconds, items, edges, rejected });

    const py = spawnSync(
      '/usr/bin/python3',
      [
        join(PACKAGE_ROOT, 'tools', 'py', 'peer_structure.py'),
        '--processes',
        String(workers),
        '--repeat',
        String(repeat),
        ...files,
      ],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      },
    );
    if (py.status !== 0) throw new Error(`python peer failed: ${py.stderr.slice(0, 500)}`);
    const p = JSON.parse(py.stdout.trim().split('\n').pop()!) as PythonRound & { records: number };
    if (p.records !== records.length)
      throw new Error(`python peer saw ${p.records} records, expected ${records.length}`);
    theirs.push(p);
  }
  const best = medianBy(ours, (x) => x.seconds);
  const bestPy = medianBy(theirs, (x) => x.seconds);
  const bestCpu = median(ours.map((x) => x.cpuSeconds));
  const bestPyCpu = median(theirs.map((x) => x.cpuSeconds));
  const recordsPerSec = records.length / best.seconds;
  return {
    records: records.length,
    workers,
    codeblock: {
      seconds: best.seconds,
      recordsPerSec,
      cpuSeconds: bestCpu,
      items: best.items,
      edges: best.edges,
      rejected: best.rejected,
    },
    python: {
      seconds: bestPy.seconds,
      recordsPerSec: records.length / bestPy.seconds,
      cpuSeconds: bestPyCpu,
      processes: bestPy.processes,
      items: bestPy.items,
      edges: bestPy.edges,
    },
    ratio: bestPy.seconds / best.seconds,
    cpuRatio: bestPyCpu / bestCpu,
    rounds,
  };
}
