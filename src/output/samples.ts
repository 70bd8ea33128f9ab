/**
 * samples.parquet (`--format samples`): one row per selected sample, unpacked, for trainers that pack by
 * themselves (axolotl's pre-tokenized datasets, LLaMA-Factory; docs/training.md). Columns, all REQUIRED:
 *   input_ids list<int32>, labels list<int32> (-100 where unsupervised, not shifted), attention_mask list<int32>
 *   (all ones: rows are not padded), id string (the record id).
 * Rows in input order (the order of samples.jsonl), row groups of 256 rows by default, Snappy, no timestamps.
 * Also the reader inspect uses (`readSamplesSupervision`, through the formats table).
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { fnv1aInts } from '../util/hash.js';
import type { WrittenFile } from './atomic.js';
import { FlatParquetWriter, type FlatColumn } from './parquet.js';
import type { SampleRow, SampleSupervision } from './types.js';
import { validateSampleRow } from './validate.js';

const IGNORE = -100;

interface Row {
  id: string;
  inputIds: Int32Array;
  labels: Int32Array;
}

/** The per-sample table, in column order. */
export const SAMPLE_COLUMNS: readonly FlatColumn<Row>[] = [
  { name: 'input_ids', kind: 'int32list', get: (r) => r.inputIds },
  { name: 'labels', kind: 'int32list', get: (r) => r.labels },
  { name: 'attention_mask', kind: 'int32list', get: (r) => new Int32Array(r.inputIds.length).fill(1) },
  { name: 'id', kind: 'string', get: (r) => r.id },
];

export interface SampleParquetWriterOptions {
  /** Rows per row group (default 256). */
  rowGroupRows?: number;
  createdBy?: string;
  /** Encode through hyparquet-writer's generic path (tests). */
  generic?: boolean;
}

export class SampleParquetWriter {
  readonly path: string;
  private readonly w: FlatParquetWriter<Row>;

  constructor(path: string, options: SampleParquetWriterOptions = {}) {
    this.path = path;
    this.w = new FlatParquetWriter(path, SAMPLE_COLUMNS, options);
  }

  get samples(): number {
    return this.w.count;
  }

  write(row: SampleRow): void {
    validateSampleRow(row);
    if (row.inputIds.length === 0) throw new RangeError(`sample ${row.id} has no tokens`);
    // copied: callers may reuse their buffers
    this.w.write({ id: row.id, inputIds: row.inputIds.slice(), labels: row.labels.slice() });
  }

  close(): WrittenFile {
    return this.w.close();
  }

  abort(): void {
    this.w.abort();
  }
}

/** Every row of a samples.parquet: id → its supervision (inspect's reader; the formats table points here). */
export async function readSamplesSupervision(path: string): Promise<Map<string, SampleSupervision[]>> {
  const file = await asyncBufferFromFile(path);
  const meta = await parquetMetadataAsync(file);
  const out = new Map<string, SampleSupervision[]>();
  let at = 0;
  for (const rg of meta.row_groups) {
    const n = Number(rg.num_rows);
    const rows = (await parquetReadObjects({
      file,
      metadata: meta,
      rowStart: at,
      rowEnd: at + n,
      columns: ['input_ids', 'labels', 'id'],
    })) as { input_ids: number[]; labels: number[]; id: string }[];
    at += n;
    for (const r of rows) {
      const sup: number[] = [];
      for (let t = 0; t < r.labels.length; t++) if (r.labels[t] !== IGNORE) sup.push(t);
      const entry = { hash: fnv1aInts(r.input_ids), length: r.input_ids.length, supervised: Int32Array.from(sup) };
      const list = out.get(r.id);
      if (list) list.push(entry);
      else out.set(r.id, [entry]);
    }
  }
  return out;
}
