/**
 * Node data loader over a codeblock output directory: batches of packs as typed arrays.
 *
 *   for await (const b of loadPacks('out', { batchSize: 8, shuffle: true, seed: 1 })) {
 *     b.input_ids, b.labels, b.position_ids   // flat: the batch's packs concatenated
 *     b.seq_lengths, b.cu_seq_lens_q/_k       // every sample of the batch; no attention across them
 *     b.max_length_q/_k                       // flash-attention varlen kwargs, named as transformers names them
 *     b.num_supervised                        // per pack; b.total_supervised for loss normalization
 *     save(b.position)                        // resume later with { start: position }
 *   }
 *
 * Order: a permutation of the packs (identity, or seeded Fisher–Yates per (seed, epoch)); batch k
 * of an epoch holds order[k·B, (k+1)·B). `start` skips the first `start` packs of that order, so a
 * run resumed from a batch's `position` yields exactly the batches that were still to come.
 * Works in worker threads (piscina): plain fs reads, no native state.
 */
import { CodeblockError } from '../errors.js';
import { readOutputManifest, verifyOutput, type VerifyLevel } from '../output/verify.js';
import { FORMAT_TABLE, PACK_FORMATS, listedFormat, type FormatSpec, type PackFormat } from '../output/formats.js';
import { permutation } from './shuffle.js';
import type { PackRecord, PackSource } from '../output/sources.js';

export interface LoadPacksOptions {
  /** Packs per batch. */
  batchSize: number;
  /** Shuffle packs (seeded). Default false. */
  shuffle?: boolean;
  /** Seed for the shuffle. Default 0. */
  seed?: number;
  /** Epoch number, mixed into the shuffle seed (a new order per epoch). Default 0. */
  epoch?: number;
  /** Resume position: packs of this epoch's order already consumed (a batch's `position`). Default 0. */
  start?: number;
  /** A format the loader reads ('bin', 'parquet'); default: the formats table's preferred one (bin, then parquet)
   *  among those the manifest lists. */
  format?: PackFormat;
  /** Drop a final batch smaller than batchSize. Default false. */
  dropLast?: boolean;
  /**
   * How the pack files are checked against manifest.json before reading: 'digest' (default) their sizes and
   * sha256, 'size' their sizes only (faster on very large outputs). A directory without a manifest, a missing
   * file or a mismatch is refused either way (docs/formats.md, "The manifest contract").
   */
  verify?: VerifyLevel;
  /** Parquet only: decoded tokens kept in the row-group cache (default 32M ≈ 256 MB). */
  parquetCacheTokens?: number;
}

export interface PackBatch {
  /** Batch number within the epoch (position of its first pack / batchSize, rounded down). */
  batchIndex: number;
  /** Position after this batch: pass it as `start` to resume after it. */
  position: number;
  /** Indices of the packs (rows of the file) in this batch. */
  packIndices: Uint32Array;
  /** The packs concatenated (flat, no padding). */
  input_ids: Int32Array;
  /** -100 where unsupervised; aligned with input_ids, not shifted. */
  labels: Int32Array;
  /** Restart at 0 at every sample. */
  position_ids: Int32Array;
  /** Sample lengths of every pack, in order (TRL's `seq_lengths`). */
  seq_lengths: Int32Array;
  /**
   * Prefix sums of seq_lengths (length samples + 1): the flash-attention varlen boundaries in input_ids, under
   * transformers' names (`FlashAttentionKwargs`, `DataCollatorWithFlattening`). `cu_seq_lens_k` is the same array.
   */
  cu_seq_lens_q: Int32Array;
  cu_seq_lens_k: Int32Array;
  /** The longest sample of the batch (transformers' `max_length_q` / `max_length_k`). */
  max_length_q: number;
  max_length_k: number;
  /** Prefix sums of the pack lengths (length packs + 1): pack p is input_ids[pack_offsets[p] : pack_offsets[p+1]]. */
  pack_offsets: Int32Array;
  /** Supervised tokens per pack. */
  num_supervised: Int32Array;
  total_supervised: number;
}

