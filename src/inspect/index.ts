/** `codeblock inspect`: what was supervised, and why — in the terminal and as an HTML report. */
export {
  resolveRuns,
  runSamples,
  runKnobs,
  runAnalysisConfig,
  inspectItems,
  attachTokens,
  locateResponse,
  finalizeStatuses,
  ThresholdTracker,
} from './load.js';
export { collect, supervisedRanges } from './collect.js';
export type { Collected, CollectOptions, SamplePick, RunSampleView } from './collect.js';
export { SummaryBuilder, UTILITY_BINS, SATURATION } from './summary.js';
export type { RunSummary, Histogram, TypeShare, UtilityView, RunThreshold } from './summary.js';
export { renderSample, renderSummary, renderResponse, renderUtility, visible } from './terminal.js';
export type { TerminalOptions } from './terminal.js';
export { renderReport, scriptJson } from './html.js';
export type { ReportOptions } from './html.js';
export { histogramSvg, barsSvg } from './svg.js';
export { STATUS_TEXT } from './types.js';
export type { InspectItem, InspectSample, ItemStatus, RunInfo, SampleState } from './types.js';
