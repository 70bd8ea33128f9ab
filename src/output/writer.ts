/**
 * All writers of one output directory behind one object: packs go to parquet and/or bin, samples
 * to jsonl; every file is written under a temporary name and renamed on `close()`.
 */
import { addStageTime, timed } from '../util/timings.js';
import { relative } from 'node:path';
import type { Pack } from '../types.js';
import type { WrittenFile } from './atomic.js';
import { FORMAT_TABLE, formatSpec, type FormatWriter } from './formats.js';
import { validatePack } from './validate.js';
import type { OutputFile, OutputFormat, SampleRow } from './types.js';
import { makeDir } from '../util/fs-errors.js';

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

/** One writer per chosen entry of the formats table (src/output/formats.ts), in table order. */
export class OutputWriter {
  readonly dir: string;
  readonly formats: readonly OutputFormat[];
  private readonly writers: FormatWriter[] = [];
  private readonly maxLen: number;
  private packs = 0;
  private tokens = 0;
  private supervised = 0;
  private samples = 0;
  private done = false;

  constructor(dir: string, options: OutputWriterOptions) {
    const formats = [...new Set(options.formats)];
    if (formats.length === 0) throw new RangeError('at least one output format is required');
    for (const f of formats) formatSpec(f);
    if (!Number.isInteger(options.maxLen) || options.maxLen <= 0) {
      throw new RangeError(`maxLen must be a positive integer, got ${options.maxLen}`);
    }
    this.dir = dir;
    this.formats = formats;
    this.maxLen = options.maxLen;
    makeDir(dir);
    try {
      const open = { maxLen: options.maxLen, rowGroupPacks: options.rowGroupPacks, createdBy: options.createdBy };
      for (const spec of FORMAT_TABLE) if (formats.includes(spec.name)) this.writers.push(spec.open(dir, open));
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  /** Whether sample rows are wanted (a sample format requested); callers can skip building them otherwise. */
  get wantsSamples(): boolean {
    return this.writers.some((w) => w.writeSample !== undefined);
  }

  writePack(pack: Pack): void {
    const t0 = performance.now();
    try {
      this.writePackNow(pack);
    } finally {
      addStageTime('write', performance.now() - t0);
    }
  }

  private writePackNow(pack: Pack): void {
    if (this.done) throw new Error('OutputWriter is closed');
    validatePack(pack, this.maxLen); // once here; the pack writers skip their own check
    for (const w of this.writers) w.writePack?.(pack);
    this.packs++;
    this.tokens += pack.inputIds.length;
    this.supervised += pack.numSupervised;
    this.samples += pack.seqLens.length;
  }

  writeSample(row: SampleRow): void {
    if (this.done) throw new Error('OutputWriter is closed');
    timed('write', () => {
      for (const w of this.writers) w.writeSample?.(row);
    });
  }

  /** Commit every file; returns them (relative paths, sorted) with totals. */
  close(): OutputSummary {
    return timed('write', () => this.closeNow());
  }

  private closeNow(): OutputSummary {
    if (this.done) throw new Error('OutputWriter is closed');
    this.done = true;
    const files: WrittenFile[] = [];
    try {
      for (const w of this.writers) files.push(...w.close());
    } catch (err) {
      this.abort();
      throw err;
    }
    const out = files
      .map((f) => ({ path: relative(this.dir, f.path).split('\\').join('/'), sha256: f.sha256, bytes: f.bytes }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    let jsonlSamples = 0;
    for (const w of this.writers) jsonlSamples += w.samples ?? 0;
    const { packs, tokens, supervised, samples } = this;
    return { files: out, packs, tokens, supervised, samples, jsonlSamples };
  }

  /** Remove every temporary file (uncommitted outputs). */
  abort(): void {
    this.done = true;
    for (const w of this.writers) w.abort();
  }
}
