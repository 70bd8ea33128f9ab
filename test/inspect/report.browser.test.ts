/**
 * The HTML report in a real browser: Debian's Chromium, driven by playwright-core, fully offline.
 *
 * `codeblock run` on the example pool (default Parquet output) → `codeblock inspect --html` (with a
 * token-gce run beside it for the mode comparison) → open the file in headless Chromium with every
 * non-file request blocked and recorded. Asserts: no request was attempted, no script error, the
 * summary numbers equal manifest.json, clicking a sample highlights exactly its supervised tokens
 * (counted independently from packs.parquet by DuckDB), clicking an item lights up exactly its
 * def-use partners (from the analysis file), the comparison view marks characters; then saves a
 * screenshot under the test's temp dir (and to docs/img/report.png with CODEBLOCK_UPDATE_SCREENSHOT=1).
 *
 * Skipped only when /usr/bin/chromium is missing (`apt-get install chromium`; .ci/run installs it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { chromium } from 'playwright-core';
import { cli, EXAMPLES } from '../helpers/cli.js';
import { PACKAGE_ROOT } from '../../src/native.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `Chromium is not installed at ${CHROMIUM} (Debian: apt-get install --no-install-recommends chromium; .ci/run ` +
    'installs it)';
if (skip) process.stderr.write(`report.browser.test: SKIPPED — ${skip}\n`);

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function ok(r: { status: number | null; stderr: string }, what: string): void {
  assert.equal(r.status, 0, `${what} failed:\n${r.stderr}`);
}

/** Supervised tokens per sample id, computed by DuckDB from the packs (labels ≠ -100 within each sample's slice). */
async function supervisedBySample(parquet: string): Promise<Map<string, number>> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    const r = await conn.runAndReadAll(
      `SELECT sample_ids, seq_lengths, labels FROM read_parquet('${parquet.replace(/'/g, "''")}')`,
    );
    const out = new Map<string, number>();
    for (const row of r.getRowObjectsJS() as Array<{ sample_ids: string[]; seq_lengths: number[]; labels: number[] }>) {
      let t0 = 0;
      row.sample_ids.forEach((id, j) => {
        const len = Number(row.seq_lengths[j]);
        let n = 0;
        for (let t = t0; t < t0 + len; t++) if (Number(row.labels[t]) !== -100) n++;
        out.set(id, n);
        t0 += len;
      });
    }
    return out;
  } finally {
    conn.closeSync();
  }
}

/** Edges of one record, straight from the analysis files. */
function analysisEdges(analysisDir: string, id: string): Array<[number, number]> {
  for (const shard of readdirSync(analysisDir).filter((d) => d.startsWith('shard-'))) {
    for (const f of readdirSync(join(analysisDir, shard)).filter((x) => x.endsWith('.records.jsonl.gz'))) {
      for (const line of gunzipSync(readFileSync(join(analysisDir, shard, f)))
        .toString('utf8')
        .split('\n')) {
        if (!line) continue;
        const rec = JSON.parse(line) as { id: string; edges: Array<[number, number]> };
        if (rec.id === id) return rec.edges;
      }
    }
  }
  throw new Error(`record ${id} not in ${analysisDir}`);
}

