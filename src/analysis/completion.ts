/**
 * The shard completion record: `<dir>/shard-<i>-of-<n>/complete.json`, written atomically by
 * `analyze` as the shard's last act (and removed as its first), so its presence means every part
 * of the shard was committed. `select` checks it against the parts it finds (docs/scaling.md).
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FileDigest } from '../io/digest.js';
import { writeFileAtomic } from '../output/atomic.js';
import { hashJson, type PartCounts } from './format.js';

export const COMPLETION_FILE = 'complete.json';
// spelled out (not derived from ANALYSIS_FORMAT): format.ts and this module import each other
export const COMPLETION_FORMAT = 'codeblock-analysis-shard';
export const COMPLETION_VERSION = 1;

export interface InputFile {
  /** The input's name: its real path (src/analysis/input-name.ts), as every record of it says. */
  name: string;
  /** The file's size. */
  bytes: number;
  /** sha256 of its bytes (Parquet: of the byte ranges read), computed while analyze read them (src/io/digest.ts). */
  sha256: string;
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
  /** The hash in every part marker (the analysis config, input names included). */
  configHash: string;
  inputs: InputFingerprint;
}

/** The inputs' fingerprint from the digests the reader computed (a file it never read whole has none). */
export function inputFingerprint(names: readonly string[], digests: ReadonlyMap<string, FileDigest>): InputFingerprint {
  const files = names.map((name): InputFile => {
    const d = digests.get(name);
    return { name, bytes: d?.bytes ?? -1, sha256: d?.sha256 ?? 'unread' };
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
