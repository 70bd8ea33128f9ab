/**
 * Shared plumbing for the independent-truth tests: the real data, and the Python scripts in
 * tools/py run with /usr/bin/python3 (CPython's ast, beniget).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../../src/native.js';
import { analyzeStructureBatch, codePointIndex, type BatchOutcome } from '../../src/structure/index.js';

export const PYTHON = '/usr/bin/python3';
export const DATA_DIR = resolve(PACKAGE_ROOT, '..', 'shared', 'data');

export interface Sample {
  key: string;
  response: string;
}

/** Responses of ../shared/data/*.jsonl and examples/ (any JSONL with response/output fields). */
export function loadSamples(): Sample[] {
  const out: Sample[] = [];
  const files: string[] = [];
  if (existsSync(DATA_DIR))
    for (const f of readdirSync(DATA_DIR).sort()) if (f.endsWith('.jsonl')) files.push(join(DATA_DIR, f));
  const ex = join(PACKAGE_ROOT, 'examples');
  if (existsSync(ex)) for (const f of readdirSync(ex).sort()) if (f.endsWith('.jsonl')) files.push(join(ex, f));
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      const response =
        typeof o.response === 'string' ? o.response : typeof o.output === 'string' ? o.output : undefined;
      if (response !== undefined) out.push({ key: `${file}:${i + 1}`, response });
    });
  }
  return out;
}

export function pythonAvailable(module?: string): boolean {
  if (!existsSync(PYTHON)) return false;
  if (!module) return true;
  return spawnSync(PYTHON, ['-c', `import ${module}`]).status === 0;
}

/** Runs tools/py/<script> over JSON lines; returns one parsed object per input line. */
export function runPython<T>(script: string, inputs: unknown[]): T[] {
  const input = `${inputs.map((x) => JSON.stringify(x)).join('\n')}\n`;
  const r = spawnSync(PYTHON, [join(PACKAGE_ROOT, 'tools', 'py', script)], {
    input,
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${script} failed (${r.status}): ${r.stderr.slice(0, 2000)}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

export interface Analyzed {
  sample: Sample;
  outcome: BatchOutcome;
  /** Python segments: start (cp) and text. */
  pySegments: Array<{ start: number; text: string }>;
}

export function analyzeSamples(samples: Sample[]): Analyzed[] {
  const out: Analyzed[] = [];
  const B = 256;
  for (let i = 0; i < samples.length; i += B) {
    const batch = samples.slice(i, i + B);
    const res = analyzeStructureBatch(
      batch.map((s) => s.response),
      { parseTimeoutMs: 0 },
    );
    batch.forEach((sample, k) => {
      const outcome = res[k]!;
      const pySegments: Array<{ start: number; text: string }> = [];
      if (outcome.ok) {
        const idx = codePointIndex(sample.response);
        for (const s of outcome.result.segments)
          if (s.lang === 'python')
            pySegments.push({ start: s.start, text: sample.response.slice(idx[s.start], idx[s.end]) });
      }
      out.push({ sample, outcome, pySegments });
    });
  }
  return out;
}

/** Python's str.strip() whitespace, applied to a code point range of `cps`. */
export function trimRange(cps: string[], start: number, end: number): [number, number] {
  const ws = /^[\s\u001c-\u001f\u0085]$/u;
  let s = start;
  let e = end;
  while (s < e && ws.test(cps[s]!)) s++;
  while (e > s && ws.test(cps[e - 1]!)) e--;
  return [s, e];
}

/** Records without truth, counted by reason; `toString` lists them most frequent first (`N reason; …`). */
export class NoTruth {
  private readonly counts = new Map<string, number>();

  bump(why: string): void {
    this.counts.set(why, (this.counts.get(why) ?? 0) + 1);
  }

  toString(): string {
    return [...this.counts]
      .sort((x, y) => y[1] - x[1])
      .map(([k, n]) => `${n} ${k}`)
      .join('; ');
  }
}

/**
 * The records the structure stage accepted with at least one Python segment, and tools/py/<script>'s
 * answer for each (one line per record, in order); the others are counted in `noTruth`.
 */
export function pythonTruth<T>(
  script: string,
  all: Analyzed[],
  noTruth: NoTruth,
): { analyzed: Analyzed[]; truth: T[] } {
  for (const a of all) {
    if (!a.outcome.ok) noTruth.bump(`structure rejected it (${a.outcome.reason})`);
    else if (a.pySegments.length === 0) noTruth.bump('no Python segment');
  }
  const analyzed = all.filter((a) => a.outcome.ok && a.pySegments.length > 0);
  const truth = runPython<T>(
    script,
    analyzed.map((a) => ({ key: a.sample.key, segments: a.pySegments })),
  );
  return { analyzed, truth };
}

/** A rate as a percentage with three decimals. */
export const pc = (x: number): string => `${(100 * x).toFixed(3)}%`;

/** Prints the examples a truth test collected, one `#   miss: …` / `#   extra: …` line each. */
export function printFindings(misses: string[], extras: string[]): void {
  for (const m of misses) console.log(`#   miss: ${m}`);
  for (const m of extras) console.log(`#   extra: ${m}`);
}