test('HTML report of the example pool renders offline in Chromium and shows exactly what is supervised', {
  skip,
  timeout: 120_000,
}, async () => {
  const work = mkdtempSync(join(tmpdir(), 'cb-report-'));
  let passed = false;
  try {
    const out = join(work, 'out');
    const gce = join(work, 'gce');
    const report = join(out, 'report.html');
    ok(cli(['run', join(EXAMPLES, 'pool.jsonl'), '-o', out]), 'run');
    ok(cli(['select', join(out, 'analysis'), '-o', gce, '--mode', 'token-gce']), 'select token-gce');
    ok(cli(['inspect', out, gce, '--html', report]), 'inspect --html');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const truth = await supervisedBySample(join(out, 'packs.parquet'));
    assert.equal(truth.size, manifest.counts.selected);

    const profile = mkdtempSync(join(work, 'chromium-profile-'));
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1100, height: 760 },
    });
    const attempted: string[] = [];
    const errors: string[] = [];
    try {
      await ctx.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        attempted.push(url);
        return route.abort();
      });
      ctx.on('request', (req) => {
        if (!req.url().startsWith('file:') && !attempted.includes(req.url())) attempted.push(req.url());
      });
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(pathToFileURL(report).href);
      await page.waitForSelector('body[data-ready="1"]');

      // the summary numbers are the manifest's
      const cell = async (k: string) => (await page.textContent(`#summary [data-k="${k}"][data-run="0"]`))?.trim();
      assert.equal(await cell('counts.input'), String(manifest.counts.input));
      assert.equal(await cell('counts.selected'), String(manifest.counts.selected));
      assert.equal(await cell('counts.quarantined'), String(manifest.counts.quarantined));
      assert.equal(
        await cell('counts.rejected'),
        String(Object.values(manifest.counts.rejected as Record<string, number>).reduce((a, b) => a + b, 0)),
      );
      assert.equal(await cell('tokens.response'), String(manifest.tokens.response));
      assert.equal(await cell('tokens.supervised'), String(manifest.tokens.supervised));
      assert.equal(await cell('tokens.supervised_code'), String(manifest.tokens.supervised_code));
      assert.equal(await cell('tokens.supervised_nl'), String(manifest.tokens.supervised_nl));
      assert.equal(await cell('tokens.ratio'), `${(100 * manifest.tokens.ratio).toFixed(2)}%`);
      assert.equal(await cell('packing.packs'), String(manifest.packing.packs));
      assert.equal(await cell('packing.efficiency'), `${(100 * manifest.packing.efficiency).toFixed(2)}%`);
      assert.ok(await page.isVisible('#chart-scores-0'));

      // click the sample with the most supervised tokens: the highlighted tokens are exactly its labels ≠ -100
      const [id, nSup] = [...truth.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
      assert.ok(nSup > 0);
      await page.click(`#items-list button.sl[data-id="${id}"]`);
      await page.waitForSelector(`#view code:text-is("${id}")`);
      const highlighted = await page.$$eval(
        '#view pre.resp .tk.sup',
        (els) => new Set(els.map((e) => e.getAttribute('data-t'))).size,
      );
      assert.equal(highlighted, nSup, `highlighted tokens of ${id}`);
      assert.equal((await page.textContent('#hl-count'))?.trim(), String(nSup));
      assert.equal((await page.textContent('#num-supervised'))?.trim(), String(nSup));

      // every other written sample too (astral characters, CRLF, prose-only supervision…)
      for (const [sid, n] of truth) {
        await page.click(`#items-list button.sl[data-id="${sid}"]`);
        await page.waitForSelector(`#view code:text-is("${sid}")`);
        const h = await page.$$eval(
          '#view pre.resp .tk.sup',
          (els) => new Set(els.map((e) => e.getAttribute('data-t'))).size,
        );
        assert.equal(h, n, `highlighted tokens of ${sid}`);
      }
      await page.click(`#items-list button.sl[data-id="${id}"]`);
      await page.waitForSelector(`#view code:text-is("${id}")`);

      // click a selected item: its panel, and exactly its def-use partners light up
      const itemIndex = Number(await page.getAttribute('#view pre.resp .item.st-selected', 'data-i'));
      assert.ok(Number.isInteger(itemIndex));
      await page.click(`#view pre.resp .item[data-i="${itemIndex}"]`);
      assert.equal((await page.textContent('#panel [data-k="item.status"]'))?.trim(), 'selected');
      const edges = analysisEdges(join(out, 'analysis'), id);
      const defs = new Set(edges.filter(([, b]) => b === itemIndex).map(([a]) => String(a)));
      const uses = new Set(edges.filter(([a]) => a === itemIndex).map(([, b]) => String(b)));
      const lit = async (cls: string) =>
        new Set(
          await page.$$eval(`#view pre.resp .item.${cls}`, (els) => els.map((e) => e.getAttribute('data-i') ?? '')),
        );
      assert.deepEqual(await lit('def'), defs);
      assert.deepEqual(await lit('use'), uses);
      assert.equal(await page.$$eval('#view pre.resp .item.on', (els) => els.length), 1);
      // and one arrow per def-use edge (self-loops aside), pointing the right way
      const arrows = await page.$$eval('#view svg.arrows path.arrow', (els) =>
        els.map((e) => `${e.getAttribute('class')}:${e.getAttribute('data-from')}>${e.getAttribute('data-to')}`).sort(),
      );
      const want = [
        ...edges.filter(([a, b]) => b === itemIndex && a !== itemIndex).map(([a]) => `arrow def:${a}>${itemIndex}`),
        ...edges.filter(([a, b]) => a === itemIndex && b !== itemIndex).map(([, b]) => `arrow use:${itemIndex}>${b}`),
      ].sort();
      assert.deepEqual(arrows, want);

      // mode comparison: pick the token-gce run; characters get marked per run
      await page.selectOption('#cmp-run', '1');
      await page.waitForSelector('#view pre.resp.cmp');
      const marked = await page.$$eval(
        '#view pre.resp .ca, #view pre.resp .cb, #view pre.resp .cab',
        (els) => els.length,
      );
      assert.ok(marked > 0, 'comparison marks characters');
      await page.selectOption('#cmp-run', '0');
      await page.click(`#view pre.resp .item[data-i="${itemIndex}"]`);

      const shot = join(work, 'report.png');
      await page.locator('#browser').screenshot({ path: shot });
      assert.ok(statSync(shot).size > 1000);
      if (process.env.CODEBLOCK_UPDATE_SCREENSHOT === '1') {
        mkdirSync(join(PACKAGE_ROOT, 'docs', 'img'), { recursive: true });
        await page.locator('#browser').screenshot({ path: join(PACKAGE_ROOT, 'docs', 'img', 'report.png') });
      }
    } finally {
      await ctx.close();
    }
    assert.deepEqual(attempted, [], 'the report made no network request');
    assert.deepEqual(errors, [], 'no script errors');
    passed = true;
  } finally {
    // on failure the report, outputs and screenshot stay for a look
    if (passed) rmSync(work, { recursive: true, force: true });
    else process.stderr.write(`report.browser.test: kept ${work} (report.html, report.png) for inspection\n`);
  }
});
