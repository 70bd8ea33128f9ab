/**
 * Languages benchmark (issue 13's benchmark acceptance), called by the bench harness: `benchLanguages()`
 * returns figures for three kinds of rows, every one a same-run ratio of medians of interleaved rounds:
 *
 * 1. Python unchanged: structure throughput (records/s, a piscina pool of N workers started per round,
 *    as in bench/structure.ts) on the Python-only records of ../shared/data (every fence tagged python / py,
 *    or no fence and Python code to the Python-only analysis), with every registered language itemized vs
 *    `languages: ['python']`.
 *    Ratio = all ÷ python-only records/s (target ≥ 0.9: detecting more languages costs Python pools ≤ 10 %).
 * 2. Against the tier-1 truth tools (tools/truth/run.mjs `runTruth`): per tier-1 language, the tagged
 *    fences of ../shared/data (tools/truth/fences.mjs; C / C++ capped to a seeded sample, clang being slow),
 *    or a seeded corpus sample (tools/truth/corpus.mjs) where the data has no fence of it (Go). codeblock:
 *    each block as a one-fence response through `analyzeStructureBatch` in the calling thread (one thread,
 *    batches of 64, results decoded, repeated until ≥ 0.5 s per round). Truth: one `runTruth` call (its
 *    process start included; javac / go build done before timing). Ratio = truth seconds ÷ codeblock seconds
 *    (target ≥ 1).
 * 3. Valid vs broken: codeblock bytes/ms on the same blocks as-is vs with every 50th code point deleted
 *    (seeded phase per block). Ratio = broken ÷ valid bytes/ms (target ≥ 0.5).
 *
 * A language the addon does not register yet, or whose truth tool is not installed, gets a row that says
 * so (status `skipped`), never a number. Languages come from `registeredLanguages()`, nothing is hard-coded
 * beyond the tier-1 list of the truth tools.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../src/native.js';
import type { CodeRecord } from '../src/types.js';
import {
  analyzeStructure,
  analyzeStructureBatch,
  findLanguage,
  registeredLanguages,
  StructurePool,
} from '../src/structure/index.js';
import { median } from './util.js';

export interface LanguagesBenchOptions {
  workers?: number;
  /** Interleaved rounds of the Python and valid/broken rows (default 5). */
  rounds?: number;
  /** Interleaved rounds of the truth-tool rows (default 3; the truth tools are slow). */
  truthRounds?: number;
  /** How many times the Python-only records are repeated in the pool (default 2). */
  repeat?: number;
  /** Seeded sample size of the C / C++ fences (default 20: clang with <iostream> takes seconds per block). */
  cCap?: number;
  /** Seeded Go corpus files (default 40; the shared data has no Go fence). */
  goFiles?: number;
  seed?: number;
  dataDir?: string;
}

export interface PythonUnchangedRow {
  records: number;
  fencedPython: number;
  unfenced: number;
  workers: number;
  bytes: number;
  all: { languages: string[]; seconds: number; recordsPerSec: number; bytesPerMs: number; items: number };
  python: { languages: string[]; seconds: number; recordsPerSec: number; bytesPerMs: number; items: number };
  /** all-languages records/s ÷ python-only records/s (target ≥ 0.9). */
  ratio: number;
  /** The same ratio in-thread (python-only ÷ all seconds, medians), records with python / py fences only vs
   *  records without a fence (whose text is detected among the itemized languages). */
  split: Record<'fenced' | 'unfenced', { records: number; allSeconds: number; pythonSeconds: number; ratio: number }>;
  rounds: number;
}

export interface TruthRow {
  /** Tier-1 group: javascript (javascript + jsx fences), typescript (+ tsx), java, c, cpp, go. */
  lang: string;
  tags: string[];
  source: string;
  status: 'ok' | 'skipped';
  skipped?: string;
  blocks: number;
  bytes: number;
  codeblock?: { seconds: number; bytesPerMs: number; passesPerRound: number; items: number; rejected: number };
  truth?: { tool: string; seconds: number; bytesPerMs: number; okSegments: number };
  /** truth seconds ÷ codeblock seconds (target ≥ 1). */
  ratio?: number;
  rounds: number;
}

export interface BrokenRow {
  lang: string;
  status: 'ok' | 'skipped';
  skipped?: string;
  blocks: number;
  valid?: { bytes: number; seconds: number; bytesPerMs: number; items: number };
  broken?: { bytes: number; seconds: number; bytesPerMs: number; items: number };
  /** broken ÷ valid bytes/ms (target ≥ 0.5). */
  ratio?: number;
  rounds: number;
}

export interface LanguagesBenchResult {
  registered: string[];
  python: PythonUnchangedRow;
  truth: TruthRow[];
  broken: BrokenRow[];
  notes: string[];
}

