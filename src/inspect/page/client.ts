/**
 * The report's in-page script: sample list, sample view with items outlined and supervised tokens
 * highlighted, item panel with def-use partners, run comparison. A browser script (no import, no
 * export, no library), type-checked against the DOM by tsconfig.page.json and compiled to ES2017 in
 * dist/src/inspect/page/client.js, which `html.ts` inlines so the report stays one file. It reads its
 * data from #cb-data (the shape `sampleJson`/`reportHtml` in html.ts write, typed below as PageData).
 *
 * Rendering: the response (code points) is cut at every item, token and comparison boundary; each
 * piece becomes a text node or a <span class="tk"> carrying its token index (data-t), inside the
 * <span class="item"> it belongs to. A token that covers no new character (byte-level BPE splits
 * one character over several tokens, all with the same range) becomes an empty span, so the number
 * of highlighted tokens is the number of distinct data-t among .tk.sup — exactly num_supervised.
 */

/** One item of a sample, as html.ts writes it. */
interface PageItem {
  s: number;
  e: number;
  kind: string;
  type: string;
  label: string;
  flags: string[];
  u: number;
  nCore: number;
  reach: number;
  bridge: number;
  score: number;
  tokens: number;
  sup: number;
  status: string;
  defs: number[];
  uses: number[];
}

/** One run's view of a sample (several runs only). */
interface PageRunView {
  state: string;
  reason?: string;
  numSupervised?: number;
  /** merged [start, end) code-point ranges the run supervises */
  ranges: number[];
}

interface PageSample {
  id: string;
  ordinal: number;
  file: string;
  line: number;
  state: string;
  reason?: string;
  detail?: string;
  prompt: Array<{ role: string; content: string }>;
  response: string;
  /** [start, end, language] */
  segments: Array<[number, number, string]>;
  items: PageItem[];
  /** [start, end) code-point pairs of the target tokens in the response, or null */
  tokens: number[] | null;
  /** '1'/'0' per token: supervised */
  sup?: string;
  numSupervised?: number;
  numTokens?: number;
  /** supervised template tokens after the response */
  outside?: number;
  scorer?: { spans: number[]; u: number[] };
  runs?: Array<PageRunView | null>;
}

interface PageRun {
  label: string;
  threshold?: number | null;
  q?: number;
}

interface PageData {
  samples: PageSample[];
  runs: PageRun[];
  statusText: Record<string, string>;
  initial?: string | null;
}

