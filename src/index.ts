/**
 * codeblock's public API, grouped by pipeline stage. Every name here is documented, with a sample
 * cut from a test, in docs/api.md (a test checks that the two lists are the same); everything else
 * under src/ is internal.
 */

// Errors: every user-facing failure is a CodeblockError with one code (docs/troubleshooting.md).
export { CodeblockError, isCodeblockError, ERROR_EXIT_CODES, type ErrorCode } from './errors.js';

// Config: the option table and resolved configs (docs/config.md).
export {
  resolveConfig,
  loadConfigFile,
  defaultConfig,
  OPTIONS,
  MODES,
  FORMATS,
  type CodeblockConfig,
  type Command,
  type Mode,
  type OptionSpec,
} from './config/index.js';

// Extension points: one table each (docs/architecture.md).
export { MODE_TABLE, type ModeSpec, type ModeUnit } from './budget/modes.js';
export { FORMAT_TABLE, type FormatSpec } from './output/formats.js';
export { PRESET_TABLE, type PresetSpec } from './io/presets.js';
export { registeredLanguages, type LanguageInfo } from './structure/languages.js';

// Records: reading input pools (docs/formats.md).
export { readRecords, type ReadOptions } from './io/index.js';
export type { ReadEvent } from './io/events.js';
export { PRESETS } from './types.js';
export type { CodeRecord, ChatMessage, Preset, QuarantineReason, RejectReason } from './types.js';

// Pipeline: the two passes and both together (docs/pipeline.md).
export { run, type RunHooks, type RunResult } from './pipeline/run.js';
export { analyze, type AnalyzeHooks, type AnalyzeSummary } from './pipeline/analyze.js';
export { select, type SelectHooks, type SelectSummary } from './pipeline/select.js';

// Structure: segments, coding items, def-use edges, reach and bridge (docs/structure.md).
export { items, type ItemsConfig, type ItemsCounts, type ItemsHooks } from './pipeline/items.js';
export { analyzeStructure, analyzeStructureBatch, StructurePool, itemsLine } from './structure/index.js';
export type { BatchOutcome, ItemsLine, StructureOptions, StructureResult } from './structure/index.js';
export { graphMetrics, type GraphMetrics } from './graph/index.js';

// Scoring: the reference LM and item utilities (docs/scoring.md).
export { Scorer, itemUtilities, proseTokenUtilities } from './scoring/index.js';
export type { RecordScores, ScoreInput, ScorerOptions } from './scoring/index.js';

// Masks and packs: label masks, best-fit-decreasing packing, pack assembly (docs/packing.md).
export { TargetTokenizer } from './tokenize/index.js';
export { labelMask, encodeMaskBits, decodeMaskBits } from './masks/index.js';
export type { LabelMaskBatch, LabelMaskResult, MaskBits } from './masks/index.js';
export { packBFD, assemblePacks, packViews, cuSeqlens, IGNORE_INDEX } from './pack/index.js';
export type { PackPlan, PackSamples, PackedBatch } from './pack/index.js';
export type { Pack } from './types.js';

// Loading packs for training (docs/formats.md).
export { loadPacks, countPacks, type LoadPacksOptions, type PackBatch } from './loader/index.js';

// Inspect: what is supervised, as data, text or HTML (docs/inspect.md).
export { inspect, type InspectOptions } from './inspect/collect.js';
export { resolveRuns, collect, runSamples, renderSample, renderSummary, renderReport } from './inspect/index.js';
export type { Collected, SamplePick, InspectSample, InspectItem, RunInfo, RunSummary } from './inspect/index.js';

// Deploy: Slurm job arrays (docs/scaling.md).
export { planSlurm, writeSlurmScripts, type SlurmJobSpec, type SlurmPlan } from './deploy/index.js';

// Generator: seeded OpenCodeInstruct-shaped pools for tests and benchmarks (examples/README.md).
export { generatePool, type GeneratePoolOptions, type GeneratePoolResult } from './gen/index.js';

// The C++ addon (src/addon.ts) and the package version.
export { native, type NativeAddon } from './native.js';
export { version } from './version.js';
