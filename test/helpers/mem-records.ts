import type { CodeRecord } from '../../src/types.js';

/** In-memory records of bare responses (magicoder preset, no prompt), ids `${prefix}${i}` in order. */
export function memRecords(responses: readonly string[], prefix = 'r'): CodeRecord[] {
  return responses.map((response, i) => ({
    id: `${prefix}${i}`,
    ordinal: i,
    source: { file: 'mem', line: i + 1 },
    preset: 'magicoder',
    prompt: [],
    response,
    meta: {},
  }));
}
