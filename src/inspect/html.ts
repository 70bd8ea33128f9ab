/**
 * The HTML report: one self-contained file (inline CSS, inline SVG charts, inline script, the data
 * as JSON in the page) that renders offline — no CDN, no fonts, no external request of any kind.
 *
 *   #summary   per run: counts and rejection reasons, supervised ratio, code vs prose share,
 *              packing efficiency; charts: item utility U (with the threshold when the score is U),
 *              item scores (threshold marked), supervised tokens per sample, supervised share by
 *              item type, why items were left out
 *   #compare   (several runs) supervised-character overlap of the runs on the shared samples
 *   #browser   sample list + the selected sample: prompt, response with items outlined and
 *              supervised tokens highlighted; click an item for its scores and def-use partners;
 *              with several runs, which characters each run supervises
 *
 * Elements the browser test reads carry `data-k` (summary values) and `data-t` (tokens).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CodeblockError } from '../errors.js';
import { STATEMENT_KINDS, bodyShare, kindShares } from '../budget/selection-stats.js';
import type { Collected, RunSampleView } from './collect.js';
import { STATUS_TEXT, type InspectSample, type ItemStatus } from './types.js';
import { barsSvg, esc, histogramSvg } from './svg.js';
import { SATURATION, type RunSummary, type UtilityView } from './summary.js';
import { isItemMode } from '../budget/modes.js';
import { runKnobs } from './load.js';

/**
 * The in-page script, compiled from src/inspect/page/client.ts by tsconfig.page.json (part of `npm run build:ts`,
 * `npm test`, `prepare` and `prepack`) to the folder beside this module; read once, on the first report.
 */
const CLIENT_JS_PATH = fileURLToPath(new URL('./page/client.js', import.meta.url));
let clientJs: string | undefined;

function clientScript(): string {
  if (clientJs !== undefined) return clientJs;
  if (!existsSync(CLIENT_JS_PATH)) {
    throw new CodeblockError(
      `inspect's page script is not built (${CLIENT_JS_PATH} missing): run \`npm run build:ts\` in a checkout ` +
        '(it compiles tsconfig.page.json), or reinstall codeblock-sft',
      'E_INTERNAL',
    );
  }
  // never "</script" inside the inline <script>: the page source has none, and this keeps it so
  clientJs = readFileSync(CLIENT_JS_PATH, 'utf8').replace(/<\/(script)/gi, '<\\/$1');
  return clientJs;
}

