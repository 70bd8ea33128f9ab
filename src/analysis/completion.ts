/**
 * The shard completion record: `<dir>/shard-<i>-of-<n>/complete.json`, written atomically by
 * `analyze` as the shard's last act (and removed as its first), so its presence means every part
 * of the shard was committed. `select` checks it against the parts it finds (docs/scaling.md).
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../output/atomic.js';
import { hashJson, type PartCounts } from './format.js';

export const COMPLETION_FILE = 'complete.json';
// spelled out (not derived from ANALYSIS_FORMAT): format.ts and this module import each other
export const COMPLETION_FORMAT = 'codeblock-analysis-shard';
export const COMPLETION_VERSION = 1;

export interface InputFile {
  /** File name (no directory: the same input mounted elsewhere fingerprints alike). */
  name: string;
  bytes: number;
  /** sha256 of the first and of the last MiB (the whole file when it is smaller). */
  head: string;
  tail: string;
}

export interface InputFingerprint {
  /** sha256 over `files` (stable JSON). */
  hash: string;
  files: InputFile[];
}

export interface ShardCompletion {
  format: typeof COMPLETION_FORMAT;
  version: number;
  shard: { index: number; count: number };
  /** Parts 0 … parts-1 make up the shard. */
  parts: number;
  /** The shard's totals (the sum over its parts). */
  counts: PartCounts;
  /** Input units (records + quarantined) of the whole input, over all shards: every shard reads every file. */
  totalInput: number;
  /** The hash in every part marker (the analysis config, inputs included). */
  configHash: string;
  inputs: InputFingerprint;
}

const MIB = 1 << 20;

function sha256Range(fd: number, start: number, length: number): string {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, start + got);
    if (n === 0) break;
    got += n;
  }
  return createHash('sha256').update(buf.subarray(0, got)).digest('hex');
}

/** Names, sizes and first/last-MiB hashes of the input files (cheap for any size). */
export function inputFingerprint(paths: readonly string[]): InputFingerprint {
  const files = paths.map((p): InputFile => {
    const bytes = statSync(p).size;
    const fd = openSync(p, 'r');
    try {
      const n = Math.min(bytes, MIB);
      return { name: basename(p), bytes, head: sha256Range(fd, 0, n), tail: sha256Range(fd, bytes - n, n) };
    } finally {
      closeSync(fd);
    }
  });
  return { hash: hashJson(files), files };
}

/** Remove the record (and temporary files of a killed write): the shard is no longer complete. */
export function removeCompletion(shardDir: string): void {
  rmSync(join(shardDir, COMPLETION_FILE), { force: true });
  if (!existsSync(shardDir)) return;
  for (const f of readdirSync(shardDir)) {
    if (f.startsWith(`.${COMPLETION_FILE}.tmp-`)) rmSync(join(shardDir, f), { force: true });
  }
}

export function writeCompletion(shardDir: string, rec: ShardCompletion): void {
  writeFileAtomic(join(shardDir, COMPLETION_FILE), `${JSON.stringify(rec, null, 1)}\n`);
}

/** The record of a shard directory: undefined when absent, 'unreadable' when present but not a valid record. */
export function readCompletion(shardDir: string): ShardCompletion | 'unreadable' | undefined {
  const path = join(shardDir, COMPLETION_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as ShardCompletion;
    if (r.format !== COMPLETION_FORMAT || typeof r.parts !== 'number' || !r.shard || !r.inputs) return 'unreadable';
    return r;
  } catch {
    return 'unreadable';
  }
}
