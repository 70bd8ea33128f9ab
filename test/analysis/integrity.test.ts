/**
 * Analysis integrity (docs/scaling.md, "What select checks"): select refuses, in one line with exit
 * 1 and nothing written, an analysis with a missing part, a missing completion record, a shard
 * passed twice, mixed configs or inputs, or a shard killed mid-run; `--allow-partial` reports what
 * is missing; a resumed analysis selects byte-identically; MinHash decisions do not depend on the
 * shard layout. All runs are the real CLI (`--scorer none` keeps them fast; the LM is not under test).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BIN, FAST_ANALYZE as FAST, SHARED_DATA, cli, cliOk } from '../helpers/cli.js';

const MBPP = join(SHARED_DATA, 'mbpp-markdown.jsonl');
const HUMANEVAL = join(SHARED_DATA, 'humaneval-markdown.jsonl');

let work = '';
const at = (...p: string[]): string => join(work, ...p);

const ok = (args: string[]): string => cliOk(args, { cwd: work });

/** select must refuse: exit 1, one stderr line matching `re`, no output directory. */
function refuses(dirs: string[], re: RegExp, extra: string[] = []): void {
  const out = at(`refused-${Math.random().toString(36).slice(2)}`);
  const r = cli(['select', ...dirs, '-o', out, '--no-progress', ...extra], { cwd: work });
  assert.equal(r.status, 1, `select ${dirs.join(' ')} should refuse:\n${r.stderr}`);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one line expected:\n${r.stderr}`);
  assert.match(lines[0]!, re);
  assert.ok(!existsSync(out), 'nothing may be written to the output');
}

/** Every file of two output trees, byte for byte. */
function sameTree(a: string, b: string): void {
  const files = (d: string): string[] =>
    readdirSync(d, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(d.length + 1))
      .sort();
  assert.deepEqual(files(b), files(a));
  for (const f of files(a)) assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs`);
}

const shard0 = 'shard-00000-of-00001';

