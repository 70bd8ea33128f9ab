/**
 * Content fingerprints of input files, computed while the readers read them (no second pass):
 * sha256 of a JSONL / .gz / .zst file's bytes as they stream from disk, or of the byte ranges a
 * Parquet reader reads (docs/reliability.md, "Input identity by content").
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** What a file's fingerprint says: its size and the sha256 of its bytes. */
export interface FileDigest {
  /** The file's size. */
  bytes: number;
  sha256: string;
}

/** sha256 of a file read front to back; `finish` hashes what the reader left unread (a damaged stream's tail). */
export class StreamDigest {
  private readonly h: Hash = createHash('sha256');
  private n = 0;

  update(chunk: Uint8Array): void {
    this.h.update(chunk);
    this.n += chunk.length;
  }

  /**
   * The whole file's digest. A reader that stopped early (a damaged .gz) or read ahead by a varying amount leaves
   * the rest unhashed: it is read here, from where the stream stopped, so the digest never depends on where that was.
   */
  async finish(file: string): Promise<FileDigest> {
    const size = (await stat(file)).size;
    if (this.n < size) {
      for await (const c of createReadStream(file, { start: this.n, highWaterMark: 1 << 20 })) this.update(c as Buffer);
    }
    return { bytes: this.n, sha256: this.h.digest('hex') };
  }
}

/** sha256 over the byte ranges a random-access reader read, in order of offset (each range once). */
export class RangeDigest {
  private readonly ranges = new Map<string, string>();

  add(start: number, bytes: Uint8Array): void {
    const key = `${start}+${bytes.length}`;
    if (this.ranges.has(key)) return;
    this.ranges.set(key, createHash('sha256').update(bytes).digest('hex'));
  }

  /** The digest; `bytes` is the file's size (ranges may overlap: a reader reads a footer twice). */
  async finish(file: string): Promise<FileDigest> {
    const keys = [...this.ranges.keys()].sort((a, b) => {
      const [sa, la] = a.split('+').map(Number) as [number, number];
      const [sb, lb] = b.split('+').map(Number) as [number, number];
      return sa - sb || la - lb;
    });
    const h = createHash('sha256');
    for (const k of keys) h.update(`${k}:${this.ranges.get(k)}\n`);
    return { bytes: (await stat(file)).size, sha256: h.digest('hex') };
  }
}
