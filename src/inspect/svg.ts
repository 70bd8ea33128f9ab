/**
 * Plain SVG charts for the HTML report, generated here (no chart library, no external requests):
 * a stacked histogram and horizontal bars. Every text is escaped; numbers are rounded so the output
 * is deterministic and small.
 */
import type { Histogram } from './summary.js';

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const r1 = (x: number) => Math.round(x * 10) / 10;

export const PALETTE = ['#b8c4d6', '#2f9e6e', '#e07b39', '#7a5cc7', '#c94f6d', '#3b82c4'];

/** "Nice" tick step for a range. */
function niceStep(range: number, ticks: number): number {
  if (!(range > 0)) return 1;
  const raw = range / ticks;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * p;
}

function num(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 1 ? x.toFixed(2).replace(/0$/, '') : x.toPrecision(2);
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel?: string;
  width?: number;
  height?: number;
  colors?: string[];
  /** id for tests and links */
  id?: string;
  /** A vertical dashed line (e.g. the selection threshold) at this x value. */
  marker?: { x: number; label: string };
}

/** Stacked histogram: one bar per bin, series stacked bottom-up, with a legend. */
export function histogramSvg(h: Histogram, o: ChartOptions): string {
  const W = o.width ?? 460;
  const H = o.height ?? 220;
  const m = { l: 44, r: 10, t: 26, b: 40 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const bins = h.edges.length - 1;
  const totals = Array.from({ length: bins }, (_, b) => h.series.reduce((s, x) => s + (x.counts[b] ?? 0), 0));
  const ymax = Math.max(1, ...totals);
  const ystep = niceStep(ymax, 4);
  const ytop = Math.ceil(ymax / ystep) * ystep;
  const colors = o.colors ?? PALETTE;
  const bw = pw / bins;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" ${o.id ? `id="${esc(o.id)}" ` : ''}viewBox="0 0 ${W} ` +
      `${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}">`,
  );
  parts.push(`<text x="${m.l}" y="16" class="ct">${esc(o.title)}</text>`);
  for (let y = 0; y <= ytop + 1e-9; y += ystep) {
    const py = r1(m.t + ph - (y / ytop) * ph);
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${py}" y2="${py}" class="grid"/><text x="${m.l - 4}" y="${py + 3}" ` +
        `class="tk" text-anchor="end">${num(y)}</text>`,
    );
  }
  for (let b = 0; b < bins; b++) {
    let acc = 0;
    h.series.forEach((s, k) => {
      const v = s.counts[b] ?? 0;
      if (v <= 0) return;
      const y0 = m.t + ph - (acc / ytop) * ph;
      const hh = (v / ytop) * ph;
      acc += v;
      parts.push(
        `<rect x="${r1(m.l + b * bw + 0.5)}" y="${r1(y0 - hh)}" width="${r1(Math.max(0.5, bw - 1))}" ` +
          `height="${r1(hh)}" ` +
          `fill="${colors[(k + (h.series.length === 1 ? 1 : 0)) % colors.length]}"><title>` +
          `${esc(`${s.name}: ${v} in [${num(h.edges[b]!)}, ${num(h.edges[b + 1]!)})`)}` +
          '</title></rect>',
      );
    });
  }
  const xstep = Math.max(1, Math.ceil(bins / 6));
  for (let b = 0; b <= bins; b += xstep) {
    const px = r1(m.l + b * bw);
    parts.push(`<text x="${px}" y="${m.t + ph + 14}" class="tk" text-anchor="middle">${num(h.edges[b]!)}</text>`);
  }
  parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${m.t + ph}" y2="${m.t + ph}" class="axis"/>`);
  const lo = h.edges[0]!;
  const hi = h.edges[bins]!;
  if (o.marker && hi > lo && o.marker.x >= lo && o.marker.x <= hi) {
    const px = r1(m.l + ((o.marker.x - lo) / (hi - lo)) * pw);
    parts.push(
      `<line x1="${px}" x2="${px}" y1="${m.t}" y2="${m.t + ph}" class="mark"/><text x="${px - 3}" ` +
        `y="${m.t + 10}" class="tk" text-anchor="end">${esc(o.marker.label)}</text>`,
    );
  }
  parts.push(`<text x="${m.l + pw / 2}" y="${H - 6}" class="al" text-anchor="middle">${esc(o.xLabel)}</text>`);
  if (h.series.length > 1) {
    let lx = W - m.r;
    for (let k = h.series.length - 1; k >= 0; k--) {
      const name = h.series[k]!.name;
      lx -= name.length * 6 + 22;
      parts.push(
        `<rect x="${lx}" y="8" width="10" height="10" fill="${colors[k % colors.length]}"/><text x="${lx + 14}" ` +
          `y="17" class="tk">${esc(name)}</text>`,
      );
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

export interface BarRow {
  label: string;
  /** One value per series (stacked left to right). */
  values: number[];
  /** Text after the bar. */
  note?: string;
}

/** Horizontal stacked bars, one row per label. */
export function barsSvg(rows: BarRow[], series: string[], o: ChartOptions): string {
  const W = o.width ?? 460;
  const rowH = 18;
  const labelW = Math.min(190, Math.max(60, ...rows.map((r) => r.label.length * 6.2 + 8)));
  const noteW = Math.max(30, ...rows.map((r) => (r.note ? r.note.length * 6 + 8 : 0)));
  const m = { t: series.length > 1 ? 34 : 26, b: 8 };
  const H = m.t + rows.length * rowH + m.b;
  const pw = W - labelW - noteW - 10;
  const vmax = Math.max(1e-12, ...rows.map((r) => r.values.reduce((a, b) => a + b, 0)));
  const colors = o.colors ?? PALETTE;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" ${o.id ? `id="${esc(o.id)}" ` : ''}viewBox="0 0 ${W} ` +
      `${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}">`,
  );
  parts.push(`<text x="4" y="16" class="ct">${esc(o.title)}</text>`);
  if (series.length > 1) {
    let lx = 4;
    series.forEach((s, k) => {
      parts.push(
        `<rect x="${lx}" y="22" width="10" height="10" fill="${colors[k % colors.length]}"/><text ` +
          `x="${lx + 14}" y="31" class="tk">${esc(s)}</text>`,
      );
      lx += s.length * 6 + 26;
    });
  }
  rows.forEach((r, i) => {
    const y = m.t + i * rowH;
    parts.push(`<text x="${labelW - 6}" y="${y + 13}" class="tk" text-anchor="end">${esc(r.label)}</text>`);
    let x = labelW;
    r.values.forEach((v, k) => {
      if (v <= 0) return;
      const w = (v / vmax) * pw;
      parts.push(
        `<rect x="${r1(x)}" y="${y + 3}" width="${r1(Math.max(0.5, w))}" height="${rowH - 6}" ` +
          `fill="${colors[(k + (series.length === 1 ? 1 : 0)) % colors.length]}"><title>` +
          `${esc(`${r.label} — ${series[k] ?? ''}: ${num(v)}`)}</title></rect>`,
      );
      x += w;
    });
    if (r.note) parts.push(`<text x="${r1(x + 4)}" y="${y + 13}" class="tk">${esc(r.note)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