export interface ReportOptions {
  /** Title of the page. */
  title?: string;
  /** codeblock version, shown in the footer. */
  version?: string;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

function n(x: number | undefined): string {
  return x === undefined ? '–' : String(x);
}

/** JSON safe inside <script>: no "</script>", no HTML comment openers. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function sampleJson(s: InspectSample, views: Array<RunSampleView | undefined> | undefined) {
  return {
    id: s.id,
    ordinal: s.ordinal,
    file: s.file,
    line: s.line,
    state: s.state,
    reason: s.reason,
    detail: s.detail,
    prompt: s.prompt.map((m) => ({ role: m.role, content: m.content })),
    response: s.response,
    segments: s.segments.map((g) => [g.start, g.end, g.lang]),
    items: s.items.map((it) => ({
      s: it.start,
      e: it.end,
      kind: it.kind,
      type: it.type,
      label: it.label,
      flags: it.flags,
      u: round(it.u),
      nCore: it.nCore,
      reach: round(it.reach),
      bridge: round(it.bridge),
      score: round(it.score),
      tokens: it.tokens,
      sup: it.supervised,
      status: it.status,
      defs: it.defs,
      uses: it.uses,
    })),
    tokens: s.tokens ? Array.from(s.tokens) : null,
    sup: s.supervised ? Array.from(s.supervised).join('') : null,
    numSupervised: s.numSupervised ?? null,
    outside: s.supervisedOutside ?? 0,
    numTokens: s.numTokens ?? null,
    scorer: s.scorer ?? null,
    runs: views
      ? views.map((v) =>
          v
            ? { state: v.state, reason: v.reason ?? null, numSupervised: v.numSupervised ?? null, ranges: v.ranges }
            : null,
        )
      : null,
  };
}

function round(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}

function summaryTable(sums: RunSummary[]): string {
  const rows: Array<[string, string, (s: RunSummary) => string]> = [
    ['mode', 'mode', (s) => esc(s.mode)],
    ['budget', 'budget', (s) => n(s.budget)],
    ['input records', 'counts.input', (s) => n(s.counts.input)],
    ['analyzed', 'counts.analyzed', (s) => n(s.counts.analyzed)],
    ['selected samples', 'counts.selected', (s) => n(s.counts.selected)],
    ['rejected', 'counts.rejected', (s) => n(Object.values(s.counts.rejected).reduce((a, b) => a + b, 0))],
    ['quarantined', 'counts.quarantined', (s) => n(s.counts.quarantined)],
    ['response tokens', 'tokens.response', (s) => n(s.tokens?.response)],
    ['supervised tokens', 'tokens.supervised', (s) => n(s.tokens?.supervised)],
    ['— in code items', 'tokens.supervised_code', (s) => n(s.tokens?.supervised_code)],
    ['— prose (NL)', 'tokens.supervised_nl', (s) => n(s.tokens?.supervised_nl)],
    ['supervised ratio', 'tokens.ratio', (s) => (s.tokens ? pct(s.tokens.ratio) : '–')],
    [
      'code share of response tokens',
      'share.code',
      (s) => (s.share.code + s.share.prose > 0 ? pct(s.share.code / (s.share.code + s.share.prose)) : '–'),
    ],
    ['packs', 'packing.packs', (s) => n(s.packing?.packs)],
    ['packing efficiency', 'packing.efficiency', (s) => (s.packing ? pct(s.packing.efficiency) : '–')],
    ['coding items', 'items.total', (s) => n(s.items.total)],
    ['items selected', 'items.selected', (s) => n(s.items.status.selected ?? 0)],
    ['lowest selected item score', 'threshold', (s) => (s.threshold === undefined ? '–' : s.threshold.toFixed(4))],
    [
      'run item threshold (score)',
      'utility.threshold',
      (s) => (s.utility.threshold ? s.utility.threshold.value.toFixed(4) : '–'),
    ],
    ...STATEMENT_KINDS.map((kind): [string, string, (s: RunSummary) => string] => [
      `selected items: ${kind} (pool)`,
      `kinds.${kind}`,
      (s) => (s.kinds ? `${pct(kindShares(s.kinds.selected)[kind])} (${pct(kindShares(s.kinds.pool)[kind])})` : '–'),
    ]),
    [
      'selected items: bodies — returns, conditions, calls (pool)',
      'kinds.bodies',
      (s) => (s.kinds ? `${pct(bodyShare(s.kinds.selected))} (${pct(bodyShare(s.kinds.pool))})` : '–'),
    ],
    [
      'selected items opening their response (pool)',
      'kinds.first',
      (s) => {
        const k = s.kinds;
        if (!k) return '–';
        const share = (a: number, b: number) => pct(b ? a / b : 0);
        return `${share(k.selectedFirst, k.selectedItems)} (${share(k.poolFirst, k.poolItems)})`;
      },
    ],
    ['item U: median [IQR]', 'utility.median', (s) => uMedian(s.utility)],
    [
      `item U saturated (≥ ${1 - SATURATION}/q)`,
      'utility.saturated',
      (s) => (s.utility.scored && s.utility.saturated !== undefined ? pct(s.utility.saturated / s.utility.items) : '–'),
    ],
  ];
  const head = `<tr><th></th>${sums.map((s, r) => `<th data-run="${r}">${esc(s.label)}</th>`).join('')}</tr>`;
  const body = rows
    .map(
      ([label, key, f]) =>
        '<tr><th ' +
        `scope="row">${esc(label)}</th>` +
        `${sums.map((s, r) => `<td data-k="${key}" data-run="${r}">${f(s)}</td>`).join('')}` +
        '</tr>',
    )
    .join('');
  return `<table class="sum">${head}${body}</table>`;
}

function reasonsBars(s: RunSummary, r: number): string {
  const rows = Object.entries(s.counts.rejected)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([reason, c]) => ({ label: reason, values: [c], note: String(c) }));
  if (s.counts.quarantined)
    rows.push({ label: 'quarantined', values: [s.counts.quarantined], note: String(s.counts.quarantined) });
  if (rows.length === 0) return '';
  return barsSvg(rows, ['records'], {
    title: 'Records not selected, by reason',
    xLabel: 'records',
    id: `chart-reasons-${r}`,
    colors: ['#c94f6d', '#c94f6d'],
  });
}

function statusBars(s: RunSummary, r: number): string {
  const rows = (Object.entries(s.items.status) as Array<[ItemStatus, number]>)
    .sort((a, b) => b[1] - a[1])
    .map(([st, c]) => ({ label: STATUS_TEXT[st], values: [c], note: String(c) }));
  if (rows.length === 0) return '';
  return barsSvg(rows, ['items'], { title: 'Coding items by outcome', xLabel: 'items', id: `chart-status-${r}` });
}

function typeBars(s: RunSummary, r: number): string {
  const top = s.byType.slice(0, 14);
  if (top.length === 0) return '';
  if (s.kind === 'analysis') {
    return barsSvg(
      top.map((t) => ({ label: t.type, values: [t.items], note: String(t.items) })),
      ['items'],
      { title: 'Coding items by type', xLabel: 'items', id: `chart-types-${r}` },
    );
  }
  const totalSup = s.byType.reduce((a, t) => a + t.supervised, 0);
  return barsSvg(
    top.map((t) => ({
      label: t.type,
      values: [t.supervised],
      note: `${totalSup ? pct(t.supervised / totalSup) : '0%'} · ${t.selected}/${t.items} items`,
    })),
    ['supervised tokens'],
    {
      title: 'Supervised code tokens by item type (share · selected/all items)',
      xLabel: 'tokens',
      id: `chart-types-${r}`,
    },
  );
}

function uMedian(u: UtilityView): string {
  if (!u.scored) return 'not scored';
  if (u.items === 0) return '–';
  return `${u.median.toFixed(3)} [${u.q1.toFixed(3)}, ${u.q3.toFixed(3)}]`;
}

/** The U histogram of the pool with its caption (median, IQR, saturation, where the run's threshold is). */
function utilityFigure(s: RunSummary, r: number): string {
  const u = s.utility;
  if (u.items === 0) return '';
  if (!u.scored) {
    return (
      `<p class="note" id="u-unscored-${r}" data-k="utility.unscored">Item utility U: not scored — the analysis ran ` +
      "with <code>--scorer none</code>, so every item's U is 1 and has no distribution to show.</p>"
    );
  }
  const onU = u.threshold !== undefined && u.scoreIsU;
  const svg = histogramSvg(u.histogram, {
    title: `Item utility U (${u.items} items, reference LM)`,
    xLabel: `U = ${u.reduce} of (1 − p^q)/q over core tokens, q = ${u.q}, 1/q = ${(1 / u.q).toFixed(3)}`,
    id: `chart-u-${r}`,
    // neutral: green means "selected" in the other charts
    colors: ['#3b82c4', '#3b82c4'],
    marker: onU ? { x: u.threshold!.value, label: 'threshold' } : undefined,
  });
  const parts = [`median ${u.median.toFixed(3)}, IQR ${u.q1.toFixed(3)}–${u.q3.toFixed(3)}`];
  if (u.saturated !== undefined)
    parts.push(`saturated (U ≥ ${1 - SATURATION}/q): ${pct(u.saturated / u.items)} of items`);
  if (u.noCore) parts.push(`${u.noCore} items without core tokens (U 0)`);
  if (onU) parts.push(`mode ${s.mode} ranks items by U: the run threshold ${u.threshold!.value.toFixed(4)} is marked`);
  else if (u.threshold)
    parts.push(
      `the run threshold ${u.threshold.value.toFixed(4)} is on the mode ${s.mode} score, not on U: it is marked ` +
        'on the item score chart',
    );
  else if (s.kind === 'output' && !isItemMode(s.mode)) parts.push(`mode ${s.mode} does not select items`);
  return `${svg}<figcaption id="u-caption-${r}">${esc(parts.join(' · '))}</figcaption>`;
}

function runSection(s: RunSummary, r: number): string {
  const t = s.utility.threshold?.value ?? s.threshold;
  const charts = [
    utilityFigure(s, r),
    histogramSvg(s.scoreHistogram, {
      title: s.kind === 'analysis' ? 'Item scores' : 'Item scores (selected vs not)',
      xLabel: `score (${s.mode === 'codeblock' || s.kind === 'analysis' ? 'U·(1+λr·reach+λb·bridge)' : s.mode})`,
      id: `chart-scores-${r}`,
      marker: t !== undefined ? { x: t, label: 'threshold' } : undefined,
    }),
    s.kind === 'output'
      ? histogramSvg(s.supervisedHistogram, {
          title: 'Supervised tokens per written sample',
          xLabel: 'supervised tokens',
          id: `chart-persample-${r}`,
        })
      : '',
    typeBars(s, r),
    statusBars(s, r),
    reasonsBars(s, r),
  ].filter(Boolean);
  return (
    `<section class="run" data-run="${r}"><h3>${esc(s.label)} <small>${esc(s.dir)}</small></h3><div ` +
    `class="charts">${charts.map((c) => `<figure>${c}</figure>`).join('')}</div></section>`
  );
}

/** Character-level overlap of supervision between the primary run and each other run, on samples both wrote. */
function compareTable(c: Collected): string {
  if (c.runs.length < 2) return '';
  const rows: string[] = [];
  for (let r = 1; r < c.runs.length; r++) {
    let a = 0;
    let b = 0;
    let both = 0;
    let shared = 0;
    for (const views of c.compare.values()) {
      const x = views[0];
      const y = views[r];
      if (!x || !y || x.state !== 'selected' || y.state !== 'selected') continue;
      shared++;
      const la = lenOf(x.ranges);
      const lb = lenOf(y.ranges);
      const ov = overlapLen(x.ranges, y.ranges);
      a += la;
      b += lb;
      both += ov;
    }
    const union = a + b - both;
    rows.push(
      `<tr><td>${esc(c.runs[0]!.label)} vs ${esc(c.runs[r]!.label)}</td><td data-k="compare.shared" ` +
        `data-run="${r}">${shared}</td><td>${a}</td><td>${b}</td><td>${both}</td><td data-k="compare.jaccard" ` +
        `data-run="${r}">${union ? (both / union).toFixed(3) : '–'}</td></tr>`,
    );
  }
  return (
    '<section id="compare"><h2>Mode comparison</h2><p>Supervised response characters on the samples both runs ' +
    'wrote (among the samples in this report). Open a sample below and pick a run to compare: characters only the ' +
    'first run supervises, only the other, or both.</p><table class="sum"><tr><th>runs</th><th>shared ' +
    'samples</th><th>chars A</th><th>chars ' +
    `B</th><th>both</th><th>Jaccard</th></tr>${rows.join('')}</table></section>`
  );
}

function lenOf(r: number[]): number {
  let s = 0;
  for (let i = 0; i < r.length; i += 2) s += r[i + 1]! - r[i]!;
  return s;
}

function overlapLen(x: number[], y: number[]): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i < x.length && j < y.length) {
    const a = Math.max(x[i]!, y[j]!);
    const b = Math.min(x[i + 1]!, y[j + 1]!);
    if (b > a) s += b - a;
    if (x[i + 1]! < y[j + 1]!) i += 2;
    else j += 2;
  }
  return s;
}