function assemble(recs: PackRecord[], indices: Uint32Array, batchIndex: number, position: number): PackBatch {
  let tokens = 0;
  let samples = 0;
  for (const r of recs) {
    tokens += r.inputIds.length;
    samples += r.seqLens.length;
  }
  const input_ids = new Int32Array(tokens);
  const labels = new Int32Array(tokens);
  const position_ids = new Int32Array(tokens);
  const seq_lengths = new Int32Array(samples);
  const cu = new Int32Array(samples + 1);
  let maxLength = 0;
  const pack_offsets = new Int32Array(recs.length + 1);
  const num_supervised = new Int32Array(recs.length);
  let t = 0;
  let s = 0;
  let total = 0;
  for (let p = 0; p < recs.length; p++) {
    const r = recs[p]!;
    input_ids.set(r.inputIds, t);
    labels.set(r.labels, t);
    let u = t;
    for (const len of r.seqLens) {
      for (let k = 0; k < len; k++) position_ids[u + k] = k;
      u += len;
      seq_lengths[s] = len;
      cu[s + 1] = cu[s]! + len;
      if (len > maxLength) maxLength = len;
      s++;
    }
    if (u - t !== r.inputIds.length)
      throw new CodeblockError(`pack ${indices[p]}: seq_lengths sum to ${u - t}, not ${r.inputIds.length}`, 'E_FORMAT');
    t += r.inputIds.length;
    pack_offsets[p + 1] = t;
    num_supervised[p] = r.numSupervised;
    total += r.numSupervised;
  }
  return {
    batchIndex,
    position,
    packIndices: indices,
    input_ids,
    labels,
    position_ids,
    seq_lengths,
    cu_seq_lens_q: cu,
    cu_seq_lens_k: cu,
    max_length_q: maxLength,
    max_length_k: maxLength,
    pack_offsets,
    num_supervised,
    total_supervised: total,
  };
}

/**
 * Open the packs of an output directory after checking it against its manifest (src/output/verify.ts), in `format`
 * or (none given) in the format the formats table prefers among those the manifest lists (src/output/formats.ts,
 * `loader.rank`: bin, then parquet). Refuses (E_FORMAT, one line) a directory without manifest.json, a listed file
 * missing or of another size, a format the manifest does not list, and — at `verify: 'digest'`, the default — pack
 * files whose sha256 differs.
 */
export async function openPackSource(
  dir: string,
  format?: PackFormat,
  parquetCacheTokens?: number,
  verify: VerifyLevel = 'digest',
): Promise<PackSource> {
  const loaders = (FORMAT_TABLE as readonly FormatSpec[]).filter((f) => f.loader);
  let spec: FormatSpec | undefined;
  if (format !== undefined) {
    spec = loaders.find((f) => f.name === format);
    if (!spec)
      throw new RangeError(`format must be ${PACK_FORMATS.map((f) => `'${f}'`).join(' or ')}, got ${String(format)}`);
  }
  const listed = new Set(readOutputManifest(dir).files.map((f) => f.path));
  spec ??= listedFormat(listed, 'loader');
  if (!spec) {
    const files = loaders.map((f) => f.files.join(' + ')).join(' nor ');
    throw new CodeblockError(
      `${dir} has no packs: its manifest lists neither ${files} (select with --format parquet or bin)`,
      'E_FORMAT',
    );
  }
  verifyOutput(dir, { verify, files: spec.files });
  return spec.loader!.open(dir, { parquetCacheTokens });
}

/** Number of packs in an output directory. */
export async function countPacks(dir: string, format?: PackFormat, verify: VerifyLevel = 'digest'): Promise<number> {
  const src = await openPackSource(dir, format, undefined, verify);
  try {
    return src.numPacks;
  } finally {
    await src.close();
  }
}

export async function* loadPacks(dir: string, options: LoadPacksOptions): AsyncGenerator<PackBatch, void, undefined> {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const start = options.start ?? 0;
  if (!Number.isInteger(start) || start < 0) throw new RangeError(`start must be a non-negative integer, got ${start}`);
  const src = await openPackSource(dir, options.format, options.parquetCacheTokens, options.verify);
  try {
    const n = src.numPacks;
    if (start > n) throw new RangeError(`start ${start} is past the end (${n} packs)`);
    const order = permutation(n, options.shuffle ?? false, options.seed ?? 0, options.epoch ?? 0);
    for (let pos = start; pos < n; pos += batchSize) {
      const end = Math.min(n, pos + batchSize);
      if (options.dropLast && end - pos < batchSize) break;
      const indices = order.slice(pos, end);
      const recs = await src.read(indices);
      yield assemble(recs, indices, Math.floor(pos / batchSize), end);
    }
  } finally {
    await src.close();
  }
}
