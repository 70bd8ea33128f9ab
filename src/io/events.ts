import type { CodeRecord, QuarantineEntry } from './record.js';

/** What the readers emit, in input order. */
export type ReadEvent =
  | { type: 'record'; record: CodeRecord }
  | { type: 'quarantine'; entry: QuarantineEntry }
  /** A whole file (or the rest of it) could not be read; records before the damage were emitted. */
  | { type: 'file_error'; file: string; error: string };

/** Shared across the files of one read: the global ordinal counter. */
export interface ReadState {
  ordinal: number;
}
