/**
 * Random access to the packs of an output directory: the `.bin/.idx` pair (positional reads, no
 * whole-file load) or the Parquet file (row groups decoded on demand into a bounded LRU cache).
 */
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { CodeblockError } from '../errors.js';
import { parseBinIndex, type BinIndex } from './bin.js';
import { seqLengthsColumn } from './parquet.js';
import { FILE_NAMES } from './types.js';

export interface PackRecord {
  inputIds: Int32Array;
  labels: Int32Array;
  seqLens: Int32Array;
  numSupervised: number;
}

export interface PackSource {
  readonly numPacks: number;
  /** Tokens of pack i (without reading it). */
  packLength(i: number): number;
  read(indices: ArrayLike<number>): Promise<PackRecord[]>;
  close(): Promise<void>;
}

const LE = endianness() === 'LE';

function int32FromLE(buf: Buffer, byteOffset: number, count: number): Int32Array {
  const out = new Int32Array(count);
  if (LE) {
    out.set(new Int32Array(buf.buffer, buf.byteOffset + byteOffset, count));
  } else {
    for (let i = 0; i < count; i++) out[i] = buf.readInt32LE(byteOffset + 4 * i);
  }
  return out;
}

export class BinSource implements PackSource {
  private constructor(
    private readonly fh: FileHandle,
    private readonly idx: BinIndex,
  ) {}

  static async open(dir: string): Promise<BinSource> {
    const binPath = join(dir, FILE_NAMES.bin);
    const idxPath = join(dir, FILE_NAMES.idx);
    let idxBuf: Buffer;
    try {
      idxBuf = await readFile(idxPath);
    } catch (err) {
      throw new CodeblockError(`cannot read ${idxPath}: ${(err as Error).message}`, 'E_FORMAT');
    }
    const idx = parseBinIndex(idxBuf, idxPath);
    let size: number;
    try {
      size = (await stat(binPath)).size;
    } catch (err) {
      throw new CodeblockError(`cannot read ${binPath}: ${(err as Error).message}`, 'E_FORMAT');
    }
    if (size !== 8 * idx.numTokens)
      throw new CodeblockError(`${binPath} has ${size} bytes, its index says ${8 * idx.numTokens}`, 'E_FORMAT');
    return new BinSource(await open(binPath, 'r'), idx);
  }

  get numPacks(): number {
    return this.idx.numPacks;
  }

  packLength(i: number): number {
    return this.idx.tokenOffsets[i + 1]! - this.idx.tokenOffsets[i]!;
  }

  async read(indices: ArrayLike<number>): Promise<PackRecord[]> {
    const idx = this.idx;
    const jobs: Promise<PackRecord>[] = [];
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      if (!(i >= 0 && i < idx.numPacks)) throw new RangeError(`pack index ${i} out of range [0, ${idx.numPacks})`);
      const t0 = idx.tokenOffsets[i]!;
      const len = idx.tokenOffsets[i + 1]! - t0;
      const bytes = 8 * len;
      jobs.push(
        (async () => {
          const buf = Buffer.allocUnsafe(bytes);
          let got = 0;
          while (got < bytes) {
            const { bytesRead } = await this.fh.read(buf, got, bytes - got, 8 * t0 + got);
            if (bytesRead === 0)
              throw new CodeblockError(`${FILE_NAMES.bin} ended early reading pack ${i}`, 'E_FORMAT');
            got += bytesRead;
          }
          return {
            inputIds: int32FromLE(buf, 0, len),
            labels: int32FromLE(buf, 4 * len, len),
            seqLens: idx.seqLens.slice(idx.sampleOffsets[i]!, idx.sampleOffsets[i + 1]!),
            numSupervised: idx.numSupervised[i]!,
          };
        })(),
      );
    }
    return Promise.all(jobs);
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

type AsyncBuffer = Awaited<ReturnType<typeof asyncBufferFromFile>>;
type FileMeta = Awaited<ReturnType<typeof parquetMetadataAsync>>;

/**
 * Parquet packs. Row groups are decoded whole (Parquet pages cannot be sliced per row) and kept
 * in an LRU cache bounded by `cacheTokens` decoded tokens (default 32M ≈ 256 MB of int32 ids +
 * labels): a dataset that fits is decoded once, so shuffled epochs cost no more than in-order
 * ones; a larger one re-decodes row groups (prefer the bin format there).
 */
export class ParquetSource implements PackSource {
  private readonly cache = new Map<number, { recs: PackRecord[]; tokens: number }>();
  private cachedTokens = 0;
  private constructor(
    private readonly file: AsyncBuffer,
    private readonly meta: FileMeta,
    private readonly groupStarts: number[],
    private readonly cacheTokens: number,
    /** `seq_lengths`, or `seq_lens` in files written before the rename. */
    private readonly lensColumn: string,
  ) {}

