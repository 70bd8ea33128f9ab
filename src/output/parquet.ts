/**
 * Parquet writers: packs.parquet (one row per pack, `ParquetPackWriter`) and, through the same `FlatParquetWriter`,
 * samples.parquet (one row per sample, src/output/samples.ts), for `datasets.load_dataset("parquet", data_files=...)`.
 *
 * Pack columns (standard 3-level LIST logical type, element name `element`, everything REQUIRED):
 *   input_ids list<int32>, labels list<int32>, position_ids list<int32>, seq_lengths list<int32>,
 *   num_supervised int64, sample_ids list<string>.
 *
 * Streaming: hyparquet-writer's ParquetWriter writes one row group per `write` call; packs are
 * buffered until `rowGroupPacks` have arrived (default 256 packs ≈ 0.5M tokens at max_len 2048),
 * then encoded and flushed to disk, so memory is bounded by one row group. The footer is written
 * on close. No timestamps: identical packs give a byte-identical file.
 *
 * Encoding a row group (`FlatParquetWriter`, any table of required list<int32>, int64, string and list<string>
 * columns): hyparquet-writer's generic path walks every value through its Dremel encoder and
 * wants nested JS arrays (about 3 ms per 2048-token pack, most of `select`'s write stage). These schemas
 * are flat (required lists of required leaves), so `writeRowGroup` builds each leaf's page data
 * directly — the values as one typed array, repetition level 0 at each row's first value and 1 after it,
 * definition level 1 — and hands it to the library's own column writer (`hyparquet-writer/src/column.js`,
 * version pinned), with the row-group bookkeeping of `ParquetWriter.write`. The file bytes are those of the
 * generic path (test/output/parquet-fast.test.ts compares both on seeded random packs and sample rows); a row
 * group holding an empty list (never written by select) takes the generic path.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { writeColumn } from 'hyparquet-writer/src/column.js';
import type { Pack } from '../types.js';
import { fnv1aInts } from '../util/hash.js';
import { AtomicFile, type WrittenFile } from './atomic.js';
import type { SampleSupervision } from './types.js';
import { validatePack } from './validate.js';

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

/** One column of a flat table, and how to read its value off a row. */
export type FlatColumn<R> =
  | { name: string; kind: 'int32list'; get: (r: R) => Int32Array }
  | { name: string; kind: 'int64'; get: (r: R) => number }
  | { name: string; kind: 'string'; get: (r: R) => string }
  | { name: string; kind: 'stringlist'; get: (r: R) => readonly string[] };

const INT32_LEAF = { name: 'element', type: 'INT32', repetition_type: 'REQUIRED' } as SchemaElement;
const STRING_LEAF = {
  type: 'BYTE_ARRAY',
  converted_type: 'UTF8',
  logical_type: { type: 'STRING' },
  repetition_type: 'REQUIRED',
} as SchemaElement;

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

/** The Parquet schema of a flat table (all columns REQUIRED, lists in the standard 3-level LIST type). */
export function flatSchema<R>(columns: readonly FlatColumn<R>[]): SchemaElement[] {
  const out: SchemaElement[] = [{ name: 'root', num_children: columns.length } as SchemaElement];
  for (const c of columns) {
    if (c.kind === 'int32list') out.push(...listOf(c.name, INT32_LEAF));
    else if (c.kind === 'int64')
      out.push({ name: c.name, type: 'INT64', repetition_type: 'REQUIRED' } as SchemaElement);
    else if (c.kind === 'string') out.push({ ...STRING_LEAF, name: c.name } as SchemaElement);
    else out.push(...listOf(c.name, { ...STRING_LEAF, name: 'element' } as SchemaElement));
  }
  return out;
}

/** The pack table (packs.parquet), in column order. */
export const PACK_COLUMNS: readonly FlatColumn<Pack>[] = [
  { name: 'input_ids', kind: 'int32list', get: (p) => p.inputIds },
  { name: 'labels', kind: 'int32list', get: (p) => p.labels },
  { name: 'position_ids', kind: 'int32list', get: (p) => p.positionIds },
  { name: 'seq_lengths', kind: 'int32list', get: (p) => p.seqLens },
  { name: 'num_supervised', kind: 'int64', get: (p) => p.numSupervised },
  { name: 'sample_ids', kind: 'stringlist', get: (p) => p.sampleIds },
];

export const PARQUET_SCHEMA: SchemaElement[] = flatSchema(PACK_COLUMNS);

