/**
 * A file written under a temporary name in its final directory, hashed (sha256) as it is written,
 * fsynced and renamed into place on commit — readers never see a half-written output. On abort
 * (or any error) the temporary file is removed.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { writing } from '../util/fs-errors.js';

export interface WrittenFile {
  /** Absolute path of the committed file. */
  path: string;
  sha256: string;
  bytes: number;
}

let counter = 0;

export class AtomicFile {
  readonly path: string;
  readonly tempPath: string;
  private fd: number | undefined;
  private readonly hash: Hash = createHash('sha256');
  private buf: Buffer;
  private used = 0;
  private written = 0;

  constructor(path: string, bufferBytes = 1 << 20) {
    this.path = path;
    this.tempPath = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${threadId}-${counter++}`);
    this.fd = writing(path, () => openSync(this.tempPath, 'w'));
    this.buf = Buffer.allocUnsafe(bufferBytes);
  }

  get bytesWritten(): number {
    return this.written + this.used;
  }

  write(data: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`AtomicFile ${this.path} is closed`);
    if (data.byteLength >= this.buf.length) {
      this.flush();
      this.hash.update(data);
      this.writeAll(data);
      this.written += data.byteLength;
      return;
    }
    if (this.used + data.byteLength > this.buf.length) this.flush();
    this.buf.set(data, this.used);
    this.used += data.byteLength;
  }

  writeString(s: string): void {
    this.write(Buffer.from(s, 'utf8'));
  }

  private writeAll(data: Uint8Array): void {
    writing(this.path, () => {
      let off = 0;
      while (off < data.byteLength) off += writeSync(this.fd!, data, off, data.byteLength - off);
    });
  }

  private flush(): void {
    if (this.used === 0) return;
    const chunk = this.buf.subarray(0, this.used);
    this.hash.update(chunk);
    this.writeAll(chunk);
    this.written += this.used;
    this.used = 0;
  }

  /** Flush, fsync, rename into place. */
  commit(): WrittenFile {
    if (this.fd === undefined) throw new Error(`AtomicFile ${this.path} is closed`);
    this.flush();
    const fd = this.fd;
    writing(this.path, () => fsyncSync(fd));
    closeSync(fd);
    this.fd = undefined;
    writing(this.path, () => renameSync(this.tempPath, this.path));
    return { path: this.path, sha256: this.hash.digest('hex'), bytes: this.written };
  }

  /** Drop the temporary file (safe to call more than once). */
  abort(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.fd = undefined;
      try {
        unlinkSync(this.tempPath);
      } catch {
        /* already gone */
      }
    }
  }
}

/** Write a whole file atomically. */
export function writeFileAtomic(path: string, data: string | Uint8Array): WrittenFile {
  const f = new AtomicFile(path);
  try {
    if (typeof data === 'string') f.writeString(data);
    else f.write(data);
    return f.commit();
  } catch (err) {
    f.abort();
    throw err;
  }
}
