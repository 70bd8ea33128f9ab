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
export {
  resolveBundledTokenizer,
  resolveTokenizerSpec,
  bundledTokenizerNames,
  isBundledTokenizer,
} from './bundled.js';
export type { BundledTokenizer } from './bundled.js';
export { checkRoundTrip } from './roundtrip.js';
export type { RoundTripInput, RoundTripResult, RoundTripRun } from './roundtrip.js';
export { cpLength, cpSlice, cpToUtf16Map } from './codepoints.js';
