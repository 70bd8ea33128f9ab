/**
 * Output formats, one entry each: the single source of `--format` (choices, --help,
 * docs/config.md), of the files a format writes, of `OutputWriter` (src/output/writer.ts), of the
 * stale temporary files select removes, and of how (and in which order of preference) the packs loader
 * (src/loader) and inspect (src/inspect/load.ts) read each format: they look formats up here, never by file name.
 * Adding a format = one entry here plus its writer (docs/architecture.md, "Add an output format").
 */
import { join } from 'node:path';
import { BinSource, ParquetSource, type PackSource } from './sources.js';
import type { Pack } from '../types.js';
import type { WrittenFile } from './atomic.js';
import { BinPackWriter } from './bin.js';
import { JsonlSampleWriter } from './jsonl.js';
import { ParquetPackWriter, readPacksSupervision } from './parquet.js';
import { SampleParquetWriter, readSamplesSupervision } from './samples.js';
import { FILE_NAMES, type SampleRow, type SampleSupervision } from './types.js';

/** What a format's writer factory receives. */
export interface FormatWriterOptions {
  maxLen: number;
  rowGroupPacks?: number;
  createdBy?: string;
}

/** One open writer of one format: packs, sample rows, or both. */
export interface FormatWriter {
  writePack?(pack: Pack): void;
  writeSample?(row: SampleRow): void;
  /** Sample rows written so far (sample writers). */
  readonly samples?: number;
  /** Commit every file of the format (renamed from their temporary names). */
  close(): WrittenFile[];
  /** Remove every temporary file. */
  abort(): void;
}

/** How the packs loader (src/loader) reads a format. */
export interface LoaderSpec {
  /** Preference when no format is asked for: the lowest rank whose files are all there is read. */
  readonly rank: number;
  readonly open: (dir: string, o: { parquetCacheTokens?: number }) => Promise<PackSource>;
}

/** How inspect (src/inspect/load.ts) finds the supervision of each written sample in a format. */
export type InspectSpec =
  /** One line per sample in input order, with its templated text and token offsets (joined in lockstep). */
  | { readonly rank: number; readonly kind: 'lines' }
  /** Samples by record id (token offsets come from re-encoding the conversation with the run's tokenizer). */
  | {
      readonly rank: number;
      readonly kind: 'ids';
      readonly read: (path: string) => Promise<Map<string, SampleSupervision[]>>;
    };

export interface FormatSpec {
  readonly name: string;
  /** Files the format writes in the output directory (the first is the one inspect reads). */
  readonly files: readonly string[];
  readonly open: (dir: string, o: FormatWriterOptions) => FormatWriter;
  /** How the packs loader reads this format; null: it does not. */
  readonly loader: LoaderSpec | null;
  /** How inspect finds each sample's supervision in it; null: it cannot (no sample ids). */
  readonly inspect: InspectSpec | null;
  /** One line for --help and docs/config.md. */
  readonly help: string;
}

