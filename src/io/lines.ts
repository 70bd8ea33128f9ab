/**
 * Byte-level line splitting for JSONL streams.
 *
 * Lines are split on LF bytes (0x0A) only, so a multi-byte UTF-8 sequence can never be cut in half
 * and each line can be decoded on its own (invalid UTF-8 is then caught per line, not per chunk).
 * A trailing CR is removed (CRLF files). A line longer than `maxLineBytes` is never buffered whole:
 * once the buffered part of the current line passes the limit, the buffer is dropped and the splitter
 * streams past the rest of the line, reporting only its length.
 */

export type LineEvent =
  /** A complete line (without its LF and without a trailing CR). `bytes` is only valid until the next `push`. */
  | { kind: 'line'; line: number; bytes: Uint8Array }
  /** A line longer than `maxLineBytes`; `bytes` is its full length (without LF / CR). */
  | { kind: 'too_long'; line: number; bytes: number };

const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  /** 1-based number of the line currently being assembled. */
  private lineNo = 1;
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  private skipping = false;
  private skippedBytes = 0;
  /** Largest number of bytes ever held for one unfinished line (for tests of the memory bound). */
  peakBufferedBytes = 0;

  constructor(readonly maxLineBytes: number) {
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes must be a positive integer, got ${String(maxLineBytes)}`);
    }
  }

  /** Number of the next line to be completed (1-based). */
  get currentLine(): number {
    return this.lineNo;
  }

  /** True when an unfinished line (possibly being skipped) is pending. */
  get hasPartial(): boolean {
    return this.skipping || this.partBytes > 0;
  }

  /**
   * Feed a chunk; complete lines are appended to `out`. Views into `chunk` are handed out for lines
   * that lie wholly inside it, so the consumer must use them before the next push.
   */
  push(chunk: Uint8Array, out: LineEvent[]): void {
    let start = 0;
    const n = chunk.length;
    while (start < n) {
      const nl = chunk.indexOf(LF, start);
      const end = nl === -1 ? n : nl;
      if (this.skipping) {
        this.skippedBytes += end - start;
      } else if (this.partBytes + (end - start) > this.maxLineBytes) {
        // The line is too long: forget what we hold and stream past the rest.
        this.skipping = true;
        this.skippedBytes = this.partBytes + (end - start);
        this.parts = [];
        this.partBytes = 0;
      } else if (nl !== -1 && this.partBytes === 0) {
        // Fast path: the whole line lies in this chunk.
        out.push({ kind: 'line', line: this.lineNo, bytes: stripCr(chunk.subarray(start, end)) });
      } else if (end > start) {
        // Keep a copy: the producer may reuse its buffer.
        this.parts.push(chunk.slice(start, end));
        this.partBytes += end - start;
        if (this.partBytes > this.peakBufferedBytes) this.peakBufferedBytes = this.partBytes;
      }
      if (nl === -1) break;
      this.finishLine(out);
      start = nl + 1;
    }
  }

  private finishLine(out: LineEvent[]): void {
    if (this.skipping) {
      out.push({ kind: 'too_long', line: this.lineNo, bytes: this.skippedBytes });
      this.skipping = false;
      this.skippedBytes = 0;
    } else if (this.parts.length > 0) {
      out.push({ kind: 'line', line: this.lineNo, bytes: stripCr(this.takeParts()) });
    }
    // else: the fast path in push() already emitted this line.
    this.lineNo++;
  }

  /** Concatenate and clear the held parts. */
  private takeParts(): Uint8Array {
    const parts = this.parts;
    const total = this.partBytes;
    this.parts = [];
    this.partBytes = 0;
    if (parts.length === 1) return parts[0]!;
    const buf = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      buf.set(p, o);
      o += p.length;
    }
    return buf;
  }

  /**
   * End of input. Returns the unterminated last line, if any (a complete last line without LF, or a
   * partial line cut by a damaged stream — the caller knows which).
   */
  end(out: LineEvent[]): void {
    if (this.skipping) {
      out.push({ kind: 'too_long', line: this.lineNo, bytes: this.skippedBytes });
      this.skipping = false;
      this.skippedBytes = 0;
      this.lineNo++;
    } else if (this.partBytes > 0) {
      out.push({ kind: 'line', line: this.lineNo, bytes: stripCr(this.takeParts()) });
      this.lineNo++;
    }
  }
}

function stripCr(b: Uint8Array): Uint8Array {
  return b.length > 0 && b[b.length - 1] === CR ? b.subarray(0, b.length - 1) : b;
}

/** True when the line holds only ASCII whitespace (space, tab, CR, VT, FF) — a blank line, not a record. */
export function isBlank(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0b && c !== 0x0c) return false;
  }
  return true;
}

/** Strip a UTF-8 byte order mark. */
export function stripBom(b: Uint8Array): Uint8Array {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.subarray(3) : b;
}

/**
 * Byte offset of the first invalid UTF-8 sequence in `b`, or -1 when valid (WHATWG rules: no
 * overlongs, no surrogates, max U+10FFFF). Used only to explain a decode error.
 */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined) return i;
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}
