/**
 * analyze's piscina worker. The default task is the structure stage's (one native call per batch, columns out:
 * src/structure/worker.ts); `records` is the whole of a `--scorer none` batch: structure, the record's verdict,
 * its analysis record built and serialized here, the lines handed back as one UTF-8 buffer. The main
 * thread only concatenates the lines of a part (docs/architecture.md, "Threads").
 */
import type { CodeRecord } from '../types.js';
import { analyzeColumns, decodeRecord, type NativeStructureOptions } from '../structure/native.js';
import type { StructureOutcome } from '../structure/types.js';
import { buildUnscoredBatch, Classifier, type BuiltBatch, type RecordConfig } from './part-records.js';

export { default } from '../structure/worker.js';

export interface RecordsTask {
  records: CodeRecord[];
  /** Each record's pair hash (the pair filter's, computed once on the main thread). */
  hashes: string[];
  opts: NativeStructureOptions;
  cfg: RecordConfig;
}

const encoder = new TextEncoder();
let classifier: { key: string; c: Classifier } | undefined;

export function records(task: RecordsTask): BuiltBatch {
  const key = JSON.stringify(task.cfg);
  if (classifier?.key !== key) classifier = { key, c: new Classifier(task.cfg) };
  const cols = analyzeColumns(
    task.records.map((r) => r.response),
    task.opts,
  );
  function* outcomes(): Generator<StructureOutcome> {
    for (let i = 0; i < task.records.length; i++) {
      const record = task.records[i]!;
      const o = decodeRecord(cols, i);
      yield o.ok
        ? { ok: true, id: record.id, record, result: o.result }
        : { ok: false, id: record.id, record, reason: o.reason };
    }
  }
  const built = buildUnscoredBatch(outcomes(), task.hashes, classifier.c);
  // UTF-8 here: the main thread receives bytes (one copy) and never encodes the text
  return { lines: encoder.encode(built.text), analyzed: built.analyzed, outcomes: built.outcomes };
}
