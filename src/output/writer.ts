/**
 * All writers of one output directory behind one object: packs go to parquet and/or bin, samples
 * to jsonl; every file is written under a temporary name and renamed on `close()`.
 */
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Pack } from '../types.js';
import type { WrittenFile } from './atomic.js';
import { BinPackWriter } from './bin.js';
import { JsonlSampleWriter } from './jsonl.js';
import { ParquetPackWriter } from './parquet.js';
import { validatePack } from './validate.js';
import { FILE_NAMES, OUTPUT_FORMATS, type OutputFile, type OutputFormat, type SampleRow } from './types.js';

export interface OutputWriterOptions {
  formats: readonly OutputFormat[];
  /** Pack length limit, checked on every pack and recorded in the .idx. */
  maxLen: number;
  /** Parquet packs per row group (default 256). */
  rowGroupPacks?: number;
  /** Parquet created_by (default 'codeblock'). */
  createdBy?: string;
}

export interface OutputSummary {
  /** Committed files, paths relative to the output directory, sorted by path. */
  files: OutputFile[];
  packs: number;
  /** Tokens in all packs. */
  tokens: number;
  supervised: number;
  samples: number;
  jsonlSamples: number;
}

export class OutputWriter {
  readonly dir: string;
  readonly formats: readonly OutputFormat[];
  private readonly parquet?: ParquetPackWriter;
  private readonly bin?: BinPackWriter;
  private readonly jsonl?: JsonlSampleWriter;
  private readonly maxLen: number;
  private packs = 0;
  private tokens = 0;
  private supervised = 0;
  private samples = 0;
  private done = false;

  constructor(dir: string, options: OutputWriterOptions) {
    const formats = [...new Set(options.formats)];
    if (formats.length === 0) throw new RangeError('at least one output format is required');
    for (const f of formats) if (!OUTPUT_FORMATS.includes(f)) throw new RangeError(`unknown output format '${f}' (known: ${OUTPUT_FORMATS.join(', ')})`);
    if (!Number.isInteger(options.maxLen) || options.maxLen <= 0) throw new RangeError(`maxLen must be a positive integer, got ${options.maxLen}`);
    this.dir = dir;
    this.formats = formats;
    this.maxLen = options.maxLen;
    mkdirSync(dir, { recursive: true });
    try {
      if (formats.includes('parquet')) {
        this.parquet = new ParquetPackWriter(join(dir, FILE_NAMES.parquet), { rowGroupPacks: options.rowGroupPacks, createdBy: options.createdBy, maxLen: options.maxLen, validate: false });
      }
      if (formats.includes('bin')) this.bin = new BinPackWriter(join(dir, FILE_NAMES.bin), join(dir, FILE_NAMES.idx), { maxLen: options.maxLen, validate: false });
      if (formats.includes('jsonl')) this.jsonl = new JsonlSampleWriter(join(dir, FILE_NAMES.jsonl));
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  /** Whether sample rows are wanted (jsonl requested); callers can skip building them otherwise. */
  get wantsSamples(): boolean {
    return this.jsonl !== undefined;
  }

  writePack(pack: Pack): void {
    if (this.done) throw new Error('OutputWriter is closed');
    validatePack(pack, this.maxLen); // once here; the pack writers skip their own check
    this.parquet?.write(pack);
    this.bin?.write(pack);
    this.packs++;
    this.tokens += pack.inputIds.length;
    this.supervised += pack.numSupervised;
    this.samples += pack.seqLens.length;
  }

  writeSample(row: SampleRow): void {
    if (this.done) throw new Error('OutputWriter is closed');
    this.jsonl?.write(row);
  }

  /** Commit every file; returns them (relative paths, sorted) with totals. */
  close(): OutputSummary {
    if (this.done) throw new Error('OutputWriter is closed');
    this.done = true;
    const files: WrittenFile[] = [];
    try {
      if (this.parquet) files.push(this.parquet.close());
      if (this.bin) {
        const { bin, idx } = this.bin.close();
        files.push(bin, idx);
      }
      if (this.jsonl) files.push(this.jsonl.close());
    } catch (err) {
      this.abort();
      throw err;
    }
    const out = files
      .map((f) => ({ path: relative(this.dir, f.path).split('\\').join('/'), sha256: f.sha256, bytes: f.bytes }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { files: out, packs: this.packs, tokens: this.tokens, supervised: this.supervised, samples: this.samples, jsonlSamples: this.jsonl?.samples ?? 0 };
  }

  /** Remove every temporary file (uncommitted outputs). */
  abort(): void {
    this.done = true;
    this.parquet?.abort();
    this.bin?.abort();
    this.jsonl?.abort();
  }
}
