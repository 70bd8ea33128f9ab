/**
 * Analysis files: the output of pass 1 (`analyze`) and the input of pass 2 (`select`).
 * Format version 1 — documented in docs/pipeline.md.
 *
 *   <dir>/shard-<i>-of-<n>/part-<k>.records.jsonl.gz   analyzed records (one JSON object a line)
 *   <dir>/shard-<i>-of-<n>/part-<k>.outcomes.jsonl     rejected and quarantined records
 *   <dir>/shard-<i>-of-<n>/part-<k>.json               the part's marker: counts, hashes, config hash
 *   <dir>/shard-<i>-of-<n>/complete.json               the shard's completion record (src/analysis/completion.ts)
 *
 * A part exists only when its marker does (the data files are renamed into place first, the marker
 * last), so a killed run leaves nothing half-written that a later run would trust.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { CodeblockError } from '../errors.js';
import { openAnalysis } from './integrity.js';
import type { ChatMessage, Preset, QuarantineReason, RejectReason } from '../types.js';

export const ANALYSIS_FORMAT = 'codeblock-analysis';
export const ANALYSIS_VERSION = 1;

export interface AnalysisItem {
  start: number;
  end: number;
  kind: 'simple' | 'header' | 'clause' | 'block';
  type: string;
  flags: string[];
  /** Item utility U (reduce of GCE u over its core scorer tokens); 0 when it has no core tokens. */
  u: number;
  /** Core scorer tokens the utility was computed over. */
  nCore: number;
  reach: number;
  bridge: number;
  /** Core logic ranges (code points into the response). */
  core: Array<[number, number]>;
}

export interface AnalysisRecord {
  id: string;
  ordinal: number;
  file: string;
  line: number;
  preset: Preset;
  prompt: ChatMessage[];
  response: string;
  /** Normalized pair hash (global duplicate filter in `select`). */
  hash: string;
  segments: Array<{ start: number; end: number; lang: string }>;
  items: AnalysisItem[];
  edges: Array<[number, number]>;
  /** Scorer tokens of the response: code point spans [s0,e0,s1,e1,…] and log-probs (rounded to 1e-5). */
  scorer: { spans: number[]; logp: Array<number | null> };
  /** How the scorer treated the record when not plainly (prompt_truncated, response_windowed, first_token_unscored). */
  notes?: string[];
  /**
   * Instruction-following difficulty, loss(response | prompt) / loss(response) (analyze --ifd); null when undefined.
   */
  ifd?: number | null;
  /** MinHash signature of the normalized pair (analyze --dedup minhash), for select's global near-duplicate pass. */
  minhash?: string;
  /**
   * `--pair-filter off` only: why item modes reject this record (no_code, work_budget, wall_timeout, too_many_items);
   * full and token modes keep it.
   */
  itemReject?: { reason: RejectReason; detail: string };
}

export interface AnalysisOutcome {
  status: 'rejected' | 'quarantined';
  id?: string;
  ordinal: number;
  file: string;
  line: number;
  reason: RejectReason | QuarantineReason;
  detail: string;
}

export interface PartMarker {
  format: typeof ANALYSIS_FORMAT;
  version: number;
  shard: { index: number; count: number };
  part: number;
  configHash: string;
  /** The analysis config (what the hash covers), for `select` (e.g. q) and the manifest. */
  config: Record<string, unknown>;
  counts: { input: number; analyzed: number; rejected: Record<string, number>; quarantined: number };
  /** Ordinal range covered (first..last input ordinal of this part's records). */
  ordinals: [number, number] | null;
  files: Array<{ path: string; sha256: string; bytes: number }>;
  /**
   * sha256 of what the part was made from: the source bytes of each of its input units (JSONL line, Parquet row)
   * with its ordinal, line and preset, its pair-filter verdict, each quarantine entry and the file errors met
   * (src/pipeline/analyze.ts). A resumed part is reused only when the same input gives the same digest.
   */
  inputSha256?: string;
  scorer: { model: string; modelSha256: string; tokens: number; paddedTokens: number };
  /**
   * Whole-file problems met while this part was read (e.g. a truncated .gz): records after them could not be counted.
   */
  inputErrors?: Array<{ file: string; error: string }>;
}

export type PartCounts = PartMarker['counts'];

/** Add a part's counts into a running total. */
export function addPartCounts(into: PartCounts, m: PartMarker): void {
  into.input += m.counts.input;
  into.analyzed += m.counts.analyzed;
  into.quarantined += m.counts.quarantined;
  for (const [r, n] of Object.entries(m.counts.rejected)) into.rejected[r] = (into.rejected[r] ?? 0) + n;
}

