/**
 * Terminal view: one sample's response with supervised tokens highlighted, item boundaries in a
 * gutter (and inline where an item starts mid-line), then a table of its items — utility, reach,
 * bridge, score, tokens, supervised tokens, def-use partners and why an item was left out. The run
 * summary ends with the pool's U distribution as a text histogram, the run threshold marked.
 *
 * Colours are ANSI escapes when `color` is on (the CLI turns it off for NO_COLOR and non-TTY
 * stdout); without colour, supervised text is wrapped in « », so the view still says everything.
 * Control characters of the data are shown as visible symbols, never sent to the terminal.
 */
import { STATEMENT_KINDS, bodyShare, kindShares, type SelectionStats } from '../budget/selection-stats.js';
import { STATUS_TEXT, type InspectSample, type ItemStatus, type RunInfo } from './types.js';
import { binOf, SATURATION, type Histogram, type RunSummary, type UtilityView } from './summary.js';
import { isItemMode } from '../budget/modes.js';

export interface TerminalOptions {
  color: boolean;
}

const ESC = '\x1b[';
const STYLE = {
  reset: `${ESC}0m`,
  dim: `${ESC}2m`,
  bold: `${ESC}1m`,
  sup: `${ESC}1;30;42m`,
  selItem: `${ESC}32m`,
  flagged: `${ESC}31m`,
  marker: `${ESC}2;36m`,
  head: `${ESC}1;4m`,
  red: `${ESC}31m`,
  yellow: `${ESC}33m`,
  green: `${ESC}32m`,
} as const;

/** Make one code point safe to print: C0/C1 controls and DEL as visible symbols. */
export function visible(ch: string): string {
  const c = ch.codePointAt(0)!;
  if (ch === '\n' || ch === '\t') return ch;
  if (c < 0x20) return String.fromCodePoint(0x2400 + c);
  if (c === 0x7f) return '\u2421';
  if (c >= 0x80 && c < 0xa0) return `\\x${c.toString(16)}`;
  // bidi controls could reorder the rest of the line
  if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return `\\u${c.toString(16)}`;
  return ch;
}

function fmt(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return '-';
  return n.toFixed(digits);
}

function pct(a: number, b: number): string {
  return b > 0 ? `${((100 * a) / b).toFixed(2)}%` : '-';
}

function statusStyle(st: ItemStatus): string {
  switch (st) {
    case 'selected':
      return STYLE.green;
    case 'flagged':
    case 'sample_dropped':
      return STYLE.red;
    case 'budget':
    case 'max_items':
      return STYLE.yellow;
    default:
      return STYLE.dim;
  }
}

/** The response with supervision and item boundaries. */
export function renderResponse(s: InspectSample, opts: TerminalOptions): string {
  const cps = Array.from(s.response);
  const n = cps.length;
  const sup = new Uint8Array(n);
  if (s.tokens && s.supervised) {
    for (let t = 0; t < s.supervised.length; t++) {
      if (!s.supervised[t]) continue;
      for (let k = s.tokens[2 * t]!; k < s.tokens[2 * t + 1]! && k < n; k++) sup[k] = 1;
    }
  }
  const itemAt = new Int32Array(n).fill(-1);
  const starts = new Map<number, number[]>();
  for (const it of s.items) {
    for (let k = it.start; k < it.end && k < n; k++) itemAt[k] = it.index;
    const list = starts.get(it.start);
    if (list) list.push(it.index);
    else starts.set(it.start, [it.index]);
  }
  const status = (i: number) => s.items[i]!.status;
  const c = opts.color;
  const lines: string[] = [];
  let k = 0;
  const gutterWidth = Math.max(3, String(s.items.length - 1).length + 1);
  while (k <= n) {
    // one line [k, e)
    let e = k;
    while (e < n && cps[e] !== '\n') e++;
    // items starting on this line, at its indentation
    let first = k;
    while (first < e && (cps[first] === ' ' || cps[first] === '\t')) first++;
    const lineItems: number[] = [];
    for (let p = k; p <= Math.min(first, e); p++) for (const i of starts.get(p) ?? []) lineItems.push(i);
    const gutter = lineItems.length ? lineItems.join(',') : '';
    let out = c
      ? `${STYLE.marker}${gutter.padStart(gutterWidth)} │${STYLE.reset} `
      : `${gutter.padStart(gutterWidth)} | `;
    let style = '';
    let inSup = false;
    for (let p = k; p < e; p++) {
      // inline marker for an item starting mid-line
      if (p > first)
        for (const i of starts.get(p) ?? []) out += c ? `${STYLE.marker}⟨${i}⟩${STYLE.reset}${style}` : `⟨${i}⟩`;
      const ch = cps[p]!;
      if (ch === '\r' && cps[p + 1] === '\n') continue;
      if (c) {
        const it = itemAt[p]!;
        const want = sup[p]
          ? STYLE.sup
          : it >= 0
            ? status(it) === 'selected'
              ? STYLE.selItem
              : status(it) === 'flagged'
                ? STYLE.flagged
                : ''
            : '';
        if (want !== style) {
          out += STYLE.reset + want;
          style = want;
        }
      } else if (!!sup[p] !== inSup) {
        out += inSup ? '»' : '«';
        inSup = !inSup;
      }
      out += visible(ch);
    }
    if (c && style) out += STYLE.reset;
    // a supervised run is closed at the line end (and reopened on the next line)
    if (!c && inSup) out += '»';
    lines.push(out);
    if (e >= n) break;
    // supervised newline: shown as a marked ⏎ so the model's emitted line ends are visible
    if (sup[e]) lines[lines.length - 1] += c ? `${STYLE.sup}⏎${STYLE.reset}` : '«⏎»';
    k = e + 1;
  }
  return lines.join('\n');
}

