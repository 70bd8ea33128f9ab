/**
 * Pair selection (DESIGN §2): sample-level filters, each with a reason code.
 *
 * Order (documented in docs/pipeline.md): `malformed` (the readers' quarantine), then the cheap
 * text/metadata checks `empty`, `response_too_long`, `tests`, `judgement`, `duplicate` (exact), then
 * `no_code` (which needs the parse). Cheap checks go first so that a 20 MB response is never parsed.
 * Near-duplicates (`--dedup minhash`) are decided globally in `select` (src/pipeline/dedup.ts) from the
 * signatures analyze stores, so the outcome does not depend on the shard layout.
 * `pairFilter: 'off'` keeps every readable pair except empty ones — the ablation of the
 * pair-selection stage; `no_code` then applies only to item modes, in `select`.
 */
import { createHash } from 'node:crypto';
import { HashSet64 } from '../util/hash-set64.js';
import type { CodeRecord, RejectReason } from '../types.js';

/** The config keys the pair filters read (a resolved `CodeblockConfig` has them; docs/config.md). */
export interface PairFilterConfig {
  pairFilter: 'on' | 'off';
  maxResponseChars: number;
  minTestScore: number;
  minJudgement: number;
  dedup: 'exact' | 'minhash' | 'off';
  minhashThreshold: number;
}

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
