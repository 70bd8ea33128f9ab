/**
 * A progress line on stderr with count, rate and ETA — only when stderr is a TTY (and not in CI),
 * redrawn at most ~10 times a second. Silent otherwise, so logs and pipes stay clean.
 */
export interface ProgressOptions {
  enabled?: boolean;
  total?: number;
  unit?: string;
  stream?: NodeJS.WriteStream;
}

export class Progress {
  private readonly stream: NodeJS.WriteStream;
  private readonly enabled: boolean;
  private readonly started = process.hrtime.bigint();
  private lastDraw = 0;
  private count = 0;
  total: number | undefined;
  private label: string;
  private readonly unit: string;

  constructor(label: string, opts: ProgressOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    this.enabled = (opts.enabled ?? true) && Boolean(this.stream.isTTY) && !process.env.CI;
    this.total = opts.total;
    this.label = label;
    this.unit = opts.unit ?? 'rec';
  }

  stage(label: string, total?: number): void {
    this.label = label;
    this.total = total;
    this.draw(true);
  }

  tick(n = 1): void {
    this.count += n;
    this.draw(false);
  }

  private draw(force: boolean): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const secs = Number(process.hrtime.bigint() - this.started) / 1e9;
    const rate = secs > 0 ? this.count / secs : 0;
    let line = `${this.label} ${this.count.toLocaleString('en-US')}`;
    if (this.total) {
      const frac = Math.min(1, this.count / this.total);
      const width = 24;
      const fill = Math.round(frac * width);
      const eta = rate > 0 ? (this.total - this.count) / rate : Infinity;
      line =
        `${this.label} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ` +
        `${this.count.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} ${(frac * 100).toFixed(1)}%  ` +
        `${fmtRate(rate)} ${this.unit}/s  ETA ${fmtTime(eta)}`;
    } else {
      line += ` ${this.unit}  ${fmtRate(rate)} ${this.unit}/s  ${fmtTime(secs)}`;
    }
    const cols = this.stream.columns ?? 100;
    this.stream.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length + 4))}`);
  }

  done(): void {
    if (!this.enabled) return;
    this.draw(true);
    this.stream.write('\n');
  }
}

function fmtRate(r: number): string {
  return r >= 1000 ? `${(r / 1000).toFixed(1)}k` : r.toFixed(r < 10 ? 1 : 0);
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  const sec = Math.floor(s % 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}:${String(sec).padStart(2, '0')}`;
}