function table(rows: string[][], header: string[], color: boolean, styles?: Array<string | undefined>): string {
  const w = header.map((h, j) => Math.max(h.length, ...rows.map((r) => [...r[j]!].length)));
  const pad = (cells: string[]) =>
    cells
      .map((x, j) => (j >= 2 && j <= 8 ? x.padStart(w[j]!) : j === cells.length - 1 ? x : x.padEnd(w[j]!)))
      .join('  ');
  const out = [color ? `${STYLE.bold}${pad(header)}${STYLE.reset}` : pad(header)];
  rows.forEach((r, i) => {
    const st = styles?.[i];
    out.push(color && st ? `${st}${pad(r)}${STYLE.reset}` : pad(r));
  });
  return out.join('\n');
}

function list(a: number[]): string {
  return a.length ? a.join(',') : '-';
}

/** Header, response and items table of one sample. */
export function renderSample(
  s: InspectSample,
  run: RunInfo,
  summary: RunSummary | undefined,
  opts: TerminalOptions,
): string {
  const c = opts.color;
  const out: string[] = [];
  const h = (x: string) => (c ? `${STYLE.head}${x}${STYLE.reset}` : x);
  out.push(`${h(`sample ${s.id}`)}  (ordinal ${s.ordinal}, ${s.file}:${s.line})  run: ${run.label} — ${run.dir}`);
  if (s.state === 'selected') {
    const resp = s.supervised?.length ?? 0;
    const inResp = (s.numSupervised ?? 0) - (s.supervisedOutside ?? 0);
    out.push(
      `selected: ${s.numSupervised} supervised tokens of ${s.numTokens} (${inResp}/${resp} response tokens, ` +
        `${pct(inResp, resp)})${s.supervisedOutside ? `, ${s.supervisedOutside} outside the response` : ''}`,
    );
  } else if (s.state === 'rejected') {
    out.push(
      `${c ? STYLE.red : ''}not in the training data: ` +
        `${s.reason}${s.detail ? ` — ${s.detail}` : ''}${c ? STYLE.reset : ''}`,
    );
  } else {
    out.push(
      'analysis files only: items and scores, no supervision yet (run `codeblock select` to see what is picked)',
    );
  }
  if (summary?.threshold !== undefined)
    out.push(`global item threshold (lowest selected score): ${fmt(summary.threshold, 4)}`);
  out.push('');
  for (const m of s.prompt) {
    const text = Array.from(m.content).map(visible).join('');
    out.push(c ? `${STYLE.dim}[${m.role}] ${text}${STYLE.reset}` : `[${m.role}] ${text}`);
  }
  out.push(c ? `${STYLE.dim}[assistant]${STYLE.reset}` : '[assistant]');
  out.push(renderResponse(s, opts));
  out.push('');
  if (c)
    out.push(
      `${STYLE.sup} supervised ${STYLE.reset}  ${STYLE.selItem}selected item${STYLE.reset}  ` +
        `${STYLE.flagged}flagged item${STYLE.reset}  ${STYLE.marker}n │ items starting on the line, ⟨n⟩ ` +
        `mid-line${STYLE.reset}`,
    );
  else out.push('legend: «supervised»  n | items starting on the line  ⟨n⟩ item starting mid-line');
  out.push('');
  if (s.segments.length > 0) {
    const segs = s.segments.map((g, i) => {
      const inSeg = s.items.filter((it) => g.start <= it.start && it.start < g.end);
      const items = inSeg.length ? `items ${inSeg[0]!.index}–${inSeg[inSeg.length - 1]!.index}` : 'no items';
      return `#${i} ${g.lang} (${items})`;
    });
    out.push(`code segments: ${segs.join(' · ')}`);
  }
  if (s.items.length === 0) {
    out.push('no coding items');
    return out.join('\n');
  }
  const rows = s.items.map((it) => [
    String(it.index),
    it.label,
    fmt(it.u),
    String(it.nCore),
    fmt(it.reach),
    fmt(it.bridge),
    fmt(it.score),
    it.tokens < 0 ? '-' : String(it.tokens),
    it.tokens < 0 ? '-' : String(it.supervised),
    cpSliceShort(s.response, it.start, it.end),
    STATUS_TEXT[it.status] + (it.flags.length ? ` [${it.flags.join(',')}]` : ''),
    list(it.defs),
    list(it.uses),
  ]);
  // column order: # type U core reach bridge score tok sup | text status defs uses
  out.push(
    table(
      rows.map((r) => [r[0]!, r[1]!, r[2]!, r[3]!, r[4]!, r[5]!, r[6]!, r[7]!, r[8]!, r[10]!, r[11]!, r[12]!, r[9]!]),
      ['#', 'item', 'U', 'core', 'reach', 'bridge', 'score', 'tok', 'sup', 'status', 'defs', 'uses', 'text'],
      c,
      s.items.map((it) => statusStyle(it.status)),
    ),
  );
  return out.join('\n');
}

