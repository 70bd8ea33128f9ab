/**
 * `codeblock inspect` against the real pipeline output of the example pool: what inspect says is
 * supervised must be what the training files hold (samples.jsonl labels, packs.parquet labels —
 * two independent routes that must agree), what select recorded as selected, and what the terminal
 * prints; plus the terminal's colour rules and the report's offline/escaping guarantees.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { cli, EXAMPLES, FAST_ANALYZE } from '../helpers/cli.js';
import { scoreBin } from '../../src/budget/threshold.js';
import {
  collect,
  locateResponse,
  renderReport,
  renderSample,
  renderSummary,
  resolveRuns,
  runSamples,
  scriptJson,
  visible,
  type InspectSample,
} from '../../src/inspect/index.js';
import { useColor } from '../../src/cli/commands/inspect.js';
import { itemLabel } from '../../src/budget/labels.js';

const POOL = join(EXAMPLES, 'pool.jsonl');
const work = mkdtempSync(join(tmpdir(), 'cb-inspect-'));
const outA = join(work, 'a'); // `run`: codeblock, parquet + jsonl, analysis in a/analysis
const analysis = join(outA, 'analysis');
const outP = join(work, 'p'); // same selection, parquet only
const outG = join(work, 'g'); // token-gce, jsonl
const outS = join(work, 's'); // same selection, samples.parquet only (--format samples)
const outB = join(work, 'b'); // same selection, bin only (no sample ids: inspect refuses it)

function ok(r: { status: number | null; stderr: string }, what: string): void {
  assert.equal(r.status, 0, `${what} failed:\n${r.stderr}`);
}

/** v2's score definition, U·(1 + λr·Reach + λb·Bridge): the score checks below recompute it from the records. */
const V2_FLAGS = ['--score-combine', 'product', '--u-transform', 'raw', '--reach-norm', 'pairs', '--u-shrink', '0'];

let ready = false;
function fixture(): void {
  if (ready) return;
  ok(cli(['run', POOL, '-o', outA, '--workers', '1', '--format', 'parquet,jsonl', ...V2_FLAGS]), 'run');
  // the same selection without samples.jsonl: inspect must re-derive it from the parquet labels (select with
  // --format parquet replaces the copied output and removes its samples.jsonl; a file deleted by hand would be
  // refused as missing from the manifest)
  cpSync(outA, outP, { recursive: true });
  ok(
    cli(['select', join(outP, 'analysis'), '-o', outP, '--workers', '1', '--format', 'parquet', ...V2_FLAGS]),
    'select parquet',
  );
  assert.ok(!existsSync(join(outP, 'samples.jsonl')));
  ok(cli(['select', analysis, '-o', outG, '--mode', 'token-gce', '--format', 'jsonl']), 'select token-gce');
  ok(cli(['select', analysis, '-o', outS, '--workers', '1', '--format', 'samples', ...V2_FLAGS]), 'select samples');
  ok(cli(['select', analysis, '-o', outB, '--workers', '1', '--format', 'bin', ...V2_FLAGS]), 'select bin');
  ready = true;
}

process.on('exit', () => rmSync(work, { recursive: true, force: true }));

interface Row {
  id: string;
  text: string;
  labels: number[];
  offsets: Array<[number, number]>;
  num_supervised: number;
  selected: Array<{ start: number; end: number; kind: string; score: number }>;
}

