/**
 * Stage 1 (DESIGN §1): streaming record readers with bounded memory.
 *
 *   for await (const ev of readRecords(['pool.jsonl.zst', 'oci.parquet'])) {
 *     if (ev.type === 'record') …ev.record…
 *     else if (ev.type === 'quarantine') quarantine.write(ev.entry);
 *     else console.error(`${ev.file}: ${ev.error}`);
 *   }
 */
export type { ReadEvent } from './events.js';
export {
  readRecords,
  readRecordBatches,
  checkInputs,
  countInput,
  DEFAULT_MAX_LINE_BYTES,
  type ReadOptions,
  type InputInfo,
} from './read.js';
export { detectPreset, detectPresetFromKeys, requiredFields } from './presets.js';
export { QuarantineWriter } from './quarantine.js';
export { detectFormat, type InputFormat } from './format.js';
export { parseOciMeta, type OciScores } from './oci.js';
