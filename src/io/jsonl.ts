/**
 * Streaming JSONL reader (plain, gzip, zstd). Memory is bounded by one read chunk plus the longest
 * line under `maxLineBytes`; longer lines are streamed past and quarantined.
 */
import { createReadStream } from 'node:fs';
import * as zlib from 'node:zlib';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import type { Preset } from './presets.js';
import type { InputFormat } from './format.js';
import { LineSplitter, firstInvalidUtf8, isBlank, stripBom, type LineEvent } from './lines.js';
import { applyFields, detectPreset, noPresetError, normalize, typeName, type FieldMap } from './presets.js';
import type { ReadEvent, ReadState } from './events.js';
import type { StreamDigest } from './digest.js';

const READ_CHUNK = 1 << 20;

type Transform = import('node:stream').Transform;
/** node:zlib's zstd decompressor where the running Node has one (22.15+), else undefined (→ fzstd). */
export const nativeZstd: (() => Transform) | undefined =
  typeof (zlib as unknown as { createZstdDecompress?: unknown }).createZstdDecompress === 'function' &&
  !process.env.CODEBLOCK_FZSTD
    ? () => (zlib as unknown as { createZstdDecompress: () => Transform }).createZstdDecompress()
    : undefined;
const MAX_ERROR_CHARS = 300;

export function shortError(msg: string): string {
  const one = msg.replace(/\s+/g, ' ').trim();
  return one.length > MAX_ERROR_CHARS ? `${one.slice(0, MAX_ERROR_CHARS)}…` : one;
}