export function shardDirName(index: number, count: number): string {
  return `shard-${String(index).padStart(5, '0')}-of-${String(count).padStart(5, '0')}`;
}

export function partBase(part: number): string {
  return `part-${String(part).padStart(6, '0')}`;
}

export function hashJson(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex');
}

const quotedKeys = new Map<string, string>();
function quoteKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quotedKeys.size < 4096) quotedKeys.set(k, q); // analysis records have a few dozen distinct keys
  }
  return q;
}

/** Whether `a` holds only primitives and arrays (at any depth): JSON.stringify writes it as stableStringify does. */
function arraysOnly(a: readonly unknown[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x !== null && typeof x === 'object' && !(Array.isArray(x) && arraysOnly(x))) return false;
  }
  return true;
}

/**
 * JSON with sorted object keys (stable across runs and engines); keys whose value is undefined are left out, as
 * JSON.stringify does. It writes every analysis record, so it is built for speed: whatever JSON.stringify writes
 * the same way goes through it in one call (an array of primitives and arrays; a plain object whose keys are in
 * order and whose values are primitives or such arrays), and keys already in order are not sorted again.
 */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    if (arraysOnly(value)) return JSON.stringify(value);
    let s = '[';
    for (let j = 0; j < value.length; j++) s += (j ? ',' : '') + stableStringify(value[j]);
    return `${s}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  let sorted = true;
  let flat = true; // every value a string, number, boolean, null, undefined or an array of those and arrays
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && keys[i - 1]! > keys[i]!) sorted = false;
    const v = obj[keys[i]!];
    const t = typeof v;
    if (!(v === null || t === 'string' || t === 'number' || t === 'boolean' || t === 'undefined'))
      if (!(Array.isArray(v) && arraysOnly(v))) flat = false;
  }
  const proto = Object.getPrototypeOf(obj);
  if (sorted && flat && (proto === Object.prototype || proto === null)) return JSON.stringify(obj);
  if (!sorted) keys.sort();
  let s = '{';
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    s += `${s.length > 1 ? ',' : ''}${quoteKey(k)}:${stableStringify(v)}`;
  }
  return `${s}}`;
}

/**
 * A chat message with its keys in sorted order, for analysis records written by one JSON.stringify call (the
 * bytes stableStringify writes). Readers build `{role, content}`; any other key is kept, nested values canonical.
 */
export function sortedMessage(m: ChatMessage): ChatMessage {
  const keys = Object.keys(m);
  if (keys.length === 2 && typeof m.role === 'string' && typeof m.content === 'string')
    return { content: m.content, role: m.role };
  const out: Record<string, unknown> = {};
  for (const k of keys.sort()) {
    const v = (m as unknown as Record<string, unknown>)[k];
    out[k] = v !== null && typeof v === 'object' ? JSON.parse(stableStringify(v)) : v;
  }
  return out as unknown as ChatMessage;
}

/** A committed part of a shard directory: its marker and the paths of its data files (`base`: the marker's name). */
export function analysisPart(dir: string, marker: PartMarker, base = partBase(marker.part)): AnalysisPart {
  return {
    dir,
    marker,
    recordsPath: join(dir, `${base}.records.jsonl.gz`),
    outcomesPath: join(dir, `${base}.outcomes.jsonl`),
  };
}

export function readMarker(path: string): PartMarker | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as PartMarker;
    if (m.format !== ANALYSIS_FORMAT) return undefined;
    return m;
  } catch {
    return undefined;
  }
}

export interface AnalysisPart {
  dir: string;
  marker: PartMarker;
  recordsPath: string;
  outcomesPath: string;
}

/**
 * Every part of a complete analysis, sorted by (shard, part); refuses an incomplete, overlapping or
 * mixed one in one line (src/analysis/integrity.ts; `openAnalysis` for --allow-partial).
 */
export function listAnalysisParts(dirs: readonly string[]): AnalysisPart[] {
  return openAnalysis(dirs).parts;
}

const gunzipAsync = promisify(gunzip);

/** The one-line refusal for a part file that is missing or is not what its marker recorded. */
export function damagedPart(part: AnalysisPart, file: string, why: string): CodeblockError {
  const { index, count } = part.marker.shard;
  return new CodeblockError(
    `analysis part damaged: shard ${index}/${count} part ${part.marker.part} in ${part.dir}: ${file} ${why}; ` +
      'run the same `codeblock analyze` command again (it re-analyzes only the damaged parts)',
    'E_ANALYSIS',
  );
}

/**
 * A part's data file, read whole and checked against the size and sha256 its marker recorded (the one read that
 * every consumer makes: no second pass). Throws `damagedPart` when it is missing, unlisted or differs.
 */
export async function readPartFile(part: AnalysisPart, path: string): Promise<Uint8Array> {
  return readPartBytes(part, path);
}

/** readPartFile as a Buffer (internal: the public types name no Node-only type). */
async function readPartBytes(part: AnalysisPart, path: string): Promise<Buffer> {
  const name = basename(path);
  const entry = part.marker.files.find((f) => f.path === name);
  if (!entry) throw damagedPart(part, name, 'is not listed in its marker');
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw damagedPart(
      part,
      name,
      code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? (e as Error).message})`,
    );
  }
  if (buf.length !== entry.bytes)
    throw damagedPart(part, name, `has ${buf.length} bytes, its marker says ${entry.bytes}`);
  if (createHash('sha256').update(buf).digest('hex') !== entry.sha256) {
    throw damagedPart(part, name, 'does not match the sha256 in its marker');
  }
  return buf;
}

