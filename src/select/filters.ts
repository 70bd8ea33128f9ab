/**
 * Pair selection (DESIGN §2): sample-level filters, each with a reason code.
 *
 * Order (documented in docs/pipeline.md): `malformed` (the readers' quarantine), then the cheap
 * text/metadata checks `empty`, `response_too_long`, `tests`, `judgement`, `duplicate` (exact), then
 * `no_code` (which needs the parse). Cheap checks go first so that a 20 MB response is never parsed.
 * Near-duplicates (`--dedup minhash`) are decided globally in `select` (src/select/dedup.ts) from the
 * signatures analyze stores, so the outcome does not depend on the shard layout.
 * `pairFilter: 'off'` keeps every readable pair except empty ones — the ablation of the
 * pair-selection stage; `no_code` then applies only to item modes, in `select`.
 */
import { createHash } from 'node:crypto';
import { HashSet64 } from '../util/hash-set64.js';
import type { CodeblockConfig } from '../config/options.js';
import type { CodeRecord, RejectReason } from '../types.js';
import { fnv1a } from '../util/hash.js';

/** The config keys the pair filters read (types from the option table, docs/config.md). */
export type PairFilterConfig = Pick<
  CodeblockConfig,
  'pairFilter' | 'maxResponseChars' | 'minTestScore' | 'minJudgement' | 'dedup' | 'minhashThreshold'
>;

export interface FilterVerdict {
  reason: RejectReason;
  detail: string;
}