/** First line of an item's text, shortened, control characters made visible. */
function cpSliceShort(text: string, start: number, end: number): string {
  const cps = Array.from(text).slice(start, end).join('').trim();
  const first = cps.split('\n')[0]!;
  const short = Array.from(first);
  const s = short.length > 40 ? `${short.slice(0, 39).join('')}…` : first;
  return Array.from(s).map(visible).join('') + (cps.includes('\n') ? ' ⏎' : '');
}

/** A few lines about the whole run. */
export function renderSummary(sum: RunSummary, opts: TerminalOptions): string {
  const c = opts.color;
  const out: string[] = [];
  const h = (x: string) => (c ? `${STYLE.head}${x}${STYLE.reset}` : x);
  out.push(
    h(`${sum.kind === 'output' ? 'output' : 'analysis'} ${sum.dir}`) +
      `  mode ${sum.mode}${sum.budget !== undefined ? `, budget ${sum.budget}` : ''}`,
  );
  const cn = sum.counts;
  const rej = Object.entries(cn.rejected)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  if (sum.kind === 'output') {
    out.push(
      `records: ${cn.input} input = ${cn.selected} selected + ` +
        `${Object.values(cn.rejected).reduce((a, b) => a + b, 0)} rejected${rej ? ` (${rej})` : ''} + ` +
        `${cn.quarantined} quarantined`,
    );
  } else out.push(`records: ${cn.analyzed} analyzed`);
  if (sum.tokens)
    out.push(
      `supervised: ${sum.tokens.supervised} of ${sum.tokens.response} response tokens ` +
        `(${pct(sum.tokens.supervised, sum.tokens.response)}; code ${sum.tokens.supervised_code}, prose ` +
        `${sum.tokens.supervised_nl})`,
    );
  if (sum.packing)
    out.push(
      `packing: ${sum.packing.packs} packs of ${sum.packing.max_len}, efficiency ${pct(sum.packing.efficiency, 1)}`,
    );
  const st = Object.entries(sum.items.status)
    .sort((a, b) => b[1]! - a[1]!)
    .map(([k, n]) => `${STATUS_TEXT[k as ItemStatus]} ${n}`)
    .join(', ');
  out.push(
    `items: ${sum.items.total} (${st})${sum.threshold !== undefined ? `; threshold ${fmt(sum.threshold, 4)}` : ''}`,
  );
  if (sum.kinds) out.push('', ...renderKinds(sum.kinds));
  out.push('', ...renderUtility(sum, opts));
  return out.join('\n');
}

