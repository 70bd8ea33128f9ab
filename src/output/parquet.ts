/**
 * Parquet writer: one row per pack, for `datasets.load_dataset("parquet", data_files=...)`.
 *
 * Columns (standard 3-level LIST logical type, element name `element`, everything REQUIRED):
 *   input_ids list<int32>, labels list<int32>, position_ids list<int32>, seq_lens list<int32>,
 *   num_supervised int64, sample_ids list<string>.
 *
 * Streaming: hyparquet-writer's ParquetWriter writes one row group per `write` call; packs are
 * buffered until `rowGroupPacks` have arrived (default 256 packs ≈ 0.5M tokens at max_len 2048),
 * then encoded and flushed to disk, so memory is bounded by one row group. The footer is written
 * on close. No timestamps: identical packs give a byte-identical file.
 */
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { Pack } from '../types.js';
import { AtomicFile, type WrittenFile } from './atomic.js';
import { validatePack } from './validate.js';

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

function listOf(name: string, leaf: SchemaElement): SchemaElement[] {
  return [
    {
      name,
      repetition_type: 'REQUIRED',
      converted_type: 'LIST',
      logical_type: { type: 'LIST' },
      num_children: 1,
    } as SchemaElement,
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 } as SchemaElement,
    leaf,
  ];
}

export const PARQUET_SCHEMA: SchemaElement[] = [
  { name: 'root', num_children: 6 } as SchemaElement,
  ...listOf('input_ids', { name: 'element', type: 'INT32', repetition_type: 'REQUIRED' } as SchemaElement),
  ...listOf('labels', { name: 'element', type: 'INT32', repetition_type: 'REQUIRED' } as SchemaElement),
  ...listOf('position_ids', { name: 'element', type: 'INT32', repetition_type: 'REQUIRED' } as SchemaElement),
  ...listOf('seq_lens', { name: 'element', type: 'INT32', repetition_type: 'REQUIRED' } as SchemaElement),
  { name: 'num_supervised', type: 'INT64', repetition_type: 'REQUIRED' } as SchemaElement,
  ...listOf('sample_ids', {
    name: 'element',
    type: 'BYTE_ARRAY',
    converted_type: 'UTF8',
    logical_type: { type: 'STRING' },
    repetition_type: 'REQUIRED',
  } as SchemaElement),
];

export interface ParquetPackWriterOptions {
  /** Packs per row group (default 256). */
  rowGroupPacks?: number;
  /** Written into the footer's created_by (default 'codeblock'). No timestamps. */
  createdBy?: string;
  /** Extra key/value metadata in the footer (e.g. format version). */
  kvMetadata?: { key: string; value: string }[];
  maxLen?: number;
  /** Check every pack (default true; OutputWriter validates once itself). */
  validate?: boolean;
}

/** A ByteWriter that streams to an AtomicFile (mirrors hyparquet-writer's fileWriter). */
function atomicByteWriter(file: AtomicFile): ByteWriter {
  const writer = new ByteWriter();
  const chunkSize = 1 << 20;
  const flush = () => {
    if (writer.index > 0) {
      file.write(new Uint8Array(writer.buffer, 0, writer.index));
      writer.index = 0;
    }
  };
  writer.ensure = function ensure(size: number) {
    if (writer.index > chunkSize) flush();
    if (writer.index + size > writer.buffer.byteLength) {
      const next = new ArrayBuffer(Math.max(writer.buffer.byteLength * 2, writer.index + size));
      new Uint8Array(next).set(new Uint8Array(writer.buffer, 0, writer.index));
      writer.buffer = next;
      writer.view = new DataView(next);
    }
  };
  (writer as ByteWriter & { flush(): void }).flush = flush;
  writer.finish = flush;
  return writer;
}

export class ParquetPackWriter {
  readonly path: string;
  private readonly file: AtomicFile;
  private readonly pw: ParquetWriter;
  private readonly rowGroupPacks: number;
  private readonly maxLen: number | undefined;
  private readonly validate: boolean;
  private cols: {
    input_ids: number[][];
    labels: number[][];
    position_ids: number[][];
    seq_lens: number[][];
    num_supervised: bigint[];
    sample_ids: string[][];
  };
  private closed = false;
  packs = 0;

  constructor(path: string, options: ParquetPackWriterOptions = {}) {
    const rg = options.rowGroupPacks ?? 256;
    if (!Number.isInteger(rg) || rg < 1) throw new RangeError(`rowGroupPacks must be a positive integer, got ${rg}`);
    this.path = path;
    this.rowGroupPacks = rg;
    this.maxLen = options.maxLen;
    this.validate = options.validate ?? true;
    this.file = new AtomicFile(path);
    this.pw = new ParquetWriter({
      writer: atomicByteWriter(this.file),
      schema: PARQUET_SCHEMA,
      codec: 'SNAPPY',
      createdBy: options.createdBy ?? 'codeblock',
      kvMetadata: options.kvMetadata,
    });
    this.cols = ParquetPackWriter.emptyCols();
  }

  private static emptyCols() {
    return {
      input_ids: [] as number[][],
      labels: [] as number[][],
      position_ids: [] as number[][],
      seq_lens: [] as number[][],
      num_supervised: [] as bigint[],
      sample_ids: [] as string[][],
    };
  }

  /** Bytes handed to the file so far (row groups are flushed as they fill). */
  get bytesWritten(): number {
    return this.file.bytesWritten;
  }

  write(pack: Pack): void {
    if (this.closed) throw new Error('ParquetPackWriter is closed');
    if (this.validate) validatePack(pack, this.maxLen);
    const c = this.cols;
    c.input_ids.push(Array.from(pack.inputIds));
    c.labels.push(Array.from(pack.labels));
    c.position_ids.push(Array.from(pack.positionIds));
    c.seq_lens.push(Array.from(pack.seqLens));
    c.num_supervised.push(BigInt(pack.numSupervised));
    c.sample_ids.push([...pack.sampleIds]);
    this.packs++;
    if (c.input_ids.length >= this.rowGroupPacks) this.flushRowGroup();
  }

  private flushRowGroup(): void {
    const c = this.cols;
    const n = c.input_ids.length;
    if (n === 0) return;
    const r = this.pw.write({
      columnData: [
        { name: 'input_ids', data: c.input_ids },
        { name: 'labels', data: c.labels },
        { name: 'position_ids', data: c.position_ids },
        { name: 'seq_lens', data: c.seq_lens },
        { name: 'num_supervised', data: c.num_supervised },
        { name: 'sample_ids', data: c.sample_ids },
      ],
      rowGroupSize: n,
    });
    if (r && typeof (r as Promise<void>).then === 'function') throw new Error('unexpected async parquet flush');
    this.cols = ParquetPackWriter.emptyCols();
  }

  close(): WrittenFile {
    if (this.closed) throw new Error('ParquetPackWriter is closed');
    try {
      this.flushRowGroup();
      this.pw.finish();
      this.closed = true;
      return this.file.commit();
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  abort(): void {
    this.closed = true;
    this.file.abort();
  }
}
