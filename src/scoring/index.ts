export { EMBEDDED_MODELS, EMBEDDED_CHOICES, resolveEmbeddedModel, type EmbeddedChoice } from './embedded.js';
export { Scorer, DEFAULT_MODEL_DIR, DEVICES, meanNll } from './scorer.js';
export type {
  ScorerOptions,
  ScoreInput,
  PreparedScoring,
  ScoringRow,
  RecordScores,
  ScoreStats,
  ScoreNote,
  Template,
  Device,
  OverflowPolicy,
} from './scorer.js';
export {
  gce,
  gceFromLogprob,
  tokenUtilities,
  itemUtilities,
  proseTokenUtilities,
  tokensOverlapping,
  DEFAULT_Q,
} from './utility.js';
export type { Span, ScoredTokens, Reduce, UtilityOptions, ItemUtility, ProseToken } from './utility.js';
export { planBatches } from './batching.js';
export type { BatchPlan } from './batching.js';
export {
  prepareModel,
  fuseLogprobHead,
  inspectModelBytes,
  defaultCacheDir,
  LOGPROBS_OUTPUT,
  FUSION_VERSION,
} from './fuse.js';
export type { PreparedModel } from './fuse.js';
export type { ModelInterface } from './onnx-proto.js';
