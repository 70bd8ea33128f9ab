/**
 * Which analysis parts `select` may read, and the refusals when an analysis is incomplete or mixed
 * (docs/scaling.md, "What select checks"). Every refusal is one CodeblockError line naming exactly
 * what is missing or conflicting; `--allow-partial` turns the "missing" ones into counts.missing.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CodeblockError } from '../errors.js';
import { COMPLETION_FILE, readCompletion, type ShardCompletion } from './completion.js';
import { ANALYSIS_VERSION, analysisPart, partBase, readMarker, stableStringify, type AnalysisPart } from './format.js';

export interface MissingRecords {
  /** Input units (records + quarantined) of the whole input that no usable part covers. */
  records: number;
  /** What is missing, one entry per shard or part (e.g. "shard 1/4 part 2: records file missing"). */
  what: string[];
}

export interface OpenedAnalysis {
  parts: AnalysisPart[];
  /** Set only with allowPartial. */
  missing?: MissingRecords;
}

interface ShardEntry {
  dir: string;
  index: number;
  count: number;
  completion: ShardCompletion | 'unreadable' | undefined;
  /** Parts with a readable marker, by part number. */
  parts: Map<number, AnalysisPart>;
}

const fail = (msg: string): never => {
  throw new CodeblockError(msg, 'E_ANALYSIS');
};

const shardName = (e: { index: number; count: number }): string => `shard ${e.index}/${e.count}`;

const nothingIn = (dirs: readonly string[]): CodeblockError =>
  new CodeblockError(`no complete analysis parts in ${dirs.join(', ')} (run \`codeblock analyze\` first)`, 'E_INPUT');

function scanShard(dir: string, name: string): ShardEntry {
  const m = /^shard-(\d+)-of-(\d+)$/.exec(name)!;
  const full = join(dir, name);
  const parts = new Map<number, AnalysisPart>();
  for (const f of readdirSync(full)
    .filter((x) => /^part-\d+\.json$/.test(x))
    .sort()) {
    const marker = readMarker(join(full, f));
    if (!marker) continue;
    if (marker.version > ANALYSIS_VERSION) {
      const v = marker.version;
      const max = ANALYSIS_VERSION;
      fail(`${join(full, f)} is analysis format v${v}; this codeblock reads up to v${max}: upgrade codeblock`);
    }
    parts.set(marker.part, analysisPart(full, marker, f.replace(/\.json$/, '')));
  }
  return { dir: full, index: Number(m[1]), count: Number(m[2]), completion: readCompletion(full), parts };
}

/** Why a part cannot be read (a data file gone or of another size than its marker says), or null. */
function partProblem(p: AnalysisPart): string | null {
  for (const f of p.marker.files) {
    const path = join(p.dir, f.path);
    if (!existsSync(path)) return `${f.path} missing`;
    const bytes = statSync(path).size;
    if (bytes !== f.bytes) return `${f.path} has ${bytes} bytes, its marker says ${f.bytes}`;
  }
  return null;
}

/** The first config key whose value differs between two analysis configs. */
function firstDifference(a: Record<string, unknown>, b: Record<string, unknown>): string | undefined {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.find((k) => stableStringify(a[k]) !== stableStringify(b[k]));
}

const show = (v: unknown): string => {
  const s = stableStringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
};

