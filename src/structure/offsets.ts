/**
 * Code point ↔ UTF-16 offsets under the structure stage's names. The one implementation is
 * src/tokenize/codepoints.ts (public offsets are code points; JS strings index UTF-16 units).
 */
export {
  cpToUtf16Map as codePointIndex,
  cpLength as codePointLength,
  cpSlice as sliceCodePoints,
} from '../tokenize/codepoints.js';
