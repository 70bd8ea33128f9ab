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
 *
 * Encoding a row group: hyparquet-writer's generic path walks every value through its Dremel encoder and
 * wants nested JS arrays (about 3 ms per 2048-token pack, most of `select`'s write stage). This schema is
 * fixed and flat (required lists of required leaves), so `writeRowGroup` builds each leaf's page data
 * directly — the values as one typed array, repetition level 0 at each row's first value and 1 after it,
 * definition level 1 — and hands it to the library's own column writer (`hyparquet-writer/src/column.js`,
 * version pinned), with the row-group bookkeeping of `ParquetWriter.write`. The file bytes are those of the
 * generic path (test/output/parquet-fast.test.ts compares both on seeded random packs); a row group holding an
 * empty list (never written by the packer) takes the generic path.
 */
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { writeColumn } from 'hyparquet-writer/src/column.js';
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
  /** Encode through hyparquet-writer's generic (Dremel) path, the reference of the fast path (tests). */
  generic?: boolean;
}

type ColumnEncoder = Parameters<typeof writeColumn>[0]['column'];
type PageData = Parameters<typeof writeColumn>[0]['pageData'];
type ColumnChunk = ReturnType<typeof writeColumn>['chunk'];

/** The fields of hyparquet-writer's ParquetWriter (0.17) that its `write` keeps per row group. */
interface PwState {
  compressors: ColumnEncoder['compressors'];
  statistics: boolean;
  statisticsTruncateLength: number | undefined;
  num_rows: bigint;
  row_groups: Array<{
    columns: ColumnChunk[];
    total_byte_size: bigint;
    num_rows: bigint;
    total_compressed_size: bigint;
  }>;
  pendingIndexes: unknown[];
}

/** ParquetWriter.write's default page size (bytes). */
const PAGE_SIZE = 1048576;

/** The list<int32> columns, in schema order, and each one's values in a pack. */
const INT_LISTS = [
  ['input_ids', (p: Pack) => p.inputIds],
  ['labels', (p: Pack) => p.labels],
  ['position_ids', (p: Pack) => p.positionIds],
  ['seq_lens', (p: Pack) => p.seqLens],
] as const;

/** Schema path (root … leaf) of the top-level column `name` (a list column: its list and element levels too). */
function leafPath(name: string): SchemaElement[] {
  const i = PARQUET_SCHEMA.findIndex((e) => e.name === name);
  const e = PARQUET_SCHEMA[i]!;
  return [PARQUET_SCHEMA[0]!, ...(e.type ? [e] : PARQUET_SCHEMA.slice(i, i + 3))];
}

interface Levels {
  rep: number[];
  def: number[];
}