/** Statement-kind mix of the selected items against the pool's, and the share that opens its response. */
export function renderKinds(k: SelectionStats): string[] {
  const sel = kindShares(k.selected);
  const pool = kindShares(k.pool);
  const row = (name: string, a: string, b: string) => `  ${name.padEnd(12)} ${a.padStart(9)} ${b.padStart(9)}`;
  return [
    `statement kinds: ${k.selectedItems} selected items against ${k.poolItems} selectable items of the pool`,
    row('', 'selected', 'pool'),
    ...STATEMENT_KINDS.map((kind) => row(kind, pct(sel[kind], 1), pct(pool[kind], 1))),
    row('bodies', pct(bodyShare(k.selected), 1), pct(bodyShare(k.pool), 1)) + '  (returns, conditions, calls)',
    row('first item', pct(k.selectedFirst, k.selectedItems), pct(k.poolFirst, k.poolItems)) + '  (opens its response)',
  ];
}

/** Widest bar of a text histogram, in █ characters. */
const BAR = 40;

/** One line per bin: range, a bar of █ scaled to the fullest bin, the count; `marker` goes after its bin. */
function textHistogram(h: Histogram, opts: TerminalOptions, marker?: { bin: number; text: string }): string[] {
  const counts = h.series[0]!.counts;
  const max = Math.max(1, ...counts);
  const digits = h.edges[h.edges.length - 1]! >= 100 ? 0 : 3;
  const width = String(max).length;
  return counts.map((n, b) => {
    const last = b === counts.length - 1;
    const range = `[${fmt(h.edges[b]!, digits)}, ${fmt(h.edges[b + 1]!, digits)}${last ? ']' : ')'}`;
    const bar = '█'.repeat(n > 0 ? Math.max(1, Math.round((n / max) * BAR)) : 0).padEnd(BAR);
    let line = `  ${range}  ${bar}  ${String(n).padStart(width)}`;
    if (marker?.bin === b)
      line += opts.color ? `  ${STYLE.yellow}◀ ${marker.text}${STYLE.reset}` : `  ◀ ${marker.text}`;
    return line;
  });
}

function thresholdText(u: UtilityView): string {
  const t = u.threshold!;
  const where =
    t.source === 'manifest' ? 'manifest selection.item_threshold, the lowest score taken' : 'lowest selected score';
  return `run threshold ${fmt(t.value, 4)} (${where}; ${u.atThreshold} of ${u.items} items score at or above it)`;
}

/**
 * The U distribution of the pool (item utility from the reference LM) and where the run's threshold
 * sits: on the U histogram when the mode's score is U, else on a histogram of the mode's item scores.
 */
export function renderUtility(sum: RunSummary, opts: TerminalOptions): string[] {
  const u = sum.utility;
  const out: string[] = [];
  if (u.items === 0) return ['item utility U: no coding items'];
  const noItemThreshold =
    sum.kind === 'output' && !isItemMode(sum.mode) ? `; mode ${sum.mode} does not select items: no item threshold` : '';
  if (!u.scored) {
    const t = u.threshold && u.scoreIsU ? `; ${thresholdText(u)}` : '';
    out.push(
      `item utility U: not scored (analysis --scorer none): every item's U is 1, no U histogram${t}${noItemThreshold}`,
    );
  } else {
    const bound = 1 / u.q;
    const sat =
      u.saturated !== undefined
        ? `; saturated (U ≥ ${1 - SATURATION}/q = ${fmt((1 - SATURATION) * bound)}) ${pct(u.saturated, u.items)}`
        : '';
    const noCore = u.noCore ? `; ${u.noCore} without core tokens (U 0)` : '';
    out.push(
      `item utility U of ${u.items} items (GCE q ${u.q}, reduce ${u.reduce}, 1/q = ${fmt(bound)}): median ` +
        `${fmt(u.median)}, IQR ${fmt(u.q1)}–${fmt(u.q3)}${sat}${noCore}`,
    );
    const onU = u.threshold && u.scoreIsU;
    if (onU) out.push(`mode ${sum.mode} ranks items by U: ${thresholdText(u)}, marked ◀`);
    else if (u.threshold)
      out.push(`the run threshold is on the mode ${sum.mode} score, not on U: see the score histogram`);
    out.push(
      ...textHistogram(
        u.histogram,
        opts,
        onU ? { bin: binOf(u.histogram.edges, u.threshold!.value), text: 'threshold' } : undefined,
      ),
    );
    if (noItemThreshold) out.push(noItemThreshold.slice(2));
  }
  if (u.threshold && !u.scoreIsU) {
    out.push(`item score under mode ${sum.mode} of ${u.items} items: ${thresholdText(u)}`);
    out.push(...textHistogram(u.scores, opts, { bin: binOf(u.scores.edges, u.threshold.value), text: 'threshold' }));
  }
  return out;
}
