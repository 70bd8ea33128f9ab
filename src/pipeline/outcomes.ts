/**
 * The one shape of a record's rejection (rejected.jsonl / quarantine.jsonl rows, docs/output.md):
 * every stage builds it here, so the key order of the written lines cannot drift.
 */
import type { AnalysisOutcome } from '../analysis/format.js';
import type { CodeRecord, RejectReason } from '../types.js';

/** Where a record came from, as outcome lines name it. */
export interface RecordOrigin {
  id?: string;
  ordinal: number;
  file?: string;
  line?: number;
}

/** A record that left the pipeline, with where it came from and why. */
export interface OutcomeLine extends RecordOrigin {
  reason: string;
  detail: string;
}

/** Analysis-stage rejection of an input record. */
export function rejectedRecord(r: CodeRecord, reason: RejectReason, detail: string): AnalysisOutcome {
  return { status: 'rejected', id: r.id, ordinal: r.ordinal, file: r.source.file, line: r.source.line, reason, detail };
}

/** Select-stage rejection of an analysis record. */
export function rejection(r: RecordOrigin, reason: string, detail: string): OutcomeLine {
  return { id: r.id, ordinal: r.ordinal, file: r.file, line: r.line, reason, detail };
}

/** One JSONL line of rejected.jsonl / quarantine.jsonl. */
export function outcomeJsonLine(o: OutcomeLine): string {
  const { id, ordinal, file, line, reason, detail } = o;
  return `${JSON.stringify({ id, ordinal, file, line, reason, detail })}\n`;
}
