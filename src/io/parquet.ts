/**
 * Parquet reader (hyparquet): one row group at a time through an AsyncBuffer over a file handle, so
 * memory is bounded by the largest row group, never the file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import {
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
  type AsyncBuffer,
  type FileMetaData,
} from 'hyparquet';
import type { Preset } from './presets.js';
import type { ReadEvent, ReadState } from './events.js';
import { shortError } from './jsonl.js';
import type { RangeDigest } from './digest.js';
import {
  applyFields,
  detectPresetFromKeys,
  fieldsText,
  mapKeys,
  missingMapped,
  noPresetError,
  normalize,
  requiredFields,
  typeName,
  type FieldMap,
} from './presets.js';

/** Decompressors beyond hyparquet's built-in SNAPPY (ZSTD is what most HF exports use besides SNAPPY). */
export const PARQUET_COMPRESSORS = {
  ZSTD: (input: Uint8Array, outputLength: number): Uint8Array => zstdDecompress(input, new Uint8Array(outputLength)),
  GZIP: (input: Uint8Array): Uint8Array => new Uint8Array(gunzipSync(input)),
  BROTLI: (input: Uint8Array): Uint8Array => new Uint8Array(brotliDecompressSync(input)),
};

/** An AsyncBuffer that reads byte ranges from an open file handle (each range read fed to `digest`, if given). */
export async function fileAsyncBuffer(
  path: string,
  digest?: RangeDigest,
): Promise<{ buffer: AsyncBuffer; close: () => Promise<void> }> {
  const fh: FileHandle = await open(path, 'r');
  const { size } = await fh.stat();
  const buffer: AsyncBuffer = {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = Math.min(end ?? size, size);
      const len = Math.max(0, stop - start);
      const ab = new ArrayBuffer(len);
      const view = new Uint8Array(ab);
      let off = 0;
      while (off < len) {
        const { bytesRead } = await fh.read(view, off, len - off, start + off);
        if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${start + off} (file is ${size} bytes)`);
        off += bytesRead;
      }
      digest?.add(start, view);
      return ab;
    },
  };
  return { buffer, close: () => fh.close() };
}

export async function parquetInfo(path: string): Promise<{ metadata: FileMetaData; columns: string[] }> {
  const { buffer, close } = await fileAsyncBuffer(path);
  try {
    const metadata = await parquetMetadataAsync(buffer);
    return { metadata, columns: parquetSchema(metadata).children.map((c) => c.element.name) };
  } finally {
    await close();
  }
}

/** Which required columns (alternatives `a|b`) are absent. */
function missingColumns(preset: Preset, columns: readonly string[]): string[] {
  const have = new Set(columns);
  return requiredFields(preset).filter((alt) => !alt.split('|').some((c) => have.has(c)));
}

/** Plain JS values: bigint → number (or string when unsafe), bytes → UTF-8 string when valid, Date → ISO. */
export function toPlain(v: unknown): unknown {
  if (typeof v === 'bigint')
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Uint8Array) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(v);
    } catch {
      return Buffer.from(v).toString('base64');
    }
  }
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = toPlain(x);
  return out;
}

export async function* readParquetFile(
  file: string,
  presetOpt: Preset | 'auto',
  state: ReadState,
  fields?: FieldMap,
  /** Fed every byte range the reader reads (the input fingerprint, src/io/digest.ts). */
  digest?: RangeDigest,
  /** Called with each row's ordinal and its values as JSON (see ReadOptions.onUnit); not for schema errors. */
  onUnit?: (ordinal: number, bytes: Uint8Array) => void,
): AsyncGenerator<ReadEvent[]> {
  let handle: Awaited<ReturnType<typeof fileAsyncBuffer>>;
  let metadata: FileMetaData;
  try {
    handle = await fileAsyncBuffer(file, digest);
  } catch (e) {
    yield [{ type: 'file_error', file, error: shortError(`cannot open: ${(e as Error).message}`) }];
    return;
  }
  try {
    try {
      metadata = await parquetMetadataAsync(handle.buffer);
    } catch (e) {
      yield [{ type: 'file_error', file, error: shortError(`not a readable Parquet file: ${(e as Error).message}`) }];
      return;
    }
    const fileColumns = parquetSchema(metadata).children.map((c) => c.element.name);
    const columns = fields ? mapKeys(fileColumns, fields) : fileColumns;
    const numRows = Number(metadata.num_rows);
    const preset = presetOpt === 'auto' ? detectPresetFromKeys(columns) : presetOpt;
    let schemaError: string | undefined;
    const unmapped = fields ? missingMapped(fileColumns, fields) : [];
    if (unmapped.length) {
      schemaError =
        `Parquet schema lacks column${unmapped.length > 1 ? 's' : ''} ${unmapped.map((m) => `"${m}"`).join(', ')} ` +
        `named by --fields ${fieldsText(fields!)} (columns: ${fileColumns.join(', ')})`;
    } else if (!preset) schemaError = `Parquet schema: ${noPresetError(columns)}`;
    else {
      const missing = missingColumns(preset, columns);
      if (missing.length) {
        schemaError =
          `Parquet schema lacks column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} ` +
          `needed by preset ${preset} (columns: ${columns.join(', ')})`;
      }
    }
    if (schemaError) {
      // Every row is accounted for, in bounded batches.
      const error = shortError(schemaError);
      for (let r = 0; r < numRows; ) {
        const batch: ReadEvent[] = [];
        for (const end = Math.min(numRows, r + 4096); r < end; r++) {
          batch.push({
            type: 'quarantine',
            entry: { file, line: r, reason: 'bad_schema', error, ordinal: state.ordinal++ },
          });
        }
        yield batch;
      }
      return;
    }
    let groupStart = 0;
    for (const group of metadata.row_groups) {
      const groupRows = Number(group.num_rows);
      const groupEnd = groupStart + groupRows;
      let rows: Record<string, unknown>[] | undefined;
      let groupError: string | undefined;
      try {
        rows = (await parquetReadObjects({
          file: handle.buffer,
          metadata,
          rowStart: groupStart,
          rowEnd: groupEnd,
          compressors: PARQUET_COMPRESSORS,
        })) as Record<string, unknown>[];
        if (rows.length !== groupRows) groupError = `row group decoded ${rows.length} rows, metadata says ${groupRows}`;
      } catch (e) {
        groupError = (e as Error).message;
      }
      const batch: ReadEvent[] = [];
      if (groupError !== undefined || !rows) {
        const error = shortError(`cannot decode row group at rows ${groupStart}..${groupEnd - 1}: ${groupError}`);
        for (let r = groupStart; r < groupEnd; r++) {
          batch.push({
            type: 'quarantine',
            entry: { file, line: r, reason: 'unreadable', error, ordinal: state.ordinal++ },
          });
        }
      } else {
        for (let i = 0; i < rows.length; i++) {
          const row = groupStart + i;
          const ordinal = state.ordinal++;
          let obj = toPlain(rows[i]) as Record<string, unknown>;
          onUnit?.(ordinal, Buffer.from(JSON.stringify(obj) ?? 'null'));
          if (obj === null || typeof obj !== 'object') {
            batch.push({
              type: 'quarantine',
              entry: { file, line: row, reason: 'not_an_object', error: `row is ${typeName(obj)}`, ordinal },
            });
            continue;
          }
          if (fields) {
            const m = applyFields(obj, fields);
            if (!m.ok) {
              const entry = { file, line: row, reason: m.reason, error: m.error, ordinal };
              batch.push({ type: 'quarantine', entry: m.id === undefined ? entry : { ...entry, id: m.id } });
              continue;
            }
            obj = m.obj;
          }
          const n = normalize(obj, preset!, { file, line: row, ordinal });
          if (n.ok) batch.push({ type: 'record', record: n.record });
          else {
            const entry = { file, line: row, reason: n.reason, error: n.error, ordinal };
            batch.push({ type: 'quarantine', entry: n.id === undefined ? entry : { ...entry, id: n.id } });
          }
        }
      }
      rows = undefined;
      yield batch;
      groupStart = groupEnd;
    }
  } finally {
    await handle.close();
  }
}