export interface FlatParquetWriterOptions {
  /** Rows per row group (default 256). */
  rowGroupRows?: number;
  /** Written into the footer's created_by (default 'codeblock'). No timestamps. */
  createdBy?: string;
  /** Extra key/value metadata in the footer (e.g. format version). */
  kvMetadata?: { key: string; value: string }[];
  /** Encode through hyparquet-writer's generic (Dremel) path, the reference of the fast path (tests). */
  generic?: boolean;
}

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

/** Schema path (root … leaf) of the top-level column `name` (a list column: its list and element levels too). */
function leafPath(schema: SchemaElement[], name: string): SchemaElement[] {
  const i = schema.findIndex((e, k) => k > 0 && e.name === name);
  const e = schema[i]!;
  return [schema[0]!, ...(e.type ? [e] : schema.slice(i, i + 3))];
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

/**
 * Streaming writer of a flat table (`FlatColumn`s): rows are buffered until a row group is full, then encoded
 * (directly, or through hyparquet-writer's generic path) and flushed. Rows are kept as given: callers that reuse
 * their buffers pass copies.
 */
export class FlatParquetWriter<R> {
  readonly path: string;
  private readonly file: AtomicFile;
  private readonly pw: ParquetWriter;
  private readonly schema: SchemaElement[];
  private readonly rowGroupRows: number;
  /** The byte writer under `pw` (the fast path writes column chunks to it directly). */
  private readonly out: ByteWriter;
  private rows: R[] = [];
  /** Generic hyparquet-writer path only (the reference of the tests). */
  private readonly generic: boolean;
  private closed = false;
  count = 0;

  constructor(
    path: string,
    private readonly columns: readonly FlatColumn<R>[],
    options: FlatParquetWriterOptions = {},
  ) {
    const rg = options.rowGroupRows ?? 256;
    if (!Number.isInteger(rg) || rg < 1) throw new RangeError(`rowGroupPacks must be a positive integer, got ${rg}`);
    this.path = path;
    this.rowGroupRows = rg;
    this.generic = options.generic ?? false;
    this.schema = flatSchema(columns);
    this.file = new AtomicFile(path);
    this.out = atomicByteWriter(this.file);
    this.pw = new ParquetWriter({
      writer: this.out,
      schema: this.schema,
      codec: 'SNAPPY',
      createdBy: options.createdBy ?? 'codeblock',
      kvMetadata: options.kvMetadata,
    });
  }

  /** Bytes handed to the file so far (row groups are flushed as they fill). */
  get bytesWritten(): number {
    return this.file.bytesWritten;
  }

  write(row: R): void {
    if (this.closed) throw new Error(`${this.constructor.name} is closed`);
    this.rows.push(row);
    this.count++;
    if (this.rows.length >= this.rowGroupRows) this.flushRowGroup();
  }

  private flushRowGroup(): void {
    const rows = this.rows;
    if (rows.length === 0) return;
    this.rows = [];
    const empty = this.columns.some(
      (c) => (c.kind === 'int32list' || c.kind === 'stringlist') && rows.some((r) => c.get(r).length === 0),
    );
    if (this.generic || empty) this.writeGeneric(rows);
    else this.writeRowGroup(rows);
  }

  /** hyparquet-writer's own path: nested arrays through its Dremel encoder. */
  private writeGeneric(rows: R[]): void {
    const data = (c: FlatColumn<R>): unknown[] => {
      if (c.kind === 'int32list') return rows.map((r) => Array.from(c.get(r)));
      if (c.kind === 'int64') return rows.map((r) => BigInt(c.get(r)));
      if (c.kind === 'string') return rows.map((r) => c.get(r));
      return rows.map((r) => [...c.get(r)]);
    };
    const r = this.pw.write({
      columnData: this.columns.map((c) => ({ name: c.name, data: data(c) })),
      rowGroupSize: rows.length,
    });
    if (r && typeof (r as Promise<void>).then === 'function') throw new Error('unexpected async parquet flush');
  }

  /** The same row group, page data built directly (see the header). */
  private writeRowGroup(rows: R[]): void {
    const pw = this.pw as unknown as PwState;
    const w = this.out;
    const start = w.offset;
    const chunks: ColumnChunk[] = [];
    const put = (name: string, pageData: PageData): void => {
      const schemaPath = leafPath(this.schema, name);
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
      chunks.push(result.chunk);
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
    for (const c of this.columns) {
      if (c.kind === 'int32list') {
        const levels = levelsOf(rows.map((r) => c.get(r).length));
        const values = new Int32Array(levels.rep.length);
        let at = 0;
        for (const r of rows) {
          const v = c.get(r);
          values.set(v, at);
          at += v.length;
        }
        put(c.name, { values, definitionLevels: levels.def, repetitionLevels: levels.rep, maxDefinitionLevel: 1 });
      } else if (c.kind === 'stringlist') {
        const levels = listLevels(rows.map((r) => c.get(r).length));
        const values = rows.flatMap((r) => c.get(r));
        put(c.name, { values, definitionLevels: levels.def, repetitionLevels: levels.rep, maxDefinitionLevel: 1 });
      } else {
        const values = c.kind === 'int64' ? rows.map((r) => BigInt(c.get(r))) : rows.map((r) => c.get(r));
        put(c.name, { values, definitionLevels: [], repetitionLevels: [], maxDefinitionLevel: 0 });
      }
    }
    let totalByteSize = 0n;
    for (const { meta_data } of chunks) totalByteSize += meta_data?.total_uncompressed_size ?? 0n;
    pw.num_rows += BigInt(rows.length);
    pw.row_groups.push({
      columns: chunks,
      total_byte_size: totalByteSize,
      num_rows: BigInt(rows.length),
      total_compressed_size: BigInt(w.offset - start),
    });
    (w as ByteWriter & { flush(): void }).flush();
  }

  close(): WrittenFile {
    if (this.closed) throw new Error(`${this.constructor.name} is closed`);
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

/** packs.parquet: one row per pack (`PACK_COLUMNS`). */
export class ParquetPackWriter {
  readonly path: string;
  private readonly maxLen: number | undefined;
  private readonly validate: boolean;
  private readonly w: FlatParquetWriter<Pack>;

  constructor(path: string, options: ParquetPackWriterOptions = {}) {
    this.path = path;
    this.maxLen = options.maxLen;
    this.validate = options.validate ?? true;
    this.w = new FlatParquetWriter(path, PACK_COLUMNS, {
      rowGroupRows: options.rowGroupPacks,
      createdBy: options.createdBy,
      kvMetadata: options.kvMetadata,
      generic: options.generic,
    });
  }

  get packs(): number {
    return this.w.count;
  }

  /** Bytes handed to the file so far (row groups are flushed as they fill). */
  get bytesWritten(): number {
    return this.w.bytesWritten;
  }

  write(pack: Pack): void {
    if (this.validate) validatePack(pack, this.maxLen);
    // copied: callers reuse their buffers
    this.w.write({
      inputIds: pack.inputIds.slice(),
      labels: pack.labels.slice(),
      positionIds: pack.positionIds.slice(),
      seqLens: pack.seqLens.slice(),
      numSupervised: pack.numSupervised,
      sampleIds: [...pack.sampleIds],
    });
  }

  close(): WrittenFile {
    return this.w.close();
  }

  abort(): void {
    this.w.abort();
  }
}

/**
 * The name of the sample-lengths column of a packs.parquet: `seq_lengths` (TRL's name), or `seq_lens` in files
 * written before it was renamed. Undefined when the file has neither.
 */
export function seqLengthsColumn(names: Iterable<string>): 'seq_lengths' | 'seq_lens' | undefined {
  const set = new Set(names);
  return set.has('seq_lengths') ? 'seq_lengths' : set.has('seq_lens') ? 'seq_lens' : undefined;
}

/** Every sample of a packs.parquet: id → its supervision (inspect's reader; the formats table points here). */
export async function readPacksSupervision(path: string): Promise<Map<string, SampleSupervision[]>> {
  const file = await asyncBufferFromFile(path);
  const meta = await parquetMetadataAsync(file);
  const lens = seqLengthsColumn(meta.schema.map((e) => e.name)) ?? 'seq_lengths';
  const out = new Map<string, SampleSupervision[]>();
  let row = 0;
  for (const rg of meta.row_groups) {
    const n = Number(rg.num_rows);
    const rows = (await parquetReadObjects({
      file,
      metadata: meta,
      rowStart: row,
      rowEnd: row + n,
      columns: ['input_ids', 'labels', lens, 'sample_ids'],
    })) as Array<{ input_ids: number[]; labels: number[]; sample_ids: string[] } & Record<string, number[]>>;
    row += n;
    for (const r of rows) {
      let t0 = 0;
      r[lens]!.forEach((len, j) => {
        const sup: number[] = [];
        for (let t = 0; t < len; t++) if (r.labels[t0 + t] !== -100) sup.push(t);
        const id = r.sample_ids[j]!;
        const entry = {
          hash: fnv1aInts(r.input_ids.slice(t0, t0 + len)),
          length: len,
          supervised: Int32Array.from(sup),
        };
        const list = out.get(id);
        if (list) list.push(entry);
        else out.set(id, [entry]);
        t0 += len;
      });
    }
  }
  return out;
}
