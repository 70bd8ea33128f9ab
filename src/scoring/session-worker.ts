/**
 * The thread that owns the ONNX Runtime session (src/scoring/session-host.ts starts it). onnxruntime-node's
 * `session.run` computes synchronously on the calling thread, so a session on the main thread leaves nothing
 * free to prepare the next batch; here it runs beside the caller, which builds batch b+1 while batch b runs.
 * Messages: `{ kind: 'open', path | bytes, options }` → `{ ok, inputNames, outputNames }`;
 * `{ kind: 'run', id, feeds, fetches }` → `{ id, ok, outputs, ms }` (buffers transferred both ways).
 */
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { WireTensor, HostRequest, WorkerReply } from './session-host.js';

let session: ort.InferenceSession | undefined;

function reply(msg: WorkerReply, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(msg, transfer);
}

const toTensor = (w: WireTensor): ort.Tensor =>
  // biome-ignore lint/suspicious/noExplicitAny: the wire type names are ORT's own tensor type names
  new ort.Tensor(w.type as any, w.data as any, w.dims);

// Requests are handled strictly one after another (a run's clock starts when the previous one has finished).
let chain: Promise<void> = Promise.resolve();
parentPort!.on('message', (m: HostRequest) => {
  chain = chain.then(() => handle(m));
});

async function handle(m: HostRequest): Promise<void> {
  if (m.kind === 'open') {
    try {
      session =
        m.bytes !== undefined
          ? await ort.InferenceSession.create(m.bytes, m.options)
          : await ort.InferenceSession.create(m.path!, m.options);
      reply({ kind: 'opened', ok: true, inputNames: [...session.inputNames], outputNames: [...session.outputNames] });
    } catch (err) {
      reply({ kind: 'opened', ok: false, message: (err as Error).message });
    }
    return;
  }
  if (m.kind === 'release') {
    await session?.release();
    session = undefined;
    reply({ kind: 'released', ok: true });
    return;
  }
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, w] of Object.entries(m.feeds)) feeds[name] = toTensor(w);
  const t0 = performance.now();
  try {
    const out = await session!.run(feeds, m.fetches);
    const ms = performance.now() - t0;
    const outputs: Record<string, WireTensor> = {};
    const transfer: ArrayBuffer[] = [];
    for (const name of m.fetches) {
      const t = out[name] as ort.Tensor;
      const data = t.data as unknown as { buffer: ArrayBuffer; byteOffset: number; byteLength: number };
      // ORT's output views may share an arena buffer: copy into one the worker can give away
      const own =
        data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
          ? data.buffer
          : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
      outputs[name] = { type: t.type, dims: [...t.dims], data: own };
      transfer.push(own);
    }
    reply({ kind: 'ran', id: m.id, ok: true, outputs, ms }, transfer);
  } catch (err) {
    reply({ kind: 'ran', id: m.id, ok: false, message: (err as Error).message, ms: performance.now() - t0 });
  }
}