export async function* readJsonlFile(
  file: string,
  format: Exclude<InputFormat, 'parquet'>,
  presetOpt: Preset | 'auto',
  maxLineBytes: number,
  state: ReadState,
  fields?: FieldMap,
  /** Fed every byte of the file as it is read (the input fingerprint, src/io/digest.ts). */
  digest?: StreamDigest,
  /** Called with each input unit's ordinal and its line's bytes (valid during the call only; see ReadOptions). */
  onUnit?: (ordinal: number, bytes: Uint8Array) => void,
): AsyncGenerator<ReadEvent[]> {
  const splitter = new LineSplitter(maxLineBytes);
  const lines: LineEvent[] = [];
  let pending: ReadEvent[] = [];
  let preset: Preset | undefined = presetOpt === 'auto' ? undefined : presetOpt;
  // fatal: invalid UTF-8 throws (→ invalid_utf8 for that line only). ignoreBOM false: the decoder drops
  // a BOM at the start of every line it decodes — the file's first line, and lines of files that were
  // joined with `cat` while each still had its BOM.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

  const quarantine = (line: number, reason: Parameters<typeof mkQ>[3], error: string, id?: string): void => {
    pending.push(mkQ(file, line, state.ordinal++, reason, error, id));
  };

  /** Turn one line into an event. `tail` marks the unterminated last line of a damaged stream. */
  const NO_BYTES = new Uint8Array(0);
  const handleLine = (ev: LineEvent, tail: boolean): void => {
    const first = state.ordinal;
    unitOf(ev, tail);
    if (onUnit && state.ordinal > first) onUnit(first, ev.kind === 'line' ? ev.bytes : NO_BYTES);
  };
  const unitOf = (ev: LineEvent, tail: boolean): void => {
    if (ev.kind === 'too_long') {
      quarantine(
        ev.line,
        'line_too_long',
        `line is ${ev.bytes} bytes, over the limit of ${maxLineBytes} bytes (maxLineBytes); skipped without buffering`,
      );
      return;
    }
    const bytes = ev.line === 1 ? stripBom(ev.bytes) : ev.bytes;
    if (isBlank(bytes)) return;
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      if (tail) {
        quarantine(ev.line, 'truncated', `partial last line (${bytes.length} bytes) before the stream damage`);
        return;
      }
      quarantine(ev.line, 'invalid_utf8', `invalid UTF-8 at byte ${firstInvalidUtf8(bytes)} of the line`);
      return;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      if (tail) {
        quarantine(ev.line, 'truncated', `partial last line (${bytes.length} bytes) before the stream damage`);
        return;
      }
      quarantine(ev.line, 'bad_json', shortError((e as Error).message));
      return;
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      quarantine(ev.line, 'not_an_object', `line is a JSON ${typeName(obj)}, not an object`);
      return;
    }
    let rec = obj as Record<string, unknown>;
    if (fields) {
      const m = applyFields(rec, fields);
      if (!m.ok) {
        quarantine(ev.line, m.reason, m.error, m.id);
        return;
      }
      rec = m.obj;
    }
    if (!preset) {
      preset = detectPreset(rec);
      if (!preset) {
        quarantine(ev.line, 'missing_field', noPresetError(Object.keys(rec)), idOf(rec));
        return;
      }
    }
    const ordinal = state.ordinal++;
    const n = normalize(rec, preset, { file, line: ev.line, ordinal });
    if (n.ok) pending.push({ type: 'record', record: n.record });
    else pending.push(mkQ(file, ev.line, ordinal, n.reason, n.error, n.id));
  };

  const drain = (): void => {
    for (const ev of lines) handleLine(ev, false);
    lines.length = 0;
  };
  const onChunk = (c: Uint8Array): void => {
    splitter.push(c, lines);
    drain();
  };
  const take = (): ReadEvent[] => {
    const out = pending;
    pending = [];
    return out;
  };

  let damage: unknown;
  let inBytes = 0;
  try {
    if (format === 'jsonl') {
      for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK })) {
        digest?.update(chunk as Buffer);
        onChunk(chunk as Buffer);
        if (pending.length) yield take();
      }
    } else if (format === 'jsonl.gz') {
      const src = createReadStream(file, { highWaterMark: READ_CHUNK });
      const gunzip = createGunzip({ chunkSize: READ_CHUNK });
      src.on('error', (e) => gunzip.destroy(e));
      src.on('data', (c) => {
        inBytes += (c as Buffer).length;
        digest?.update(c as Buffer);
      });
      src.pipe(gunzip);
      try {
        for await (const chunk of gunzip) {
          onChunk(chunk as Buffer);
          if (pending.length) yield take();
        }
      } finally {
        src.destroy();
      }
    } else if (nativeZstd) {
      // Node ≥ 22.15 / 23.8 ships zstd in node:zlib (native, several times faster than fzstd)
      const src = createReadStream(file, { highWaterMark: READ_CHUNK });
      const unzstd = nativeZstd();
      src.on('error', (e) => unzstd.destroy(e));
      src.on('data', (c) => {
        inBytes += (c as Buffer).length;
        digest?.update(c as Buffer);
      });
      src.pipe(unzstd);
      try {
        for await (const chunk of unzstd) {
          onChunk(chunk as Buffer);
          if (pending.length) yield take();
        }
      } finally {
        src.destroy();
      }
    } else {
      const dec = new Decompress((chunk) => onChunk(chunk));
      for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK })) {
        inBytes += (chunk as Buffer).length;
        digest?.update(chunk as Buffer);
        dec.push(chunk as Buffer);
        if (pending.length) yield take();
      }
      dec.push(new Uint8Array(0), true);
    }
  } catch (e) {
    damage = e;
  }
  const completeLines = splitter.currentLine - 1;
  splitter.end(lines);
  for (const ev of lines) handleLine(ev, damage !== undefined);
  lines.length = 0;
  if (damage !== undefined) {
    const what =
      format === 'jsonl' ? 'read error' : `${format === 'jsonl.gz' ? 'gzip' : 'zstd'} stream damaged or truncated`;
    const msg = damage instanceof Error ? damage.message : String(damage);
    pending.push({
      type: 'file_error',
      file,
      error: shortError(
        `${what} after ${completeLines} complete lines${inBytes ? ` (${inBytes} compressed bytes read)` : ''}: ${msg}`,
      ),
    });
  }
  if (pending.length) yield take();
}

function idOf(rec: Record<string, unknown>): string | undefined {
  const v = rec.id;
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

function mkQ(
  file: string,
  line: number,
  ordinal: number,
  reason: import('./record.js').QuarantineReason,
  error: string,
  id?: string,
): ReadEvent {
  return {
    type: 'quarantine',
    entry: id === undefined ? { file, line, reason, error, ordinal } : { file, line, reason, error, id, ordinal },
  };
}
