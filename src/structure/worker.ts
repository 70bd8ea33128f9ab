/** Piscina worker: one native structure call per task. The addon is loaded once per thread. */
import { getPriority, setPriority } from 'node:os';
import { analyzeColumns, type NativeStructureOptions, type StructureColumns } from './native.js';

export interface StructureTask {
  responses: string[];
  opts: NativeStructureOptions;
}

/**
 * How much nicer than the main thread a structure worker runs. The main thread is the pipeline's one serial
 * stage (it reads, filters, builds and writes analysis records, renders and feeds the target tokenizer, packs and
 * writes): when the workers and the tokenizer's threads outnumber the cores, an equal share starved it, and every
 * other thread then waited on it. `run --scorer none`, 100K records on 2 cores: 69 → 58 s (docs/benchmarks.md).
 */
const WORKER_NICE = 10;

// Linux schedules threads: setpriority(PRIO_PROCESS, 0) there changes this thread only. Elsewhere it would renice
// the whole process, so it is left alone. Raising a nice value needs no privilege; failing to is harmless.
if (process.platform === 'linux') {
  try {
    setPriority(0, Math.min(19, getPriority(0) + WORKER_NICE));
  } catch {
    /* not permitted here: equal shares, as before */
  }
}

export default function run(task: StructureTask): StructureColumns {
  return analyzeColumns(task.responses, task.opts);
}
