/**
 * Content-verified resume and verified analysis parts (issue 26, cases 1–3; docs/reliability.md, "Input identity by
 * content" and "Verified parts"). Through the real CLI on a generated pool of 2,100 records (3 parts: 1,024 +
 * 1,024 + 52), `--scorer none` (the LM is not under test; parts, digests, resume and select are the real ones):
 *
 * - a same-size edit in the middle of the input: the next `analyze` with the same command analyzes again exactly
 *   the part holding the edit, and the analysis equals a clean run of the edited file byte for byte;
 * - `./pool.jsonl`, `pool.jsonl`, `$PWD/pool.jsonl` and a symlink are one input: resume reuses every part, and
 *   shards made under two spellings go together (select output = the unsharded run's);
 * - a flipped byte inside a `.gz` part, a same-size edit in `outcomes.jsonl`, a deleted part file and a truncated
 *   one: `select` refuses in one line naming the shard, the part and the file (exit 1, no stack), and the same
 *   `analyze` command analyzes again exactly that part — every other part file keeps its inode and mtime — after
 *   which the analysis and the select output equal the clean run's byte for byte; `run` does the same with its own
 *   analysis.
 *
 * Offsets and bits are drawn from a seeded RNG (mulberry32, seed 26). Every select's manifest adds up to the
 * input's records. `CODEBLOCK_TEST_BIN=/path/to/bin/codeblock` runs this file against another build.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, FAST_ANALYZE } from '../helpers/cli.js';
import { treeDigest } from '../helpers/files.js';
import { mulberry32 } from '../../src/util/random.js';

const CB = process.env.CODEBLOCK_TEST_BIN ?? BIN;
const RECORDS = 2100;
const PART = 1024;
const SHARD = 'shard-00000-of-00001';
const rng = mulberry32(26);

let work = '';
let refAnalysis: Record<string, string> = {};
let refOutput: Record<string, string> = {};

function cb(dir: string, args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [CB, ...args], {
    cwd: dir,
    env: { ...process.env, CI: 'true' },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: r.status, stderr: r.stderr };
}

function ok(dir: string, args: string[]): string {
  const r = cb(dir, args);
  assert.equal(r.status, 0, `codeblock ${args.join(' ')}:\n${r.stderr}`);
  return r.stderr;
}

const analyze = (dir: string, input = 'pool.jsonl', extra: string[] = []): string =>
  ok(dir, ['analyze', input, '-o', 'A', ...FAST_ANALYZE, ...extra]);

/** select into `out`; the manifest's counts add up to the input's records. */
function select(dir: string, analysis = 'A', out = 'S'): Record<string, string> {
  ok(dir, ['select', analysis, '-o', out, '--no-progress']);
  const m = JSON.parse(readFileSync(join(dir, out, 'manifest.json'), 'utf8'));
  const rejected = Object.values(m.counts.rejected as Record<string, number>).reduce((a, b) => a + b, 0);
  assert.equal(m.counts.input, RECORDS);
  assert.equal(m.counts.selected + rejected + m.counts.quarantined, RECORDS, 'counts add up');
  return treeDigest(join(dir, out));
}

/** select must refuse: exit 1 (never 70), one stderr line matching `re`, no stack trace. */
function selectRefuses(dir: string, re: RegExp): void {
  const r = cb(dir, ['select', 'A', '-o', 'refused', '--no-progress']);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(r.status, 1, `select should refuse with exit 1:\n${r.stderr}`);
  assert.equal(lines.length, 1, `one line expected:\n${r.stderr}`);
  assert.match(lines[0]!, re);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
}

/** A working directory holding a copy of the reference pool and analysis (inputs are named `pool.jsonl`). */
function fresh(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  cpSync(join(work, 'ref', 'pool.jsonl'), join(dir, 'pool.jsonl'));
  cpSync(join(work, 'ref', 'A'), join(dir, 'A'), { recursive: true });
  return dir;
}

const partBase = (part: number): string => `part-${String(part).padStart(6, '0')}`;
const partFile = (dir: string, part: number, suffix: string): string =>
  join(dir, 'A', SHARD, `${partBase(part)}.${suffix}`);

