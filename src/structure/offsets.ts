/** Code point ↔ UTF-16 offsets (public offsets are code points; JS strings index UTF-16 units). */

/** utf16[cp] = UTF-16 index of code point `cp` in `text`; length = code points + 1. */
export function codePointIndex(text: string): Uint32Array {
  const out = new Uint32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    out[cp++] = i;
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  out[cp] = text.length;
  return out.subarray(0, cp + 1);
}

/** Number of code points in `text`. */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** `text[start:end]` in code points (Python slicing semantics for in-range offsets). */
export function sliceCodePoints(text: string, start: number, end: number, index?: Uint32Array): string {
  const idx = index ?? codePointIndex(text);
  const n = idx.length - 1;
  const s = Math.max(0, Math.min(n, start));
  const e = Math.max(s, Math.min(n, end));
  return text.slice(idx[s], idx[e]);
}
