/**
 * Unicode code point helpers. Public offsets in codeblock are code point offsets (Python's
 * `s[start:end]`); JavaScript strings index UTF-16 code units. A lone surrogate counts as one
 * code point (as in Python, where it is one `str` element).
 */

/** Number of code points in `s`. */
export function cpLength(s: string): number {
  let n = 0;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * Map from code point index to UTF-16 index: `out[k]` is the UTF-16 index of code point `k`,
 * `out[cpLength(s)] = s.length`.
 */
export function cpToUtf16Map(s: string): Uint32Array {
  const len = s.length;
  const out = new Uint32Array(cpLength(s) + 1);
  let k = 0;
  for (let i = 0; i < len; i++) {
    out[k++] = i;
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  out[k] = len;
  return out;
}

/** `s` sliced by code point offsets `[start, end)` (Python's `s[start:end]` for 0 ≤ start ≤ end). */
export function cpSlice(s: string, start: number, end: number, map?: Uint32Array): string {
  const m = map ?? cpToUtf16Map(s);
  const n = m.length - 1;
  const a = Math.max(0, Math.min(n, start));
  const b = Math.max(a, Math.min(n, end));
  return s.slice(m[a], m[b]);
}