/** inode and mtime (ns) of every part file (complete.json is rewritten by every analyze). */
function partStats(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(join(dir, 'A', SHARD)).filter((x) => x.startsWith('part-'))) {
    const st = statSync(join(dir, 'A', SHARD, f), { bigint: true });
    out.set(f, `${st.ino}:${st.mtimeNs}`);
  }
  return out;
}

/**
 * The same analyze command repairs exactly `part`: it says so, reuses the two others without touching their files
 * (same inode and mtime), and the analysis and select output then equal the clean run's byte for byte.
 */
function repairs(dir: string, part: number, why: RegExp): void {
  const before = partStats(dir);
  const err = analyze(dir);
  assert.match(err, new RegExp(`shard 0/1 part ${part} analyzed again: ${why.source}`));
  assert.match(err, /3 part\(s\) \(2 resumed, 1 analyzed again\)/);
  const after = partStats(dir);
  for (const [f, st] of before) {
    if (f.startsWith(`${partBase(part)}.`)) continue;
    assert.equal(after.get(f), st, `${f} of a sound part was rewritten`);
  }
  assert.notEqual(after.get(`${partBase(part)}.json`), before.get(`${partBase(part)}.json`));
  assert.deepEqual(treeDigest(join(dir, 'A')), refAnalysis);
  assert.deepEqual(select(dir), refOutput);
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'cb-verified-'));
  const ref = join(work, 'ref');
  mkdirSync(ref);
  ok(ref, ['gen', '-o', 'pool.jsonl', '--records', String(RECORDS), '--seed', '26']);
  analyze(ref);
  refAnalysis = treeDigest(join(ref, 'A'));
  refOutput = select(ref);
  const parts = Object.keys(refAnalysis).filter((f) => f.endsWith('.json') && f.includes('/part-'));
  assert.equal(parts.length, 3, 'the pool makes 3 parts');
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('input identity by content', () => {
  it('a same-size edit mid-file: only the part holding it is analyzed again; the analysis equals a clean run', () => {
    const dir = fresh('edit');
    const bytes = readFileSync(join(dir, 'pool.jsonl'));
    const at = bytes.indexOf('return ', Math.floor(bytes.length * (0.35 + 0.3 * rng())));
    assert.ok(at > 0);
    bytes.write('retvrn ', at);
    writeFileSync(join(dir, 'pool.jsonl'), bytes);
    // every line of the generated pool is one record: the edit's ordinal is its line index
    assert.equal(bytes.toString('utf8').split('\n').filter(Boolean).length, RECORDS);
    const ordinal = bytes.subarray(0, at).toString('utf8').split('\n').length - 1;
    const part = Math.floor(ordinal / PART);
    const clean = join(work, 'edit-clean');
    mkdirSync(clean);
    writeFileSync(join(clean, 'pool.jsonl'), bytes);
    analyze(clean);
    const cleanAnalysis = treeDigest(join(clean, 'A'));
    assert.notDeepEqual(cleanAnalysis, refAnalysis, 'the edit changes the analysis');

    const before = partStats(dir);
    const err = analyze(dir);
    assert.match(err, new RegExp(`part ${part} analyzed again: its input changed since it was analyzed`));
    assert.match(err, /3 part\(s\) \(2 resumed, 1 analyzed again\)/);
    const after = partStats(dir);
    for (const [f, st] of before) if (!f.startsWith(`${partBase(part)}.`)) assert.equal(after.get(f), st, f);
    assert.deepEqual(treeDigest(join(dir, 'A')), cleanAnalysis);
    assert.deepEqual(select(dir), select(clean));
  });

  it('./pool.jsonl, pool.jsonl, $PWD/pool.jsonl and a symlink are one input: resume reuses, shards go together', () => {
    const dir = fresh('names');
    symlinkSync('pool.jsonl', join(dir, 'link.jsonl'));
    for (const spelling of ['./pool.jsonl', join(dir, 'pool.jsonl'), 'link.jsonl']) {
      const before = partStats(dir);
      assert.match(analyze(dir, spelling), /3 part\(s\) \(3 resumed\)/, spelling);
      assert.deepEqual(partStats(dir), before, `${spelling}: no part rewritten`);
      assert.deepEqual(treeDigest(join(dir, 'A')), refAnalysis, spelling);
    }
    ok(dir, ['analyze', './pool.jsonl', '--shard', '0/2', '-o', 'SH', ...FAST_ANALYZE]);
    ok(dir, ['analyze', 'link.jsonl', '--shard', '1/2', '-o', 'SH', ...FAST_ANALYZE]);
    assert.deepEqual(select(dir, 'SH', 'S2'), refOutput, 'two shards under two spellings = the unsharded run');
  });
});