const CSS = `
:root{--sup:#ffd666;--supb:#e0a800;--sel:#2f9e6e;--flag:#c94f6d;--muted:#6b7280;--def:#3b82c4;--use:#e07b39;--bg:#fff;\
--fg:#1f2328;--line:#d8dee4}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);\
background:var(--bg)}
header{padding:12px 20px;border-bottom:1px solid var(--line);display:flex;gap:16px;align-items:baseline;flex-wrap:wrap}
header h1{font-size:18px;margin:0}header .meta{color:var(--muted);font-size:12px}
main{padding:8px 20px 40px}h2{font-size:16px;margin:22px 0 8px}h3{font-size:14px;margin:14px 0 6px}h3 \
small{color:var(--muted);font-weight:normal}
table.sum{border-collapse:collapse;font-size:13px}table.sum th,table.sum td{border:1px solid var(--line);padding:3px \
8px;text-align:right}table.sum th[scope=row],table.sum td:first-child{text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:4px}
figcaption{max-width:460px;padding:2px 4px;font-size:12px;color:var(--muted)}
svg.chart .ct{font-size:12px;font-weight:600}svg.chart .tk{font-size:10px;fill:#444}svg.chart .al{font-size:11px;\
fill:#444}svg.chart .grid{stroke:#eee}svg.chart .axis{stroke:#888}svg.chart .mark{stroke:#c94f6d;stroke-dasharray:4 3}
#browser{display:grid;grid-template-columns:280px 1fr;gap:12px;align-items:start}
#list{max-height:80vh;overflow:auto;border:1px solid var(--line);border-radius:6px}
#list .filters{position:sticky;top:0;background:#f6f8fa;padding:6px;border-bottom:1px solid var(--line);display:flex;\
gap:6px}
#list button.sl{display:block;width:100%;text-align:left;border:0;border-bottom:1px solid #eef;background:none;\
padding:5px 8px;font:12px ui-monospace,monospace;cursor:pointer}
#list button.sl:hover{background:#f3f6fb}#list button.sl.on{background:#e7f0ff}
#list .st-rejected{color:var(--muted)}#list .n{float:right;color:var(--muted)}
#view{min-width:0}#view .head{display:flex;gap:12px;flex-wrap:wrap;align-items:baseline}#view .head code{font-size:12px}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;background:#eef}\
.badge.selected{background:#dff3e8;color:#14613f}.badge.rejected{background:#fde8ec;color:#8a1f3a}
.prompt{white-space:pre-wrap;background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:8px;\
font:12.5px/1.5 ui-monospace,monospace;color:#444;max-height:200px;overflow:auto}
.resp-wrap{position:relative}svg.arrows{position:absolute;left:0;top:0;pointer-events:none;overflow:visible}svg.arrows \
.arrow{fill:none;stroke-width:1.6}svg.arrows .def{stroke:var(--def)}svg.arrows .use{stroke:var(--use)}
pre.resp{white-space:pre-wrap;word-break:break-word;border:1px solid var(--line);border-radius:6px;padding:8px 8px 8px \
48px;font:13px/1.6 ui-monospace,SFMono-Regular,Menlo,monospace;margin:6px 0}
.item{border:1px solid #c8ced6;border-radius:3px;-webkit-box-decoration-break:clone;box-decoration-break:clone;\
cursor:pointer;padding:0 1px}
.item.st-selected{border-color:var(--sel);background:#f1faf5}.item.st-flagged{border-style:dashed;\
border-color:var(--flag)}
.item::before{content:attr(data-i);font-size:9px;color:#8a93a0;vertical-align:super;margin-right:1px}
.item:hover{border-color:#555}.item.on{outline:2px solid #111;outline-offset:0}
.item.def{border-color:var(--def);background:#e8f1fb;border-width:2px}.item.use{border-color:var(--use);\
background:#fdf0e6;border-width:2px}
.tk.sup{background:var(--sup);box-shadow:inset 0 -2px var(--supb)}.tk.eot{font-size:85%;color:#555;margin-left:2px}
.cmp .tk.sup{background:none;box-shadow:none}.cmp .ca{background:#cfe0fb}.cmp .cb{background:#fbd9c0}.cmp \
.cab{background:#bde8cf}
.seg-code{}.marker{color:var(--muted);font-size:10px;vertical-align:super}
.legend{font-size:12px;color:var(--muted);display:flex;gap:12px;flex-wrap:wrap}.legend span.sw{display:inline-block;\
width:12px;height:12px;border-radius:2px;vertical-align:middle;margin-right:3px}
#panel{border:1px solid var(--line);border-radius:6px;padding:8px;font-size:13px;min-height:40px}
#panel table{border-collapse:collapse}#panel td,#panel th{padding:1px 8px 1px 0;text-align:left}
#panel a{color:var(--def);cursor:pointer;text-decoration:underline}
.note{color:var(--muted);font-size:12px}
`;

