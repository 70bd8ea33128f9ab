/**
 * Read every analysis part in global input order (by ordinal), whatever the shard layout:
 * shards hold interleaved ordinals (ordinal % n == shard), so their streams are merged.
 * This is what makes `select` output independent of how `analyze` was sharded.
 */
import {
  readPartOutcomes,
  readPartsRecords,
  type AnalysisOutcome,
  type AnalysisPart,
  type AnalysisRecord,
} from './format.js';
import { timedIterable } from '../util/timings.js';

async function* chain<T>(parts: AnalysisPart[], read: (p: AnalysisPart) => AsyncGenerator<T>): AsyncGenerator<T> {
  for (const p of parts) yield* read(p);
}

function byShard(parts: readonly AnalysisPart[]): AnalysisPart[][] {
  const groups = new Map<number, AnalysisPart[]>();
  for (const p of parts) {
    const g = groups.get(p.marker.shard.index);
    if (g) g.push(p);
    else groups.set(p.marker.shard.index, [p]);
  }
  return [...groups.keys()]
    .sort((a, b) => a - b)
    .map((k) => groups.get(k)!.sort((a, b) => a.marker.part - b.marker.part));
}

async function* mergeByOrdinal<T extends { ordinal: number }>(streams: AsyncGenerator<T>[]): AsyncGenerator<T> {
  if (streams.length === 1) {
    yield* streams[0]!; // one shard: already in order
    return;
  }
  const heads: Array<T | undefined> = await Promise.all(
    streams.map(async (s) => (await s.next()).value as T | undefined),
  );
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h !== undefined && (best < 0 || h.ordinal < heads[best]!.ordinal)) best = i;
    }
    if (best < 0) return;
    const v = heads[best]!;
    const n = await streams[best]!.next();
    heads[best] = n.done ? undefined : (n.value as T);
    yield v;
  }
}

// Reading (gunzip + JSON.parse) is charged to the `analysis_read` stage timer (src/util/timings.ts).
export function orderedRecords(parts: readonly AnalysisPart[]): AsyncGenerator<AnalysisRecord> {
  return timedIterable('analysis_read', mergeByOrdinal(byShard(parts).map((g) => readPartsRecords(g))));
}

export function orderedOutcomes(parts: readonly AnalysisPart[]): AsyncGenerator<AnalysisOutcome> {
  return timedIterable('analysis_read', mergeByOrdinal(byShard(parts).map((g) => chain(g, readPartOutcomes))));
}

/** Group a stream into arrays of at most `size`. */
export async function* chunked<T>(it: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let buf: T[] = [];
  for await (const v of it) {
    buf.push(v);
    if (buf.length >= size) {
      yield buf;
      buf = [];
    }
  }
  if (buf.length) yield buf;
}
