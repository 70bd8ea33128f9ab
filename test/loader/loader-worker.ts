/**
 * Worker side of the loader tests: runs loadPacks inside a worker thread (raw worker_threads when
 * started with workerData.mode === 'raw', or as a piscina task via the default export).
 * No tests here; run as a plain file it does nothing.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadPacks, type LoadPacksOptions } from '../../src/loader/index.js';

export interface WorkerSummary {
  positions: number[];
  packIndices: number[][];
  inputIds: number[];
  labels: number[];
  positionIds: number[];
  cuSeqlens: number[][];
  supervised: number;
}

export default async function collect(task: { dir: string; options: LoadPacksOptions }): Promise<WorkerSummary> {
  const s: WorkerSummary = {
    positions: [],
    packIndices: [],
    inputIds: [],
    labels: [],
    positionIds: [],
    cuSeqlens: [],
    supervised: 0,
  };
  for await (const b of loadPacks(task.dir, task.options)) {
    s.positions.push(b.position);
    s.packIndices.push(Array.from(b.packIndices));
    s.inputIds.push(...b.input_ids);
    s.labels.push(...b.labels);
    s.positionIds.push(...b.position_ids);
    s.cuSeqlens.push(Array.from(b.cu_seq_lens_q));
    s.supervised += b.total_supervised;
  }
  return s;
}

if (!isMainThread && parentPort && (workerData as { mode?: string } | undefined)?.mode === 'raw') {
  const port = parentPort;
  const wd = workerData as { dir: string; options: LoadPacksOptions };
  collect(wd).then(
    (r) => port.postMessage({ ok: true, result: r }),
    (err: Error) => port.postMessage({ ok: false, error: String(err?.message ?? err) }),
  );
}