function rows(dir: string): Row[] {
  return readFileSync(join(dir, 'samples.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
}

async function all(dirs: string[]): Promise<InspectSample[]> {
  const [run] = resolveRuns(dirs);
  const out: InspectSample[] = [];
  for await (const s of runSamples(run!)) out.push(s);
  return out;
}

test('supervision read by inspect equals the labels in samples.jsonl, token by token', async () => {
  fixture();
  const manifest = JSON.parse(readFileSync(join(outA, 'manifest.json'), 'utf8'));
  const samples = await all([outA]);
  const written = samples.filter((s) => s.state === 'selected');
  const truth = rows(outA);
  assert.equal(written.length, truth.length);
  assert.equal(written.length, manifest.counts.selected);
  let total = 0;
  for (let i = 0; i < truth.length; i++) {
    const s = written[i]!;
    const r = truth[i]!;
    assert.equal(s.id, r.id);
    const labelled = r.labels.filter((l) => l !== -100).length;
    assert.equal(s.numSupervised, labelled, s.id);
    assert.equal(s.numSupervised, r.num_supervised);
    // the supervised characters, read back through the response, are the supervised tokens' text
    const place = locateResponse(r.text, s.response)!;
    const text = Array.from(r.text);
    const resp = Array.from(s.response);
    let fromLabels = '';
    let fromInspect = '';
    r.labels.forEach((l, t) => {
      const [a, b] = r.offsets[t]!;
      if (l !== -100 && a >= place.responseStart && b <= place.responseEnd) fromLabels += text.slice(a, b).join('');
    });
    for (let t = 0; t < s.supervised!.length; t++)
      if (s.supervised![t]) fromInspect += resp.slice(s.tokens![2 * t]!, s.tokens![2 * t + 1]!).join('');
    assert.equal(fromInspect, fromLabels, s.id);
    total += s.numSupervised!;
  }
  assert.equal(total, manifest.tokens.supervised);
  // every record select dropped is listed with its reason
  const rejected = samples.filter((s) => s.state === 'rejected');
  for (const s of rejected) assert.ok(s.reason, s.id);
  assert.equal(written.length + rejected.length, samples.length);
});

test('the parquet route (re-encoded offsets + pack labels) agrees with the samples.jsonl route', async () => {
  fixture();
  const a = await all([outA]);
  const p = await all([outP]);
  assert.equal(p.length, a.length);
  for (let i = 0; i < a.length; i++) {
    assert.equal(p[i]!.id, a[i]!.id);
    assert.equal(p[i]!.state, a[i]!.state);
    assert.deepEqual(p[i]!.tokens, a[i]!.tokens, a[i]!.id);
    assert.deepEqual(p[i]!.supervised, a[i]!.supervised, a[i]!.id);
    assert.equal(p[i]!.numSupervised, a[i]!.numSupervised);
  }
});

test('the samples.parquet route (per-sample output, found through the formats table) agrees too', async () => {
  fixture();
  const a = await all([outA]);
  const s = await all([outS, analysis]);
  assert.equal(s.length, a.length);
  let selected = 0;
  for (let i = 0; i < a.length; i++) {
    assert.equal(s[i]!.id, a[i]!.id);
    assert.equal(s[i]!.state, a[i]!.state);
    assert.deepEqual(s[i]!.tokens, a[i]!.tokens, a[i]!.id);
    assert.deepEqual(s[i]!.supervised, a[i]!.supervised, a[i]!.id);
    if (a[i]!.state === 'selected') selected++;
  }
  assert.ok(selected > 10);
  // bin only: no sample ids; the refusal names what inspect reads, from the table
  await assert.rejects(
    () => all([outB, analysis]),
    new RegExp(
      "has none of packs\\.parquet, samples\\.parquet, samples\\.jsonl \\(--format bin's packs\\.cbpk \\+ " +
        'packs\\.cbpk\\.idx: no sample ids\\): re-run select with --format parquet or samples or jsonl',
    ),
  );
});

test('items marked selected are exactly the spans select recorded, wholly supervised; the rest say why', async () => {
  fixture();
  const c = await collect(resolveRuns([outA]), { maxSamples: Infinity });
  const byId = new Map(rows(outA).map((r) => [r.id, r]));
  const sum = c.summaries[0]!;
  assert.ok(sum.threshold !== undefined);
  let selectedItems = 0;
  for (const s of c.samples) {
    if (s.state !== 'selected') {
      for (const it of s.items) assert.notEqual(it.status, 'selected');
      continue;
    }
    const r = byId.get(s.id)!;
    const place = locateResponse(r.text, s.response)!;
    const recorded = new Set(
      r.selected
        .filter((x) => x.kind === 'item')
        .map(
          (x) =>
            `${x.start - place.responseStart + place.responseOffset}:` +
            `${x.end - place.responseStart + place.responseOffset}`,
        ),
    );
    for (const it of s.items) {
      const isRecorded = recorded.has(`${it.start}:${it.end}`);
      assert.equal(it.status === 'selected', isRecorded, `${s.id} item ${it.index} ${it.status}`);
      if (it.status === 'selected') {
        selectedItems++;
        assert.equal(it.supervised, it.tokens, 'no half-supervised item');
        assert.ok(it.score >= sum.threshold!);
      }
      if (it.status === 'below_threshold')
        assert.ok(scoreBin(it.score) < scoreBin(sum.threshold!), `${it.score} < ${sum.threshold}`);
      if (it.status === 'budget') assert.ok(scoreBin(it.score) >= scoreBin(sum.threshold!));
      if (it.status === 'flagged') assert.ok(it.flags.length > 0);
    }
  }
  assert.ok(selectedItems > 0);
  assert.equal(sum.items.status.selected, selectedItems);
  // item type shares add up to the supervised code tokens of written samples
  const supInItems = sum.byType.reduce((a, t) => a + t.supervised, 0);
  assert.ok(supInItems <= JSON.parse(readFileSync(join(outA, 'manifest.json'), 'utf8')).tokens.supervised);
});

test('terminal view: «supervised» text equals the supervised tokens; colours follow NO_COLOR and the TTY', async () => {
  fixture();
  const runs = resolveRuns([outA]);
  const c = await collect(runs, { pick: { best: true } });
  const s = c.picked!;
  assert.equal(s.state, 'selected');
  const plain = renderSample(s, runs[0]!, c.summaries[0], { color: false });
  assert.ok(!plain.includes('\x1b'), 'no escape codes without colour');
  // each code segment with its language and the items it holds
  assert.ok(s.segments.length > 0);
  s.segments.forEach((g, i) => {
    const inSeg = s.items.filter((it) => g.start <= it.start && it.start < g.end);
    const items = inSeg.length ? `items ${inSeg[0]!.index}–${inSeg[inSeg.length - 1]!.index}` : 'no items';
    assert.ok(plain.includes(`#${i} ${g.lang} (${items})`), `segment ${i}: ${g.lang} (${items})`);
  });
  // the response part of the view: strip the gutter and collect «…» runs
  const body = plain
    .split('\n')
    .filter((l) => /^ *[\d,]* \| /.test(l))
    .map((l) => l.replace(/^ *[\d,]* \| /, '').replace(/⟨\d+⟩/g, ''));
  const marked = [...body.join('\n').matchAll(/«([^»]*)»/g)]
    .map((m) => m[1])
    .join('')
    .replace(/⏎/g, '\n');
  const resp = Array.from(s.response);
  let expected = '';
  let last = -1;
  for (let t = 0; t < s.supervised!.length; t++) {
    if (!s.supervised![t]) continue;
    const a = Math.max(s.tokens![2 * t]!, last);
    const b = s.tokens![2 * t + 1]!;
    if (b > a) expected += resp.slice(a, b).join('');
    last = Math.max(last, b);
  }
  assert.equal(marked.replace(/\r/g, ''), expected.replace(/\r/g, ''));
  const coloured = renderSample(s, runs[0]!, c.summaries[0], { color: true });
  assert.ok(coloured.includes('\x1b[1;30;42m'));
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;
  assert.equal(useColor(tty, {}), true);
  assert.equal(useColor(tty, { NO_COLOR: '1' }), false);
  assert.equal(useColor(tty, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count (no-color.org)');
  assert.equal(useColor(pipe, {}), false);
  assert.equal(useColor(pipe, { FORCE_COLOR: '1' }), true);
  assert.equal(useColor(tty, { TERM: 'dumb' }), false);
});

test('terminal: control characters of the data never reach the terminal', () => {
  assert.equal(visible('\x1b'), '\u241b');
  assert.equal(visible('\x00'), '\u2400');
  assert.equal(visible('\x9b'), '\\x9b');
  assert.equal(visible('\u202e'), '\\u202e');
  assert.equal(visible('😀'), '😀');
  const response = 'x = "\x1b[31mred"  # 😀\r\ny = x\n';
  const s: InspectSample = {
    id: 'ctl',
    ordinal: 0,
    file: 'f',
    line: 1,
    prompt: [{ role: 'user', content: 'p\x1b]0;title\x07' }],
    response,
    segments: [{ start: 0, end: Array.from(response).length, lang: 'python' }],
    items: [],
    edges: [],
    state: 'selected',
    tokens: Int32Array.from([0, 1, 4, 10, 19, 20]),
    supervised: Uint8Array.from([1, 1, 0]),
    numSupervised: 2,
    supervisedOutside: 0,
    numTokens: 3,
  };
  const run = { dir: '/x', label: 'codeblock', kind: 'output' as const, analysisDirs: [], mode: 'codeblock' };
  for (const color of [false, true]) {
    const out = renderSample(s, run, undefined, { color });
    const raw = out.replace(/\x1b\[[0-9;]*m/g, ''); // our own SGR codes
    assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(raw), `no raw control characters (color=${color})`);
  }
  const plain = renderSample(s, run, undefined, { color: false });
  assert.ok(plain.includes('«x»'));
  assert.ok(plain.includes('«"␛[31m»red'), plain);
});

test('locateResponse finds the response, also when the template trimmed it', () => {
  assert.deepEqual(locateResponse('<u>hi</u><a>😀 ok</a>', '😀 ok'), {
    responseStart: 12,
    responseEnd: 16,
    responseOffset: 0,
  });
  assert.deepEqual(locateResponse('<a>body</a>', '\n\nbody  '), {
    responseStart: 3,
    responseEnd: 7,
    responseOffset: 2,
  });
  assert.equal(locateResponse('nothing here', 'absent'), undefined);
});

test('HTML report: self-contained, data escaped, summary equal to the manifest, mode comparison', async () => {
  fixture();
  const c = await collect(resolveRuns([outA, outG]), { maxSamples: 500 });
  const html = renderReport(c, { version: 'test' });
  // no external resource of any kind (the SVG namespace is an identifier, not a request)
  const urls = [...html.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"'<>)]*/gi)]
    .map((m) => m[0])
    .filter((u) => u !== 'http://www.w3.org/2000/svg');
  assert.deepEqual(urls, []);
  assert.ok(!/<(?:link|iframe|object|embed)\b/i.test(html));
  assert.ok(!/\bsrc=/i.test(html));
  assert.ok(html.includes("default-src 'none'"), 'CSP forbids any load');
  const m = JSON.parse(readFileSync(join(outA, 'manifest.json'), 'utf8'));
  const cell = (k: string, run = 0) =>
    html.match(new RegExp(`data-k="${k.replace('.', '\\.')}" data-run="${run}">([^<]*)<`))?.[1];
  assert.equal(cell('counts.input'), String(m.counts.input));
  assert.equal(cell('counts.selected'), String(m.counts.selected));
  assert.equal(cell('tokens.supervised'), String(m.tokens.supervised));
  assert.equal(cell('tokens.ratio'), `${(100 * m.tokens.ratio).toFixed(2)}%`);
  assert.equal(cell('packing.efficiency'), `${(100 * m.packing.efficiency).toFixed(2)}%`);
  assert.equal(cell('mode', 1), 'token-gce');
  assert.ok(html.includes('id="compare"'));
  const j = Number(cell('compare.jaccard', 1));
  assert.ok(j >= 0 && j <= 1, `jaccard ${j}`);
  // the embedded data parses back, and carries every kept sample
  const data = JSON.parse(html.match(/<script type="application\/json" id="cb-data">([\s\S]*?)<\/script>/)![1]!);
  assert.equal(data.samples.length, c.samples.length);
  assert.equal(data.runs.length, 2);
  // hostile text cannot close the data script
  const evil = { response: '</script><script>alert(1)</script><!-- \u2028' };
  const enc = scriptJson(evil);
  assert.ok(!enc.includes('</') && !enc.includes('<!--'));
  assert.deepEqual(JSON.parse(enc), evil);
  // deterministic
  assert.equal(renderReport(await collect(resolveRuns([outA, outG]), { maxSamples: 500 }), { version: 'test' }), html);
});

test('CLI: --id shows the highlighted response; bad picks and dirs are one clear line', () => {
  fixture();
  const first = rows(outA)[0]!;
  const r = cli(['inspect', outA, '--id', first.id]);
  ok(r, 'inspect --id');
  assert.ok(r.stdout.includes(`sample ${first.id}`));
  assert.ok(r.stdout.includes('«'), 'supervised text marked (stdout is not a TTY: no colour)');
  assert.ok(!r.stdout.includes('\x1b['));
  const forced = cli(['inspect', outA, '--id', first.id], { env: { FORCE_COLOR: '1' } });
  assert.ok(forced.stdout.includes('\x1b['));
  const nc = cli(['inspect', outA, '--id', first.id], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
  assert.ok(!nc.stdout.includes('\x1b['));
  for (const args of [['--best'], ['--worst'], ['--sample', '0']]) ok(cli(['inspect', outA, ...args]), args.join(' '));
  const ana = cli(['inspect', analysis, '--best']);
  ok(ana, 'inspect analysis dir');
  assert.ok(ana.stdout.includes('analysis files only'));
  const bad: Array<[string[], RegExp]> = [
    [['inspect', outA, '--id', 'no-such-id'], /no record with id no-such-id/],
    [['inspect', outA, '--sample', '100000'], /out of range/],
    [['inspect', outA, '--best', '--worst'], /pick one of/],
    [['inspect', join(work, 'nope')], /not a directory/],
    [['inspect', work], /neither a codeblock output directory/],
  ];
  for (const [args, re] of bad) {
    const b = cli(args);
    assert.notEqual(b.status, 0, args.join(' '));
    assert.match(b.stderr, re);
    assert.equal(b.stderr.trim().split('\n').length, 1, `one line: ${b.stderr}`);
  }
  // a record rejected during analysis: inspect says where it went
  const rej = readFileSync(join(outA, 'rejected.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id?: string; reason: string })
    .find((x) => x.id && x.reason === 'tests');
  if (rej) assert.match(cli(['inspect', outA, '--id', rej.id!]).stderr, /rejected: tests/);
  // an output without its analysis files names the fix
  const lone = join(work, 'lone');
  cpSync(outA, lone, { recursive: true });
  rmSync(join(lone, 'analysis'), { recursive: true, force: true });
  assert.match(cli(['inspect', lone]).stderr, /no analysis files/);
  ok(cli(['inspect', lone, analysis, '--sample', '0']), 'output + analysis dir');
});

test('item labels: assignments, augmented/annotated assignments, calls and headers are told apart', () => {
  const cases: Array<[string, string, string, string]> = [
    ['expression_statement', 'simple', 'x = 1\n', 'assignment'],
    ['expression_statement', 'simple', 'a, b = f(x == 1)\n', 'assignment'],
    ['expression_statement', 'simple', 'd["k=v"] = {"a": 1}\n', 'assignment'],
    ['expression_statement', 'simple', 'total += x\n', 'augmented assignment'],
    ['expression_statement', 'simple', 'n //= 2\n', 'augmented assignment'],
    ['expression_statement', 'simple', 'mask <<= 1\n', 'augmented assignment'],
    ['expression_statement', 'simple', 'x: int = 3\n', 'annotated assignment'],
    ['expression_statement', 'simple', 'x: int\n', 'annotation'],
    ['expression_statement', 'simple', 'print(a == b, sep="=")\n', 'call'],
    ['expression_statement', 'simple', 'x <= y\n', 'expression'],
    ['expression_statement', 'simple', 'await task()\n', 'await'],
    ['expression_statement', 'simple', '(y := 3)\n', 'expression'],
    ['expression_statement', 'simple', 's = """a = b"""\n', 'assignment'],
    ['function_definition', 'header', 'def f(x=1):', 'def header'],
    ['decorated_definition', 'header', '@cache\ndef f():', 'def header'],
    ['else_clause', 'clause', 'else:', 'else'],
    ['return_statement', 'simple', 'return x', 'return'],
    ['import_from_statement', 'simple', 'from a import b', 'import'],
    ['function_definition', 'block', 'def f():\n    pass\n', 'def block'],
  ];
  for (const [type, kind, text, want] of cases) assert.equal(itemLabel(type, kind, text), want, text);
});

// ---- U distribution of the pool (issue #14): checked against the analysis files read directly ----

interface RawItem {
  u: number;
  reach: number;
  bridge: number;
  flags: string[];
}

/** Every item of an analysis directory, straight from its gzipped record files (no codeblock reader). */
function rawItems(dir: string): RawItem[] {
  const out: RawItem[] = [];
  for (const shard of readdirSync(dir)
    .filter((d) => /^shard-/.test(d))
    .sort()) {
    for (const f of readdirSync(join(dir, shard))
      .filter((x) => x.endsWith('.records.jsonl.gz'))
      .sort()) {
      const text = gunzipSync(readFileSync(join(dir, shard, f))).toString('utf8');
      for (const line of text.split('\n').filter(Boolean)) out.push(...(JSON.parse(line).items as RawItem[]));
    }
  }
  return out;
}

/** Counts of `values` in 20 equal bins over [0, hi]: edges[b] ≤ v < edges[b+1], the last bin closed. */
function directCounts(values: number[], hi: number): { edges: number[]; counts: number[] } {
  const edges = Array.from({ length: 21 }, (_, i) => (hi * i) / 20);
  const counts = edges
    .slice(0, 20)
    .map((lo, b) => values.filter((v) => v >= lo && (b === 19 ? v <= edges[20]! : v < edges[b + 1]!)).length);
  return { edges, counts };
}

function directBin(edges: number[], v: number): number {
  for (let b = 0; b < 20; b++) if (v >= edges[b]! && (b === 19 ? v <= edges[20]! : v < edges[b + 1]!)) return b;
  return -1;
}

/** Quantile by linear interpolation between order statistics (numpy's default). */
function q7(values: number[], p: number): number {
  const a = [...values].sort((x, y) => x - y);
  const h = (a.length - 1) * p;
  const i = Math.floor(h);
  return i + 1 < a.length ? a[i]! + (h - i) * (a[i + 1]! - a[i]!) : a[i]!;
}

/** The terminal histograms of a summary: header line → the bins' printed counts and the marked bin. */
function printedHistograms(text: string): Map<string, { counts: number[]; marked: number[] }> {
  const out = new Map<string, { counts: number[]; marked: number[] }>();
  let current: { counts: number[]; marked: number[] } | undefined;
  for (const line of text.split('\n')) {
    const bin = line.match(/^ {2}\[[\d.]+, [\d.]+[)\]] {2}█* *\s(\d+)( {2}◀ threshold)?$/);
    if (bin && current) {
      if (bin[2]) current.marked.push(current.counts.length);
      current.counts.push(Number(bin[1]));
    } else if (/^item (utility U of|score under mode)/.test(line)) {
      current = { counts: [], marked: [] };
      out.set(line.startsWith('item utility') ? 'u' : 'score', current);
    } else current = line.startsWith('mode ') || line.startsWith('the run threshold') ? current : undefined;
  }
  return out;
}

test('U distribution: histogram, median/IQR, saturation equal a direct count over the analysis records', async () => {
  fixture();
  const m = JSON.parse(readFileSync(join(outA, 'manifest.json'), 'utf8'));
  const q = m.config.analysis.q as number;
  assert.equal(m.config.analysis.scorer, 'lm');
  assert.equal(m.config.analysis.reduce, 'mean');
  const items = rawItems(analysis);
  const us = items.map((it) => it.u);
  const c = await collect(resolveRuns([outA]));
  const u = c.summaries[0]!.utility;
  assert.equal(u.scored, true);
  assert.equal(u.q, q);
  assert.equal(u.items, items.length);
  const want = directCounts(us, 1 / q);
  assert.deepEqual(u.histogram.edges, want.edges);
  assert.deepEqual(u.histogram.series[0]!.counts, want.counts);
  assert.equal(
    u.histogram.series[0]!.counts.reduce((a, b) => a + b, 0),
    items.length,
    'every item in exactly one bin',
  );
  assert.ok(Math.max(...us) <= 1 / q && Math.min(...us) >= 0, 'U lies in [0, 1/q]');
  assert.equal(u.median, q7(us, 0.5));
  assert.equal(u.q1, q7(us, 0.25));
  assert.equal(u.q3, q7(us, 0.75));
  assert.equal(u.saturated, us.filter((x) => x >= 0.95 / q).length);

  // mode codeblock: the threshold is a score U·(1+λr·reach+λb·bridge), so it is marked on the score histogram
  const T = m.selection.item_threshold as number;
  assert.equal(u.threshold?.value, T);
  assert.equal(u.threshold?.source, 'manifest');
  assert.equal(u.scoreIsU, false);
  const { lambdaReach: lr, lambdaBridge: lb } = m.config.select as { lambdaReach: number; lambdaBridge: number };
  const scores = items.map((it) => it.u * (1 + lr * it.reach + lb * it.bridge));
  const wantScores = directCounts(scores, Math.max(T, ...scores));
  assert.deepEqual(u.scores.series[0]!.counts, wantScores.counts);
  assert.equal(u.atThreshold, scores.filter((x) => x >= T).length);
  const tBin = directBin(wantScores.edges, T);
  assert.ok(tBin >= 0);

  // the terminal prints those counts, one line a bin, and marks the threshold's bin of the score histogram only
  const text = renderSummary(c.summaries[0]!, { color: false });
  const printed = printedHistograms(text);
  assert.deepEqual(printed.get('u')?.counts, want.counts, text);
  assert.deepEqual(printed.get('u')?.marked, [], 'no threshold on U: the codeblock score is not U');
  assert.deepEqual(printed.get('score')?.counts, wantScores.counts, text);
  assert.deepEqual(printed.get('score')?.marked, [tBin], text);
  assert.ok(
    text.includes(`median ${q7(us, 0.5).toFixed(3)}, IQR ${q7(us, 0.25).toFixed(3)}–${q7(us, 0.75).toFixed(3)}`),
  );
  assert.ok(text.includes(`run threshold ${T.toFixed(4)} (manifest selection.item_threshold`), text);
  assert.ok(text.includes('the run threshold is on the mode codeblock score, not on U'));

  // the report: a U chart whose bars hold every item, captioned; the threshold on the score chart
  const html = renderReport(c);
  const svg = html.match(/<svg[^>]*id="chart-u-0"[\s\S]*?<\/svg>/)![0];
  const bars = [...svg.matchAll(/<title>items: (\d+) in/g)].reduce((a, x) => a + Number(x[1]), 0);
  assert.equal(bars, items.length);
  assert.ok(!svg.includes('class="mark"'), 'no threshold line on the U chart in mode codeblock');
  assert.match(html, /<figcaption id="u-caption-0">[^<]*not on U/);
  assert.match(html.match(/<svg[^>]*id="chart-scores-0"[\s\S]*?<\/svg>/)![0], /class="mark"/);
  assert.match(html, new RegExp(`data-k="utility\\.threshold" data-run="0">${T.toFixed(4)}<`));
});

test('U distribution: a mode that ranks by U alone marks the threshold in its U bin', async () => {
  fixture();
  const outU = join(work, 'u');
  ok(cli(['select', analysis, '-o', outU, '--mode', 'items-no-dataflow', '--format', 'jsonl', ...V2_FLAGS]), 'select');
  const m = JSON.parse(readFileSync(join(outU, 'manifest.json'), 'utf8'));
  const T = m.selection.item_threshold as number;
  const q = m.config.analysis.q as number;
  const us = rawItems(analysis).map((it) => it.u);
  const want = directCounts(us, 1 / q);
  const c = await collect(resolveRuns([outU, analysis]));
  const u = c.summaries[0]!.utility;
  assert.equal(u.scoreIsU, true);
  assert.equal(u.threshold?.value, T);
  const text = renderSummary(c.summaries[0]!, { color: false });
  const printed = printedHistograms(text);
  assert.deepEqual(printed.get('u')?.counts, want.counts);
  assert.deepEqual(printed.get('u')?.marked, [directBin(want.edges, T)], text);
  assert.equal(printed.get('score'), undefined, 'no second histogram when the score is U');
  const svg = renderReport(c).match(/<svg[^>]*id="chart-u-0"[\s\S]*?<\/svg>/)![0];
  assert.match(svg, /class="mark"/);
});

test('U distribution: an analysis with --scorer none says so in one line instead of a histogram', async () => {
  const anaN = join(work, 'n-analysis');
  const outN = join(work, 'n');
  ok(cli(['analyze', POOL, '-o', anaN, ...FAST_ANALYZE]), 'analyze --scorer none');
  ok(cli(['select', anaN, '-o', outN, '--format', 'jsonl', ...V2_FLAGS]), 'select');
  const items = rawItems(anaN);
  assert.ok(items.length > 0 && items.every((it) => it.u === 1), 'every U is 1 without a scorer');
  const line = "item utility U: not scored (analysis --scorer none): every item's U is 1, no U histogram";
  for (const dirs of [[anaN], [outN, anaN]]) {
    const c = await collect(resolveRuns(dirs));
    assert.equal(c.summaries[0]!.utility.scored, false);
    const text = renderSummary(c.summaries[0]!, { color: false });
    assert.equal(text.split('\n').filter((l) => l.startsWith(line)).length, 1, text);
    assert.equal(printedHistograms(text).get('u'), undefined, 'no U histogram');
    const html = renderReport(c);
    assert.ok(html.includes('data-k="utility.unscored"'));
    assert.ok(!html.includes('id="chart-u-0"'));
  }
  // the threshold of the data-flow ranking still sits in its score bin
  const m = JSON.parse(readFileSync(join(outN, 'manifest.json'), 'utf8'));
  const T = m.selection.item_threshold as number;
  const { lambdaReach: lr, lambdaBridge: lb } = m.config.select as { lambdaReach: number; lambdaBridge: number };
  const scores = items.map((it) => it.u * (1 + lr * it.reach + lb * it.bridge));
  const want = directCounts(scores, Math.max(T, ...scores));
  const c = await collect(resolveRuns([outN, anaN]));
  const printed = printedHistograms(renderSummary(c.summaries[0]!, { color: false })).get('score');
  assert.deepEqual(printed?.counts, want.counts);
  assert.deepEqual(printed?.marked, [directBin(want.edges, T)]);
});

test("statement kinds: inspect shows the selected items' kind mix and first-item share against the pool", async () => {
  fixture();
  const outD = join(work, 'default-def');
  ok(cli(['select', analysis, '-o', outD, '--format', 'jsonl']), 'select (default score definition)');
  const m = JSON.parse(readFileSync(join(outD, 'manifest.json'), 'utf8'));
  assert.equal(m.config.select.scoreCombine, 'fisher');
  assert.ok(m.selection.pool_items > 0);
  const c = await collect(resolveRuns([outD, analysis]));
  const sum = c.summaries[0]!;
  const k = sum.kinds!;
  assert.ok(k, 'an item mode output has a kind mix');
  // the pool is every unflagged item of the analysis; the selected items are the summary's selected ones
  const items = rawItems(analysis);
  assert.equal(k.poolItems, items.filter((it) => it.flags.length === 0).length);
  assert.equal(m.selection.pool_items, k.poolItems);
  assert.equal(k.selectedItems, sum.items.status.selected ?? 0);
  const total = (x: Record<string, number>) => Object.values(x).reduce((a, b) => a + b, 0);
  assert.equal(total(k.pool), k.poolItems);
  assert.equal(total(k.selected), k.selectedItems);
  assert.ok(k.selectedFirst <= k.selectedItems && k.poolFirst <= k.poolItems);
  const text = renderSummary(sum, { color: false });
  assert.match(text, /^statement kinds: \d+ selected items against \d+ selectable items of the pool$/m);
  assert.match(text, /^ {2}first item +[\d.]+% +[\d.]+% {2}\(opens its response\)$/m);
  assert.match(text, /^ {2}bodies +[\d.]+% +[\d.]+%/m);
  const html = renderReport(c);
  for (const key of ['kinds.def', 'kinds.return', 'kinds.bodies', 'kinds.first'])
    assert.ok(html.includes(`data-k="${key}"`), key);
  // an analysis directory alone has no selection: no kind mix
  const a = await collect(resolveRuns([analysis]));
  assert.equal(a.summaries[0]!.kinds, undefined);
});
