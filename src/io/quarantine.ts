/**
 * quarantine.jsonl writer: one JSON line per unreadable record,
 * `{"file","line","reason","error","id"?,"ordinal"}` (line: 1-based JSONL line, 0-based Parquet row).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { QuarantineEntry } from './record.js';

const FLUSH_BYTES = 64 * 1024;

export class QuarantineWriter {
  private fd: number | undefined;
  private buf: string[] = [];
  private bufChars = 0;
  /** Entries written so far (by reason). */
  readonly counts = new Map<string, number>();
  count = 0;

  /** Opens (truncates, or appends with `append: true`) the file at once, so a run always leaves one. */
  constructor(
    readonly path: string,
    opts: { append?: boolean } = {},
  ) {
    this.fd = openSync(path, opts.append ? 'a' : 'w');
  }

  write(entry: QuarantineEntry): void {
    if (this.fd === undefined) throw new Error(`QuarantineWriter(${this.path}) is closed`);
    const row: Record<string, unknown> = {
      file: entry.file,
      line: entry.line,
      reason: entry.reason,
      error: entry.error,
    };
    if (entry.id !== undefined) row.id = entry.id;
    row.ordinal = entry.ordinal;
    const s = `${JSON.stringify(row)}\n`;
    this.buf.push(s);
    this.bufChars += s.length;
    this.count++;
    this.counts.set(entry.reason, (this.counts.get(entry.reason) ?? 0) + 1);
    if (this.bufChars >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.buf.length === 0) return;
    writeSync(this.fd, this.buf.join(''));
    this.buf = [];
    this.bufChars = 0;
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }
}
