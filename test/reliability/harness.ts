/** Shared helpers of the reliability tests: read an output directory back, snapshot trees. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { RecordOrigin } from '../../src/pipeline/outcomes.js';
import type { SampleRow } from './corpus.js';

export interface Manifest {
  counts: { input: number; selected: number; rejected: Record<string, number>; quarantined: number };
  tokens: { response: number; supervised: number; supervised_code: number; supervised_nl: number; ratio: number };
  packing: { packs: number };
  files: Array<{ path: string; sha256: string; bytes: number }>;
}

/** A rejected.jsonl / quarantine.jsonl row as read back (its origin fields are the pipeline's own). */
export interface OutcomeLine extends RecordOrigin {
  reason: string;
  detail?: string;
  error?: string;
}

export interface Outcomes {
  manifest: Manifest;
  rejected: Map<number, OutcomeLine>;
  quarantined: Map<number, OutcomeLine>;
  /** samples.jsonl rows by id (a list: ids need not be unique in the input). */
  samples: Map<string, SampleRow[]>;
  sampleCount: number;
}

export function jsonLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

/** Reads manifest, rejected.jsonl, quarantine.jsonl and samples.jsonl of an output directory. */
export function readOutcomes(out: string): Outcomes {
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
  const byOrdinal = (file: string): Map<number, OutcomeLine> => {
    const m = new Map<number, OutcomeLine>();
    for (const o of jsonLines<OutcomeLine>(join(out, file))) {
      assert.ok(Number.isInteger(o.ordinal), `${file}: line without an ordinal: ${JSON.stringify(o)}`);
      assert.ok(!m.has(o.ordinal), `${file}: ordinal ${o.ordinal} listed twice`);
      m.set(o.ordinal, o);
    }
    return m;
  };
  const rejected = byOrdinal('rejected.jsonl');
  const quarantined = byOrdinal('quarantine.jsonl');
  const samples = new Map<string, SampleRow[]>();
  let sampleCount = 0;
  for (const s of jsonLines<SampleRow>(join(out, 'samples.jsonl'))) {
    const list = samples.get(s.id) ?? [];
    list.push(s);
    samples.set(s.id, list);
    sampleCount++;
  }
  return { manifest, rejected, quarantined, samples, sampleCount };
}

/**
 * The accounting invariant, checked three ways: manifest counts add up; the listed files agree with
 * the counts; every ordinal 0..input-1 is in at most one list and the unlisted ones are the selected.
 */
export function assertAccounting(o: Outcomes, what: string): void {
  const { counts } = o.manifest;
  const sumRej = Object.values(counts.rejected).reduce((a, b) => a + b, 0);
  assert.equal(
    counts.input,
    counts.selected + sumRej + counts.quarantined,
    `${what}: input = selected + rejected + quarantined`,
  );
  assert.equal(o.rejected.size, sumRej, `${what}: rejected.jsonl lines = Σ rejected`);
  assert.equal(o.quarantined.size, counts.quarantined, `${what}: quarantine.jsonl lines = quarantined`);
  const perReason: Record<string, number> = {};
  for (const r of o.rejected.values()) perReason[r.reason] = (perReason[r.reason] ?? 0) + 1;
  assert.deepEqual(perReason, counts.rejected, `${what}: rejected.jsonl reasons = manifest reasons`);
  for (const k of o.rejected.keys()) {
    assert.ok(k >= 0 && k < counts.input, `${what}: rejected ordinal ${k} out of range`);
    assert.ok(!o.quarantined.has(k), `${what}: ordinal ${k} both rejected and quarantined`);
  }
  for (const k of o.quarantined.keys())
    assert.ok(k >= 0 && k < counts.input, `${what}: quarantined ordinal ${k} out of range`);
  if (o.manifest.files.some((f) => f.path === 'samples.jsonl'))
    assert.equal(o.sampleCount, counts.selected, `${what}: samples.jsonl rows = selected`);
}

/** Where an ordinal ended: 'selected', or `rejected:<reason>` / `quarantined:<reason>`. */
export function statusOf(o: Outcomes, ordinal: number): string {
  const r = o.rejected.get(ordinal);
  if (r) return `rejected:${r.reason}`;
  const q = o.quarantined.get(ordinal);
  if (q) return `quarantined:${q.reason}`;
  return ordinal < o.manifest.counts.input ? 'selected' : 'absent';
}

/** Every file under `dir` (recursively, dot files included) → its bytes (base64), by relative path. */
export function treeBytes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p).toString('base64'));
    }
  };
  walk(dir);
  return out;
}

/** Names of the files that differ between two trees (missing on either side, or other bytes). */
export function treeDiff(a: Map<string, string>, b: Map<string, string>): string[] {
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  return names.filter((n) => a.get(n) !== b.get(n)).map((n) => (!a.has(n) ? `+${n}` : !b.has(n) ? `-${n}` : `~${n}`));
}

/**
 * Leftover temporary files under `dir`: AtomicFile `.name.tmp-*`, select's staging directories
 * `.codeblock-staging-<pid>-<n>`, a lock's holder file `.codeblock.lock.json`.
 */
export function leftovers(dir: string): string[] {
  return [...treeBytes(dir).keys()].filter((p) => /(^|\/)(\.[^/]*tmp|\.codeblock-staging-|\.codeblock\.lock)/.test(p));
}
