/**
 * Memory-mappable `packs.cbpk` + `packs.cbpk.idx` (layout version 1, all little-endian; see docs/formats.md).
 * Our own layout (magic CBLKIDX), not a Megatron indexed dataset (MMIDIDX `.bin`/`.idx`): hence its file names.
 *
 * packs.cbpk — int32 values; pack i occupies elements [2·T_i, 2·T_{i+1}) where T = token_offsets:
 *   its input_ids (len_i = T_{i+1} − T_i values) followed by its labels (len_i values).
 * packs.cbpk.idx —
 *   0   8  magic "CBLKIDX\0"
 *   8   4  u32 version (1)
 *   12  4  u32 header_bytes (64)
 *   16  8  u64 num_packs (P)
 *   24  8  u64 num_tokens (N)
 *   32  8  u64 num_samples (S)
 *   40  4  u32 max_len (0 = not recorded)
 *   44  4  u32 layout (1 = per pack: int32 input_ids then int32 labels)
 *   48  8  u64 bin_bytes (= 8·N)
 *   56  8  reserved (0)
 *   64     u64 token_offsets[P+1]   (token_offsets[0] = 0, token_offsets[P] = N)
 *          u64 sample_offsets[P+1]  (pack i's samples are seq_lengths[sample_offsets[i] : sample_offsets[i+1]])
 *          i32 seq_lengths[S], zero-padded to a multiple of 8 bytes
 *          i32 num_supervised[P], zero-padded to a multiple of 8 bytes
 * position_ids are not stored: they restart at 0 at every sample (derive them from seq_lengths).
 */
import { endianness } from 'node:os';
import type { Pack } from '../types.js';
import { CodeblockError } from '../errors.js';
import { AtomicFile, type WrittenFile } from './atomic.js';
import { validatePack } from './validate.js';
import { growInt32 } from '../util/grow.js';

export const BIN_MAGIC = 'CBLKIDX\0';
export const BIN_VERSION = 1;
export const BIN_HEADER_BYTES = 64;
export const BIN_LAYOUT_INTERLEAVED = 1;

const LE = endianness() === 'LE';

function int32Bytes(a: Int32Array): Uint8Array {
  if (LE) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = Buffer.alloc(a.byteLength);
  for (let i = 0; i < a.length; i++) out.writeInt32LE(a[i]!, 4 * i);
  return out;
}

export interface BinPackWriterOptions {
  maxLen?: number;
  /** Check every pack (default true; OutputWriter validates once itself). */
  validate?: boolean;
}

export class BinPackWriter {
  readonly binPath: string;
  readonly idxPath: string;
  private readonly bin: AtomicFile;
  private readonly maxLen: number;
  private readonly validate: boolean;
  private readonly tokenOffsets: number[] = [0];
  private readonly sampleOffsets: number[] = [0];
  private readonly seqLens = growInt32();
  private readonly numSupervised = growInt32();
  private closed = false;

  constructor(binPath: string, idxPath: string, options: BinPackWriterOptions = {}) {
    this.binPath = binPath;
    this.idxPath = idxPath;
    this.maxLen = options.maxLen ?? 0;
    this.validate = options.validate ?? true;
    this.bin = new AtomicFile(binPath);
  }

  get packs(): number {
    return this.tokenOffsets.length - 1;
  }

  write(pack: Pack): void {
    if (this.closed) throw new Error('BinPackWriter is closed');
    if (this.validate) validatePack(pack, this.maxLen || undefined);
    this.bin.write(int32Bytes(pack.inputIds));
    this.bin.write(int32Bytes(pack.labels));
    this.tokenOffsets.push(this.tokenOffsets[this.tokenOffsets.length - 1]! + pack.inputIds.length);
    for (const l of pack.seqLens) this.seqLens.push(l);
    this.sampleOffsets.push(this.seqLens.n);
    this.numSupervised.push(pack.numSupervised);
  }

