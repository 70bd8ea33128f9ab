/**
 * Parallel structure analysis: a piscina pool of worker threads, each running one native call per
 * batch. Output order = input order, and the output is identical whatever the worker count (each
 * record's analysis depends on that record only).
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { CodeRecord } from '../types.js';
import { analyzeColumns, decodeRecord, nativeOptions, rejectReason, type StructureColumns } from './native.js';
import type {
  BatchOutcome,
  StructureOptions,
  StructureOutcome,
  StructurePoolOptions,
  StructureRejectReason,
} from './types.js';
import { itemsText, type ItemsText } from './worker.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);

function intOption(name: string, v: unknown, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${name} must be an integer`);
  if (v < min || v > max) throw new RangeError(`${name} must be in [${min}, ${max}], got ${v}`);
  return v;
}

/** A reusable pool (create once, run many batches, destroy). workers = 0 runs in the calling thread. */
export class StructurePool {
  readonly workers: number;
  readonly #pool: Piscina | undefined;

  /**
   * `worker`: another worker module (a URL), whose default export is this one's structure task
   * (src/structure/worker.ts) and whose named exports {@link runNamed} calls.
   */
  constructor(opts: { workers?: number; worker?: URL } = {}) {
    this.workers = intOption('workers', opts.workers, availableParallelism(), 0, 1024);
    this.#pool =
      this.workers > 0
        ? new Piscina({
            filename: (opts.worker ?? WORKER_URL).href,
            minThreads: this.workers,
            maxThreads: this.workers,
            idleTimeout: 60_000,
          })
        : undefined;
  }

