import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readRecords, type ReadOptions } from '../../src/io/index.js';
import { PACKAGE_ROOT } from '../../src/native.js';
import type { CodeRecord, QuarantineEntry } from '../../src/types.js';

export const FIXTURES = resolve(PACKAGE_ROOT, 'test', 'fixtures', 'io');
export const SHARED_DATA = resolve(PACKAGE_ROOT, '..', 'shared', 'data');

export interface Collected {
  records: CodeRecord[];
  quarantine: QuarantineEntry[];
  fileErrors: { file: string; error: string }[];
  /** Event order: 'r' / 'q' / 'f' per event. */
  order: string;
}

export async function collect(paths: string[], opts?: ReadOptions): Promise<Collected> {
  const out: Collected = { records: [], quarantine: [], fileErrors: [], order: '' };
  for await (const ev of readRecords(paths, opts)) {
    if (ev.type === 'record') {
      out.records.push(ev.record);
      out.order += 'r';
    } else if (ev.type === 'quarantine') {
      out.quarantine.push(ev.entry);
      out.order += 'q';
    } else {
      out.fileErrors.push({ file: ev.file, error: ev.error });
      out.order += 'f';
    }
  }
  return out;
}

/** A temp dir removed by the returned cleanup. */
export function tempDir(prefix = 'codeblock-io-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Sorted reason counts, e.g. { bad_json: 2, truncated: 1 }. */
export function reasons(q: QuarantineEntry[]): Record<string, number> {
  const m: Record<string, number> = {};
  for (const e of q) m[e.reason] = (m[e.reason] ?? 0) + 1;
  return Object.fromEntries(Object.entries(m).sort());
}
