/** Structure analysis (docs/structure.md): segments, coding items, core ranges, def-use, reach/bridge. */
export * from './types.js';
export {
  analyzeStructureBatch,
  nativeOptions,
  decodeColumns,
  decodeRecord,
  parseOnlyBatch,
  parseOnlyTotals,
  type ParseOnlyColumns,
  type ParseOnlyTotals,
  type StructureColumns,
} from './native.js';
export { StructurePool, analyzeStructure, analyzeStructureText, type ItemsTextBatch } from './pool.js';
export { codePointIndex, codePointLength, sliceCodePoints } from './offsets.js';
export { itemsLine } from './items.js';
export { registeredLanguages, itemizedLanguages, findLanguage, type LanguageInfo } from './languages.js';