/** Render the report. Deterministic for the same inputs (no timestamps). */
export function renderReport(c: Collected, opts: ReportOptions = {}): string {
  const title = opts.title ?? 'codeblock report';
  const data = {
    runs: c.runs.map((r, i) => ({
      label: r.label,
      mode: r.mode,
      kind: r.kind,
      threshold: c.summaries[i]!.threshold ?? null,
      q: runKnobs(r).q,
    })),
    total: c.totalSamples,
    samples: c.samples.map((s) => sampleJson(s, c.compare.get(s.id))),
    /** The sample the report opens at (a pick flag), else the first written one. */
    initial: c.picked?.id ?? null,
    statusText: STATUS_TEXT,
  };
  const primary = c.summaries[0]!;
  const shown =
    c.samples.length < c.totalSamples
      ? `the first ${c.samples.length} of ${c.totalSamples} analyzed records`
      : `all ${c.totalSamples} analyzed records`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src \
'unsafe-inline'">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body>
<header><h1>${esc(title)}</h1><span class="meta">${esc(c.runs.map((r) => r.dir).join(' · '))}${
    opts.version ? ` · codeblock ${esc(opts.version)}` : ''
  }</span></header>
<main>
<section id="summary"><h2>Pool summary</h2>
${summaryTable(c.summaries)}
${c.summaries.map((s, r) => runSection(s, r)).join('\n')}
</section>
${compareTable(c)}
<section><h2>Samples</h2><p class="note">Showing ${shown} of <b>${esc(primary.label)}</b>. Click a sample, then an \
item (outlined) for its scores; its def-use partners light up (<span style="color:var(--def)">definitions it \
uses</span>, <span style="color:var(--use)">items using its definitions</span>).</p>
<div id="browser"><div id="list"><div class="filters"><select id="filter"><option value="all">all samples</option>\
<option value="selected">written to training data</option><option value="rejected">dropped by select</option></select>\
</div><div id="items-list"></div></div>
<div id="view"><p class="note">Pick a sample on the left.</p></div></div>
</section>
</main>
<script type="application/json" id="cb-data">${scriptJson(data)}</script>
<script>${clientScript()}</script>
</body></html>
`;
}