/** The tier-1 groups of tools/truth, with the fence languages (tools/truth/fences.mjs) each one takes. */
const TIER1: Array<{ lang: string; tags: string[] }> = [
  { lang: 'javascript', tags: ['javascript', 'jsx'] },
  { lang: 'typescript', tags: ['typescript', 'tsx'] },
  { lang: 'java', tags: ['java'] },
  { lang: 'c', tags: ['c'] },
  { lang: 'cpp', tags: ['cpp'] },
  { lang: 'go', tags: ['go'] },
];
const TOOL_NAMES: Record<string, string> = {
  ts: 'TypeScript compiler API (tools/truth/ts-truth.mjs)',
  c: 'clang -fsyntax-only -ast-dump=json (tools/truth/c-truth.mjs)',
  java: 'javac Tree API (tools/truth/JavaTruth.java)',
  go: 'go/parser + go/types (tools/truth/go-truth)',
};
const TOOL_BINARY: Record<string, string> = { ts: 'node', c: 'clang', java: 'javac', go: 'go' };

interface Block {
  key: string;
  lang: string;
  text: string;
}
interface TruthModules {
  fencedBlocks(md: string): Array<{ tag: string; start: number; text: string }>;
  loadFences(dir?: string): Array<Block & { start: number }>;
  pick<T>(list: T[], n: number, seed?: number): T[];
  sampleGo(n?: number, seed?: number): Block[];
  TOOL_OF: Record<string, string>;
  toolCommand(tool: string): string[] | undefined;
  runTruth(lang: string, records: unknown[]): Array<{ key: string; segments: Array<{ ok: boolean }> }>;
}

