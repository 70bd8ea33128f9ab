export { OutputWriter } from './writer.js';
export type { OutputWriterOptions, OutputSummary } from './writer.js';
export { ParquetPackWriter, PARQUET_SCHEMA } from './parquet.js';
export type { ParquetPackWriterOptions } from './parquet.js';
export { BinPackWriter, parseBinIndex, BIN_MAGIC, BIN_VERSION } from './bin.js';
export type { BinIndex, BinPackWriterOptions } from './bin.js';
export { JsonlSampleWriter, sampleRowToJson } from './jsonl.js';
export {
  buildManifest,
  validateManifest,
  writeManifest,
  manifestToJson,
  sortKeysDeep,
  MANIFEST_SCHEMA_VERSION,
} from './manifest.js';
export type { Manifest, ManifestInput } from './manifest.js';
export { AtomicFile, writeFileAtomic } from './atomic.js';
export type { WrittenFile } from './atomic.js';
export { validatePack, validateSampleRow } from './validate.js';
export { FILE_NAMES } from './types.js';
export { FORMAT_TABLE, OUTPUT_FORMATS, formatSpec, type FormatSpec } from './formats.js';
export type { OutputFormat, SampleRow, SelectedSpan, OutputFile } from './types.js';
