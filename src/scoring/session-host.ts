/**
 * An ONNX Runtime session on its own thread (src/scoring/session-worker.ts), so the caller prepares the next
 * batch's feeds while the current one runs (double buffering: `run` may be called again before the previous
 * call resolves; the thread runs them in order). It counts the time the session is busy, which is what
 * keeps an accelerator fed: `busyMs` over the caller's wall time is the scorer's busy fraction.
 */
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

/** A tensor as it crosses threads: ORT's type name, dims, and the data's own buffer. */
export interface WireTensor {
  type: string;
  dims: number[];
  data: ArrayBuffer | ArrayBufferView;
}

export type HostRequest =
  | { kind: 'open'; path?: string; bytes?: Uint8Array; options: ort.InferenceSession.SessionOptions }
  | { kind: 'run'; id: number; feeds: Record<string, WireTensor>; fetches: string[] }
  | { kind: 'release' };

export type WorkerReply =
  | { kind: 'opened'; ok: true; inputNames: string[]; outputNames: string[] }
  | { kind: 'opened'; ok: false; message: string }
  | { kind: 'ran'; id: number; ok: true; outputs: Record<string, WireTensor>; ms: number }
  | { kind: 'ran'; id: number; ok: false; message: string; ms: number }
  | { kind: 'released'; ok: true };

const TYPED: Record<string, new (b: ArrayBuffer) => ArrayBufferView> = {
  float32: Float32Array,
  float16: Uint16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
  uint8: Uint8Array,
  int8: Int8Array,
};

export class SessionHost {
  /** Σ milliseconds the session spent in `run` (measured on its thread). */
  busyMs = 0;
  runs = 0;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private waitOpen?: { resolve: (v: unknown) => void; reject: (e: Error) => void };
  private dead?: Error;

  private constructor(
    private readonly worker: Worker,
    public inputNames: readonly string[] = [],
    public outputNames: readonly string[] = [],
  ) {
    worker.on('message', (m: WorkerReply) => this.onMessage(m));
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`scorer thread exited (code ${code})`)));
  }

  /** Starts the thread and creates the session there; rejects with ORT's own message when it cannot. */
  static async open(model: string | Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<SessionHost> {
    const worker = new Worker(new URL('./session-worker.js', import.meta.url));
    const host = new SessionHost(worker);
    const opened = (await new Promise<unknown>((resolve, reject) => {
      host.waitOpen = { resolve, reject };
      const msg: HostRequest =
        typeof model === 'string' ? { kind: 'open', path: model, options } : { kind: 'open', bytes: model, options };
      worker.postMessage(msg);
    })) as { inputNames: string[]; outputNames: string[] };
    host.inputNames = opened.inputNames;
    host.outputNames = opened.outputNames;
    worker.unref(); // an idle scorer never keeps the process alive
    return host;
  }

  /**
   * session.run on the session's thread. The feeds' buffers are transferred (the caller must not reuse them)
   * unless `transfer` is false (then they are copied).
   */
  run(
    feeds: Record<string, ort.Tensor>,
    fetches: readonly string[],
    { transfer: give = true }: { transfer?: boolean } = {},
  ): Promise<Record<string, ort.Tensor>> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    const wire: Record<string, WireTensor> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [name, t] of Object.entries(feeds)) {
      const d = t.data as unknown as ArrayBufferView;
      const whole = d.byteOffset === 0 && d.byteLength === d.buffer.byteLength;
      wire[name] = { type: t.type, dims: [...t.dims], data: d };
      if (give && whole && !transfer.includes(d.buffer as ArrayBuffer) && d.byteLength > 0)
        transfer.push(d.buffer as ArrayBuffer);
    }
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const msg: HostRequest = { kind: 'run', id, feeds: wire, fetches: [...fetches] };
      this.worker.postMessage(msg, transfer);
    });
  }

  async release(): Promise<void> {
    if (this.dead) return;
    this.worker.ref();
    await new Promise((resolve) => {
      this.waitOpen = { resolve, reject: resolve };
      this.worker.postMessage({ kind: 'release' } satisfies HostRequest);
    });
    this.dead = new Error('scorer session released');
    await this.worker.terminate();
  }

  private onMessage(m: WorkerReply): void {
    if (m.kind === 'opened' || m.kind === 'released') {
      const w = this.waitOpen;
      this.waitOpen = undefined;
      if (m.ok) w?.resolve(m);
      else w?.reject(new Error(m.message));
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker.unref();
    this.busyMs += m.ms;
    this.runs++;
    if (!m.ok) {
      p.reject(new Error(m.message));
      return;
    }
    const out: Record<string, ort.Tensor> = {};
    for (const [name, w] of Object.entries(m.outputs)) {
      const C = TYPED[w.type];
      const data = C ? new C(w.data as ArrayBuffer) : new Float32Array(w.data as ArrayBuffer);
      // biome-ignore lint/suspicious/noExplicitAny: ORT's Tensor constructor is overloaded per type
      out[name] = new ort.Tensor(w.type as any, data as any, w.dims);
    }
    p.resolve(out);
  }

  private fail(e: Error): void {
    if (this.dead) return;
    this.dead = e;
    this.waitOpen?.reject(e);
    this.waitOpen = undefined;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