before(() => {
  work = mkdtempSync(join(tmpdir(), 'cb-integrity-'));
  ok(['analyze', MBPP, HUMANEVAL, '-o', at('A'), ...FAST]);
  ok(['select', at('A'), '-o', at('S-A'), '--no-progress']);
  ok(['gen', '-o', at('pool.jsonl'), '--records', '4000']);
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('select refuses a bad analysis', () => {
  it('writes a completion record as the shard last act', () => {
    const rec = JSON.parse(readFileSync(at('A', shard0, 'complete.json'), 'utf8'));
    assert.deepEqual(rec.shard, { index: 0, count: 1 });
    assert.equal(rec.parts, 2);
    assert.equal(rec.counts.input, 974 + 164);
    assert.equal(rec.totalInput, 974 + 164);
    const names = rec.inputs.files.map((f: { name: string }) => f.name);
    // named by real path, as every record of them says
    // real paths relative to the real working directory of the run (src/analysis/input-name.ts)
    const rel = (p: string) => relative(realpathSync(work), realpathSync(p));
    assert.deepEqual(names, [rel(MBPP), rel(HUMANEVAL)]);
    for (const f of rec.inputs.files) assert.match(f.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(
      rec.inputs.files.map((f: { bytes: number }) => f.bytes),
      [statSync(MBPP).size, statSync(HUMANEVAL).size],
    );
    const marker = JSON.parse(readFileSync(at('A', shard0, 'part-000000.json'), 'utf8'));
    assert.equal(rec.configHash, marker.configHash);
  });

  it('a deleted part file; --allow-partial names the missing records', () => {
    cpSync(at('A'), at('B'), { recursive: true });
    rmSync(at('B', shard0, 'part-000001.records.jsonl.gz'));
    const gone = /^codeblock: analysis is incomplete: shard 0\/1 part 1 of 2 .*part-000001\.records\.jsonl\.gz missing/;
    refuses([at('B')], gone);
    const err = ok(['select', at('B'), '-o', at('S-B'), '--no-progress', '--allow-partial']);
    assert.match(err, /1024 input = .*; 114 missing from the analysis \(--allow-partial\)/);
    const m = JSON.parse(readFileSync(at('S-B', 'manifest.json'), 'utf8'));
    assert.equal(m.counts.missing, 114);
    assert.equal(m.counts.input, 1024);
    assert.equal(m.missing.length, 1);
    // without --allow-partial the manifest has no counts.missing
    const full = JSON.parse(readFileSync(at('S-A', 'manifest.json'), 'utf8'));
    assert.equal(full.counts.missing, undefined);
  });

  it('a deleted part marker', () => {
    cpSync(at('A'), at('B2'), { recursive: true });
    rmSync(at('B2', shard0, 'part-000000.json'));
    refuses([at('B2')], /analysis is incomplete: shard 0\/1 part 0 of 2 .*part-000000\.json missing/);
  });

  it('a deleted completion record', () => {
    cpSync(at('A'), at('C'), { recursive: true });
    rmSync(at('C', shard0, 'complete.json'));
    refuses([at('C')], /analysis is incomplete: shard 0\/1 in .*: no completion record \(analyze did not finish\)/);
    // nothing to count the missing records against: refused even with --allow-partial
    refuses([at('C')], /--allow-partial cannot count the missing records/, ['--allow-partial']);
  });

  it('the same directory twice, or a copy of one shard in a second directory', () => {
    refuses([at('A'), at('A')], /shard 0\/1 appears twice/);
    for (const i of [0, 1]) ok(['analyze', HUMANEVAL, '-o', at('D'), '--shard', `${i}/2`, ...FAST]);
    mkdirSync(at('D2'));
    cpSync(at('D', 'shard-00001-of-00002'), at('D2', 'shard-00001-of-00002'), { recursive: true });
    const twice = /^codeblock: shard 1\/2 appears twice \(.*D\/shard-00001-of-00002 and .*D2\/shard-00001-of-00002\)/;
    refuses([at('D'), at('D2')], twice);
    ok(['select', at('D'), '-o', at('S-D'), '--no-progress']);
  });

  it('shards of different configs, inputs or counts', () => {
    ok(['analyze', HUMANEVAL, '-o', at('M'), '--shard', '0/2', ...FAST]);
    ok(['analyze', HUMANEVAL, '-o', at('M'), '--shard', '1/2', '--granularity', 'block', ...FAST]);
    const mixed = /made with different configs: granularity is "statement" in .* but "block" in /;
    refuses([at('M')], mixed);
    ok(['analyze', MBPP, '-o', at('I'), '--shard', '1/2', ...FAST]);
    mkdirSync(at('DI'));
    cpSync(at('D', 'shard-00000-of-00002'), at('DI', 'shard-00000-of-00002'), { recursive: true });
    refuses([at('DI'), at('I')], /^codeblock: analysis shards were made with different inputs: inputs is /);
    refuses([at('A'), at('D')], /analysis directories mix shard counts \(of 1, of 2\)/);
  });

  it('shards made from an input whose contents changed (same path, same size)', () => {
    const file = at('h.jsonl');
    const text = readFileSync(HUMANEVAL, 'utf8');
    writeFileSync(file, text);
    ok(['analyze', file, '-o', at('F'), '--shard', '0/2', ...FAST]);
    // one character changed in place: the analysis config (path, size) is the same, the fingerprint is not
    const i = text.indexOf('return');
    writeFileSync(file, `${text.slice(0, i)}RETURN${text.slice(i + 6)}`);
    ok(['analyze', file, '-o', at('F'), '--shard', '1/2', ...FAST]);
    refuses([at('F')], /^codeblock: analysis shards were made from different inputs: .* differ in input files/);
  });
});

describe('a killed analyze', () => {
  it('SIGKILL mid-shard: select refuses; after resume it is byte-identical to an uninterrupted run', async () => {
    ok(['analyze', at('pool.jsonl'), '-o', at('R'), ...FAST]);
    ok(['select', at('R'), '-o', at('S-R'), '--no-progress', '--format', 'parquet,bin,jsonl']);
    const dir = at('K', shard0);
    const args = [BIN, 'analyze', at('pool.jsonl'), '-o', at('K'), ...FAST];
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_c, sig) => res(sig)));
    // kill once the second part is committed: the shard is mid-run (4 parts in all)
    while (!existsSync(join(dir, 'part-000001.json')) && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL', 'analyze finished before it could be killed');
    assert.ok(!existsSync(join(dir, 'complete.json')));
    refuses([at('K')], /analysis is incomplete: shard 0\/1 .*no completion record/);
    const resumed = ok(['analyze', at('pool.jsonl'), '-o', at('K'), ...FAST]);
    assert.match(resumed, /4 part\(s\)/);
    ok(['select', at('K'), '-o', at('S-K'), '--no-progress', '--format', 'parquet,bin,jsonl']);
    sameTree(at('S-R'), at('S-K'));
  });
});

describe('global near-duplicate removal', () => {
  it('--dedup minhash gives identical output for 1, 2 and 4 shards', () => {
    const lines = readFileSync(at('pool.jsonl'), 'utf8').split('\n').slice(0, 2000);
    writeFileSync(at('pool-2k.jsonl'), `${lines.join('\n')}\n`);
    for (const n of [1, 2, 4]) {
      for (let i = 0; i < n; i++) {
        ok(['analyze', at('pool-2k.jsonl'), '-o', at(`MH${n}`), '--shard', `${i}/${n}`, '--dedup', 'minhash', ...FAST]);
      }
      ok(['select', at(`MH${n}`), '-o', at(`S-MH${n}`), '--no-progress', '--format', 'bin,jsonl']);
    }
    const rejectedLines = readFileSync(at('S-MH1', 'rejected.jsonl'), 'utf8').split('\n');
    const near = rejectedLines.filter((l) => l.includes('near-duplicate'));
    assert.ok(near.length > 10, `the pool should hold near-duplicates (found ${near.length})`);
    sameTree(at('S-MH1'), at('S-MH2'));
    sameTree(at('S-MH1'), at('S-MH4'));
    // signatures are stored in the analysis files
    const gz = readFileSync(at('MH1', shard0, 'part-000000.records.jsonl.gz'));
    const first = gunzipSync(gz).toString('utf8').split('\n')[0]!;
    assert.equal(Buffer.from(JSON.parse(first).minhash, 'base64').length, 64 * 4);
  });
});
