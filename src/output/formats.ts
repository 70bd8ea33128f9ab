/**
 * Output formats, one entry each: the single source of `--format` (choices, --help,
 * docs/config.md), of the files a format writes, of `OutputWriter` (src/output/writer.ts), of the
 * stale temporary files select removes, and of which formats the packs loader and inspect read.
 * Adding a format = one entry here plus its writer (docs/architecture.md, "Add an output format").
 */
import { join } from 'node:path';
import type { Pack } from '../types.js';
import type { WrittenFile } from './atomic.js';
import { BinPackWriter } from './bin.js';
import { JsonlSampleWriter } from './jsonl.js';
import { ParquetPackWriter } from './parquet.js';
import { FILE_NAMES, type SampleRow } from './types.js';

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

export interface FormatSpec {
  readonly name: string;
  /** Files the format writes in the output directory. */
  readonly files: readonly string[];
  readonly open: (dir: string, o: FormatWriterOptions) => FormatWriter;
  /** The packs loader (src/loader) reads this format. */
  readonly loader: boolean;
  /** inspect finds the supervision of each sample in it (src/inspect/load.ts). */
  readonly inspect: boolean;
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
    loader: true,
    inspect: true,
    help: 'packs as Parquet rows (packs.parquet)',
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
    loader: true,
    inspect: false,
    help: 'packs as flat token arrays with an index (packs.bin + packs.idx)',
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
    loader: false,
    inspect: true,
    help: 'one debug line per sample, unpacked (samples.jsonl)',
  },
] as const satisfies readonly FormatSpec[];

export type OutputFormat = (typeof FORMAT_TABLE)[number]['name'];

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