  /** Analyzes one batch (raw columns) on a worker (or in-thread when workers = 0). */
  async runColumns(responses: string[], opts: StructureOptions = {}): Promise<StructureColumns> {
    const nopts = nativeOptions(opts);
    if (!this.#pool) return analyzeColumns(responses, nopts);
    return (await this.#pool.run({ responses, opts: nopts })) as StructureColumns;
  }

  /** Analyzes one batch and writes its `codeblock items` lines on the worker (in-thread when workers = 0). */
  async runItemsText(responses: string[], ids: string[], opts: StructureOptions = {}): Promise<ItemsText> {
    const nopts = nativeOptions(opts);
    if (!this.#pool) return itemsText(analyzeColumns(responses, nopts), ids);
    return (await this.#pool.run({ responses, opts: nopts, ids })) as ItemsText;
  }

  /** Runs the worker module's export `name` on a worker; undefined when the pool has no workers (workers = 0). */
  runNamed<T>(name: string, task: unknown): Promise<T> | undefined {
    return this.#pool ? (this.#pool.run(task, { name }) as Promise<T>) : undefined;
  }

  /** Analyzes one batch; result i belongs to responses[i]. */
  async run(responses: string[], opts: StructureOptions = {}): Promise<BatchOutcome[]> {
    const c = await this.runColumns(responses, opts);
    const out: BatchOutcome[] = [];
    for (let r = 0; r < c.count; r++) out.push(decodeRecord(c, r));
    return out;
  }

  async destroy(): Promise<void> {
    if (this.#pool) await this.#pool.destroy();
  }
}

/** The structure options of {@link StructurePoolOptions}. */
function structureOptions(opts: StructurePoolOptions): StructureOptions {
  return {
    granularity: opts.granularity,
    blockMaxCodePoints: opts.blockMaxCodePoints,
    blockMaxLines: opts.blockMaxLines,
    workBudget: opts.workBudget,
    wallTimeoutMs: opts.wallTimeoutMs,
    parseTimeoutMs: opts.parseTimeoutMs,
    maxItems: opts.maxItems,
    languages: opts.languages,
  };
}

/**
 * Streams records through the pool in batches, `run` on each, and yields each batch with its result,
 * in input order, with at most `2 × workers` batches in flight (bounded memory). Pass `pool` to reuse
 * one; otherwise a pool is created and destroyed here.
 */
async function* batchesInOrder<T>(
  records: AsyncIterable<CodeRecord> | Iterable<CodeRecord>,
  opts: StructurePoolOptions & { pool?: StructurePool },
  run: (pool: StructurePool, batch: CodeRecord[], sopts: StructureOptions) => Promise<T>,
): AsyncGenerator<{ records: CodeRecord[]; result: T }, void, undefined> {
  const batchSize = intOption('batchSize', opts.batchSize, 64, 1, 1 << 20);
  const sopts = structureOptions(opts);
  nativeOptions(sopts); // validate before starting threads
  const own = opts.pool === undefined;
  const pool = opts.pool ?? new StructurePool({ workers: opts.workers });
  const maxInFlight = Math.max(1, pool.workers * 2);
  type Pending = { records: CodeRecord[]; result: Promise<T> };
  const inflight: Pending[] = [];
  const submit = (batch: CodeRecord[]): void => {
    const result = run(pool, batch, sopts);
    result.catch(() => undefined); // surfaced when awaited, in order
    inflight.push({ records: batch, result });
  };
  try {
    let batch: CodeRecord[] = [];
    for await (const rec of records) {
      if (rec === null || typeof rec !== 'object' || typeof rec.response !== 'string')
        throw new TypeError('analyzeStructure: every record needs a string `response`');
      batch.push(rec);
      if (batch.length >= batchSize) {
        submit(batch);
        batch = [];
        while (inflight.length >= maxInFlight) {
          const p = inflight.shift()!;
          yield { records: p.records, result: await p.result };
        }
      }
    }
    if (batch.length > 0) submit(batch);
    while (inflight.length > 0) {
      const p = inflight.shift()!;
      yield { records: p.records, result: await p.result };
    }
  } finally {
    if (own) await pool.destroy();
  }
}

/**
 * Streams records through the pool and yields one outcome per record, in input order, with at most
 * `2 × workers` batches in flight (bounded memory). Pass `pool` to reuse one; otherwise a pool is
 * created and destroyed here.
 */
export async function* analyzeStructure(
  records: AsyncIterable<CodeRecord> | Iterable<CodeRecord>,
  opts: StructurePoolOptions & { pool?: StructurePool } = {},
): AsyncGenerator<StructureOutcome, void, undefined> {
  const batches = batchesInOrder(records, opts, (pool, batch, sopts) =>
    pool.runColumns(
      batch.map((r) => r.response),
      sopts,
    ),
  );
  for await (const { records: recs, result: c } of batches)
    for (let i = 0; i < recs.length; i++) {
      const record = recs[i]!;
      const o = decodeRecord(c, i);
      yield o.ok
        ? { ok: true, id: record.id, record, result: o.result }
        : { ok: false, id: record.id, record, reason: o.reason };
    }
}

/** One batch of {@link analyzeStructureText}: its records, and the `codeblock items` lines of those analyzed. */
export interface ItemsTextBatch {
  records: CodeRecord[];
  /** Per record: null (analyzed: its line is in `text`) or the rejection reason. */
  rejected: Array<StructureRejectReason | null>;
  /** One `JSON.stringify(itemsLine(id, result))` line per analyzed record, in order, each ending in `\n`. */
  text: string;
}

/**
 * {@link analyzeStructure} for `codeblock items`: the workers write each batch's JSON lines (the same
 * bytes as `JSON.stringify(itemsLine(...))` of each outcome), so the main thread only routes text.
 */
export async function* analyzeStructureText(
  records: AsyncIterable<CodeRecord> | Iterable<CodeRecord>,
  opts: StructurePoolOptions & { pool?: StructurePool } = {},
): AsyncGenerator<ItemsTextBatch, void, undefined> {
  const batches = batchesInOrder(records, opts, (pool, batch, sopts) =>
    pool.runItemsText(
      batch.map((r) => r.response),
      batch.map((r) => r.id),
      sopts,
    ),
  );
  for await (const { records: recs, result } of batches) {
    const rejected: Array<StructureRejectReason | null> = [];
    for (let i = 0; i < recs.length; i++)
      rejected.push(result.status[i] === 0 ? null : rejectReason(result.status[i]!));
    yield { records: recs, rejected, text: result.text };
  }
}
