/**
 * codeblock public API. Everything a library user needs is exported from here.
 */
export { CodeblockError, isCodeblockError } from './errors.js';
export type { CodeRecord, ChatMessage, Preset, QuarantineEntry, QuarantineReason, RejectReason, Pack } from './types.js';
export { PRESETS } from './types.js';
export { resolveConfig, loadConfigFile, defaultConfig, parseShard, OPTIONS, MODES, FORMATS, type CodeblockConfig } from './config/index.js';
export { PairFilter, pairHash, testScore, judgementScores, type PairFilterConfig, type FilterVerdict } from './select/filters.js';
export { ScoreHistogram, BudgetGate, scoreBin, type BudgetCut } from './budget/threshold.js';
export { native } from './native.js';
export * from './masks/index.js';
export * from './pack/index.js';
export * from './scoring/index.js';
export * from './tokenize/index.js';
export * from './output/index.js';
export * from './loader/index.js';
export * from './io/index.js';
export { generatePool, findPythonStdlib, OCI_COLUMNS, type GeneratePoolOptions, type GeneratePoolResult, type PoolFormat } from './gen/index.js';
export * from './structure/index.js';
export * from './graph/index.js';
export { planSlurm, submitSlurm, writeSlurmScripts, slurmCommandLines, parseArraySpec, SLURM_TEMPLATES_DIR, type SlurmJobSpec, type SlurmPlan, type SlurmResources, type SlurmSubmission, type SbatchOptions } from './deploy/index.js';
export { resolveRuns, runSamples, collect, renderReport, renderSample, renderSummary } from './inspect/index.js';
export type { InspectSample, InspectItem, ItemStatus, RunInfo, RunSummary, Collected } from './inspect/index.js';
