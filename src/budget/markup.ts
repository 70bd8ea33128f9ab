/**
 * Markdown markup of a response's prose (DESIGN §7): the characters that are syntax, not words, so that no
 * prose token holding one is ever an informative-NL candidate. A line scanner, not a full CommonMark parser:
 * it marks what responses of instruction data actually hold.
 *
 *   whole lines   fence lines (``` / ~~~ with their info string), thematic breaks and setext underlines
 *                 (---, ***, ===), table delimiter rows (|---|:--:|)
 *   line starts   blockquote `>`, heading `#`s, list bullets (- * +), ordered markers (1. 2)), task boxes ([ ])
 *   inline        backticks, `*` and `~~` runs, `_` runs at a word boundary, table pipes, link and image
 *                 syntax ([, ](, the destination, ), ![), autolinks and HTML tags (<...>), bare URLs,
 *                 backslash escapes, HTML entities (&amp;)
 *
 * Lines that start inside a code segment are skipped (code has its own rules). Offsets are UTF-16 units of
 * the scanned string; the result is sorted, disjoint [start, end) pairs.
 */

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const BREAK = /^ {0,3}([-*_=])[ \t]*(\1[ \t]*){2,}$/;
const TABLE_DELIM = /^[ \t]*\|?[ \t]*:?-{1,}:?[ \t]*(\|[ \t]*:?-{1,}:?[ \t]*)+\|?[ \t]*$/;
const LEAD =
  /^[ \t]*((>[ \t]?)*)[ \t]*(#{1,6}(?=[ \t]|$)|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))?[ \t]*(\[[ xX]\](?=[ \t]))?/;
const URL = /https?:\/\/[^\s<>)\]]+|www\.[^\s<>)\]]+/y;
const TAG = /<\/?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?\/?>|<(https?:|mailto:)[^<>\s]+>/y;
const ENTITY = /&(#\d{1,7}|#x[0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/y;

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/** Pushes [a, b) onto `out`, merging with the last interval when they touch. */
function mark(out: number[], a: number, b: number): void {
  if (b <= a) return;
  const n = out.length;
  if (n && out[n - 1]! >= a) {
    if (b > out[n - 1]!) out[n - 1] = b;
    return;
  }
  out.push(a, b);
}

/** Inline markup of one line's text `s[a, b)`. */
function inline(s: string, a: number, b: number, out: number[]): void {
  for (let i = a; i < b; i++) {
    const c = s[i]!;
    if (c === '`' || c === '|' || c === '*') {
      let j = i + 1;
      while (j < b && s[j] === c) j++;
      mark(out, i, j);
      i = j - 1;
    } else if (c === '~' && s[i + 1] === '~') {
      let j = i + 2;
      while (j < b && s[j] === '~') j++;
      mark(out, i, j);
      i = j - 1;
    } else if (c === '_') {
      let j = i + 1;
      while (j < b && s[j] === '_') j++;
      // snake_case keeps its underscores; emphasis underscores touch a non-word character on one side
      if (!(isWordChar(s[i - 1]) && isWordChar(s[j]))) mark(out, i, j);
      i = j - 1;
    } else if (c === '\\' && i + 1 < b && /[!-/:-@[-`{-~]/.test(s[i + 1]!)) {
      mark(out, i, i + 2);
      i++;
    } else if (c === '!' && s[i + 1] === '[') {
      mark(out, i, i + 2);
      i++;
    } else if (c === '[') {
      mark(out, i, i + 1);
    } else if (c === ']') {
      if (s[i + 1] === '(') {
        // link destination through the matching `)`
        let depth = 0;
        let j = i + 1;
        for (; j < b; j++) {
          if (s[j] === '(') depth++;
          else if (s[j] === ')' && --depth === 0) break;
        }
        mark(out, i, Math.min(b, j + 1));
        i = j;
      } else mark(out, i, i + 1);
    } else if (c === '<') {
      TAG.lastIndex = i;
      const m = TAG.exec(s);
      if (m && i + m[0].length <= b) {
        mark(out, i, i + m[0].length);
        i += m[0].length - 1;
      }
    } else if (c === '&') {
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(s);
      if (m && i + m[0].length <= b) {
        mark(out, i, i + m[0].length);
        i += m[0].length - 1;
      }
    } else if ((c === 'h' || c === 'w') && !isWordChar(s[i - 1])) {
      URL.lastIndex = i;
      const m = URL.exec(s);
      if (m && i + m[0].length <= b) {
        mark(out, i, i + m[0].length);
        i += m[0].length - 1;
      }
    }
  }
}

/**
 * Markup intervals of `s[from, to)` (UTF-16 units of `s`). `code` holds the code segments as sorted
 * [start, end) UTF-16 pairs: lines starting inside one are not scanned.
 */
export function markupIntervals(
  s: string,
  from = 0,
  to = s.length,
  code: ReadonlyArray<readonly [number, number]> = [],
): number[] {
  const out: number[] = [];
  let seg = 0;
  let ls = from;
  while (ls < to) {
    let le = s.indexOf('\n', ls);
    if (le < 0 || le > to) le = to;
    while (seg < code.length && code[seg]![1] <= ls) seg++;
    const inCode = seg < code.length && code[seg]![0] <= ls && ls < code[seg]![1];
    if (!inCode) {
      let end = le;
      if (end > ls && s[end - 1] === '\r') end--;
      const line = s.slice(ls, end);
      if (FENCE.test(line) || BREAK.test(line) || TABLE_DELIM.test(line)) mark(out, ls, end);
      else {
        const m = LEAD.exec(line)!;
        let at = ls;
        if (m[0].length) {
          // the markers, not the indentation (whitespace is never a candidate anyway)
          mark(out, ls, ls + m[0].length);
          at = ls + m[0].length;
        }
        inline(s, at, end, out);
      }
    }
    ls = le + 1;
  }
  return out;
}
