/**
 * Optional fields of an analysis record (src/analysis/format.ts): the MinHash signature for
 * select's global near-duplicate pass, and, with `--pair-filter off`, why item modes reject it.
 */
import type { CodeRecord, RejectReason } from '../types.js';
import type { StructureResult } from '../structure/types.js';
import type { FilterVerdict } from '../filters/pair.js';
import { normalizePair } from '../filters/pair.js';
import { encodeMinhash, minhash } from '../filters/minhash.js';

export function analyzedRecordExtras(
  record: CodeRecord,
  cfg: { dedup: string; pairFilter: string },
  itemReject: FilterVerdict | undefined,
): { minhash?: string; itemReject?: { reason: RejectReason; detail: string } } {
  return {
    ...(cfg.dedup === 'minhash' && cfg.pairFilter !== 'off'
      ? { minhash: encodeMinhash(minhash(normalizePair(record))) }
      : {}),
    // keys in sorted order: analyze writes the record with one JSON.stringify (see commitPart)
    ...(itemReject ? { itemReject: { detail: itemReject.detail, reason: itemReject.reason } } : {}),
  };
}

const NO_STRUCTURE: StructureResult = { segments: [], items: [], edges: [], reach: [], bridge: [], prose: [] };

/** A record the structure stage could not analyze, kept without items under `--pair-filter off`. */
export function deferredItemReject(
  record: CodeRecord,
  reason: RejectReason,
  detail: string,
): { record: CodeRecord; result: StructureResult; itemReject: FilterVerdict } {
  return { record, result: NO_STRUCTURE, itemReject: { reason, detail } };
}
