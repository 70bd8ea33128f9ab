/**
 * A progress line on stderr with count, rate and ETA — only when stderr is a TTY (and not in CI),
 * redrawn at most ~10 times a second. Silent otherwise, so logs and pipes stay clean.
 *
 * Each `stage()` starts its own count, rate and ETA (its total is in that stage's unit); `done()` ends the line,
 * so whatever is printed next (a summary) starts on a line of its own.
 */
import type { ProgressHook } from '../pipeline/progress.js';

/** What the bar writes to: a terminal stream (process.stderr) or anything shaped like one. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  enabled?: boolean;
  total?: number;
  unit?: string;
  stream?: ProgressStream;
}

export class Progress implements ProgressHook {
  private readonly stream: ProgressStream;
  private readonly enabled: boolean;
  private started = process.hrtime.bigint();
  private lastDraw = 0;
  private count = 0;
  /** Something is on the current line (a `\r` redraw pending a `\n`). */
  private open = false;
  total: number | undefined;
  private label: string;
  private unit: string;
  private readonly baseUnit: string;

  constructor(label: string, opts: ProgressOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    this.enabled = (opts.enabled ?? true) && Boolean(this.stream.isTTY) && !process.env.CI;
    this.total = opts.total;
    this.label = label;
    this.unit = opts.unit ?? 'rec';
    this.baseUnit = this.unit;
  }

  /** Whether anything is drawn (a TTY, not CI, not disabled): callers skip work done only for the bar. */
  get active(): boolean {
    return this.enabled;
  }

  /** Start a stage: its own label, total (or none), unit (default the bar's), count from 0, rate and ETA from now. */
  stage(label: string, total?: number, unit?: string): void {
    this.label = label;
    this.total = total;
    this.unit = unit ?? this.baseUnit;
    this.count = 0;
    this.started = process.hrtime.bigint();
    this.draw(true);
  }

  /** The current stage's total, once it is known (e.g. counted while the stage runs). */
  setTotal(total: number | undefined): void {
    this.total = total;
    if (this.open) this.draw(true);
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
      const eta = rate > 0 ? Math.max(0, this.total - this.count) / rate : Infinity;
      line =
        `${this.label} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ` +
        `${this.count.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} ${(frac * 100).toFixed(1)}%  ` +
        `${fmtRate(rate)} ${this.unit}/s  ETA ${fmtTime(eta)}`;
    } else {
      line += ` ${this.unit}  ${fmtRate(rate)} ${this.unit}/s  ${fmtTime(secs)}`;
    }
    const cols = this.stream.columns ?? 100;
    this.stream.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length + 4))}`);
    this.open = true;
  }

  /** Draw the final state and end the line (once; nothing when nothing was drawn). */
  done(): void {
    if (!this.enabled || !this.open) return;
    this.draw(true);
    this.stream.write('\n');
    this.open = false;
  }
}

function fmtRate(r: number): string {
  return r >= 1000 ? `${(r / 1000).toFixed(1)}k` : r.toFixed(r < 10 ? 1 : 0);
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '--:--';
  const m = Math.floor(s / 60);
  const sec = Math.floor(s % 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}:${String(sec).padStart(2, '0')}`;
}