export const FORMAT_TABLE = [
  {
    name: 'parquet',
    files: [FILE_NAMES.parquet],
    open: (dir, o) => {
      const w = new ParquetPackWriter(join(dir, FILE_NAMES.parquet), {
        rowGroupPacks: o.rowGroupPacks,
        createdBy: o.createdBy,
        maxLen: o.maxLen,
        validate: false,
      });
      return { writePack: (p) => w.write(p), close: () => [w.close()], abort: () => w.abort() };
    },
    loader: { rank: 1, open: (dir, o) => ParquetSource.open(dir, o.parquetCacheTokens) },
    inspect: { rank: 1, kind: 'ids', read: readPacksSupervision },
    help:
      'packs as Parquet rows (packs.parquet: input_ids, labels, position_ids, seq_lengths, num_supervised, ' +
      'sample_ids)',
  },
  {
    name: 'bin',
    files: [FILE_NAMES.bin, FILE_NAMES.idx],
    open: (dir, o) => {
      const opts = { maxLen: o.maxLen, validate: false };
      const w = new BinPackWriter(join(dir, FILE_NAMES.bin), join(dir, FILE_NAMES.idx), opts);
      return {
        writePack: (p) => w.write(p),
        close: () => {
          const { bin, idx } = w.close();
          return [bin, idx];
        },
        abort: () => w.abort(),
      };
    },
    loader: { rank: 0, open: (dir) => BinSource.open(dir) },
    inspect: null,
    help: 'packs as flat int32 token arrays with their index, our own layout (packs.cbpk + packs.cbpk.idx)',
  },
  {
    name: 'samples',
    files: [FILE_NAMES.samples],
    open: (dir, o) => {
      const w = new SampleParquetWriter(join(dir, FILE_NAMES.samples), {
        rowGroupRows: o.rowGroupPacks,
        createdBy: o.createdBy,
      });
      return { writeSample: (r) => w.write(r), close: () => [w.close()], abort: () => w.abort() };
    },
    loader: null,
    inspect: { rank: 2, kind: 'ids', read: readSamplesSupervision },
    help:
      'one Parquet row per sample, unpacked (samples.parquet: input_ids, labels, attention_mask, id), for ' +
      'trainers that pack by themselves',
  },
  {
    name: 'jsonl',
    files: [FILE_NAMES.jsonl],
    open: (dir) => {
      const w = new JsonlSampleWriter(join(dir, FILE_NAMES.jsonl));
      return {
        writeSample: (r) => w.write(r),
        get samples() {
          return w.samples;
        },
        close: () => [w.close()],
        abort: () => w.abort(),
      };
    },
    loader: null,
    inspect: { rank: 0, kind: 'lines' },
    help: 'one debug line per sample, unpacked, with text and offsets (samples.jsonl)',
  },
] as const satisfies readonly FormatSpec[];

export type OutputFormat = (typeof FORMAT_TABLE)[number]['name'];

/** The formats the packs loader reads (entries with a `loader`). */
export type PackFormat = Extract<(typeof FORMAT_TABLE)[number], { loader: object }>['name'];

/** Format names the packs loader reads, in table order. */
export const PACK_FORMATS = FORMAT_TABLE.filter((f) => f.loader !== null).map((f) => f.name) as readonly PackFormat[];

/** Format names in table order (the `--format` choices). */
export const OUTPUT_FORMATS = FORMAT_TABLE.map((f) => f.name) as readonly OutputFormat[] as readonly [
  OutputFormat,
  ...OutputFormat[],
];

/** The table entry of a format; throws on a name the table does not have. */
export function formatSpec(name: string): FormatSpec {
  const f = (FORMAT_TABLE as readonly FormatSpec[]).find((x) => x.name === name);
  if (!f) throw new RangeError(`unknown output format '${name}' (known: ${OUTPUT_FORMATS.join(', ')})`);
  return f;
}

/**
 * The format a reader (`use`) prefers among those whose files are all in `listed` (a manifest's file list): the one of
 * lowest rank. Undefined when there is none.
 */
export function listedFormat(listed: ReadonlySet<string>, use: 'loader' | 'inspect'): FormatSpec | undefined {
  let best: FormatSpec | undefined;
  for (const f of FORMAT_TABLE as readonly FormatSpec[]) {
    const reader = f[use];
    if (!reader || !f.files.every((name) => listed.has(name))) continue;
    if (!best || reader.rank < best[use]!.rank) best = f;
  }
  return best;
}

/** Every file select commits in an output directory: each format's files, the manifest and the outcome files. */
export const OUTPUT_DIR_FILES: readonly string[] = [
  ...FORMAT_TABLE.flatMap((f) => f.files),
  FILE_NAMES.manifest,
  FILE_NAMES.rejected,
  FILE_NAMES.quarantine,
];

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** AtomicFile's temporary names (`.<name>.tmp-<pid>-<thread>-<n>`) of the output directory's files. */
const STALE_TEMP = new RegExp(`^\\.(${OUTPUT_DIR_FILES.map(escapeRegExp).join('|')})\\.tmp-`);

/** A temporary file an earlier, killed run of select left in its output directory. */
export function isStaleTempFile(name: string): boolean {
  return STALE_TEMP.test(name);
}

/** `--format` help: the option's line, then one line per format. */
export function formatsHelp(): string {
  return `comma-separated writers: ${FORMAT_TABLE.map((f) => `${f.name} = ${f.help}`).join('; ')}`;
}
