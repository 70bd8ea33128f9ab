/** The record reader over many input files: format dispatch, global ordinals, abort. */
import { createReadStream, type Stats } from 'node:fs';
import { stat, access, constants } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { CodeblockError } from '../errors.js';
import { PRESETS, type Preset } from './presets.js';
import type { ReadEvent, ReadState } from './events.js';
import { detectFormat, formatFromMagic, readHead, type InputFormat } from './format.js';
import { readJsonlFile, shortError } from './jsonl.js';
import { LineSplitter, isBlank, stripBom, type LineEvent } from './lines.js';
import { parquetInfo, readParquetFile } from './parquet.js';
import { RangeDigest, StreamDigest, type FileDigest } from './digest.js';
import { fieldsText, parseFields, presetForFields, type FieldMap } from './presets.js';

/** Default line limit: 32 MiB. A longer line is quarantined (`line_too_long`) without being buffered. */
export const DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024;

export interface ReadOptions {
  /** A preset for every file, or 'auto' (default): detected per file from its first good record / its columns. */
  preset?: Preset | 'auto';
  /** `--fields`: the record's own field names for prompt/response/messages/system/id (src/io/presets.ts). */
  fields?: string | FieldMap;
  maxLineBytes?: number;
  signal?: AbortSignal;
  /**
   * Called once per file that was read to its end, with the sha256 of its bytes, computed while they were read
   * (no second pass; Parquet: of the byte ranges read). `analyze` records it as the input's fingerprint.
   */
  onFileDigest?: (file: string, digest: FileDigest) => void;
  /**
   * Called as each input unit is read, before its event is yielded, with its ordinal and its source bytes: a JSONL
   * line (without its line ending; empty for a line over maxLineBytes, which is never buffered) or a Parquet row's
   * values as JSON. The bytes are valid during the call only. `analyze` hashes them into its part digests.
   */
  onUnit?: (ordinal: number, bytes: Uint8Array) => void;
}

function checkOptions(opts: ReadOptions): { preset: Preset | 'auto'; fields?: FieldMap; maxLineBytes: number } {
  let preset = opts.preset ?? 'auto';
  if (preset !== 'auto' && !PRESETS.includes(preset)) {
    throw new CodeblockError(`unknown preset "${String(preset)}" (expected auto, ${PRESETS.join(', ')})`, 'E_USAGE');
  }
  const fields = parseFields(opts.fields);
  const implied = fields && presetForFields(fields);
  if (implied && preset !== 'auto' && preset !== implied) {
    const msg = `--fields ${fieldsText(fields!)} reads records as preset ${implied}, not ${preset}: drop one of them`;
    throw new CodeblockError(msg, 'E_USAGE');
  }
  if (implied) preset = implied;
  const maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
    throw new RangeError(`maxLineBytes must be a positive integer, got ${String(maxLineBytes)}`);
  }
  return { preset, fields, maxLineBytes };
}

/**
 * Read records from all `paths` in order, in batches (one per read chunk / Parquet row group).
 * Every non-blank line / row yields exactly one `record` or `quarantine` event with the next global
 * ordinal; file-level problems yield `file_error` and the read goes on with the next file.
 */
export async function* readRecordBatches(
  paths: readonly string[],
  opts: ReadOptions = {},
): AsyncGenerator<ReadEvent[]> {
  const { preset, fields, maxLineBytes } = checkOptions(opts);
  const state: ReadState = { ordinal: 0 };
  const signal = opts.signal;
  for (const file of paths) {
    signal?.throwIfAborted();
    let format: InputFormat;
    try {
      format = await detectFormat(file);
    } catch (e) {
      yield [{ type: 'file_error', file, error: shortError(`cannot read: ${(e as Error).message}`) }];
      continue;
    }
    const onDigest = opts.onFileDigest;
    const ranges = onDigest && format === 'parquet' ? new RangeDigest() : undefined;
    const stream = onDigest && format !== 'parquet' ? new StreamDigest() : undefined;
    const gen =
      format === 'parquet'
        ? readParquetFile(file, preset, state, fields, ranges, opts.onUnit)
        : readJsonlFile(file, format, preset, maxLineBytes, state, fields, stream, opts.onUnit);
    try {
      for await (const batch of gen) {
        signal?.throwIfAborted();
        if (batch.length) yield batch;
      }
    } finally {
      await gen.return(undefined);
    }
    if (ranges) onDigest!(file, await ranges.finish(file));
    if (stream) onDigest!(file, await stream.finish(file));
  }
}