/** Dremel levels of a required list of required leaves, rows of these (non-zero) lengths. */
function listLevels(lengths: number[]): Levels {
  let total = 0;
  for (const n of lengths) total += n;
  const rep = new Array<number>(total).fill(1);
  let at = 0;
  for (const n of lengths) {
    rep[at] = 0;
    at += n;
  }
  return { rep, def: new Array<number>(total).fill(1) };
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
  /** The byte writer under `pw` (the fast path writes column chunks to it directly). */
  private readonly out: ByteWriter;
  /** Packs of the row group being filled (their arrays copied: callers reuse their buffers). */
  private rows: Pack[] = [];
  /** Generic hyparquet-writer path only (the reference of the tests). */
  private readonly generic: boolean;
  private closed = false;
  packs = 0;

  constructor(path: string, options: ParquetPackWriterOptions = {}) {
    const rg = options.rowGroupPacks ?? 256;
    if (!Number.isInteger(rg) || rg < 1) throw new RangeError(`rowGroupPacks must be a positive integer, got ${rg}`);
    this.path = path;
    this.rowGroupPacks = rg;
    this.maxLen = options.maxLen;
    this.validate = options.validate ?? true;
    this.generic = options.generic ?? false;
    this.file = new AtomicFile(path);
    this.out = atomicByteWriter(this.file);
    this.pw = new ParquetWriter({
      writer: this.out,
      schema: PARQUET_SCHEMA,
      codec: 'SNAPPY',
      createdBy: options.createdBy ?? 'codeblock',
      kvMetadata: options.kvMetadata,
    });
  }

  /** Bytes handed to the file so far (row groups are flushed as they fill). */
  get bytesWritten(): number {
    return this.file.bytesWritten;
  }

  write(pack: Pack): void {
    if (this.closed) throw new Error('ParquetPackWriter is closed');
    if (this.validate) validatePack(pack, this.maxLen);
    this.rows.push({
      inputIds: pack.inputIds.slice(),
      labels: pack.labels.slice(),
      positionIds: pack.positionIds.slice(),
      seqLens: pack.seqLens.slice(),
      numSupervised: pack.numSupervised,
      sampleIds: [...pack.sampleIds],
    });
    this.packs++;
    if (this.rows.length >= this.rowGroupPacks) this.flushRowGroup();
  }

  private flushRowGroup(): void {
    const rows = this.rows;
    if (rows.length === 0) return;
    this.rows = [];
    const empty = rows.some(
      (p) =>
        !p.inputIds.length || !p.labels.length || !p.positionIds.length || !p.seqLens.length || !p.sampleIds.length,
    );
    if (this.generic || empty) this.writeGeneric(rows);
    else this.writeRowGroup(rows);
  }

  /** hyparquet-writer's own path: nested arrays through its Dremel encoder. */
  private writeGeneric(rows: Pack[]): void {
    const r = this.pw.write({
      columnData: [
        ...INT_LISTS.map(([name, get]) => ({ name, data: rows.map((p) => Array.from(get(p))) })),
        { name: 'num_supervised', data: rows.map((p) => BigInt(p.numSupervised)) },
        { name: 'sample_ids', data: rows.map((p) => [...p.sampleIds]) },
      ],
      rowGroupSize: rows.length,
    });
    if (r && typeof (r as Promise<void>).then === 'function') throw new Error('unexpected async parquet flush');
  }

  /** The same row group, page data built directly (see the header). */
  private writeRowGroup(rows: Pack[]): void {
    const pw = this.pw as unknown as PwState;
    const w = this.out;
    const start = w.offset;
    const columns: ColumnChunk[] = [];
    const put = (name: string, pageData: PageData): void => {
      const schemaPath = leafPath(name);
      const column: ColumnEncoder = {
        columnName: schemaPath
          .slice(1)
          .map((e) => e.name)
          .join('.'),
        element: schemaPath[schemaPath.length - 1]!,
        schemaPath,
        codec: 'SNAPPY',
        compressors: pw.compressors,
        stats: pw.statistics,
        statisticsTruncateLength: pw.statisticsTruncateLength,
        pageSize: PAGE_SIZE,
        dictionarySize: undefined,
        columnIndex: false,
        offsetIndex: true,
        encoding: undefined,
        bloomFilter: undefined,
      };
      const result = writeColumn({ writer: w, column, pageData });
      columns.push(result.chunk);
      pw.pendingIndexes.push(result);
    };
    // columns with the same row lengths (input_ids, labels, position_ids) share their levels
    let last: { lengths: number[]; levels: Levels } | undefined;
    const levelsOf = (lengths: number[]): Levels => {
      if (last && last.lengths.length === lengths.length && last.lengths.every((n, i) => n === lengths[i]))
        return last.levels;
      last = { lengths, levels: listLevels(lengths) };
      return last.levels;
    };
    for (const [name, get] of INT_LISTS) {
      const levels = levelsOf(rows.map((p) => get(p).length));
      const values = new Int32Array(levels.rep.length);
      let at = 0;
      for (const p of rows) {
        values.set(get(p), at);
        at += get(p).length;
      }
      put(name, { values, definitionLevels: levels.def, repetitionLevels: levels.rep, maxDefinitionLevel: 1 });
    }
    put('num_supervised', {
      values: rows.map((p) => BigInt(p.numSupervised)),
      definitionLevels: [],
      repetitionLevels: [],
      maxDefinitionLevel: 0,
    });
    const names = listLevels(rows.map((p) => p.sampleIds.length));
    const ids = rows.flatMap((p) => p.sampleIds);
    put('sample_ids', { values: ids, definitionLevels: names.def, repetitionLevels: names.rep, maxDefinitionLevel: 1 });
    let totalByteSize = 0n;
    for (const { meta_data } of columns) totalByteSize += meta_data?.total_uncompressed_size ?? 0n;
    pw.num_rows += BigInt(rows.length);
    pw.row_groups.push({
      columns,
      total_byte_size: totalByteSize,
      num_rows: BigInt(rows.length),
      total_compressed_size: BigInt(w.offset - start),
    });
    (w as ByteWriter & { flush(): void }).flush();
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
