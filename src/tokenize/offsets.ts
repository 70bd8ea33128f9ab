/**
 * Token offsets from token ids alone, for byte-level BPE tokenizers (Qwen, GPT-2 style): every token id
 * stands for a fixed byte string, so when the tokens of a text spell out exactly the text's UTF-8 bytes,
 * their offsets follow from the running byte position — no `Encoding.getOffsets()` (one JS array per
 * token) needed.
 *
 * What `tokenizers` reports for such a tokenizer (post-processor ByteLevel without trim_offsets, or none):
 * code point offsets into the original text; a token holding part of a multi-byte character carries
 * the whole character. `offsetsFromIds` computes exactly that, and returns undefined (the caller then
 * asks the binding) whenever the tokens do not spell the text byte for byte: a normalizer that changed
 * the text (NFC on non-NFC input), added tokens that strip whitespace, truncation, padding, unknown ids.
 * Checked against the binding's own offsets on every record of ../shared/data (test/tokenize/offsets.test.ts).
 */

/** The byte string of every token id (ids without one: length -1). */
export interface TokenBytes {
  /** `bytes[start[id] .. start[id] + len[id])` */
  bytes: Uint8Array;
  start: Uint32Array;
  len: Int32Array;
}

/** GPT-2's bytes_to_unicode, inverted: char code → byte (-1: not a byte-level char). */
function byteLevelDecoder(): Int16Array {
  const dec = new Int16Array(512).fill(-1);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    if (printable) dec[b] = b;
    else dec[256 + n++] = b;
  }
  return dec;
}

interface TokenizerJson {
  model?: {
    type?: string;
    vocab?: Record<string, number>;
    byte_fallback?: boolean;
    continuing_subword_prefix?: string | null;
    end_of_word_suffix?: string | null;
  };
  pre_tokenizer?: { type?: string; pretokenizers?: { type?: string }[] } | null;
  post_processor?: { type?: string; trim_offsets?: boolean } | null;
  truncation?: unknown;
  padding?: unknown;
  added_tokens?: { id: number; content: string }[];
}

/**
 * The byte strings of a tokenizer.json's tokens, or undefined when offsets cannot be derived from ids
 * (not byte-level BPE, or a post-processor that moves offsets).
 */
export function tokenBytesOf(json: TokenizerJson): TokenBytes | undefined {
  const m = json.model;
  if (m?.type !== 'BPE' || !m.vocab || m.byte_fallback) return undefined;
  if (m.continuing_subword_prefix || m.end_of_word_suffix) return undefined;
  const pre = json.pre_tokenizer;
  const pres = pre?.type === 'Sequence' ? (pre.pretokenizers ?? []) : pre ? [pre] : [];
  if (!pres.some((p) => p?.type === 'ByteLevel')) return undefined;
  const post = json.post_processor;
  if (post && !(post.type === 'ByteLevel' && post.trim_offsets === false)) return undefined;
  if (json.truncation || json.padding) return undefined;
  const dec = byteLevelDecoder();
  const enc = new TextEncoder();
  let vocabSize = 0;
  for (const id of Object.values(m.vocab)) if (Number.isInteger(id) && id >= vocabSize) vocabSize = id + 1;
  for (const t of json.added_tokens ?? []) if (Number.isInteger(t.id) && t.id >= vocabSize) vocabSize = t.id + 1;
  if (vocabSize > 1 << 24) return undefined;
  const len = new Int32Array(vocabSize).fill(-1);
  const start = new Uint32Array(vocabSize);
  const chunks: { id: number; b: Uint8Array }[] = [];
  let total = 0;
  const put = (id: number, b: Uint8Array): void => {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) return;
    chunks.push({ id, b });
    total += b.length;
  };
  for (const [tokStr, id] of Object.entries(m.vocab)) {
    const b = new Uint8Array(tokStr.length);
    let ok = tokStr.length > 0;
    for (let i = 0; i < tokStr.length && ok; i++) {
      const c = tokStr.charCodeAt(i);
      const v = c < 512 ? dec[c]! : -1;
      if (v < 0) ok = false;
      else b[i] = v;
    }
    if (ok) put(id, b);
  }
  // added tokens are matched as their content (later entries win over vocabulary strings of the same id)
  for (const t of json.added_tokens ?? [])
    if (typeof t.content === 'string' && t.content) put(t.id, enc.encode(t.content));
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const { id, b } of chunks) {
    bytes.set(b, at);
    start[id] = at;
    len[id] = b.length;
    at += b.length;
  }
  return { bytes, start, len };
}

const encoder = new TextEncoder();
let scratch = new Uint8Array(1 << 16);

/**
 * Code point offsets (`[2i]`, `[2i+1]` = [start, end) of token i) of `ids` in `text`, or undefined when the
 * tokens do not spell `text`'s UTF-8 bytes exactly.
 */
export function offsetsFromIds(tb: TokenBytes, ids: Int32Array, text: string): Int32Array | undefined {
  // UTF-8 of text (lone surrogates become U+FFFD, one code point, as the binding sees them)
  if (scratch.length < 3 * text.length) scratch = new Uint8Array(Math.max(3 * text.length, 2 * scratch.length));
  const buf = scratch;
  const n = encoder.encodeInto(text, buf).written;
  const { bytes, start, len } = tb;
  const nTok = ids.length;
  const out = new Int32Array(2 * nTok);
  let p = 0; // byte position
  let cp = 0; // code points that start before p
  for (let i = 0; i < nTok; i++) {
    const id = ids[i]!;
    const L = id >= 0 && id < len.length ? len[id]! : -1;
    if (L <= 0 || p + L > n) return undefined;
    const s0 = start[id]!;
    // the token's first byte continues a character begun by the previous token: it carries that character
    out[2 * i] = (buf[p]! & 0xc0) === 0x80 ? cp - 1 : cp;
    for (let j = 0; j < L; j++) {
      const b = buf[p + j]!;
      if (b !== bytes[s0 + j]) return undefined;
      if ((b & 0xc0) !== 0x80) cp++;
    }
    p += L;
    out[2 * i + 1] = cp;
  }
  return p === n ? out : undefined;
}