async function truthModules(): Promise<TruthModules> {
  const mod = async (f: string) =>
    (await import(pathToFileURL(join(PACKAGE_ROOT, 'tools', 'truth', f)).href)) as Record<string, unknown>;
  const [fences, corpus, run] = await Promise.all([mod('fences.mjs'), mod('corpus.mjs'), mod('run.mjs')]);
  return { ...fences, ...corpus, ...run } as unknown as TruthModules;
}

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/** A response holding `text` as one fence tagged `tag` (the fence longer than any backtick run inside). */
function fenced(tag: string, text: string): string {
  let run = 2;
  for (const m of text.matchAll(/`+/g)) run = Math.max(run, m[0].length);
  const f = '`'.repeat(run + 1);
  return `${f}${tag}\n${text}\n${f}\n`;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every 50th code point deleted, from a seeded phase in [0, 50). */
function broken(text: string, rnd: () => number): string {
  const cps = Array.from(text);
  const phase = Math.floor(rnd() * 50);
  return cps.filter((_, i) => i % 50 !== phase).join('');
}

function record(response: string, i: number): CodeRecord {
  return {
    id: String(i),
    ordinal: i,
    source: { file: 'bench', line: i + 1 },
    preset: 'magicoder',
    prompt: [],
    response,
    meta: {},
  };
}

/**
 * Python-only responses: every fence tagged python / py, or no fence at all and Python code by the Python-only
 * analysis (a bare Python response). Fence-less prose, bare SQL or HTML answers are not Python data.
 */
function pythonOnly(
  dir: string,
  t: TruthModules,
): { responses: string[]; fencedPython: number; unfenced: number; fenced: string[]; bare: string[] } {
  const responses: string[] = [];
  const fenced: string[] = [];
  const bare: string[] = [];
  let fencedPython = 0;
  let unfenced = 0;
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.jsonl'))
    .sort())
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const o = JSON.parse(line) as { response?: unknown; output?: unknown };
      const md = typeof o.response === 'string' ? o.response : typeof o.output === 'string' ? o.output : undefined;
      if (md === undefined) continue;
      const blocks = md.includes('```') || md.includes('~~~') ? t.fencedBlocks(md) : [];
      if (blocks.length === 0) {
        if (!analyzeStructureBatch([md], { languages: ['python'], wallTimeoutMs: 0 })[0]!.ok) continue;
        unfenced++;
        bare.push(md);
      } else if (blocks.every((b) => b.tag === 'python' || b.tag === 'py')) {
        fencedPython++;
        fenced.push(md);
      } else continue;
      responses.push(md);
    }
  return { responses, fencedPython, unfenced, fenced, bare };
}

async function poolRound(records: CodeRecord[], workers: number, languages?: string[]) {
  const t0 = performance.now();
  const pool = new StructurePool({ workers });
  let items = 0;
  try {
    for await (const o of analyzeStructure(records, { pool, batchSize: 64, ...(languages ? { languages } : {}) }))
      if (o.ok) items += o.result.items.length;
  } finally {
    await pool.destroy();
  }
  return { seconds: (performance.now() - t0) / 1000, items };
}

/** In-thread structure of the responses (batches of 64), repeated until ≥ 0.5 s: seconds per pass. */
function inThread(
  responses: string[],
  languages?: string[],
): { seconds: number; passes: number; items: number; rejected: number } {
  let passes = 0;
  let items = 0;
  let rejected = 0;
  const t0 = performance.now();
  do {
    items = 0;
    rejected = 0;
    for (let i = 0; i < responses.length; i += 64)
      for (const o of analyzeStructureBatch(responses.slice(i, i + 64), languages ? { languages } : {})) {
        if (o.ok) items += o.result.items.length;
        else rejected++;
      }
    passes++;
  } while (performance.now() - t0 < 500);
  return { seconds: (performance.now() - t0) / 1000 / passes, passes, items, rejected };
}

export async function benchLanguages(opts: LanguagesBenchOptions = {}): Promise<LanguagesBenchResult> {
  const workers = opts.workers ?? 2;
  const rounds = opts.rounds ?? 5;
  const truthRounds = opts.truthRounds ?? 3;
  const repeat = opts.repeat ?? 2;
  const cCap = opts.cCap ?? 20;
  const goFiles = opts.goFiles ?? 40;
  const seed = opts.seed ?? 1;
  const dataDir = opts.dataDir ?? resolve(PACKAGE_ROOT, '..', 'shared', 'data');
  const t = await truthModules();
  const registered = registeredLanguages()
    .filter((l) => !l.testOnly)
    .map((l) => l.name);
  const notes: string[] = [];

  // ---- 1. Python unchanged ------------------------------------------------------------------------
  if (!registered.includes('python')) throw new Error('python is not registered');
  const py = pythonOnly(dataDir, t);
  const records: CodeRecord[] = [];
  for (let r = 0; r < repeat; r++) for (const resp of py.responses) records.push(record(resp, records.length));
  const bytes = records.reduce((s, r) => s + utf8(r.response), 0);
  const allR: Array<{ seconds: number; items: number }> = [];
  const pyR: Array<{ seconds: number; items: number }> = [];
  for (let round = 0; round < rounds; round++) {
    // alternate which side goes first, so neither always meets a warmer (or busier) machine
    if (round % 2 === 0) {
      allR.push(await poolRound(records, workers));
      pyR.push(await poolRound(records, workers, ['python']));
    } else {
      pyR.push(await poolRound(records, workers, ['python']));
      allR.push(await poolRound(records, workers));
    }
  }
  const side = (xs: Array<{ seconds: number; items: number }>, languages: string[]) => {
    const seconds = median(xs.map((x) => x.seconds));
    return {
      languages,
      seconds,
      recordsPerSec: records.length / seconds,
      bytesPerMs: bytes / (seconds * 1000),
      items: xs[0]!.items,
    };
  };
  const all = side(allR, registered);
  const pyOnly = side(pyR, ['python']);
  const splitOf = (rs: string[]) => {
    const a: number[] = [];
    const p: number[] = [];
    for (let round = 0; round < rounds; round++) {
      a.push(inThread(rs).seconds);
      p.push(inThread(rs, ['python']).seconds);
    }
    const allSeconds = median(a);
    const pythonSeconds = median(p);
    return { records: rs.length, allSeconds, pythonSeconds, ratio: pythonSeconds / allSeconds };
  };
  const split = { fenced: splitOf(py.fenced), unfenced: splitOf(py.bare) };
  const python: PythonUnchangedRow = {
    records: records.length,
    fencedPython: py.fencedPython * repeat,
    unfenced: py.unfenced * repeat,
    workers,
    bytes,
    all,
    python: pyOnly,
    ratio: all.recordsPerSec / pyOnly.recordsPerSec,
    split,
    rounds,
  };

  // ---- 2 and 3. tier-1 languages --------------------------------------------------------------------
  const fences = t.loadFences(dataDir);
  const truth: TruthRow[] = [];
  const brokenRows: BrokenRow[] = [];
  for (const g of TIER1) {
    let blocks: Block[] = fences.filter((b) => g.tags.includes(b.lang));
    let source = `${g.tags.join(' / ')} fences of ../shared/data`;
    if (blocks.length === 0 && g.lang === 'go') {
      blocks = t.sampleGo(goFiles, seed);
      source = `${blocks.length} files of /usr/lib/go/src, corpus.mjs seed ${seed}: no Go fence in the data`;
    } else if ((g.lang === 'c' || g.lang === 'cpp') && blocks.length > cCap) {
      const byKey = new Map(blocks.map((b) => [b.key, b]));
      blocks = t.pick([...byKey.keys()], cCap, seed).map((k) => byKey.get(k)!);
      source = `${cCap} of the ${byKey.size} ${g.lang} fences of ../shared/data, seed ${seed}`;
    }
    const base = { lang: g.lang, tags: g.tags, source, blocks: blocks.length, bytes: 0 };
    const skip = (why: string) => {
      truth.push({ ...base, status: 'skipped', skipped: why, rounds: 0 });
      brokenRows.push({ lang: g.lang, status: 'skipped', skipped: why, blocks: blocks.length, rounds: 0 });
    };
    if (blocks.length === 0) {
      skip('no blocks');
      continue;
    }
    const ours = blocks.map((b) => findLanguage(b.lang)?.name ?? findLanguage(g.lang)?.name);
    if (ours.some((l) => l === undefined || !registered.includes(l))) {
      skip(`${g.lang} not registered in this build`);
      continue;
    }
    const responses = blocks.map((b) => fenced(b.lang, b.text));
    const blockBytes = blocks.reduce((s, b) => s + utf8(b.text), 0);
    base.bytes = blockBytes;

    // valid vs broken (codeblock only): 5 interleaved rounds
    const rnd = mulberry32(seed);
    const brokenTexts = blocks.map((b) => broken(b.text, rnd));
    const brokenResponses = blocks.map((b, i) => fenced(b.lang, brokenTexts[i]!));
    const brokenBytes = brokenTexts.reduce((s, x) => s + utf8(x), 0);
    const vR: ReturnType<typeof inThread>[] = [];
    const bR: ReturnType<typeof inThread>[] = [];
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        vR.push(inThread(responses));
        bR.push(inThread(brokenResponses));
      } else {
        bR.push(inThread(brokenResponses));
        vR.push(inThread(responses));
      }
    }
    const vs = median(vR.map((x) => x.seconds));
    const bs = median(bR.map((x) => x.seconds));
    const valid = { bytes: blockBytes, seconds: vs, bytesPerMs: blockBytes / (vs * 1000), items: vR[0]!.items };
    const brk = { bytes: brokenBytes, seconds: bs, bytesPerMs: brokenBytes / (bs * 1000), items: bR[0]!.items };
    brokenRows.push({
      lang: g.lang,
      status: 'ok',
      blocks: blocks.length,
      valid,
      broken: brk,
      ratio: brk.bytesPerMs / valid.bytesPerMs,
      rounds,
    });

    // against the truth tool
    const tool = t.TOOL_OF[g.lang]!;
    let cmd: string[] | undefined;
    try {
      cmd = t.toolCommand(tool); // builds javac / go helpers now: not timed
    } catch (err) {
      truth.push({
        ...base,
        status: 'skipped',
        skipped: `${TOOL_BINARY[tool]} build failed: ${String(err)}`,
        rounds: 0,
      });
      continue;
    }
    if (!cmd) {
      truth.push({ ...base, status: 'skipped', skipped: `${TOOL_BINARY[tool]} not installed`, rounds: 0 });
      continue;
    }
    const input = blocks.map((b) => ({ key: b.key, lang: b.lang, segments: [{ start: 0, text: b.text }] }));
    const cR: ReturnType<typeof inThread>[] = [];
    const tR: Array<{ seconds: number; ok: number }> = [];
    const truthRound = () => {
      const t0 = performance.now();
      const out = t.runTruth(g.lang, input);
      const seconds = (performance.now() - t0) / 1000;
      tR.push({ seconds, ok: out.reduce((s, o) => s + o.segments.filter((x) => x.ok).length, 0) });
    };
    for (let round = 0; round < truthRounds; round++) {
      if (round % 2 === 0) {
        cR.push(inThread(responses));
        truthRound();
      } else {
        truthRound();
        cR.push(inThread(responses));
      }
    }
    const cs = median(cR.map((x) => x.seconds));
    const ts = median(tR.map((x) => x.seconds));
    truth.push({
      ...base,
      status: 'ok',
      codeblock: {
        seconds: cs,
        bytesPerMs: blockBytes / (cs * 1000),
        passesPerRound: median(cR.map((x) => x.passes)),
        items: cR[0]!.items,
        rejected: cR[0]!.rejected,
      },
      truth: {
        tool: TOOL_NAMES[tool] ?? tool,
        seconds: ts,
        bytesPerMs: blockBytes / (ts * 1000),
        okSegments: tR[0]!.ok,
      },
      ratio: ts / cs,
      rounds: truthRounds,
    });
  }
  if (truth.some((r) => r.lang === 'c' || r.lang === 'cpp'))
    notes.push(`C / C++: at most ${cCap} fences (seeded), clang being seconds per block`);
  return { registered, python, truth, broken: brokenRows, notes };
}

if (process.argv[1] && resolve(process.argv[1]).endsWith(join('bench', 'languages.js'))) {
  benchLanguages({ rounds: Number(process.argv[2] ?? 5), truthRounds: Number(process.argv[3] ?? 3) }).then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
