/**
 * The deterministic work budget (issue 26, case 6; docs/structure.md "Work budget", docs/reliability.md):
 * the same record gets the same outcome and the same work count on any machine under any load; the
 * default budget affects no record of ../shared/data nor of a generated pool; the hostile inputs are
 * rejected with work_budget after a bounded number of work units (asserted on counts, never on time).
 */
import { memRecords } from '../helpers/mem-records.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRecords } from '../../src/io/read.js';
import { generatePool } from '../../src/gen/index.js';
import { analyzeStructure } from '../../src/structure/index.js';
import { analyzeColumns, DEFAULT_WORK_BUDGET, nativeOptions } from '../../src/structure/native.js';
import { graphMetrics, referenceGraphMetrics } from '../../src/graph/index.js';
import { mulberry32 } from '../../src/util/random.js';

const DATA = join(import.meta.dirname, '../../../../shared/data');

async function responses(files: string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const ev of readRecords(files, {})) if (ev.type === 'record') out.push(ev.record.response);
  return out;
}

/** Per record: status and work units, in order, from one native call per 64 records. */
function statusAndWork(texts: string[], workBudget: number): { status: number[]; work: number[] } {
  const status: number[] = [];
  const work: number[] = [];
  for (let i = 0; i < texts.length; i += 64) {
    const c = analyzeColumns(texts.slice(i, i + 64), nativeOptions({ workBudget, wallTimeoutMs: 0 }));
    status.push(...c.status);
    work.push(...c.work);
  }
  return { status, work };
}

const dataFiles = (): string[] =>
  readdirSync(DATA)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => join(DATA, f));

test('the default work budget affects no record of ../shared/data nor of a generated pool', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-budget-'));
  try {
    const pool = join(dir, 'pool.jsonl');
    await generatePool({ records: 2000, seed: 26, out: pool, format: 'jsonl' });
    for (const files of [dataFiles(), [pool]]) {
      const texts = await responses(files);
      assert.ok(texts.length >= 2000, `${texts.length} records`);
      const { status, work } = statusAndWork(texts, DEFAULT_WORK_BUDGET);
      assert.equal(status.filter((s) => s === 2 || s === 4).length, 0, 'records stopped by the default budget');
      const max = Math.max(...work);
      // docs/structure.md: the largest record of the shared data costs 626,844 units, of a generated pool
      // 270,848: the default keeps more than 30× head room over both
      assert.ok(max > 0 && max * 30 < DEFAULT_WORK_BUDGET, `max work ${max}`);
      console.log(`# ${texts.length} records: max ${max} work units (budget ${DEFAULT_WORK_BUDGET})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hostile inputs: rejected with work_budget after a bounded number of work units', () => {
  const fence = (lang: string, body: string): string => `\`\`\`${lang}\n${body}\n\`\`\`\n`;
  const cases: Array<[string, string]> = [
    ['95K-term a+a+… chain', fence('python', `x = ${Array(95_000).fill('a').join('+')}`)],
    ['180K-char nested calls', fence('python', `x = ${'f('.repeat(60_000)}${')'.repeat(60_000)}`)],
    ['deeply nested brackets', fence('python', `x = ${'['.repeat(90_000)}${']'.repeat(90_000)}`)],
    ['nested calls (javascript)', fence('javascript', `x = ${'f('.repeat(60_000)}${')'.repeat(60_000)};`)],
  ];
  const texts = cases.map(([, t]) => t);
  const { status, work } = statusAndWork(texts, DEFAULT_WORK_BUDGET);
  cases.forEach(([name, text], i) => {
    assert.equal(status[i], 2, `${name}: status ${status[i]}`);
    // stopped at the first charge past the budget: one charge is at most a parse's bytes (+1,000), one
    // progress callback (5,000) or one BFS (2 × (nodes + edges)) — all far below the text's length × 2 + 10,000
    assert.ok(work[i]! > DEFAULT_WORK_BUDGET && work[i]! <= DEFAULT_WORK_BUDGET + 2 * text.length + 10_000, name);
  });
  // unlimited, the chain alone costs over 200× the budget (docs/structure.md: 4.55e9 units, the node lookups
  // charged as the scan they were before their hash probe: ~0.5 s of CPU now)
  const shorter = fence('python', `x = ${Array(20_000).fill('a').join('+')}`);
  const { status: s2, work: w2 } = statusAndWork([shorter], 0);
  assert.equal(s2[0], 0);
  assert.ok(w2[0]! > 5 * DEFAULT_WORK_BUDGET, `20K-term chain: ${w2[0]} units`);
});

test('a tiny budget: the same outcomes and work counts across runs, threads and CPU-burning neighbours', async () => {
  const texts = (await responses(dataFiles())).slice(0, 600);
  // a budget that stops a good share of the records (some in the parse, some in the later stages)
  const tiny = 12_000;
  const first = statusAndWork(texts, tiny);
  const stopped = first.status.filter((s) => s === 2).length;
  assert.ok(stopped > 100 && stopped < 500, `${stopped} stopped`);
  assert.equal(first.status.filter((s) => s === 4).length, 0);
  assert.deepEqual(statusAndWork(texts, tiny), first);

  const outcomes = async (workers: number): Promise<string[]> => {
    const out: string[] = [];
    for await (const o of analyzeStructure(memRecords(texts), {
      workers,
      batchSize: 7,
      workBudget: tiny,
      wallTimeoutMs: 0,
    }))
      out.push(o.ok ? `ok:${o.result.items.length}:${o.result.edges.length}` : o.reason);
    return out;
  };
  const quiet = await outcomes(0);
  const burners: ChildProcess[] = [0, 1].map(() =>
    spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore', detached: false }),
  );
  try {
    const loaded = await outcomes(2);
    assert.deepEqual(loaded, quiet);
    assert.deepEqual(statusAndWork(texts, tiny), first);
  } finally {
    for (const b of burners) b.kill('SIGKILL');
  }
  assert.equal(quiet.filter((o) => o === 'work_budget').length, stopped);
});

test('graph work units: the addon charges exactly what the TypeScript reference counts', () => {
  const rnd = mulberry32(26);
  for (let g = 0; g < 40; g++) {
    const n = 1 + Math.floor(rnd() * 30);
    const edges: Array<[number, number]> = [];
    const m = Math.floor(rnd() * n * 3);
    for (let k = 0; k < m; k++) edges.push([Math.floor(rnd() * n), Math.floor(rnd() * n)]);
    const a = graphMetrics(n, edges);
    const r = referenceGraphMetrics(n, edges);
    assert.equal(a.work, r.work, `graph ${g}: n=${n}, m=${m}`);
  }
  // a chain of 4: sources 0, 1, 2 visit 4, 3, 2 nodes with 3, 2, 1 edges → 2 × (7 + 5 + 3)
  assert.equal(
    graphMetrics(4, [
      [0, 1],
      [1, 2],
      [2, 3],
    ]).work,
    30,
  );
});
