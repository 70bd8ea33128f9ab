/**
 * The report's in-page script (plain ES2017, no library): sample list, sample view with items
 * outlined and supervised tokens highlighted, item panel with def-use partners, run comparison.
 * Kept as a string so the report stays one file; it reads its data from #cb-data. Lines longer than
 * 120 columns are cut into pieces joined with `+` (String.raw where a piece holds a backslash).
 *
 * Rendering: the response (code points) is cut at every item, token and comparison boundary; each
 * piece becomes a text node or a <span class="tk"> carrying its token index (data-t), inside the
 * <span class="item"> it belongs to. A token that covers no new character (byte-level BPE splits
 * one character over several tokens, all with the same range) becomes an empty span, so the number
 * of highlighted tokens is the number of distinct data-t among .tk.sup — exactly num_supervised.
 */
export const CLIENT_JS =
  `(function () {
'use strict';
var D = JSON.parse(document.getElementById('cb-data').textContent);
var listEl = document.getElementById('items-list');
var view = document.getElementById('view');
var filterEl = document.getElementById('filter');
var current = -1;
var cmpRun = 0;

function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function fx(x, d) { return typeof x === 'number' ? x.toFixed(d === undefined ? 3 : d) : '–'; }

function renderList() {
  listEl.textContent = '';
  D.samples.forEach(function (s, i) {
    var f = filterEl.value;
    if (f === 'selected' && s.state !== 'selected') return;
    if (f === 'rejected' && s.state !== 'rejected') return;
    var b = el('button', 'sl st-' + s.state + (i === current ? ' on' : ''));
    b.dataset.idx = String(i);
    b.dataset.id = s.id;
    b.title = s.id + ' (' + s.file + ':' + s.line + ')';
    b.appendChild(document.createTextNode(s.id.length > 18 ? s.id.slice(0, 17) + '…' : s.id));
    b.appendChild(el('span', 'n', s.state === 'selected' ? s.numSupervised + ' sup' : (s.reason || s.state)));
    b.addEventListener('click', function () { show(i); });
    listEl.appendChild(b);
  });
}

// merged [s,e) ranges → membership test by position
function rangeFlags(ranges, n) {
  var f = new Uint8Array(n);
  if (!ranges) return f;
  for (var i = 0; i + 1 < ranges.length; i += 2) for (var k = ranges[i]; k < ranges[i + 1] && k < n; k++) f[k] = 1;
  return f;
}

function buildResponse(s, cmp) {
  var cps = Array.from(s.response);
  var n = cps.length;
  var cuts = new Set([0, n]);
  var itemAt = new Int32Array(n).fill(-1);
  s.items.forEach(function (it, i) {
    cuts.add(Math.min(it.s, n)); cuts.add(Math.min(it.e, n));
    for (var k = it.s; k < it.e && k < n; k++) itemAt[k] = i;
  });
  // tokens: owner of each code point, ghosts (no new code point) placed at their start
  var tokAt = new Int32Array(n).fill(-1);
  var ghosts = {};
  var T = s.tokens ? s.tokens.length / 2 : 0;
  var maxEnd = 0;
  for (var t = 0; t < T; t++) {
    var a = s.tokens[2 * t], b = Math.min(s.tokens[2 * t + 1], n);
    var from = Math.max(a, maxEnd);
    if (b <= from) {
      var at = Math.min(Math.max(a, 0), n);
      (ghosts[at] = ghosts[at] || []).push(t);
      cuts.add(at); // a piece must start here for the ghost to be placed
      continue;
    }
    cuts.add(from); cuts.add(b);
    for (var k2 = from; k2 < b; k2++) tokAt[k2] = t;
    maxEnd = b;
  }
  var sup = s.sup || '';
  // scorer heat (analysis files only)
  var heat = null;
  if (!s.tokens && s.scorer) {
    heat = new Float32Array(n).fill(-1);
    for (var j = 0; j < s.scorer.u.length; j++) {
      var sa = s.scorer.spans[2 * j], sb = Math.min(s.scorer.spans[2 * j + 1], n);
      cuts.add(Math.min(sa, n)); cuts.add(sb);
      for (var k3 = sa; k3 < sb; k3++) heat[k3] = s.scorer.u[j];
    }
  }
  // comparison with another run
  var fa = null, fb = null;
  if (cmp > 0 && s.runs) {
    var ra = s.runs[0] ? s.runs[0].ranges : [];
    var rb = s.runs[cmp] ? s.runs[cmp].ranges : [];
    [ra, rb].forEach(function (r) { for (var q = 0; q < r.length; q++) cuts.add(Math.min(r[q], n)); });
    fa = rangeFlags(ra, n); fb = rangeFlags(rb, n);
  }
  var order = Array.from(cuts).sort(function (x, y) { return x - y; });
  var pre = el('pre', 'resp' + (cmp > 0 ? ' cmp' : ''));
  var curItem = -2, host = pre;
  function ghostSpans(pos) {
    (ghosts[pos] || []).forEach(function (gt) {
      var g = el('span', 'tk' + (sup.charAt(gt) === '1' ? ' sup' : ''));
      g.dataset.t = String(gt);
      host.appendChild(g);
    });
  }
  for (var p = 0; p + 1 < order.length; p++) {
    var x = order[p], y = order[p + 1];
    if (y <= x) continue;
    var ii = itemAt[x];
    if (ii !== curItem) {
      curItem = ii;
      if (ii >= 0) {
        var it = s.items[ii];
        host = el('span', 'item st-' + it.status);
        host.dataset.i = String(ii);
        host.title = '#' + ii + ' ' + it.label + ' · score ' + fx(it.score) + ' · ' + ` +
  `(D.statusText[it.status] || it.status);
        pre.appendChild(host);
      } else host = pre;
    }
    ghostSpans(x);
    var text = cps.slice(x, y).join('');
    var tk = tokAt[x];
    var cls = '';
    if (tk >= 0) cls = 'tk' + (sup.charAt(tk) === '1' ? ' sup' : '');
    if (fa) { var A = fa[x], B = fb[x]; if (A && B) cls += ' cab'; else if (A) cls += ' ca'; else if (B) cls += ' cb'; }
    if (heat && heat[x] >= 0) cls += ' sc';
    if (cls) {
      var sp = el('span', cls.trim(), text);
      if (tk >= 0) sp.dataset.t = String(tk);
      if (heat && heat[x] >= 0) { sp.style.background = 'rgba(224,123,57,' + (0.6 * Math.min(1, ` +
  `heat[x] * (D.runs[0].q || 0.7))).toFixed(3) + ')'; sp.title = 'GCE u ' + heat[x]; }
      host.appendChild(sp);
    } else host.appendChild(document.createTextNode(text));
  }
  host = pre;
  ghostSpans(n);
  // supervised template tokens after the response (the end-of-turn token, --supervise-eos)
  for (var o = 0; o < (s.outside || 0); o++) {
    var eot = el('span', 'tk sup eot', '\u27e8end of turn\u27e9');
    eot.dataset.t = 'eot' + o;
    eot.title = 'template token after the response, supervised (--supervise-eos)';
    pre.appendChild(eot);
  }
  return pre;
}

function highlightedCount(root) {
  var seen = new Set();
  root.querySelectorAll('.tk.sup').forEach(function (e) { seen.add(e.dataset.t); });
  return seen.size;
}

var SVGNS = 'http://www.w3.org/2000/svg';
// def-use arrows in the left margin of the response: definitions used -> item (blue), item -> uses (orange)
function drawArrows(pre, i, defs, uses) {
  var wrap = pre.parentNode;
  var old = wrap.querySelector('svg.arrows');
  if (old) old.remove();
  if (i < 0 || (!defs.length && !uses.length)) return;
  var box = wrap.getBoundingClientRect();
  function anchor(j) {
    var e = pre.querySelector('.item[data-i="' + j + '"]');
    if (!e) return null;
    var r = e.getClientRects()[0] || e.getBoundingClientRect();
    return { x: r.left - box.left, y: r.top - box.top + r.height / 2 };
  }
  var svg = document.createElementNS(SVGNS, 'svg');
  svg.setAttribute('class', 'arrows');
  svg.setAttribute('width', String(Math.ceil(box.width)));
  svg.setAttribute('height', String(Math.ceil(box.height)));
  var defsEl = document.createElementNS(SVGNS, 'defs');
  [['ah-def', '#3b82c4'], ['ah-use', '#e07b39']].forEach(function (m) {
    var mk = document.createElementNS(SVGNS, 'marker');
    mk.setAttribute('id', m[0]); mk.setAttribute('viewBox', '0 0 10 10'); mk.setAttribute('refX', '9'); ` +
  `mk.setAttribute('refY', '5');
    mk.setAttribute('markerWidth', '7'); mk.setAttribute('markerHeight', '7'); mk.setAttribute('orient', ` +
  `'auto-start-reverse');
    var p = document.createElementNS(SVGNS, 'path'); p.setAttribute('d', 'M0,0L10,5L0,10z'); p.setAttribute('fill', ` +
  `m[1]);
    mk.appendChild(p); defsEl.appendChild(mk);
  });
  svg.appendChild(defsEl);
  function arrow(from, to, kind) {
    var a = anchor(from), b = anchor(to);
    if (!a || !b) return;
    var bend = 10 + Math.min(36, Math.abs(b.y - a.y) / 6);
    var cx = Math.max(2, Math.min(a.x, b.x) - bend);
    var p = document.createElementNS(SVGNS, 'path');
    p.setAttribute('d', 'M' + (a.x - 1) + ',' + a.y + ' C' + cx + ',' + a.y + ' ' + cx + ',' + b.y + ' ' + (b.x - 2) ` +
  `+ ',' + b.y);
    p.setAttribute('class', 'arrow ' + kind);
    p.setAttribute('marker-end', 'url(#ah-' + kind + ')');
    p.setAttribute('data-from', String(from)); p.setAttribute('data-to', String(to));
    svg.appendChild(p);
  }
  defs.forEach(function (j) { arrow(j, i, 'def'); });
  uses.forEach(function (j) { arrow(i, j, 'use'); });
  wrap.appendChild(svg);
}

function langAt(s, cp) {
  for (var g = 0; g < s.segments.length; g++)
    if (s.segments[g][0] <= cp && cp < s.segments[g][1]) return s.segments[g][2];
  return '–';
}
function selectItem(s, i) {
  var pre = view.querySelector('pre.resp');
  pre.querySelectorAll('.item').forEach(function (e) { e.classList.remove('on', 'def', 'use'); });
  drawArrows(pre, -1, [], []);
  var panel = document.getElementById('panel');
  panel.textContent = '';
  if (i < 0) return;
  var it = s.items[i];
  var me = pre.querySelector('.item[data-i="' + i + '"]');
  if (me) me.classList.add('on');
  it.defs.forEach(function (j) { var e = pre.querySelector('.item[data-i="' + j + '"]'); if (e) ` +
  `e.classList.add('def'); });
  it.uses.forEach(function (j) { var e = pre.querySelector('.item[data-i="' + j + '"]'); if (e) ` +
  `e.classList.add('use'); });
  drawArrows(pre, i, it.defs.filter(function (j) { return j !== i; }), it.uses.filter(function (j) { return j !== i; ` +
  `}));
  panel.dataset.item = String(i);
  panel.appendChild(el('b', '', 'Item #' + i + ' — ' + it.label));
  panel.appendChild(el('span', 'note', '  tree-sitter ' + it.type + ', ' + it.kind));
  var tb = el('table');
  function row(k, v, key) { var tr = el('tr'); tr.appendChild(el('th', '', k)); var td = el('td', '', v); if (key) ` +
  `td.dataset.k = key; tr.appendChild(td); tb.appendChild(tr); }
  row('status', (D.statusText[it.status] || it.status) + (it.flags.length ? ' [' + it.flags.join(', ') + ']' : ''), ` +
  `'item.status');
  row('utility U', fx(it.u, 4) + '  (mean GCE over ' + it.nCore + ' core tokens)', 'item.u');
  row('reach', fx(it.reach, 4), 'item.reach');
  row('bridge', fx(it.bridge, 4), 'item.bridge');
  row('score', fx(it.score, 4), 'item.score');
  var th = D.runs[0].threshold;
  if (th !== null && th !== undefined) row('run threshold', fx(th, 4) + ' (lowest selected score)');
  row('target tokens', it.tokens < 0 ? '–' : it.tokens + ', supervised ' + it.sup, 'item.tokens');
  row('span', '[' + it.s + ', ' + it.e + ')');
  row('language', langAt(s, it.s), 'item.language');
  panel.appendChild(tb);
  function links(label, arr, cls) {
    var p = el('div');
    p.appendChild(el('span', '', label + ': '));
    if (!arr.length) p.appendChild(el('span', 'note', 'none'));
    arr.forEach(function (j, k) {
      if (k) p.appendChild(document.createTextNode(', '));
      var a = el('a', cls, '#' + j + ' ' + s.items[j].label);
      a.dataset.i = String(j);
      a.addEventListener('click', function () { selectItem(s, j); });
      p.appendChild(a);
    });
    panel.appendChild(p);
  }
  links('uses definitions from', it.defs, 'def-link');
  links('its definitions are used by', it.uses, 'use-link');
}

function show(i) {
  current = i;
  var s = D.samples[i];
  view.textContent = '';
  var head = el('div', 'head');
  head.appendChild(el('code', '', s.id));
  head.appendChild(el('span', 'badge ' + s.state, ` +
  `s.state === 'selected' ? 'in training data' : s.state === 'rejected' ? 'dropped: ' + ` +
  `s.reason : 'analysis only'));
  head.appendChild(el('span', 'note', s.file + ':' + s.line + ' · ordinal ' + s.ordinal));
  if (s.state === 'selected') {
    var c = el('span', '', '');
    c.appendChild(document.createTextNode('num_supervised '));
    c.appendChild(el('b', '', s.numSupervised)).id = 'num-supervised';
    c.appendChild(document.createTextNode(' of ' + s.numTokens + ' tokens · highlighted '));
    c.appendChild(el('b', '', '')).id = 'hl-count';
    head.appendChild(c);
  }
  view.appendChild(head);
  if (s.detail) view.appendChild(el('p', 'note', s.detail));
  if (s.outside) view.appendChild(el('p', 'note', s.outside + ' supervised token(s) ` +
  `lie outside the response: the template\u2019s end of turn (--supervise-eos), shown after it.'));
  if (D.runs.length > 1 && s.runs) {
    var bar = el('div', 'legend');
    var sel = el('select');
    sel.id = 'cmp-run';
    sel.appendChild(new Option('highlight: ' + D.runs[0].label + ' tokens', '0'));
    for (var r = 1; r < D.runs.length; r++) {
      var v = s.runs[r];
      sel.appendChild(new Option('compare with ' + D.runs[r].label + (v ? (v.state === 'selected' ? ' (' + ` +
  `v.numSupervised + ' sup)' : ' (' + (v.reason || v.state) + ')') : ' (absent)'), String(r)));
    }
    sel.value = String(cmpRun < D.runs.length ? cmpRun : 0);
    sel.addEventListener('change', function () { cmpRun = Number(sel.value); show(current); });
    bar.appendChild(sel);
    if (cmpRun > 0) {
      [['#cfe0fb', 'only ' + D.runs[0].label], ['#fbd9c0', 'only ' + D.runs[cmpRun].label], ['#bde8cf', ` +
  `'both']].forEach(function (l) {
        var x = el('span'); var sw = el('span', 'sw'); sw.style.background = l[0]; x.appendChild(sw); ` +
  `x.appendChild(document.createTextNode(l[1])); bar.appendChild(x);
      });
    }
    view.appendChild(bar);
  }
  var pr = el('div', 'prompt');
  s.prompt.forEach(function (m) { pr.appendChild(el('b', '', '[' + m.role + '] ')); ` +
  String.raw`pr.appendChild(document.createTextNode(m.content + '\n')); });
  view.appendChild(pr);
  var pre = buildResponse(s, D.runs.length > 1 ? cmpRun : 0);
  var wrap = el('div', 'resp-wrap');
  wrap.appendChild(pre);
  view.appendChild(wrap);
  if (s.segments.length) {
    var sg = el('div', 'note');
    sg.textContent = 'code segments: ' + s.segments.map(function (g) { return g[2] + ' [' + g[0] + ', ' + g[1] + ` +
  `')'; }).join(' · ');
    view.appendChild(sg);
  }
  var lg = el('div', 'legend');
  var legend = s.tokens ? [['var(--sup)', 'supervised token'], ['#f1faf5', ` +
  `'selected item']] : [['rgba(224,123,57,.6)', 'scorer token, GCE u = (1-p^q)/q (darker: less expected)']];
  legend.concat([['#fff', 'item (outlined)'], ['#e8f1fb', 'definitions it uses'], ['#fdf0e6', ` +
  `'uses of its definitions']]).forEach(function (l) {
    var x = el('span'); var sw = el('span', 'sw'); sw.style.background = l[0]; sw.style.border = '1px solid #ccc'; ` +
  `x.appendChild(sw); x.appendChild(document.createTextNode(l[1])); lg.appendChild(x);
  });
  view.appendChild(lg);
  var panel = el('div');
  panel.id = 'panel';
  panel.appendChild(el('span', 'note', ` +
  `s.items.length ? 'Click an item for its scores and def-use partners.' : 'This sample has no coding ` +
  `items.'));
  view.appendChild(panel);
  pre.addEventListener('click', function (ev) {
    var t = ev.target.closest ? ev.target.closest('.item') : null;
    if (t) selectItem(s, Number(t.dataset.i));
  });
  var hl = document.getElementById('hl-count');
  if (hl) hl.textContent = String(highlightedCount(pre));
  listEl.querySelectorAll('button.sl').forEach(function (b) { b.classList.toggle('on', Number(b.dataset.idx) === i); });
}

filterEl.addEventListener('change', renderList);
renderList();
var want = decodeURIComponent((location.hash.match(/id=([^&]+)/) || [])[1] || '') || D.initial || '';
var start = 0;
D.samples.forEach(function (s, i) { if (want && s.id === want) start = i; });
if (!want) { for (var q = 0; q < D.samples.length; q++) if (D.samples[q].state === 'selected') { start = q; break; } }
if (D.samples.length) show(start);
document.body.dataset.ready = '1';
})();`;
