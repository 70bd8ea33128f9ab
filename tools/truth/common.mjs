/** Shared helpers of the truth tools: JSON-lines I/O and offset conversion to code points. */
import { createInterface } from 'node:readline';

/** All stdin JSON lines (blank lines skipped). */
export async function readJsonLines(input = process.stdin) {
  const out = [];
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY }))
    if (line.trim()) out.push(JSON.parse(line));
  return out;
}

/** Maps UTF-16 offsets of `text` to code point offsets (a.length = text.length + 1). */
export function utf16ToCp(text) {
  const map = new Int32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    map[i] = cp;
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) map[++i] = cp;
    }
    cp++;
  }
  map[text.length] = cp;
  return map;
}

/** Maps UTF-8 byte offsets of `text` to code point offsets (length = byte length + 1). */
export function utf8ToCp(text) {
  const buf = Buffer.from(text, 'utf8');
  const map = new Int32Array(buf.length + 1);
  let cp = 0;
  for (let i = 0; i < buf.length; i++) {
    map[i] = cp;
    // continuation bytes (10xxxxxx) belong to the code point already counted
    if (i + 1 >= buf.length || (buf[i + 1] & 0xc0) !== 0x80) cp++;
  }
  map[buf.length] = cp;
  return map;
}
