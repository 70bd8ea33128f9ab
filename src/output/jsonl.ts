/**
 * Debug JSONL: one line per sample (unpacked), keys in this order:
 * {"id","text","input_ids","labels","num_supervised","offsets":[[s,e],…],"selected":[{"start","end","kind","score"}]}
 * `text` is the templated string the tokenizer saw; all offsets are code points into it.
 */
import { AtomicFile, type WrittenFile } from './atomic.js';
import type { SampleRow } from './types.js';
import { validateSampleRow } from './validate.js';

export function sampleRowToJson(row: SampleRow): string {
  const n = row.inputIds.length;
  const offsets: [number, number][] = new Array(n);
  for (let i = 0; i < n; i++) offsets[i] = [row.offsets[2 * i]!, row.offsets[2 * i + 1]!];
  let sup = 0;
  for (const l of row.labels) if (l !== -100) sup++;
  return JSON.stringify({
    id: row.id,
    text: row.text,
    input_ids: Array.from(row.inputIds),
    labels: Array.from(row.labels),
    num_supervised: sup,
    offsets,
    selected: row.selected.map((s) => ({ start: s.start, end: s.end, kind: s.kind, score: s.score })),
  });
}

export class JsonlSampleWriter {
  readonly path: string;
  private readonly file: AtomicFile;
  private closed = false;
  samples = 0;

  constructor(path: string) {
    this.path = path;
    this.file = new AtomicFile(path);
  }

  write(row: SampleRow): void {
    if (this.closed) throw new Error('JsonlSampleWriter is closed');
    validateSampleRow(row);
    this.file.writeString(`${sampleRowToJson(row)}\n`);
    this.samples++;
  }

  close(): WrittenFile {
    if (this.closed) throw new Error('JsonlSampleWriter is closed');
    this.closed = true;
    return this.file.commit();
  }

  abort(): void {
    this.closed = true;
    this.file.abort();
  }
}
