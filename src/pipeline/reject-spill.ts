/**
 * select's pass-B rejections on disk (docs/pipeline.md): memory stays flat in the pool size, where a rejected
 * record used to stay an object until the end of the run.
 */
import { CodeblockError } from '../errors.js';
import { SpillFile } from '../util/spill-file.js';
import { outcomeJsonLine, type OutcomeLine } from './outcomes.js';

/**
 * Pass B's rejections, spilled chunk by chunk (each chunk's lines sorted by ordinal; chunks come in ordinal order)
 * to a temporary file instead of kept as objects until the end: one line per rejected record, `ordinal` + space +
 * its rejected.jsonl line. The reason counts stay in memory.
 */
export class RejectSpill {
  private readonly file: SpillFile;
  private pending: OutcomeLine[] = [];
  private last = -1;
  readonly counts: Record<string, number> = {};
  /** `readChunk`: bytes per read when reading back (tests make it tiny). */
  constructor(
    path: string,
    private readonly readChunk = 1 << 20,
  ) {
    this.file = new SpillFile(path);
  }

  push(o: OutcomeLine): void {
    this.pending.push(o);
    this.counts[o.reason] = (this.counts[o.reason] ?? 0) + 1;
  }

  /** Writes the chunk's rejections (ordinals above every earlier chunk's). */
  flush(): void {
    if (!this.pending.length) return;
    this.pending.sort((a, b) => a.ordinal - b.ordinal);
    if (this.pending[0]!.ordinal <= this.last)
      throw new CodeblockError('internal: rejections out of order', 'E_INTERNAL');
    this.last = this.pending[this.pending.length - 1]!.ordinal;
    const buf = Buffer.from(this.pending.map((o) => `${o.ordinal} ${outcomeJsonLine(o)}`).join(''), 'utf8');
    this.file.append(buf);
    this.pending = [];
  }

  /** The spilled rejections in ordinal order: [ordinal, rejected.jsonl line (with its newline)]. */
  *read(): Generator<[number, string]> {
    let buf = Buffer.allocUnsafe(this.readChunk);
    let have = 0; // bytes of an unfinished line carried at the front of buf
    let at = 0;
    const end = this.file.size;
    while (at < end || have > 0) {
      if (at < end) {
        if (have === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
        const n = Math.min(buf.length - have, end - at);
        this.file.readAt(buf, have, n, at);
        at += n;
        have += n;
      }
      const nl = have > 0 ? buf.lastIndexOf(10, have - 1) : -1; // a line ends in '\n': never inside a character
      if (nl < 0) {
        if (at >= end) throw new CodeblockError(`internal: truncated rejection spill ${this.file.path}`, 'E_INTERNAL');
        continue;
      }
      for (const l of buf.toString('utf8', 0, nl).split('\n')) {
        const sp = l.indexOf(' ');
        yield [Number(l.slice(0, sp)), `${l.slice(sp + 1)}\n`];
      }
      buf.copy(buf, 0, nl + 1, have);
      have -= nl + 1;
    }
  }

  close(): void {
    this.file.close();
  }
}