  static async open(dir: string, cacheTokens = 32 * 1024 * 1024): Promise<ParquetSource> {
    const path = join(dir, FILE_NAMES.parquet);
    let file: AsyncBuffer;
    let meta: FileMeta;
    try {
      file = await asyncBufferFromFile(path);
      meta = await parquetMetadataAsync(file);
    } catch (err) {
      throw new CodeblockError(`cannot read ${path}: ${(err as Error).message}`, 'E_FORMAT');
    }
    const names = new Set(meta.schema.map((s) => s.name));
    const lens = seqLengthsColumn(names) ?? 'seq_lengths';
    for (const c of ['input_ids', 'labels', lens, 'num_supervised']) {
      if (!names.has(c)) throw new CodeblockError(`${path} has no column ${c}: not a codeblock pack file`, 'E_FORMAT');
    }
    const starts = [0];
    for (const rg of meta.row_groups) starts.push(starts[starts.length - 1]! + Number(rg.num_rows));
    return new ParquetSource(file, meta, starts, cacheTokens, lens);
  }

  get numPacks(): number {
    return this.groupStarts[this.groupStarts.length - 1]!;
  }

  packLength(_i: number): number {
    // not known without decoding; the loader does not need it
    return -1;
  }

  private groupOf(i: number): number {
    let lo = 0;
    let hi = this.groupStarts.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.groupStarts[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private async group(g: number): Promise<PackRecord[]> {
    const hit = this.cache.get(g);
    if (hit) {
      this.cache.delete(g);
      this.cache.set(g, hit);
      return hit.recs;
    }
    const rows = (await parquetReadObjects({
      file: this.file,
      metadata: this.meta,
      rowStart: this.groupStarts[g]!,
      rowEnd: this.groupStarts[g + 1]!,
      columns: ['input_ids', 'labels', this.lensColumn, 'num_supervised'],
    })) as Array<{ input_ids: number[]; labels: number[]; num_supervised: bigint | number } & Record<string, number[]>>;
    const recs = rows.map((r) => ({
      inputIds: Int32Array.from(r.input_ids),
      labels: Int32Array.from(r.labels),
      seqLens: Int32Array.from(r[this.lensColumn]!),
      numSupervised: Number(r.num_supervised),
    }));
    let tokens = 0;
    for (const r of recs) tokens += r.inputIds.length;
    // evict least recently used groups until this one fits (always keep the group just decoded)
    while (this.cache.size > 0 && this.cachedTokens + tokens > this.cacheTokens) {
      const [oldest, entry] = this.cache.entries().next().value!;
      this.cache.delete(oldest);
      this.cachedTokens -= entry.tokens;
    }
    this.cache.set(g, { recs, tokens });
    this.cachedTokens += tokens;
    return recs;
  }

  async read(indices: ArrayLike<number>): Promise<PackRecord[]> {
    const out: PackRecord[] = new Array(indices.length);
    // one decode per row group per batch: visit indices grouped by row group
    const byGroup = new Map<number, number[]>();
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      if (!(i >= 0 && i < this.numPacks)) throw new RangeError(`pack index ${i} out of range [0, ${this.numPacks})`);
      const g = this.groupOf(i);
      const list = byGroup.get(g);
      if (list) list.push(k);
      else byGroup.set(g, [k]);
    }
    for (const g of [...byGroup.keys()].sort((a, b) => a - b)) {
      const recs = await this.group(g);
      for (const k of byGroup.get(g)!) out[k] = recs[indices[k]! - this.groupStarts[g]!]!;
    }
    return out;
  }

  async close(): Promise<void> {
    this.cache.clear();
    this.cachedTokens = 0;
  }
}