describe('verified parts: select refuses damage in one line; analyze repairs exactly the damaged part', () => {
  it('a flipped byte inside a .gz part', () => {
    const dir = fresh('flip');
    const p = partFile(dir, 1, 'records.jsonl.gz');
    const buf = readFileSync(p);
    const off = 10 + Math.floor(rng() * (buf.length - 20));
    buf[off]! ^= 1 << Math.floor(rng() * 8);
    writeFileSync(p, buf);
    selectRefuses(
      dir,
      new RegExp(
        '^codeblock: analysis part damaged: shard 0/1 part 1 in .*: part-000001\\.records\\.jsonl\\.gz does not ' +
          'match the sha256 in its marker; run the same `codeblock analyze` command again',
      ),
    );
    repairs(dir, 1, /part-000001\.records\.jsonl\.gz does not match the sha256 in its marker/);
  });

  it('a same-size edit in outcomes.jsonl', () => {
    const dir = fresh('outcomes');
    const p = partFile(dir, 0, 'outcomes.jsonl');
    const text = readFileSync(p, 'utf8');
    assert.ok(text.includes('"reason":"tests"'));
    writeFileSync(p, text.replace('"reason":"tests"', '"reason":"tesTs"'));
    selectRefuses(
      dir,
      /^codeblock: analysis part damaged: shard 0\/1 part 0 in .*: part-000000\.outcomes\.jsonl does not match/,
    );
    repairs(dir, 0, /part-000000\.outcomes\.jsonl does not match the sha256 in its marker/);
  });

  it('a deleted part file', () => {
    const dir = fresh('deleted');
    rmSync(partFile(dir, 1, 'records.jsonl.gz'));
    selectRefuses(
      dir,
      /^codeblock: analysis is incomplete: shard 0\/1 part 1 of 3 .*part-000001\.records\.jsonl\.gz missing/,
    );
    repairs(dir, 1, /part-000001\.records\.jsonl\.gz is missing/);
  });

  it('a truncated part file', () => {
    const dir = fresh('truncated');
    const p = partFile(dir, 2, 'records.jsonl.gz');
    const size = statSync(p).size;
    const keep = Math.floor(rng() * size);
    truncateSync(p, keep);
    selectRefuses(
      dir,
      new RegExp(
        '^codeblock: analysis is incomplete: shard 0/1 part 2 of 3 .*' +
          `part-000002\\.records\\.jsonl\\.gz has ${keep} bytes, its marker says ${size}`,
      ),
    );
    repairs(dir, 2, new RegExp(`part-000002\\.records\\.jsonl\\.gz has ${keep} bytes, its marker says ${size}`));
  });

  it('run verifies and repairs its own analysis', () => {
    const dir = join(work, 'run');
    mkdirSync(dir);
    cpSync(join(work, 'ref', 'pool.jsonl'), join(dir, 'pool.jsonl'));
    const args = ['run', 'pool.jsonl', '-o', 'R', ...FAST_ANALYZE];
    ok(dir, args);
    const clean = treeDigest(join(dir, 'R'));
    const p = join(dir, 'R', 'analysis', SHARD, 'part-000000.records.jsonl.gz');
    const buf = readFileSync(p);
    buf[Math.floor(rng() * buf.length)]! ^= 0x20;
    writeFileSync(p, buf);
    const err = ok(dir, args);
    assert.match(err, /shard 0\/1 part 0 analyzed again: part-000000\.records\.jsonl\.gz does not match/);
    assert.match(err, /\(2 resumed, 1 analyzed again\)/);
    assert.deepEqual(treeDigest(join(dir, 'R')), clean);
  });
});
