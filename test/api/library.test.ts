/**
 * The public API used as a library, stage by stage, on the example pool. The `docs:start` regions
 * are the samples of docs/api.md (test/api/samples.ts splices them in); each is checked here
 * against what the CLI or an independent count gives.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  analyze,
  analyzeStructure,
  analyzeStructureBatch,
  assemblePacks,
  CodeblockError,
  collect,
  countPacks,
  cuSeqlens,
  decodeMaskBits,
  defaultConfig,
  encodeMaskBits,
  ERROR_EXIT_CODES,
  FORMAT_TABLE,
  FORMATS,
  generatePool,
  graphMetrics,
  IGNORE_INDEX,
  inspect,
  isCodeblockError,
  items,
  itemsLine,
  itemUtilities,
  labelMask,
  loadConfigFile,
  loadPacks,
  MODE_TABLE,
  MODES,
  native,
  OPTIONS,
  packBFD,
  packViews,
  planSlurm,
  PRESET_TABLE,
  PRESETS,
  proseTokenUtilities,
  readRecords,
  registeredLanguages,
  renderReport,
  renderSample,
  renderSummary,
  resolveConfig,
  resolveRuns,
  run,
  runSamples,
  Scorer,
  select,
  StructurePool,
  TargetTokenizer,
  version,
  writeSlurmScripts,
  type CodeRecord,
  type ItemsLine,
} from '../../src/index.js';
import { cli, EXAMPLES } from '../helpers/cli.js';

const POOL = join(EXAMPLES, 'pool.jsonl');
const work = mkdtempSync(join(tmpdir(), 'cb-api-'));
after(() => rmSync(work, { recursive: true, force: true }));

const poolLines = readFileSync(POOL, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '').length;

test('errors: one code per failure, with its exit code', () => {
  // docs:start errors
  try {
    resolveConfig('select', { budget: 2 });
  } catch (err) {
    if (!isCodeblockError(err)) throw err;
    assert.equal(err.code, 'E_USAGE');
    assert.equal(err.exitCode, ERROR_EXIT_CODES.E_USAGE); // 2, as the CLI exits
    assert.match(err.message, /budget/);
  }
  // docs:end
  assert.throws(() => resolveConfig('select', { budget: 2 }), CodeblockError);
  assert.equal(cli(['select', 'x', '-o', join(work, 'e'), '--budget', '2']).status, 2);
});

test('config: defaults, config files and overrides, from the option table', () => {
  // docs:start config
  const cfg = resolveConfig('select', { budget: 0.05, format: ['parquet', 'bin'] });
  assert.equal(cfg.budget, 0.05);
  assert.equal(cfg.mode, 'codeblock'); // the default, from OPTIONS
  assert.deepEqual(defaultConfig().format, ['parquet']);

  writeFileSync(join(work, 'codeblock.yaml'), 'budget: 0.03\nmax-len: 4096\n');
  assert.deepEqual(loadConfigFile(join(work, 'codeblock.yaml')), { budget: 0.03, maxLen: 4096 });
  const fromFile = resolveConfig('select', { mode: 'full' }, join(work, 'codeblock.yaml'));
  assert.equal(fromFile.maxLen, 4096);
  assert.equal(fromFile.mode, 'full');
  // docs:end
  // docs:start options
  const budget = OPTIONS.find((o) => o.key === 'budget')!;
  assert.deepEqual([budget.kind, budget.default, budget.group], ['number', 0.019, 'Selection']);
  assert.ok(MODES.includes('random-tokens'));
  assert.deepEqual([...FORMATS], ['parquet', 'bin', 'samples', 'jsonl']);
  // docs:end
  const help = cli(['select', '--help']).stdout;
  for (const m of MODES) assert.ok(help.includes(m), `--help lists mode ${m}`);
});

test('extension tables: modes, formats, presets, languages', () => {
  // docs:start tables
  const full = MODE_TABLE.find((m) => m.name === 'full')!;
  assert.deepEqual([full.unit, full.usesNl, full.needsScores], ['response', false, false]);
  assert.deepEqual(
    MODE_TABLE.map((m) => m.name),
    [...MODES],
  );
  assert.ok(FORMAT_TABLE.find((f) => f.name === 'bin')!.files.includes('packs.cbpk.idx'));
  assert.deepEqual(
    PRESET_TABLE.map((p) => p.name),
    [...PRESETS],
  );
  const python = registeredLanguages().find((l) => l.fenceAliases.includes('py'))!;
  assert.equal(python.displayName, 'Python');
  // docs:end
});

test('records: readRecords yields records and quarantined lines', async () => {
  // docs:start readRecords
  let records = 0;
  let quarantined = 0;
  for await (const ev of readRecords([POOL], { preset: 'auto' })) {
    if (ev.type === 'record') records++;
    else if (ev.type === 'quarantine') quarantined++;
  }
  assert.equal(records + quarantined, 41);
  assert.ok(PRESETS.includes('oci'));
  // docs:end
  assert.equal(records + quarantined, poolLines);
});

let analysisDir = '';

test('pipeline: run = analyze + select, the same bytes as the CLI', async () => {
  const out = join(work, 'run');
  // docs:start run
  const cfg = resolveConfig('run', { out, scorer: 'none', workers: 1, progress: false });
  const r = await run([POOL], cfg);
  assert.equal(r.analyze.dir, join(out, 'analysis', 'shard-00000-of-00001'));
  assert.equal(r.select.counts.input, 41);
  assert.ok(r.select.tokens.supervised > 0 && r.select.packs > 0);
  // docs:end
  const viaCli = join(work, 'run-cli');
  assert.equal(cli(['run', POOL, '-o', viaCli, '--scorer', 'none', '--workers', '1']).status, 0);
  assert.deepEqual(readFileSync(join(out, 'packs.parquet')), readFileSync(join(viaCli, 'packs.parquet')));
  analysisDir = r.analyze.dir;
});

test('pipeline: analyze then select (the two passes on their own)', async () => {
  const a = join(work, 'analysis');
  const s = join(work, 'selected');
  // docs:start analyze
  const summary = await analyze([POOL], resolveConfig('analyze', { out: a, scorer: 'none', progress: false }));
  assert.equal(summary.counts.input, 41);
  assert.equal(summary.shard.count, 1);
  assert.ok(summary.parts >= 1);
  // docs:end
  // docs:start select
  const sel = await select([a], resolveConfig('select', { out: s, mode: 'full', format: ['bin'], progress: false }));
  // mode full supervises every response token, and each sample's end-of-turn token (--supervise-eos)
  assert.equal(sel.tokens.supervised, sel.tokens.response + sel.tokens.supervised_eos);
  assert.equal(sel.tokens.supervised_eos, sel.counts.selected);
  assert.ok(existsSync(join(s, 'packs.cbpk')) && existsSync(join(s, 'manifest.json')));
  // docs:end
  assert.equal(summary.counts.analyzed, sel.counts.selected + (sel.counts.rejected.pack_too_long ?? 0));
});

test('structure: items, analyzeStructure, analyzeStructureBatch, StructurePool, graphMetrics', async () => {
  // docs:start items
  const cfg = resolveConfig('items', { workers: 1 });
  const { lines, counts } = items([POOL], cfg);
  const seen: ItemsLine[] = [];
  for await (const line of lines) seen.push(line);
  assert.equal(counts.analyzed, seen.length);
  assert.equal(counts.input, 41);
  assert.ok(seen[0]!.items.length > 0 && seen[0]!.segments[0]!.lang === 'python');
  // docs:end
  const viaCli = cli(['items', POOL, '--workers', '1']).stdout.trim().split('\n');
  assert.deepEqual(
    seen.map((l) => JSON.stringify(l)),
    viaCli,
  );

  // docs:start analyzeStructureBatch
  const response = 'Sum:\n```python\nx = 1\ny = x + 1\nprint(y)\n```\n';
  const [o] = analyzeStructureBatch([response], { granularity: 'statement' });
  assert.ok(o!.ok);
  const { result } = o as Extract<typeof o, { ok: true }>;
  const texts = result.items.map((i) => [...response].slice(i.start, i.end).join(''));
  assert.deepEqual(texts, ['x = 1\n', 'y = x + 1\n', 'print(y)\n']); // offsets are code points
  assert.deepEqual(result.edges, [
    [0, 1],
    [1, 2],
  ]); // x flows into y, y into print
  // docs:end

  // docs:start analyzeStructure
  const source = { file: 'inline', line: 1 };
  const records: CodeRecord[] = [{ id: 'r1', ordinal: 0, source, preset: 'messages', prompt: [], response, meta: {} }];
  const pool = new StructurePool({ workers: 1 });
  try {
    for await (const out of analyzeStructure(records, { pool })) {
      assert.ok(out.ok);
      if (out.ok) assert.equal(itemsLine(out.id, out.result).items.length, 3);
    }
  } finally {
    await pool.destroy();
  }
  // docs:end

  // docs:start graphMetrics
  const g = graphMetrics(3, [
    [0, 1],
    [1, 2],
  ]); // a chain 0 → 1 → 2
  assert.deepEqual([...g.reach], [1, 0.5, 0]); // share of the other items each one reaches
  // item 1 lies on the one path 0 → 2: betweenness 1, over (n - 1)(n - 2) = 2 ordered pairs
  assert.deepEqual([...g.bridge], [0, 0.5, 0]);
  // docs:end
});

test('scoring: Scorer with item and prose utilities', async () => {
  // docs:start Scorer
  const response = 'We add one:\n```python\nx = 1\ny = x + 1\n```\n';
  const [o] = analyzeStructureBatch([response]);
  const codeItems = o!.ok ? o!.result.items : [];
  const scorer = await Scorer.open(); // the embedded reference LM, CPU
  try {
    const { results } = await scorer.scoreRecords([{ id: 'r1', prompt: 'Add one to x.', response }]);
    const u = itemUtilities(results[0]!, codeItems, { q: 0.7, reduce: 'mean' });
    assert.equal(u.length, 2);
    assert.ok(u.every((x) => x.utility !== null && x.utility > 0 && x.coreTokens > 0));
    const prose = proseTokenUtilities(
      results[0]!,
      codeItems.map((i) => [i.start, i.end] as [number, number]),
    );
    assert.ok(prose.length > 0);
    assert.ok(prose.every((t) => t.end <= codeItems[0]!.start || t.start >= codeItems.at(-1)!.end)); // outside code
  } finally {
    await scorer.close();
  }
  // docs:end
});

test('masks and packs: labelMask, encode/decodeMaskBits, packBFD, assemblePacks', async () => {
  // docs:start TargetTokenizer
  const tok = await TargetTokenizer.load('qwen2.5', { template: 'none' });
  const [enc] = await tok.renderAndEncode([{ prompt: [{ role: 'user', content: 'Hi' }], response: 'x = 1' }]);
  assert.ok(enc!.ids.length > 0);
  assert.equal(enc!.offsets.length, 2 * enc!.ids.length); // [start, end) code points per token
  // docs:end

  // docs:start labelMask
  // two samples: tokens [0,2) [2,4) [4,6) and [0,3) [3,6); spans [2,6) and [0,1)
  const m = labelMask({
    charOffsets: Int32Array.of(0, 2, 2, 4, 4, 6, 0, 3, 3, 6),
    sampleTokens: Int32Array.of(0, 3, 5),
    spans: Int32Array.of(2, 6, 0, 1),
    sampleSpans: Int32Array.of(0, 1, 2),
  });
  // the first token of a sample is never supervised; a token needs > half its characters covered
  assert.deepEqual([...m.supervised], [0, 1, 1, 0, 0]);
  assert.deepEqual([...m.counts], [2, 0]);
  const bits = encodeMaskBits(m.supervised);
  assert.deepEqual([...decodeMaskBits(bits.bits, Int32Array.of(0, 5))], [...m.supervised]);
  // docs:end

  // docs:start packBFD
  const plan = packBFD(Int32Array.of(5, 3, 4, 9), 8);
  // longest first into the fullest pack that fits: 5 opens pack 0, 4 opens pack 1, 3 fills pack 0
  assert.deepEqual([...plan.packOf], [0, 0, 1, -1]); // 9 > maxLen: rejected too_long, never truncated
  assert.deepEqual([...plan.packTokens], [8, 4]);
  const packed = assemblePacks(
    {
      inputIds: Int32Array.from({ length: 21 }, (_, i) => 100 + i),
      supervised: new Uint8Array(21).fill(1),
      sampleTokens: Int32Array.of(0, 5, 8, 12, 21),
    },
    plan,
  );
  assert.deepEqual([...packed.seqLens], [5, 3, 4]);
  assert.equal(packed.labels[0], IGNORE_INDEX); // each sample's first token
  assert.equal(packed.labels[1], 101);
  const [first, second] = packViews(packed, ['a', 'b', 'c', 'd']); // zero-copy per-pack views
  assert.deepEqual(first!.sampleIds, ['a', 'b']);
  assert.deepEqual([...first!.positionIds], [0, 1, 2, 3, 4, 0, 1, 2]);
  assert.deepEqual([...cuSeqlens(first!.seqLens)], [0, 5, 8]); // flash-attention varlen boundaries
  assert.equal(second!.numSupervised, 3);
  // docs:end
});

test('loading packs: loadPacks and countPacks over run output', async () => {
  assert.ok(analysisDir, 'the run test ran first');
  const out = join(work, 'run');
  // docs:start loadPacks
  const total = await countPacks(out);
  let packs = 0;
  for await (const batch of loadPacks(out, { batchSize: 4, shuffle: true, seed: 1 })) {
    packs += batch.packIndices.length;
    assert.equal(batch.input_ids.length, batch.labels.length);
    assert.equal(batch.cu_seq_lens_q.at(-1), batch.input_ids.length);
  }
  assert.equal(packs, total);
  // docs:end
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { packing: { packs: number } };
  assert.equal(total, m.packing.packs);
});

test('inspect: as data, as text, as HTML', async () => {
  const out = join(work, 'run');
  // docs:start inspect
  const c = await inspect([out], { maxSamples: 10, pick: { best: true } });
  assert.equal(c.runs[0]!.kind, 'output');
  assert.equal(c.totalSamples, c.summaries[0]!.counts.analyzed);
  const text = renderSample(c.picked!, c.runs[0]!, c.summaries[0], { color: false });
  assert.match(text, /«/); // supervised tokens are marked « »
  assert.match(renderSummary(c.summaries[0]!, { color: false }), /supervised/);
  assert.match(renderReport(c, { version: version() }), /^<!doctype html>/i);
  // docs:end
  // docs:start collect
  const runs = resolveRuns([out]);
  const again = await collect(runs, { pick: { first: true } });
  let n = 0;
  for await (const s of runSamples(runs[0]!)) if (s.state) n++;
  assert.equal(n, again.totalSamples);
  // docs:end
});

test('deploy: planSlurm and writeSlurmScripts', () => {
  // docs:start planSlurm
  const plan = planSlurm({
    shards: 4,
    inputs: [POOL],
    out: join(work, 'slurm-out'),
    analyzeOptions: ['--budget', '0.02'],
    selectOptions: ['--budget', '0.02'],
    analyze: { partition: 'cpu', cpus: 8 },
    select: {},
  });
  assert.equal(plan.array, '0-3');
  writeSlurmScripts(plan);
  assert.ok(existsSync(plan.analyzeScript.path) && existsSync(plan.selectScript.path));
  assert.ok(plan.selectArgs('123').includes('--dependency=afterok:123'));
  // docs:end
});

test('generator and native: generatePool, native().info(), version()', async () => {
  // docs:start generatePool
  const file = join(work, 'gen.jsonl');
  const g = await generatePool({ records: 20, seed: 1, out: file, format: 'jsonl' });
  assert.equal(g.records, 20);
  assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 20);
  // docs:end
  // docs:start native
  const info = native().info();
  assert.equal(info.napiVersion, 8);
  assert.match(version(), /^\d+\.\d+\.\d+/);
  // docs:end
});
