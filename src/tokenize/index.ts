export { TargetTokenizer, concatEncodings } from './target.js';
export type {
  TargetTokenizerOptions,
  TemplateSpec,
  Encoded,
  EncodedConversation,
  TemplateFailure,
  TokenizerDescription,
} from './target.js';
export {
  ChatTemplate,
  renderPlain,
  responseSpanToText,
  chatTemplateFromConfig,
  specialTokenVariables,
} from './template.js';
export type { RenderedConversation, ChatTemplateOptions } from './template.js';
export { resolvePreset, resolveTokenizerSpec, presetNames, isPresetName } from './presets.js';
export type { PresetInfo } from './presets.js';
export { checkRoundTrip } from './roundtrip.js';
export type { RoundTripInput, RoundTripResult, RoundTripRun } from './roundtrip.js';
export { cpLength, cpSlice, cpToUtf16Map } from './codepoints.js';