  private buildIdx(): Buffer {
    const P = this.packs;
    const N = this.tokenOffsets[P]!;
    const S = this.seqLens.n;
    const pad8 = (b: number) => (b + 7) & ~7;
    const size = BIN_HEADER_BYTES + 16 * (P + 1) + pad8(4 * S) + pad8(4 * P);
    const buf = Buffer.alloc(size);
    buf.write(BIN_MAGIC, 0, 'latin1');
    buf.writeUInt32LE(BIN_VERSION, 8);
    buf.writeUInt32LE(BIN_HEADER_BYTES, 12);
    buf.writeBigUInt64LE(BigInt(P), 16);
    buf.writeBigUInt64LE(BigInt(N), 24);
    buf.writeBigUInt64LE(BigInt(S), 32);
    buf.writeUInt32LE(this.maxLen >>> 0, 40);
    buf.writeUInt32LE(BIN_LAYOUT_INTERLEAVED, 44);
    buf.writeBigUInt64LE(BigInt(8 * N), 48);
    let pos = BIN_HEADER_BYTES;
    for (const v of this.tokenOffsets) {
      buf.writeBigUInt64LE(BigInt(v), pos);
      pos += 8;
    }
    for (const v of this.sampleOffsets) {
      buf.writeBigUInt64LE(BigInt(v), pos);
      pos += 8;
    }
    for (const v of this.seqLens.view()) {
      buf.writeInt32LE(v, pos);
      pos += 4;
    }
    pos = pad8(pos);
    for (const v of this.numSupervised.view()) {
      buf.writeInt32LE(v, pos);
      pos += 4;
    }
    return buf;
  }

  /** Commit .bin, then .idx (the index is the commit point readers check). */
  close(): { bin: WrittenFile; idx: WrittenFile } {
    if (this.closed) throw new Error('BinPackWriter is closed');
    this.closed = true;
    let idxFile: AtomicFile | undefined;
    try {
      const idxBuf = this.buildIdx();
      const bin = this.bin.commit();
      idxFile = new AtomicFile(this.idxPath);
      idxFile.write(idxBuf);
      const idx = idxFile.commit();
      return { bin, idx };
    } catch (err) {
      this.bin.abort();
      idxFile?.abort();
      throw err;
    }
  }

  abort(): void {
    this.closed = true;
    this.bin.abort();
  }
}

/** Parsed .idx (what the loader and tests use). */
export interface BinIndex {
  numPacks: number;
  numTokens: number;
  numSamples: number;
  maxLen: number;
  tokenOffsets: Float64Array;
  sampleOffsets: Float64Array;
  seqLens: Int32Array;
  numSupervised: Int32Array;
}

export function parseBinIndex(bytes: Uint8Array, what = 'packs.cbpk.idx'): BinIndex {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (msg: string) => new CodeblockError(`${what}: ${msg}`, 'E_FORMAT');
  if (buf.length < BIN_HEADER_BYTES || buf.toString('latin1', 0, 8) !== BIN_MAGIC)
    throw bad('not a codeblock index (bad magic)');
  const version = buf.readUInt32LE(8);
  if (version !== BIN_VERSION) throw bad(`unsupported version ${version} (this build reads ${BIN_VERSION})`);
  const header = buf.readUInt32LE(12);
  const layout = buf.readUInt32LE(44);
  if (layout !== BIN_LAYOUT_INTERLEAVED) throw bad(`unsupported layout ${layout}`);
  const P = Number(buf.readBigUInt64LE(16));
  const N = Number(buf.readBigUInt64LE(24));
  const S = Number(buf.readBigUInt64LE(32));
  const maxLen = buf.readUInt32LE(40);
  const pad8 = (b: number) => (b + 7) & ~7;
  const expected = header + 16 * (P + 1) + pad8(4 * S) + pad8(4 * P);
  if (buf.length !== expected) throw bad(`size ${buf.length} does not match its header (${expected})`);
  let pos = header;
  const tokenOffsets = new Float64Array(P + 1);
  for (let i = 0; i <= P; i++, pos += 8) tokenOffsets[i] = Number(buf.readBigUInt64LE(pos));
  const sampleOffsets = new Float64Array(P + 1);
  for (let i = 0; i <= P; i++, pos += 8) sampleOffsets[i] = Number(buf.readBigUInt64LE(pos));
  const seqLens = new Int32Array(S);
  for (let i = 0; i < S; i++, pos += 4) seqLens[i] = buf.readInt32LE(pos);
  pos = pad8(pos);
  const numSupervised = new Int32Array(P);
  for (let i = 0; i < P; i++, pos += 4) numSupervised[i] = buf.readInt32LE(pos);
  if (tokenOffsets[0] !== 0 || tokenOffsets[P] !== N || sampleOffsets[0] !== 0 || sampleOffsets[P] !== S)
    throw bad('offsets inconsistent with header');
  return { numPacks: P, numTokens: N, numSamples: S, maxLen, tokenOffsets, sampleOffsets, seqLens, numSupervised };
}
