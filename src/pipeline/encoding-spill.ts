/**
 * select's pass-A encodings on disk, for pass B (docs/pipeline.md). Rendering and tokenizing every record is most
 * of select's time; pass B needs again the records a cut reaches. They used to stay in memory up to a cap (and the
 * rest were tokenized a second time), so peak memory grew with the pool until the cap and pass B's work grew past
 * it. Now every packable sample's token ids and offsets go to a temporary file as pass A makes them, in pass A's
 * order, and pass B (which visits the records in the same order) reads back the ones it needs: nothing is
 * tokenized twice and memory does not depend on the pool size.
 *
 * Per sample the file holds its ids (int32 LE) and its offsets: as int16 gap + uint16 length pairs (4 bytes per
 * token: gap = start − the previous token's end, length = end − start) when every token fits, else as int32
 * [start, end) pairs (8 bytes per token). So a sample takes 8 bytes per token (12 in the fallback); the index
 * keeps 20 bytes per sample in memory. The rendered text is not stored: pass B renders the conversation again (the
 * chat template is deterministic and costs about 2 % of the tokenizer).
 */
import { CodeblockError } from '../errors.js';
import type { AnalysisRecord } from '../analysis/format.js';
import type { EncodedConversation, Encoded, TargetTokenizer } from '../tokenize/index.js';
import { growFloat64, growInt32 } from '../util/grow.js';
import { SpillFile } from '../util/spill-file.js';
import { addCount } from '../util/timings.js';

const WRITE_BUFFER = 1 << 20;

/** Offsets as int16 gap + uint16 length pairs, or null when a token does not fit (then int32 pairs). */
function packOffsets(offsets: Int32Array): Uint16Array | null {
  const n = offsets.length >> 1;
  const out = new Uint16Array(2 * n);
  let prev = 0;
  for (let t = 0; t < n; t++) {
    const s = offsets[2 * t]!;
    const e = offsets[2 * t + 1]!;
    const gap = s - prev;
    const len = e - s;
    if (gap < -32768 || gap > 32767 || len < 0 || len > 65535) return null;
    out[2 * t] = gap & 0xffff;
    out[2 * t + 1] = len;
    prev = e;
  }
  return out;
}

function unpackOffsets(packed: Uint16Array, out: Int32Array): void {
  let prev = 0;
  for (let t = 0; t < packed.length >> 1; t++) {
    const g = packed[2 * t]!;
    const s = prev + (g >= 0x8000 ? g - 0x10000 : g);
    const e = s + packed[2 * t + 1]!;
    out[2 * t] = s;
    out[2 * t + 1] = e;
    prev = e;
  }
}

/** Bytes of a sample of `n` tokens in the file (`wide`: int32 offsets). */
const entryBytes = (n: number, wide: boolean): number => n * (wide ? 12 : 8);

export class EncodingSpill {
  private readonly file: SpillFile;
  private buf = Buffer.allocUnsafe(WRITE_BUFFER);
  private bufLen = 0;
  private readonly ords = growFloat64();
  private readonly starts = growFloat64();
  /** tokens, negated when the offsets are int32 pairs */
  private readonly lens = growInt32();
  private next = 0;

  constructor(path: string) {
    this.file = new SpillFile(path);
  }

  /** Samples written (tests). */
  get size(): number {
    return this.ords.n;
  }

  /** Bytes written (tests, docs). */
  get bytes(): number {
    return this.file.size + this.bufLen;
  }

  /** Appends `ordinal`'s encoding (ordinals strictly increasing). */
  push(ordinal: number, enc: Encoded): void {
    const n = enc.ids.length;
    if (this.ords.n && ordinal <= this.ords.a[this.ords.n - 1]!)
      throw new CodeblockError('internal: encodings spilled out of order', 'E_INTERNAL');
    const packed = packOffsets(enc.offsets);
    const size = entryBytes(n, packed === null);
    this.ords.push(ordinal);
    this.starts.push(this.file.size + this.bufLen);
    this.lens.push(packed === null ? -n : n);
    if (this.bufLen + size > this.buf.length) this.flush();
    if (size > this.buf.length) this.buf = Buffer.allocUnsafe(size);
    const b = this.buf;
    b.set(new Uint8Array(enc.ids.buffer, enc.ids.byteOffset, 4 * n), this.bufLen);
    const off = packed ?? enc.offsets;
    b.set(new Uint8Array(off.buffer, off.byteOffset, off.byteLength), this.bufLen + 4 * n);
    this.bufLen += size;
  }

  private flush(): void {
    if (this.bufLen === 0) return;
    this.file.append(this.buf, 0, this.bufLen);
    this.bufLen = 0;
  }

  /**
   * The encodings of `recs` (a subsequence of the pushed ordinals, in order; every call continues after the
   * previous one), each with its conversation rendered again by `tok`.
   */
  take(tok: TargetTokenizer, recs: readonly AnalysisRecord[]): EncodedConversation[] {
    this.flush();
    addCount('select_read_back', recs.length);
    const out: EncodedConversation[] = [];
    for (const r of recs) {
      while (this.next < this.ords.n && this.ords.a[this.next]! < r.ordinal) this.next++;
      if (this.next >= this.ords.n || this.ords.a[this.next] !== r.ordinal)
        throw new CodeblockError(`internal: no spilled encoding for record ${r.ordinal}`, 'E_INTERNAL');
      const j = this.next++;
      const signed = this.lens.a[j]!;
      const n = Math.abs(signed);
      const size = entryBytes(n, signed < 0);
      const raw = Buffer.allocUnsafeSlow(size); // own ArrayBuffer at offset 0: aligned views
      this.file.readAt(raw, 0, size, this.starts.a[j]!);
      const ids = new Int32Array(raw.buffer, 0, n);
      let offsets: Int32Array;
      if (signed < 0) offsets = new Int32Array(raw.buffer, 4 * n, 2 * n);
      else {
        offsets = new Int32Array(2 * n);
        unpackOffsets(new Uint16Array(raw.buffer, 4 * n, 2 * n), offsets);
      }
      out.push({ ...tok.renderConversation(r.prompt, r.response), ids, offsets });
    }
    return out;
  }

  close(): void {
    this.file.close();
  }
}