/** The records file of one part (JSONL bytes), verified, then decompressed off the main thread (libuv's pool). */
async function loadPartRecords(part: AnalysisPart): Promise<Buffer> {
  const gz = await readPartBytes(part, part.recordsPath);
  try {
    // 4 MiB output chunks: a part (~3 MB of JSON) in one or two round trips, not 16 KB ones
    return await gunzipAsync(gz, { chunkSize: 1 << 22 });
  } catch (e) {
    throw damagedPart(part, basename(part.recordsPath), `cannot be decompressed (${(e as Error).message})`);
  }
}

/** JSON.parse of one line of a part file; a line that does not parse is a damaged part, never a stack trace. */
function parseLine<T>(part: AnalysisPart, path: string, buf: Buffer, at: number, end: number): T {
  try {
    return JSON.parse(buf.toString('utf8', at, end)) as T;
  } catch {
    throw damagedPart(part, basename(path), `holds a line that is not JSON at byte ${at}`);
  }
}

/**
 * The analyzed records of `parts`, in order, each part's file verified against its marker as it is read. Each
 * part's file is read and decompressed whole, off the main thread, while the records of the part before it are
 * parsed and consumed (one part ahead: a few MB). Lines are decoded one at a time: an ASCII line becomes a one-byte
 * string, which JSON.parse reads faster, where decoding the whole part at once makes every line two-byte as soon as
 * one character is not ASCII.
 */
export async function* readPartsRecords(parts: readonly AnalysisPart[]): AsyncGenerator<AnalysisRecord> {
  let next = parts.length ? loadPartRecords(parts[0]!) : undefined;
  for (let i = 0; i < parts.length; i++) {
    const buf = await next!;
    next = i + 1 < parts.length ? loadPartRecords(parts[i + 1]!) : undefined;
    next?.catch(() => undefined); // awaited at the next part; never unhandled when the caller stops early
    yield* recordsOfBuffer(parts[i]!, buf);
  }
}

/** The records of a part's decompressed records file (already verified). */
export function* recordsOfBuffer(part: AnalysisPart, bytes: Uint8Array): Generator<AnalysisRecord> {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < buf.length; ) {
    let end = buf.indexOf(10, at);
    if (end < 0) end = buf.length;
    if (end > at) yield parseLine<AnalysisRecord>(part, part.recordsPath, buf, at, end);
    at = end + 1;
  }
}

/** A part's rejected and quarantined records, its file verified against its marker as it is read. */
export async function* readPartOutcomes(part: AnalysisPart): AsyncGenerator<AnalysisOutcome> {
  const buf = await readPartBytes(part, part.outcomesPath);
  for (let at = 0; at < buf.length; ) {
    let end = buf.indexOf(10, at);
    if (end < 0) end = buf.length;
    if (end > at) yield parseLine<AnalysisOutcome>(part, part.outcomesPath, buf, at, end);
    at = end + 1;
  }
}

/**
 * Every data file of a committed part read and checked against its marker (resume, before it reuses a part): one
 * read of each, no parse. With `records`, the part's analyzed records too (from the same read). Throws `damagedPart`.
 */
export async function verifyPart(part: AnalysisPart, opts: { records?: boolean } = {}): Promise<AnalysisRecord[]> {
  for (const f of part.marker.files) {
    const path = join(part.dir, f.path);
    if (path !== part.recordsPath || !opts.records) await readPartFile(part, path);
  }
  if (!part.marker.files.some((f) => join(part.dir, f.path) === part.recordsPath)) {
    throw damagedPart(part, basename(part.recordsPath), 'is not listed in its marker');
  }
  return opts.records ? [...recordsOfBuffer(part, await loadPartRecords(part))] : [];
}
