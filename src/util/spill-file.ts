/**
 * The temporary file under select's spills (samples, encodings, rejections; docs/pipeline.md): appended at its
 * end, read back at known positions, closed once. One place for the fd, the write position and the checks every
 * spill needs (a short read is an internal error, never a silently truncated sample).
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { CodeblockError } from '../errors.js';
import { writing } from './fs-errors.js';

export class SpillFile {
  private readonly fd: number;
  private end = 0;
  private closed = false;

  constructor(readonly path: string) {
    this.fd = writing(path, () => openSync(path, 'w+'));
  }

  /** Bytes appended so far. */
  get size(): number {
    return this.end;
  }

  /** Appends `len` bytes of `buf` from `offset`; returns the file position they start at. */
  append(buf: Uint8Array, offset = 0, len = buf.length - offset): number {
    const at = this.end;
    writing(this.path, () => {
      let done = 0;
      while (done < len) done += writeSync(this.fd, buf, offset + done, len - done, at + done);
    });
    this.end += len;
    return at;
  }

  /** Fills `buf[offset, offset + len)` from file position `at` (all of it, or E_INTERNAL). */
  readAt(buf: Uint8Array, offset: number, len: number, at: number): void {
    if (at + len > this.end) throw new CodeblockError(`internal: read past the end of ${this.path}`, 'E_INTERNAL');
    let got = 0;
    while (got < len) {
      const k = readSync(this.fd, buf, offset + got, len - got, at + got);
      if (k <= 0) throw new CodeblockError(`internal: short read of ${this.path}`, 'E_INTERNAL');
      got += k;
    }
  }

  /** Closes the file (again: a no-op). The caller removes it with the rest of the temporary directory. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}
