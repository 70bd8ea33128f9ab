/**
 * The target-tokenizer encodings select keeps between its budget pass and its mask pass (and the
 * benchmark of that path, bench/mask_pack.ts, uses the same cache with the same cap).
 */
import type { AnalysisRecord } from '../analysis/format.js';
import type { EncodedConversation, TargetTokenizer } from '../tokenize/index.js';
import type { RecordCandidates } from '../budget/candidates.js';
import { addCount } from '../util/timings.js';

/** Render and encode the conversations of `recs` (prompt + response through the chat template). */
export async function encodeChunk(tok: TargetTokenizer, recs: AnalysisRecord[]): Promise<EncodedConversation[]> {
  return tok.renderAndEncode(recs.map((r) => ({ prompt: r.prompt, response: r.response })));
}

/** One chunk of records, the ones picked for encoding, and their encodings (in `keep` order). */
export interface EncodedChunk {
  chunk: AnalysisRecord[];
  keep: AnalysisRecord[];
  encs: EncodedConversation[];
}

/**
 * `chunks` with their encodings, `ahead` chunks ahead (default 2): while the caller works on chunk i, chunks
 * i+1.. are already rendered and their encodeBatch calls run on the tokenizer's own threads (and the ids and
 * offsets of one are read while the next encodes). `pick` chooses the records of a chunk to encode; it is
 * called once per chunk, in chunk order, before the caller sees that chunk (so a pick that keeps state, like
 * the global duplicate filter, sees the records in input order; it must not depend on what the caller does
 * with earlier chunks' other records). The caller gets the chunks in order, so what it computes is exactly
 * what a one-chunk-at-a-time loop computes.
 */
export async function* encodedChunks(
  tok: TargetTokenizer,
  chunks: AsyncIterable<AnalysisRecord[]> | Iterable<AnalysisRecord[]>,
  pick: (chunk: AnalysisRecord[]) => AnalysisRecord[],
  ahead = 2,
): AsyncGenerator<EncodedChunk> {
  const it =
    Symbol.asyncIterator in chunks
      ? (chunks as AsyncIterable<AnalysisRecord[]>)[Symbol.asyncIterator]()
      : (chunks as Iterable<AnalysisRecord[]>)[Symbol.iterator]();
  interface Started {
    chunk: AnalysisRecord[];
    keep: AnalysisRecord[];
    encs: Promise<EncodedConversation[]>;
  }
  const queue: Started[] = [];
  let done = false;
  const fill = async (): Promise<void> => {
    while (!done && queue.length < Math.max(1, ahead)) {
      const n = await it.next();
      if (n.done) {
        done = true;
        break;
      }
      const keep = pick(n.value);
      const encs = encodeChunk(tok, keep);
      encs.catch(() => undefined); // awaited below; never an unhandled rejection when the caller stops early
      queue.push({ chunk: n.value, keep, encs });
    }
  };
  try {
    await fill();
    while (queue.length) {
      const cur = queue.shift()!;
      const encs = await cur.encs;
      await fill();
      yield { chunk: cur.chunk, keep: cur.keep, encs };
    }
  } finally {
    if (!done) await it.return?.();
  }
}

/** What pass B gets back from the cache per record: the encoding, and pass A's candidates when they were kept. */
export interface Taken {
  encs: EncodedConversation[];
  /** Pass A's candidates of the same record (candidatesOf is a pure function of record, encoding and knobs). */
  candidates: Array<RecordCandidates | undefined>;
}

/**
 * Encodings of pass A (and the candidates pass A computed from them) kept for pass B up to a memory cap
 * (rendering + tokenizing is most of select's time); records beyond the cap are simply encoded again, so
 * memory stays bounded for any pool. When the cap is reached, an entry of lower priority makes room for one of
 * higher priority (select gives a record's best candidate score bin: pass B needs again only the records a cut
 * reaches, the ones with the highest scores); equal priorities keep the earlier record.
 */
export class EncodingCache {
  private readonly map = new Map<number, { e: EncodedConversation; c?: RecordCandidates; cost: number }>();
  /** Min-heap of the cached entries by (priority, later ordinal first): the next to evict on top. */
  private readonly heap: Array<{ prio: number; ordinal: number }> = [];
  private bytes = 0;
  constructor(private readonly capBytes: number) {}

  offer(ordinal: number, e: EncodedConversation, c?: RecordCandidates, priority = 0): void {
    // typed arrays + the rendered text (UTF-16) + object overhead, with V8's slack: measured RSS grows
    // about twice the raw payload, so the payload is counted double against the cap; a token candidate is
    // 12 bytes of typed arrays, an item candidate an object of 5 fields, counted at 64 bytes
    const nItems = c ? c.items.length + c.forced.length : 0;
    const cost =
      2 * (e.ids.byteLength + e.offsets.byteLength + 2 * e.text.length) +
      128 +
      (c ? 2 * (12 * c.tokens.length) + 256 + 64 * nItems : 0);
    if (cost > this.capBytes) return;
    while (this.bytes + cost > this.capBytes) {
      const top = this.heap[0];
      if (!top || !(top.prio < priority)) return; // nothing cheaper to give up
      this.pop();
      const old = this.map.get(top.ordinal);
      if (old) {
        this.map.delete(top.ordinal);
        this.bytes -= old.cost;
      }
    }
    this.bytes += cost;
    this.map.set(ordinal, c ? { e, c, cost } : { e, cost });
    this.push({ prio: priority, ordinal });
  }

  /** Records cached now (tests). */
  get size(): number {
    return this.map.size;
  }

  private static less(a: { prio: number; ordinal: number }, b: { prio: number; ordinal: number }): boolean {
    return a.prio < b.prio || (a.prio === b.prio && a.ordinal > b.ordinal);
  }

  private push(x: { prio: number; ordinal: number }): void {
    const h = this.heap;
    h.push(x);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!EncodingCache.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (!h.length) return;
    h[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && EncodingCache.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && EncodingCache.less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }

  /** Forget `ordinal` (a sample pass B rejects without its encoding). */
  drop(ordinal: number): void {
    const hit = this.map.get(ordinal);
    if (!hit) return;
    this.map.delete(ordinal);
    this.bytes -= hit.cost; // its heap entry goes stale: skipped when it comes to the top
  }

  /** Encodings (and kept candidates) for `recs` in order: cached ones taken out of the cache, the rest encoded now. */
  async take(tok: TargetTokenizer, recs: AnalysisRecord[]): Promise<Taken> {
    const encs: Array<EncodedConversation | undefined> = [];
    const candidates: Array<RecordCandidates | undefined> = [];
    for (const r of recs) {
      const hit = this.map.get(r.ordinal);
      if (hit) this.drop(r.ordinal);
      encs.push(hit?.e);
      candidates.push(hit?.c);
    }
    const missing = recs.filter((_, i) => encs[i] === undefined);
    if (missing.length) {
      addCount('select_encoded_again', missing.length);
      const fresh = await encodeChunk(tok, missing);
      let j = 0;
      for (let i = 0; i < encs.length; i++) if (encs[i] === undefined) encs[i] = fresh[j++];
    }
    return { encs: encs as EncodedConversation[], candidates };
  }
}
