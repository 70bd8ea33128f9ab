/**
 * Whether the input has the shape codeblock reads (issue 26, case 7; docs/reliability.md "Input of the
 * wrong shape"). Per-record problems stay per-record quarantines, and so do whole files of a mixed
 * input; but an input of which NO record has the fields of any preset (a CSV, a JSONL with other
 * field names, a Parquet file of another schema), or an input with no record at all, is a wrong input:
 * analyze refuses it in one line (E_INPUT, exit 1) instead of ending "0 selected" with exit 0.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { CodeblockError } from '../errors.js';
import type { ReadEvent } from './events.js';
import { PRESET_TABLE } from './presets.js';

/** Quarantine reasons that say the record does not have the shape of any preset. */
const SHAPE_REASONS = new Set(['bad_json', 'not_an_object', 'missing_field', 'bad_schema']);

interface FileShape {
  units: number;
  records: number;
  shape: number;
  /** Fields of the first record (or Parquet schema) that matched no preset, as the reader's message names them. */
  fields?: string;
  /** The first quarantine's reason and message. */
  first?: { reason: string; error: string };
}

/** Watches the read events of every input (before any shard filter) and judges the input's shape at the end. */
export class ShapeCheck {
  private readonly files = new Map<string, FileShape>();

  constructor(inputs: readonly string[]) {
    for (const f of inputs) this.files.set(f, { units: 0, records: 0, shape: 0 });
  }

  see(ev: ReadEvent): void {
    if (ev.type === 'file_error') return;
    const file = ev.type === 'record' ? ev.record.source.file : ev.entry.file;
    const s = this.files.get(file);
    if (!s) return;
    s.units++;
    if (ev.type === 'record') {
      s.records++;
      return;
    }
    if (!SHAPE_REASONS.has(ev.entry.reason)) return;
    s.shape++;
    s.first ??= { reason: ev.entry.reason, error: ev.entry.error };
    if (s.fields === undefined) {
      const m = /fields \[([^\]]*)\]/.exec(ev.entry.error);
      if (m) s.fields = m[1];
    }
  }

  /** Throws E_INPUT (one line) when the whole input is empty, or when no record has any preset's shape. */
  check(): void {
    const all = [...this.files.entries()];
    if (all.every(([, s]) => s.units === 0)) {
      const names = all.map(([f]) => JSON.stringify(f)).join(', ');
      throw new CodeblockError(
        `input ${names} ${all.length > 1 ? 'are' : 'is'} empty: no records to analyze (a JSONL file needs one JSON ` +
          'object per line, a Parquet file at least one row)',
        'E_INPUT',
      );
    }
    // A mixed input (some files or records of a preset's shape) keeps its per-record quarantines.
    if (all.some(([, s]) => s.records > 0 || s.shape < s.units)) return;
    const [file, s] = all.find(([, x]) => x.units > 0)!;
    const expected = PRESET_TABLE.map((p) => `${p.name} (${p.expects})`).join(', ');
    const found =
      s.fields !== undefined
        ? `found fields [${s.fields}]`
        : s.first?.reason === 'bad_json'
          ? `its lines are not JSON${csvHeader(file)} (codeblock reads JSONL, .jsonl.gz, .jsonl.zst or Parquet)`
          : s.first?.reason === 'missing_field'
            ? `its first record: ${s.first.error}`
            : 'its lines are not JSON objects';
    const units = all.reduce((n, [, x]) => n + x.units, 0);
    throw new CodeblockError(
      `none of the ${units} input record(s) has the fields of any preset: ${JSON.stringify(file)}: ${found}; ` +
        `expected ${expected}; pass --preset to choose one, or map your fields with --fields prompt=…,response=…`,
      'E_INPUT',
    );
  }
}

/** `: found fields [a, b]` when the file's first line looks like a CSV header, else '' (best effort). */
function csvHeader(file: string): string {
  if (!/\.(csv|tsv|txt|jsonl?)$/i.test(file)) return '';
  let line = '';
  try {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(4096);
      line =
        buf
          .subarray(0, readSync(fd, buf, 0, buf.length, 0))
          .toString('utf8')
          .split(/\r?\n/)[0] ?? '';
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
  const sep = line.includes('\t') ? '\t' : ',';
  const cols = line.split(sep).map((c) => c.trim().replace(/^"|"$/g, ''));
  if (cols.length < 2 || cols.some((c) => !/^[\w .-]{1,64}$/.test(c))) return '';
  const shown = cols.slice(0, 12).join(', ') + (cols.length > 12 ? ', …' : '');
  return ` (a CSV? found fields [${shown}] in its first line)`;
}