/** Every part `select` reads, after the integrity checks; throws one-line refusals. */
export function openAnalysis(dirs: readonly string[], opts: { allowPartial?: boolean } = {}): OpenedAnalysis {
  const shards: ShardEntry[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new CodeblockError(`analysis directory not found: ${dir}`, 'E_INPUT');
    }
    const names = readdirSync(dir)
      .filter((d) => /^shard-\d+-of-\d+$/.test(d))
      .sort();
    for (const sd of names) shards.push(scanShard(dir, sd));
  }
  if (shards.every((s) => s.parts.size === 0 && s.completion === undefined)) throw nothingIn(dirs);

  // Conflicts: never allowed, not even with --allow-partial.
  const counts = [...new Set(shards.map((s) => s.count))].sort((a, b) => a - b);
  if (counts.length > 1) {
    const list = counts.map((c) => `of ${c}`).join(', ');
    fail(`analysis directories mix shard counts (${list}); analyze every shard with the same --shard i/n count`);
  }
  const withParts = shards.filter((s) => s.parts.size > 0);
  const ref = withParts[0];
  if (ref) {
    const refPart = ref.parts.values().next().value!;
    for (const s of shards) {
      for (const p of s.parts.values()) {
        if (p.marker.shard.index !== s.index || p.marker.shard.count !== s.count) {
          const marker = `${join(p.dir, partBase(p.marker.part))}.json`;
          fail(`${marker} belongs to ${shardName(p.marker.shard)}, not ${shardName(s)}`);
        }
        if (p.marker.configHash === refPart.marker.configHash) continue;
        const key = firstDifference(refPart.marker.config ?? {}, p.marker.config ?? {}) ?? 'configHash';
        const what = key === 'inputs' ? 'inputs' : 'configs';
        fail(
          `analysis shards were made with different ${what}: ` +
            `${key} is ${show(refPart.marker.config?.[key])} in ${ref.dir} ` +
            `but ${show(p.marker.config?.[key])} in ${s.dir}; analyze every shard with one config`,
        );
      }
    }
  }
  const byShard = new Map<string, ShardEntry>();
  for (const s of shards) {
    const key = `${s.index}/${s.count}`;
    const other = byShard.get(key);
    if (other) {
      fail(
        `${shardName(s)} appears twice (${other.dir} and ${s.dir}): ` +
          'its (shard, part)s would be counted twice; pass each shard once',
      );
    }
    byShard.set(key, s);
  }
  type Done = ShardEntry & { completion: ShardCompletion };
  const done = shards.filter((s): s is Done => typeof s.completion === 'object');
  for (const s of done) {
    const ref0 = done[0]!;
    const a = s.completion;
    const b = ref0.completion;
    if (a.inputs.hash !== b.inputs.hash || a.totalInput !== b.totalInput) {
      fail(
        `analysis shards were made from different inputs: ${ref0.dir} and ${s.dir} ` +
          'differ in input files (names, sizes or contents)',
      );
    }
    const anyPart = s.parts.values().next().value;
    if (anyPart && anyPart.marker.configHash !== s.completion.configHash) {
      const rec = join(s.dir, COMPLETION_FILE);
      fail(`${rec} was written for another config than its parts; re-run analyze for ${shardName(s)}`);
    }
    if (ref && s.completion.configHash !== ref.parts.values().next().value!.marker.configHash) {
      fail(`analysis shards were made with different configs: ${s.dir} completed under another config than ${ref.dir}`);
    }
  }

  // Missing pieces: refused unless --allow-partial.
  const count = counts[0]!;
  const what: string[] = [];
  const use: AnalysisPart[] = [];
  for (let i = 0; i < count; i++) {
    const s = byShard.get(`${i}/${count}`);
    if (!s) {
      what.push(`${shardName({ index: i, count })}: no shard directory`);
      continue;
    }
    if (s.completion === undefined || s.completion === 'unreadable') {
      const state = s.completion ? 'unreadable' : 'no';
      what.push(`${shardName(s)} in ${s.dir}: ${state} completion record (analyze did not finish)`);
      const byPart = [...s.parts.values()].sort((a, b) => a.marker.part - b.marker.part);
      for (const p of byPart) if (!partProblem(p)) use.push(p);
      continue;
    }
    let input = 0;
    const before = what.length;
    for (let k = 0; k < s.completion.parts; k++) {
      const p = s.parts.get(k);
      const problem = p ? partProblem(p) : `${partBase(k)}.json missing`;
      if (problem) what.push(`${shardName(s)} part ${k} of ${s.completion.parts} in ${s.dir}: ${problem}`);
      else {
        use.push(p!);
        input += p!.marker.counts.input;
      }
    }
    if (what.length === before && input !== s.completion.counts.input) {
      const says = s.completion.counts.input;
      fail(`${shardName(s)} in ${s.dir}: its parts hold ${input} input records, its completion record says ${says}`);
    }
  }
  if (what.length && !opts.allowPartial) {
    const more = what.length > 1 ? ` (and ${what.length - 1} more)` : '';
    const how = 'finish it with `codeblock analyze` (it resumes) or pass --allow-partial';
    fail(`analysis is incomplete: ${what[0]}${more}; ${how}`);
  }
  use.sort((a, b) => a.marker.shard.index - b.marker.shard.index || a.marker.part - b.marker.part);
  if (use.length === 0) throw nothingIn(dirs);
  if (!opts.allowPartial) return { parts: use };
  const totals = done.map((s) => s.completion.totalInput);
  if (totals.length === 0) {
    fail(`--allow-partial cannot count the missing records: no shard in ${dirs.join(', ')} has a completion record`);
  }
  const present = use.reduce((a, p) => a + p.marker.counts.input, 0);
  return { parts: use, missing: { records: totals[0]! - present, what } };
}