(() => {
  const D: PageData = JSON.parse(document.getElementById('cb-data')!.textContent!);
  const listEl = document.getElementById('items-list')!;
  const view = document.getElementById('view')!;
  const filterEl = document.getElementById('filter') as HTMLSelectElement;
  let current = -1;
  let cmpRun = 0;

  function el(tag: string, cls?: string, text?: unknown): HTMLElement {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fx(x: unknown, d?: number): string {
    return typeof x === 'number' ? x.toFixed(d === undefined ? 3 : d) : '–';
  }

  function renderList(): void {
    listEl.textContent = '';
    D.samples.forEach((s, i) => {
      const f = filterEl.value;
      if (f === 'selected' && s.state !== 'selected') return;
      if (f === 'rejected' && s.state !== 'rejected') return;
      const b = el('button', `sl st-${s.state}${i === current ? ' on' : ''}`);
      b.dataset.idx = String(i);
      b.dataset.id = s.id;
      b.title = `${s.id} (${s.file}:${s.line})`;
      b.appendChild(document.createTextNode(s.id.length > 18 ? `${s.id.slice(0, 17)}…` : s.id));
      b.appendChild(el('span', 'n', s.state === 'selected' ? `${s.numSupervised} sup` : s.reason || s.state));
      b.addEventListener('click', () => {
        show(i);
      });
      listEl.appendChild(b);
    });
  }

  // merged [s,e) ranges → membership test by position
  function rangeFlags(ranges: number[] | undefined, n: number): Uint8Array {
    const f = new Uint8Array(n);
    if (!ranges) return f;
    for (let i = 0; i + 1 < ranges.length; i += 2) for (let k = ranges[i]; k < ranges[i + 1] && k < n; k++) f[k] = 1;
    return f;
  }

  function buildResponse(s: PageSample, cmp: number): HTMLElement {
    const cps = Array.from(s.response);
    const n = cps.length;
    const cuts = new Set<number>([0, n]);
    const itemAt = new Int32Array(n).fill(-1);
    s.items.forEach((it, i) => {
      cuts.add(Math.min(it.s, n));
      cuts.add(Math.min(it.e, n));
      for (let k = it.s; k < it.e && k < n; k++) itemAt[k] = i;
    });
    // tokens: owner of each code point, ghosts (no new code point) placed at their start
    const tokAt = new Int32Array(n).fill(-1);
    const ghosts: Record<number, number[]> = {};
    const T = s.tokens ? s.tokens.length / 2 : 0;
    let maxEnd = 0;
    for (let t = 0; t < T; t++) {
      const a = s.tokens![2 * t];
      const b = Math.min(s.tokens![2 * t + 1], n);
      const from = Math.max(a, maxEnd);
      if (b <= from) {
        const at = Math.min(Math.max(a, 0), n);
        (ghosts[at] = ghosts[at] || []).push(t);
        cuts.add(at); // a piece must start here for the ghost to be placed
        continue;
      }
      cuts.add(from);
      cuts.add(b);
      for (let k = from; k < b; k++) tokAt[k] = t;
      maxEnd = b;
    }
    const sup = s.sup || '';
    // scorer heat (analysis files only)
    let heat: Float32Array | null = null;
    if (!s.tokens && s.scorer) {
      heat = new Float32Array(n).fill(-1);
      for (let j = 0; j < s.scorer.u.length; j++) {
        const sa = s.scorer.spans[2 * j];
        const sb = Math.min(s.scorer.spans[2 * j + 1], n);
        cuts.add(Math.min(sa, n));
        cuts.add(sb);
        for (let k = sa; k < sb; k++) heat[k] = s.scorer.u[j];
      }
    }
    // comparison with another run
    let fa: Uint8Array | null = null;
    let fb: Uint8Array | null = null;
    if (cmp > 0 && s.runs) {
      const ra = s.runs[0] ? s.runs[0].ranges : [];
      const rb = s.runs[cmp] ? s.runs[cmp]!.ranges : [];
      [ra, rb].forEach((r) => {
        for (let q = 0; q < r.length; q++) cuts.add(Math.min(r[q], n));
      });
      fa = rangeFlags(ra, n);
      fb = rangeFlags(rb, n);
    }
    const order = Array.from(cuts).sort((x, y) => x - y);
    const pre = el('pre', `resp${cmp > 0 ? ' cmp' : ''}`);
    let curItem = -2;
    let host: HTMLElement = pre;
    function ghostSpans(pos: number): void {
      (ghosts[pos] || []).forEach((gt) => {
        const g = el('span', `tk${sup.charAt(gt) === '1' ? ' sup' : ''}`);
        g.dataset.t = String(gt);
        host.appendChild(g);
      });
    }
    for (let p = 0; p + 1 < order.length; p++) {
      const x = order[p];
      const y = order[p + 1];
      if (y <= x) continue;
      const ii = itemAt[x];
      if (ii !== curItem) {
        curItem = ii;
        if (ii >= 0) {
          const it = s.items[ii];
          host = el('span', `item st-${it.status}`);
          host.dataset.i = String(ii);
          host.title = `#${ii} ${it.label} · score ${fx(it.score)} · ${D.statusText[it.status] || it.status}`;
          pre.appendChild(host);
        } else host = pre;
      }
      ghostSpans(x);
      const text = cps.slice(x, y).join('');
      const tk = tokAt[x];
      let cls = '';
      if (tk >= 0) cls = `tk${sup.charAt(tk) === '1' ? ' sup' : ''}`;
      if (fa && fb) {
        const A = fa[x];
        const B = fb[x];
        if (A && B) cls += ' cab';
        else if (A) cls += ' ca';
        else if (B) cls += ' cb';
      }
      if (heat && heat[x] >= 0) cls += ' sc';
      if (cls) {
        const sp = el('span', cls.trim(), text);
        if (tk >= 0) sp.dataset.t = String(tk);
        if (heat && heat[x] >= 0) {
          const alpha = (0.6 * Math.min(1, heat[x] * (D.runs[0].q || 0.7))).toFixed(3);
          sp.style.background = `rgba(224,123,57,${alpha})`;
          sp.title = `GCE u ${heat[x]}`;
        }
        host.appendChild(sp);
      } else host.appendChild(document.createTextNode(text));
    }
    host = pre;
    ghostSpans(n);
    // supervised template tokens after the response (the end-of-turn token, --supervise-eos)
    for (let o = 0; o < (s.outside || 0); o++) {
      const eot = el('span', 'tk sup eot', '\u27e8end of turn\u27e9');
      eot.dataset.t = `eot${o}`;
      eot.title = 'template token after the response, supervised (--supervise-eos)';
      pre.appendChild(eot);
    }
    return pre;
  }

  function highlightedCount(root: HTMLElement): number {
    const seen = new Set<string | undefined>();
    root.querySelectorAll<HTMLElement>('.tk.sup').forEach((e) => {
      seen.add(e.dataset.t);
    });
    return seen.size;
  }

  const SVGNS = 'http://www.w3.org/2000/svg';
  // def-use arrows in the left margin of the response: definitions used -> item (blue), item -> uses (orange)
  function drawArrows(pre: HTMLElement, i: number, defs: number[], uses: number[]): void {
    const wrap = pre.parentNode as HTMLElement;
    const old = wrap.querySelector('svg.arrows');
    if (old) old.remove();
    if (i < 0 || (!defs.length && !uses.length)) return;
    const box = wrap.getBoundingClientRect();
    function anchor(j: number): { x: number; y: number } | null {
      const e = pre.querySelector(`.item[data-i="${j}"]`);
      if (!e) return null;
      const r = e.getClientRects()[0] || e.getBoundingClientRect();
      return { x: r.left - box.left, y: r.top - box.top + r.height / 2 };
    }
    const svg = document.createElementNS(SVGNS, 'svg');
    svg.setAttribute('class', 'arrows');
    svg.setAttribute('width', String(Math.ceil(box.width)));
    svg.setAttribute('height', String(Math.ceil(box.height)));
    const defsEl = document.createElementNS(SVGNS, 'defs');
    [
      ['ah-def', '#3b82c4'],
      ['ah-use', '#e07b39'],
    ].forEach((m) => {
      const mk = document.createElementNS(SVGNS, 'marker');
      mk.setAttribute('id', m[0]);
      mk.setAttribute('viewBox', '0 0 10 10');
      mk.setAttribute('refX', '9');
      mk.setAttribute('refY', '5');
      mk.setAttribute('markerWidth', '7');
      mk.setAttribute('markerHeight', '7');
      mk.setAttribute('orient', 'auto-start-reverse');
      const p = document.createElementNS(SVGNS, 'path');
      p.setAttribute('d', 'M0,0L10,5L0,10z');
      p.setAttribute('fill', m[1]);
      mk.appendChild(p);
      defsEl.appendChild(mk);
    });
    svg.appendChild(defsEl);
    function arrow(from: number, to: number, kind: string): void {
      const a = anchor(from);
      const b = anchor(to);
      if (!a || !b) return;
      const bend = 10 + Math.min(36, Math.abs(b.y - a.y) / 6);
      const cx = Math.max(2, Math.min(a.x, b.x) - bend);
      const p = document.createElementNS(SVGNS, 'path');
      p.setAttribute('d', `M${a.x - 1},${a.y} C${cx},${a.y} ${cx},${b.y} ${b.x - 2},${b.y}`);
      p.setAttribute('class', `arrow ${kind}`);
      p.setAttribute('marker-end', `url(#ah-${kind})`);
      p.setAttribute('data-from', String(from));
      p.setAttribute('data-to', String(to));
      svg.appendChild(p);
    }
    defs.forEach((j) => {
      arrow(j, i, 'def');
    });
    uses.forEach((j) => {
      arrow(i, j, 'use');
    });
    wrap.appendChild(svg);
  }

  function langAt(s: PageSample, cp: number): string {
    for (let g = 0; g < s.segments.length; g++)
      if (s.segments[g][0] <= cp && cp < s.segments[g][1]) return s.segments[g][2];
    return '–';
  }
  function selectItem(s: PageSample, i: number): void {
    const pre = view.querySelector<HTMLElement>('pre.resp')!;
    pre.querySelectorAll('.item').forEach((e) => {
      e.classList.remove('on', 'def', 'use');
    });
    drawArrows(pre, -1, [], []);
    const panel = document.getElementById('panel')!;
    panel.textContent = '';
    if (i < 0) return;
    const it = s.items[i];
    const me = pre.querySelector(`.item[data-i="${i}"]`);
    if (me) me.classList.add('on');
    it.defs.forEach((j) => {
      const e = pre.querySelector(`.item[data-i="${j}"]`);
      if (e) e.classList.add('def');
    });
    it.uses.forEach((j) => {
      const e = pre.querySelector(`.item[data-i="${j}"]`);
      if (e) e.classList.add('use');
    });
    drawArrows(
      pre,
      i,
      it.defs.filter((j) => j !== i),
      it.uses.filter((j) => j !== i),
    );
    panel.dataset.item = String(i);
    panel.appendChild(el('b', '', `Item #${i} — ${it.label}`));
    panel.appendChild(el('span', 'note', `  tree-sitter ${it.type}, ${it.kind}`));
    const tb = el('table');
    function row(k: string, v: string, key?: string): void {
      const tr = el('tr');
      tr.appendChild(el('th', '', k));
      const td = el('td', '', v);
      if (key) td.dataset.k = key;
      tr.appendChild(td);
      tb.appendChild(tr);
    }
    const flags = it.flags.length ? ` [${it.flags.join(', ')}]` : '';
    row('status', (D.statusText[it.status] || it.status) + flags, 'item.status');
    row('utility U', `${fx(it.u, 4)}  (mean GCE over ${it.nCore} core tokens)`, 'item.u');
    row('reach', fx(it.reach, 4), 'item.reach');
    row('bridge', fx(it.bridge, 4), 'item.bridge');
    row('score', fx(it.score, 4), 'item.score');
    const th = D.runs[0].threshold;
    if (th !== null && th !== undefined) row('run threshold', `${fx(th, 4)} (lowest selected score)`);
    row('target tokens', it.tokens < 0 ? '–' : `${it.tokens}, supervised ${it.sup}`, 'item.tokens');
    row('span', `[${it.s}, ${it.e})`);
    row('language', langAt(s, it.s), 'item.language');
    panel.appendChild(tb);
    function links(label: string, arr: number[], cls: string): void {
      const p = el('div');
      p.appendChild(el('span', '', `${label}: `));
      if (!arr.length) p.appendChild(el('span', 'note', 'none'));
      arr.forEach((j, k) => {
        if (k) p.appendChild(document.createTextNode(', '));
        const a = el('a', cls, `#${j} ${s.items[j].label}`);
        a.dataset.i = String(j);
        a.addEventListener('click', () => {
          selectItem(s, j);
        });
        p.appendChild(a);
      });
      panel.appendChild(p);
    }
    links('uses definitions from', it.defs, 'def-link');
    links('its definitions are used by', it.uses, 'use-link');
  }

  function swatch(background: string, label: string, border?: string): HTMLElement {
    const x = el('span');
    const sw = el('span', 'sw');
    sw.style.background = background;
    if (border) sw.style.border = border;
    x.appendChild(sw);
    x.appendChild(document.createTextNode(label));
    return x;
  }

  function show(i: number): void {
    current = i;
    const s = D.samples[i];
    view.textContent = '';
    const head = el('div', 'head');
    head.appendChild(el('code', '', s.id));
    const badge =
      s.state === 'selected' ? 'in training data' : s.state === 'rejected' ? `dropped: ${s.reason}` : 'analysis only';
    head.appendChild(el('span', `badge ${s.state}`, badge));
    head.appendChild(el('span', 'note', `${s.file}:${s.line} · ordinal ${s.ordinal}`));
    if (s.state === 'selected') {
      const c = el('span', '', '');
      c.appendChild(document.createTextNode('num_supervised '));
      c.appendChild(el('b', '', s.numSupervised)).id = 'num-supervised';
      c.appendChild(document.createTextNode(` of ${s.numTokens} tokens · highlighted `));
      c.appendChild(el('b', '', '')).id = 'hl-count';
      head.appendChild(c);
    }
    view.appendChild(head);
    if (s.detail) view.appendChild(el('p', 'note', s.detail));
    if (s.outside)
      view.appendChild(
        el(
          'p',
          'note',
          `${s.outside} supervised token(s) lie outside the response: the template\u2019s end of turn ` +
            '(--supervise-eos), shown after it.',
        ),
      );
    if (D.runs.length > 1 && s.runs) {
      const bar = el('div', 'legend');
      const sel = el('select') as HTMLSelectElement;
      sel.id = 'cmp-run';
      sel.appendChild(new Option(`highlight: ${D.runs[0].label} tokens`, '0'));
      for (let r = 1; r < D.runs.length; r++) {
        const v = s.runs[r];
        const what = v
          ? v.state === 'selected'
            ? ` (${v.numSupervised} sup)`
            : ` (${v.reason || v.state})`
          : ' (absent)';
        sel.appendChild(new Option(`compare with ${D.runs[r].label}${what}`, String(r)));
      }
      sel.value = String(cmpRun < D.runs.length ? cmpRun : 0);
      sel.addEventListener('change', () => {
        cmpRun = Number(sel.value);
        show(current);
      });
      bar.appendChild(sel);
      if (cmpRun > 0) {
        bar.appendChild(swatch('#cfe0fb', `only ${D.runs[0].label}`));
        bar.appendChild(swatch('#fbd9c0', `only ${D.runs[cmpRun].label}`));
        bar.appendChild(swatch('#bde8cf', 'both'));
      }
      view.appendChild(bar);
    }
    const pr = el('div', 'prompt');
    s.prompt.forEach((m) => {
      pr.appendChild(el('b', '', `[${m.role}] `));
      pr.appendChild(document.createTextNode(`${m.content}\n`));
    });
    view.appendChild(pr);
    const pre = buildResponse(s, D.runs.length > 1 ? cmpRun : 0);
    const wrap = el('div', 'resp-wrap');
    wrap.appendChild(pre);
    view.appendChild(wrap);
    if (s.segments.length) {
      const sg = el('div', 'note');
      sg.textContent = `code segments: ${s.segments.map((g) => `${g[2]} [${g[0]}, ${g[1]})`).join(' · ')}`;
      view.appendChild(sg);
    }
    const lg = el('div', 'legend');
    const legend: Array<[string, string]> = s.tokens
      ? [
          ['var(--sup)', 'supervised token'],
          ['#f1faf5', 'selected item'],
        ]
      : [['rgba(224,123,57,.6)', 'scorer token, GCE u = (1-p^q)/q (darker: less expected)']];
    legend
      .concat([
        ['#fff', 'item (outlined)'],
        ['#e8f1fb', 'definitions it uses'],
        ['#fdf0e6', 'uses of its definitions'],
      ])
      .forEach((l) => {
        lg.appendChild(swatch(l[0], l[1], '1px solid #ccc'));
      });
    view.appendChild(lg);
    const panel = el('div');
    panel.id = 'panel';
    panel.appendChild(
      el(
        'span',
        'note',
        s.items.length ? 'Click an item for its scores and def-use partners.' : 'This sample has no coding items.',
      ),
    );
    view.appendChild(panel);
    pre.addEventListener('click', (ev) => {
      const target = ev.target as Element | null;
      const t = target?.closest ? target.closest<HTMLElement>('.item') : null;
      if (t) selectItem(s, Number(t.dataset.i));
    });
    const hl = document.getElementById('hl-count');
    if (hl) hl.textContent = String(highlightedCount(pre));
    listEl.querySelectorAll<HTMLElement>('button.sl').forEach((b) => {
      b.classList.toggle('on', Number(b.dataset.idx) === i);
    });
  }

  filterEl.addEventListener('change', renderList);
  renderList();
  const want = decodeURIComponent((location.hash.match(/id=([^&]+)/) || [])[1] || '') || D.initial || '';
  let start = 0;
  D.samples.forEach((s, i) => {
    if (want && s.id === want) start = i;
  });
  if (!want) {
    for (let q = 0; q < D.samples.length; q++)
      if (D.samples[q].state === 'selected') {
        start = q;
        break;
      }
  }
  if (D.samples.length) show(start);
  document.body.dataset.ready = '1';
})();
