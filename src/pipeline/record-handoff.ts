/**
 * `run`'s bounded hand-off of analyzed records from analyze to select's pass A (src/pipeline/run.ts): analyze
 * pushes each committed part's records, in part order; select's pass A reads them as they come, so the target
 * tokenizer encodes while analyze still parses, instead of after it (docs/pipeline.md, "run overlaps its passes").
 *
 * At most `maxParts` parts wait in it: a full hand-off makes analyze's commit wait (backpressure), so memory stays
 * bounded whichever side is slower. Either side's failure reaches the other: `fail` (analyze) ends the reader
 * with analyze's error; `stop` (select gave up) makes the next `push` throw {@link HandoffStopped}.
 */
import type { AnalysisRecord } from '../analysis/format.js';
import { addStageTime } from '../util/timings.js';

/** What `push` throws once the reader has stopped: the error that matters is the reader's own. */
export class HandoffStopped extends Error {
  constructor() {
    super('select stopped reading the analysis');
  }
}

export class RecordHandoff {
  private readonly queue: AnalysisRecord[][] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;
  private stopped = false;
  /** Wakes the reader (a part arrived, or the end, or a failure). */
  private wakeReader: (() => void) | undefined;
  /** Wakes the writer (room in the queue, or the reader stopped). */
  private wakeWriter: (() => void) | undefined;
  /** Records pushed so far (select checks them against the finished analysis). */
  pushed = 0;

  constructor(private readonly maxParts = 2) {}

  /** One committed part's records (in ordinal order); resolves once the queue has room for the next. */
  async push(records: AnalysisRecord[]): Promise<void> {
    if (this.stopped) throw new HandoffStopped();
    if (this.ended) throw new Error('internal: RecordHandoff.push after end');
    this.queue.push(records);
    this.pushed += records.length;
    this.wake('reader');
    while (this.queue.length >= this.maxParts && !this.stopped) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        this.wakeWriter = resolve;
      });
      addStageTime('handoff_full', performance.now() - t0);
    }
    if (this.stopped) throw new HandoffStopped();
  }

  /** Every part is pushed: the reader ends after the last one. */
  end(): void {
    this.ended = true;
    this.wake('reader');
  }

  /** The writer failed: the reader throws `error` once it has read what came before. */
  fail(error: unknown): void {
    this.failure ??= { error };
    this.ended = true;
    this.wake('reader');
  }

  /** The reader gave up (or finished): later pushes throw, a waiting one wakes. Idempotent. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.wake('writer');
  }

  /** The records in push order. Ends at `end`, throws at `fail`; leaving the loop early calls `stop`. */
  async *records(): AsyncGenerator<AnalysisRecord> {
    try {
      for (;;) {
        const part = this.queue.shift();
        if (part) {
          this.wake('writer');
          yield* part;
          continue;
        }
        if (this.failure) throw this.failure.error;
        if (this.ended) return;
        const t0 = performance.now();
        await new Promise<void>((resolve) => {
          this.wakeReader = resolve;
        });
        addStageTime('handoff_wait', performance.now() - t0);
      }
    } finally {
      this.stop();
    }
  }

  private wake(side: 'reader' | 'writer'): void {
    const f = side === 'reader' ? this.wakeReader : this.wakeWriter;
    if (side === 'reader') this.wakeReader = undefined;
    else this.wakeWriter = undefined;
    f?.();
  }
}
