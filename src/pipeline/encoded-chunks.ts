/**
 * select's pass-A tokenization: chunks of records rendered and encoded ahead of the chunk being worked on (the
 * benchmark of that path, bench/mask_pack.ts, runs the same read-ahead). Pass B reads the encodings back from
 * src/pipeline/encoding-spill.ts.
 */
import type { AnalysisRecord } from '../analysis/format.js';
import type { EncodedConversation, TargetTokenizer } from '../tokenize/index.js';

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
