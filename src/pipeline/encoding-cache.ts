/**
 * The target-tokenizer encodings select keeps between its budget pass and its mask pass (and the
 * benchmark of that path, bench/mask_pack.ts, uses the same cache with the same cap).
 */
import type { AnalysisRecord } from '../analysis/format.js';
import type { EncodedConversation, TargetTokenizer } from '../tokenize/index.js';

/** Render and encode the conversations of `recs` (prompt + response through the chat template). */
export async function encodeChunk(tok: TargetTokenizer, recs: AnalysisRecord[]): Promise<EncodedConversation[]> {
  return tok.renderAndEncode(recs.map((r) => ({ prompt: r.prompt, response: r.response })));
}

/**
 * Encodings of pass A kept for pass B up to a memory cap (rendering + tokenizing is ~95% of select's
 * time); records beyond the cap are simply encoded again, so memory stays bounded for any pool.
 */
export class EncodingCache {
  private readonly map = new Map<number, EncodedConversation>();
  private bytes = 0;
  constructor(private readonly capBytes: number) {}

  offer(ordinal: number, e: EncodedConversation): void {
    // typed arrays + the rendered text (UTF-16) + object overhead, with V8's slack: measured RSS grows
    // about twice the raw payload, so the payload is counted double against the cap
    const cost = 2 * (e.ids.byteLength + e.offsets.byteLength + 2 * e.text.length) + 128;
    if (this.bytes + cost > this.capBytes) return;
    this.bytes += cost;
    this.map.set(ordinal, e);
  }

  /** Encodings for `recs` in order: cached ones taken out of the cache, the rest encoded now. */
  async take(tok: TargetTokenizer, recs: AnalysisRecord[]): Promise<EncodedConversation[]> {
    const out: Array<EncodedConversation | undefined> = recs.map((r) => {
      const e = this.map.get(r.ordinal);
      if (e) this.map.delete(r.ordinal);
      return e;
    });
    const missing = recs.filter((_, i) => out[i] === undefined);
    if (missing.length) {
      const encs = await encodeChunk(tok, missing);
      let j = 0;
      for (let i = 0; i < out.length; i++) if (out[i] === undefined) out[i] = encs[j++];
    }
    return out as EncodedConversation[];
  }
}