/** Read records one event at a time (see readRecordBatches). */
export async function* readRecords(paths: readonly string[], opts: ReadOptions = {}): AsyncGenerator<ReadEvent> {
  for await (const batch of readRecordBatches(paths, opts)) yield* batch;
}

export interface InputInfo {
  path: string;
  format: InputFormat;
  bytes: number;
}

/**
 * Pre-flight check before a run: every path exists, is a readable regular file, and (Parquet) has a
 * readable footer. Throws one CodeblockError (code E_INPUT) with one line naming the first bad path.
 */
export async function checkInputs(paths: readonly string[]): Promise<InputInfo[]> {
  if (paths.length === 0) throw new CodeblockError('no input files given', 'E_INPUT');
  const out: InputInfo[] = [];
  for (const path of paths) {
    const fail = (why: string): never => {
      throw new CodeblockError(`cannot read input ${JSON.stringify(path)}: ${why}`, 'E_INPUT');
    };
    let st: Stats;
    try {
      st = await stat(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      fail(code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message);
    }
    if (st!.isDirectory()) fail('is a directory (pass the files inside it)');
    if (!st!.isFile()) fail('not a regular file');
    try {
      await access(path, constants.R_OK);
    } catch {
      fail('permission denied');
    }
    let format: InputFormat;
    try {
      format = await detectFormat(path);
    } catch (e) {
      fail((e as Error).message);
    }
    if (format! === 'parquet') {
      try {
        await parquetInfo(path);
      } catch (e) {
        fail(`not a readable Parquet file (${shortError((e as Error).message)})`);
      }
    } else if (format! !== 'jsonl' && st!.size > 0 && formatFromMagic(await readHead(path)) !== format!) {
      fail(`named like ${format!} but its first bytes are not ${format! === 'jsonl.gz' ? 'gzip' : 'zstd'}`);
    }
    out.push({ path, format: format!, bytes: st!.size });
  }
  return out;
}

/**
 * Number of input units each file will produce events for: non-blank lines (JSONL, decompressing
 * .gz/.zst) or rows (Parquet, from metadata). records + quarantined == this total for intact files.
 * Cheap for Parquet, one streaming pass for JSONL (use it for progress bars or accounting checks).
 */
export async function countInput(
  paths: readonly string[],
  opts: { maxLineBytes?: number; signal?: AbortSignal } = {},
): Promise<number> {
  let total = 0;
  for (const path of paths) total += await countFile(path, opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, opts.signal);
  return total;
}

async function countFile(path: string, maxLineBytes: number, signal?: AbortSignal): Promise<number> {
  const format = await detectFormat(path);
  if (format === 'parquet') return Number((await parquetInfo(path)).metadata.num_rows);
  const splitter = new LineSplitter(maxLineBytes);
  const lines: LineEvent[] = [];
  let n = 0;
  const onChunk = (c: Uint8Array): void => {
    splitter.push(c, lines);
    for (const ev of lines) if (ev.kind === 'too_long' || !isBlank(ev.line === 1 ? stripBom(ev.bytes) : ev.bytes)) n++;
    lines.length = 0;
  };
  const src = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    if (format === 'jsonl') {
      for await (const c of src) {
        signal?.throwIfAborted();
        onChunk(c as Buffer);
      }
    } else if (format === 'jsonl.gz') {
      const gz = createGunzip();
      src.on('error', (e) => gz.destroy(e));
      src.pipe(gz);
      for await (const c of gz) {
        signal?.throwIfAborted();
        onChunk(c as Buffer);
      }
    } else {
      const dec = new Decompress((c) => onChunk(c));
      for await (const c of src) {
        signal?.throwIfAborted();
        dec.push(c as Buffer);
      }
      dec.push(new Uint8Array(0), true);
    }
  } catch {
    // A damaged stream: count what was readable (the reader reports the damage).
  } finally {
    src.destroy();
  }
  splitter.end(lines);
  onChunk(new Uint8Array(0));
  return n;
}