/** Parse OCI's `average_test_score` (number or numeric string). */
export function testScore(meta: Record<string, unknown>): number | undefined {
  const v = meta.average_test_score;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  const st = meta.tests_execution_status;
  let list: unknown = st;
  if (typeof st === 'string') {
    try {
      list = JSON.parse(st);
    } catch {
      list = st.split(/[,\s]+/).filter(Boolean);
    }
  }
  if (Array.isArray(list) && list.length > 0) {
    const pass = list.filter((s) => typeof s === 'string' && /^pass/i.test(s.replace(/['"]/g, ''))).length;
    return pass / list.length;
  }
  return undefined;
}

/** OCI `llm_judgement`: a JSON object (or its string) of criteria → {score|Score} or numbers. */
export function judgementScores(meta: Record<string, unknown>): Array<[string, number]> {
  let j: unknown = meta.llm_judgement;
  if (typeof j === 'string') {
    try {
      j = JSON.parse(j);
    } catch {
      return [];
    }
  }
  if (!j || typeof j !== 'object' || Array.isArray(j)) return [];
  const out: Array<[string, number]> = [];
  for (const [k, v] of Object.entries(j as Record<string, unknown>)) {
    let s: unknown = v;
    if (v && typeof v === 'object') s = (v as Record<string, unknown>).score ?? (v as Record<string, unknown>).Score;
    const n = typeof s === 'string' ? Number(s) : s;
    if (typeof n === 'number' && Number.isFinite(n)) out.push([k, n]);
  }
  return out;
}

/** Normalized instruction+response text used for duplicate detection. */
export function normalizePair(record: Pick<CodeRecord, 'prompt' | 'response'>): string {
  const prompt = record.prompt.map((m) => `${m.role}:${m.content}`).join('\n');
  return `${prompt}\u0000${record.response}`.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** 64-bit hex hash of the normalized pair. */
export function pairHash(record: Pick<CodeRecord, 'prompt' | 'response'>): string {
  return createHash('sha256').update(normalizePair(record)).digest('hex').slice(0, 16);
}

const pairHashes = new WeakMap<object, string>();

/**
 * pairHash of a record object, computed once: analyze needs it in the pair filter and again in the analysis record.
 * Records are never changed after they are read, so the object stands for its text.
 */
export function pairHashOf(record: Pick<CodeRecord, 'prompt' | 'response'>): string {
  let h = pairHashes.get(record);
  if (h === undefined) {
    h = pairHash(record);
    pairHashes.set(record, h);
  }
  return h;
}

/** The one wording of an exact-duplicate rejection (analyze per shard and select globally must agree byte for byte). */
export function duplicateDetail(hash: string): string {
  return `same normalized pair as an earlier record (hash ${hash})`;
}

const MH_BANDS = 16;
const MH_ROWS = 4;
const MH_PERMS = MH_BANDS * MH_ROWS;

/** MinHash signature over 5-word shingles (64 permutations via seeded FNV). */
export function minhash(text: string): Uint32Array {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const sig = new Uint32Array(MH_PERMS).fill(0xffffffff);
  const n = Math.max(1, words.length - 4);
  for (let i = 0; i < n; i++) {
    const sh = words.slice(i, i + 5).join(' ');
    const base = fnv1a(sh, 0);
    for (let p = 0; p < MH_PERMS; p++) {
      const h = (Math.imul(base ^ (p * 0x9e3779b1), 0x85ebca6b) ^ (p * 0xc2b2ae35)) >>> 0;
      const m = (h ^ (h >>> 13)) >>> 0;
      if (m < sig[p]!) sig[p] = m;
    }
  }
  return sig;
}

/** A signature as stored in analysis files: base64 of its 64 little-endian uint32 values. */
export function encodeMinhash(sig: Uint32Array): string {
  const b = Buffer.alloc(sig.length * 4);
  for (let i = 0; i < sig.length; i++) b.writeUInt32LE(sig[i]!, 4 * i);
  return b.toString('base64');
}

export function decodeMinhash(s: string): Uint32Array {
  const b = Buffer.from(s, 'base64');
  if (b.length !== MH_PERMS * 4) {
    throw new RangeError(`MinHash signature has ${b.length} bytes, expected ${MH_PERMS * 4}`);
  }
  const sig = new Uint32Array(MH_PERMS);
  for (let i = 0; i < MH_PERMS; i++) sig[i] = b.readUInt32LE(4 * i);
  return sig;
}

export function jaccardEstimate(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** Exact-duplicate wording is shared by analyze and select; this is the near-duplicate one. */
export function nearDuplicateDetail(j: number): string {
  return `near-duplicate (MinHash Jaccard ≈ ${j.toFixed(2)}) of an earlier record`;
}

/**
 * LSH index of MinHash signatures (16 bands × 4 rows): feed signatures in input order; a signature
 * within `threshold` of an earlier kept one is a near-duplicate and is not kept itself.
 */
export class MinhashIndex {
  private readonly bands = new Map<string, number[]>();
  private readonly sigs: Uint32Array[] = [];
  constructor(private readonly threshold: number) {}

  /** Jaccard estimate of the earliest kept near-duplicate, or null (then `sig` is kept). */
  offer(sig: Uint32Array): number | null {
    const idx = this.sigs.length;
    const candidates = new Set<number>();
    const keys: string[] = [];
    for (let b = 0; b < MH_BANDS; b++) {
      const key = `${b}:${Array.from(sig.subarray(b * MH_ROWS, (b + 1) * MH_ROWS)).join(',')}`;
      keys.push(key);
      for (const c of this.bands.get(key) ?? []) candidates.add(c);
    }
    for (const c of [...candidates].sort((a, b) => a - b)) {
      const j = jaccardEstimate(sig, this.sigs[c]!);
      if (j >= this.threshold) return j;
    }
    this.sigs.push(sig);
    for (const key of keys) {
      const list = this.bands.get(key);
      if (list) list.push(idx);
      else this.bands.set(key, [idx]);
    }
    return null;
  }
}

/**
 * Stateful filter (it remembers hashes for `duplicate`): feed every record of the input in ordinal
 * order — analyze feeds the records of other shards too, so exact duplicates are decided the same
 * way for any shard layout. Near-duplicates are not decided here (see MinhashIndex, used by select).
 */
export class PairFilter {
  private readonly seen = new HashSet64();

  constructor(private readonly cfg: PairFilterConfig) {}

  /** First failing filter for the record, or null when it passes. */
  check(record: CodeRecord): FilterVerdict | null {
    const cfg = this.cfg;
    if (record.response.trim() === '') return { reason: 'empty', detail: 'response is empty or whitespace' };
    if (cfg.pairFilter === 'off') return null;
    if (record.response.length > cfg.maxResponseChars) {
      const n = record.response.length;
      const detail = `response has ${n} UTF-16 units > maxResponseChars ${cfg.maxResponseChars}`;
      return { reason: 'response_too_long', detail };
    }
    if (record.preset === 'oci') {
      const ts = testScore(record.meta);
      if (ts !== undefined && ts < cfg.minTestScore)
        return { reason: 'tests', detail: `average_test_score ${ts} < ${cfg.minTestScore}` };
      for (const [k, v] of judgementScores(record.meta)) {
        if (v < cfg.minJudgement)
          return { reason: 'judgement', detail: `llm_judgement "${k}" ${v} < ${cfg.minJudgement}` };
      }
    }
    if (cfg.dedup !== 'off') {
      const h = pairHashOf(record);
      if (this.seen.has(h)) return { reason: 'duplicate', detail: duplicateDetail(h) };
      this.seen.add(h);
    }
    return null;
  }
}
