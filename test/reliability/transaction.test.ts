/**
 * Output directories as transactions and one writer per directory (issue 26, cases 4 and 5), through the real
 * CLI: a second select with other formats leaves no file of the first; readers (loadPacks, inspect) refuse a
 * directory that does not match its manifest; SIGKILL at every step of the commit (CODEBLOCK_TEST_KILL_AT) leaves
 * either the old complete output or one readers refuse, and the same command then gives the clean-run bytes;
 * ENOSPC on a small tmpfs keeps the old output; a second writer refuses naming the holder or waits
 * (--wait-lock); stale locks are taken over; shards lock apart. docs/reliability.md lists what each test holds.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cli, cliOk } from '../helpers/cli.js';
import { treeDigest } from '../helpers/files.js';
import { loadPacks, type LoadPacksOptions } from '../../src/loader/index.js';
import { lockDir, LOCK_DIR, LOCK_HOLDER } from '../../src/util/dir-lock.js';
import { shardDirName } from '../../src/analysis/format.js';
import { mulberry32 } from '../../src/util/random.js';
import { CodeblockError } from '../../src/errors.js';

const work = mkdtempSync(join(tmpdir(), 'cb-txn-'));
after(() => rmSync(work, { recursive: true, force: true }));

const RECORDS = 400;
const FAST = ['--no-progress', '--workers', '1'];
let pool = '';
let analysis = '';
/** First select (packs in two formats), second select (samples only, another budget), all three formats. */
let SEL1: string[] = [];
let SEL2: string[] = [];
const clean: Record<'one' | 'two', Record<string, string>> = { one: {}, two: {} };

interface Manifest {
  counts: { input: number; selected: number; rejected: Record<string, number>; quarantined: number };
  tokens: { supervised: number };
  files: Array<{ path: string; sha256: string; bytes: number }>;
}
const manifestOf = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;

/** Counts add up to the input's records. */
function assertAccounting(dir: string): Manifest {
  const m = manifestOf(dir);
  const rejected = Object.values(m.counts.rejected).reduce((a, b) => a + b, 0);
  assert.equal(m.counts.input, RECORDS);
  assert.equal(m.counts.selected + rejected + m.counts.quarantined, m.counts.input);
  return m;
}

/** Supervised labels over every pack loadPacks yields. */
async function supervised(dir: string, o: Partial<LoadPacksOptions> = {}): Promise<number> {
  let n = 0;
  for await (const b of loadPacks(dir, { batchSize: 8, ...o })) n += b.total_supervised;
  return n;
}

/** The CodeblockError loadPacks refuses `dir` with. */
async function loadRefusal(dir: string, o: Partial<LoadPacksOptions> = {}): Promise<CodeblockError> {
  try {
    await supervised(dir, o);
  } catch (err) {
    assert.ok(err instanceof CodeblockError, `not a CodeblockError: ${(err as Error).stack}`);
    assert.equal(err.code, 'E_FORMAT');
    return err;
  }
  assert.fail(`loadPacks read ${dir}`);
}

/** One `codeblock: …` line on stderr, exit 1, no stack. */
function assertOneLine(r: { status: number | null; stderr: string }, re: RegExp): string {
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^codeblock: /);
  assert.match(lines[0]!, re);
  return lines[0]!;
}

const inspect = (out: string) => cli(['inspect', out, analysis]);

/** The tree without what a test put there itself. */
function tree(dir: string, ignore: readonly string[] = []): Record<string, string> {
  const t = treeDigest(dir);
  for (const k of ignore) delete t[k];
  return t;
}

before(() => {
  pool = join(work, 'pool.jsonl');
  cliOk(['gen', '-o', pool, '--records', String(RECORDS), '--seed', '26']);
  analysis = join(work, 'a');
  cliOk(['analyze', pool, '-o', analysis, '--scorer', 'none', ...FAST]);
  SEL1 = ['select', analysis, '--format', 'parquet,bin', ...FAST];
  SEL2 = ['select', analysis, '--format', 'jsonl', '--budget', '0.05', ...FAST];
  cliOk([...SEL1, '-o', join(work, 'clean1')]);
  cliOk([...SEL2, '-o', join(work, 'clean2')]);
  clean.one = tree(join(work, 'clean1'));
  clean.two = tree(join(work, 'clean2'));
  assert.deepEqual(Object.keys(clean.one).sort(), [
    'manifest.json',
    'packs.cbpk',
    'packs.cbpk.idx',
    'packs.parquet',
    'quarantine.jsonl',
    'rejected.jsonl',
  ]);
  assertAccounting(join(work, 'clean1'));
  assertAccounting(join(work, 'clean2'));
});

/** A fresh copy of the first clean output. */
function copyOf(which: 'clean1' | 'clean2', name: string): string {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(work, which), dir, { recursive: true });
  return dir;
}

test("a second select with other formats removes the first one's files, keeps the user's; = clean run", async () => {
  const out = copyOf('clean1', 'mixed');
  writeFileSync(join(out, 'notes.txt'), 'mine\n');
  writeFileSync(join(out, 'packs.bin.bak'), 'mine too\n');
  cliOk([...SEL2, '-o', out]);
  for (const f of ['packs.cbpk', 'packs.cbpk.idx', 'packs.parquet'])
    assert.ok(!existsSync(join(out, f)), `${f} is left`);
  assert.equal(readFileSync(join(out, 'notes.txt'), 'utf8'), 'mine\n');
  assert.equal(readFileSync(join(out, 'packs.bin.bak'), 'utf8'), 'mine too\n');
  assert.deepEqual(tree(out, ['notes.txt', 'packs.bin.bak']), clean.two);
  assertAccounting(out);
  const err = await loadRefusal(out, { format: 'bin' });
  assert.match(err.message, /packs\.cbpk(\.idx)? is not listed in manifest\.json/);
  assert.match((await loadRefusal(out)).message, /has no packs/);
  // and the first output read back: the packs hold exactly the manifest's supervised tokens
  const one = join(work, 'clean1');
  assert.equal(await supervised(one, { format: 'bin' }), manifestOf(one).tokens.supervised);
  assert.equal(await supervised(one, { format: 'parquet' }), manifestOf(one).tokens.supervised);
});

test('loadPacks and inspect refuse in one line: no manifest, a missing file, another size or sha256', async () => {
  const rnd = mulberry32(2626);
  const cases: Array<{ name: string; damage: (d: string) => void; re: RegExp; format?: 'bin' | 'parquet' }> = [
    {
      name: 'no manifest',
      damage: (d) => rmSync(join(d, 'manifest.json')),
      re: /incomplete output \(no manifest\.json/,
    },
    {
      name: 'missing file',
      damage: (d) => rmSync(join(d, 'packs.cbpk')),
      re: /packs\.cbpk is listed in manifest\.json but missing/,
      format: 'bin',
    },
    {
      name: 'size differs',
      damage: (d) => appendFileSync(join(d, 'packs.parquet'), Buffer.from([0])),
      re: /packs\.parquet has \d+ bytes, manifest\.json says \d+/,
      format: 'parquet',
    },
    {
      name: 'digest differs (one byte flipped, same size)',
      damage: (d) => {
        const p = join(d, 'packs.cbpk');
        const b = readFileSync(p);
        const at = Math.floor(rnd() * b.length);
        b[at] = b[at]! ^ 0x01;
        writeFileSync(p, b);
      },
      re: /packs\.cbpk does not match its sha256 in manifest\.json/,
      format: 'bin',
    },
  ];
  // precision: an undamaged copy is read, with the manifest's supervised count
  const intact = copyOf('clean1', 'intact');
  const r = inspect(intact);
  assert.equal(r.status, 0, r.stderr);
  for (const c of cases) {
    const out = copyOf('clean1', `damaged-${c.name.split(' ')[0]}`);
    assert.equal(await supervised(out, { format: c.format }), manifestOf(out).tokens.supervised, c.name);
    c.damage(out);
    assert.match((await loadRefusal(out, { format: c.format })).message, c.re, c.name);
    assertOneLine(inspect(out), c.re);
  }
  // digest checking is the default; verify: 'size' skips it (documented opt-out), sizes are still checked
  const flipped = join(work, 'damaged-digest');
  assert.equal(typeof (await supervised(flipped, { format: 'bin', verify: 'size' })), 'number');
  assert.match((await loadRefusal(join(work, 'damaged-size'), { format: 'parquet', verify: 'size' })).message, /bytes/);
});

test("SIGKILL at each step of a second select's commit: old run or refusal, never a mix; rerun = clean", async () => {
  const rnd = mulberry32(0x26);
  const points = ['staged', 'invalidated', 'moving', 'moved', 'cleaned'];
  for (let i = points.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [points[i], points[j]] = [points[j]!, points[i]!];
  }
  const oldSupervised = manifestOf(join(work, 'clean1')).tokens.supervised;
  for (const point of points) {
    const out = copyOf('clean1', `kill-${point}`);
    const r = spawnSync(process.execPath, [BIN, ...SEL2, '-o', out], {
      env: { ...process.env, CI: 'true', CODEBLOCK_TEST_KILL_AT: point },
      encoding: 'utf8',
    });
    assert.equal(r.signal, 'SIGKILL', `${point}: not killed (${r.status}): ${r.stderr}`);
    const names = readdirSync(out);
    if (point === 'staged') {
      // nothing replaced yet: the old run, complete and verified
      assert.ok(names.includes('manifest.json'));
      assert.equal(await supervised(out, { format: 'bin' }), oldSupervised);
      assert.equal(inspect(out).status, 0);
    } else {
      // the old manifest is gone before any file is replaced: never an old manifest beside new files
      assert.ok(!names.includes('manifest.json'), `${point}: a manifest beside a half-replaced output`);
      assert.match((await loadRefusal(out)).message, /incomplete output .*run the same command again/, point);
      assertOneLine(inspect(out), /incomplete output/);
    }
    const again = cli([...SEL2, '-o', out]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /took over the lock of .* left by a killed run \(host .*, pid \d+, .*process gone\)/);
    assert.deepEqual(tree(out), clean.two, `${point}: the rerun differs from a clean run`);
  }
});

test('ENOSPC on a small tmpfs during a second select: the old output stays complete and readable', async (t) => {
  const mnt = join(work, 'tmpfs');
  mkdirSync(mnt);
  const oldBytes = Object.keys(clean.one).reduce((a, f) => a + statSync(join(work, 'clean1', f)).size, 0);
  const size = oldBytes + 4 * 1024 * 1024;
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt], { encoding: 'utf8' });
  if (process.getuid?.() !== 0 || m.status !== 0) {
    t.skip(`cannot mount a tmpfs (not root, or no mount permission: ${m.stderr?.trim() || m.error?.message})`);
    return;
  }
  try {
    const out = join(mnt, 'out');
    cpSync(join(work, 'clean1'), out, { recursive: true });
    // leave 64 KiB free: select's staging runs out of space
    const free = Number(spawnSync('df', ['-B1', '--output=avail', mnt], { encoding: 'utf8' }).stdout.split('\n')[1]);
    writeFileSync(join(mnt, 'filler'), Buffer.alloc(Math.max(0, free - 64 * 1024)));
    const r = cli([...SEL1, '-o', out]);
    assert.notEqual(r.status, 0, 'select succeeded on a full disk');
    assert.match(r.stderr, /ENOSPC|no space/i);
    assert.deepEqual(tree(out), clean.one, 'the old output changed');
    assert.equal(await supervised(out, { format: 'bin' }), manifestOf(out).tokens.supervised);
    rmSync(join(mnt, 'filler'));
    cliOk([...SEL2, '-o', out]);
    assert.deepEqual(tree(out), clean.two);
  } finally {
    spawnSync('umount', [mnt]);
  }
});

test('a second writer refuses naming the holder; its temp files stay while held; --wait-lock waits', async () => {
  const out = copyOf('clean1', 'locked');
  const stray = '.packs.parquet.tmp-999999-0-0';
  writeFileSync(join(out, stray), 'half-written by the holder');
  const lock = await lockDir(out, { what: 'test holder' });
  let released = false;
  try {
    const line = assertOneLine(cli([...SEL2, '-o', out]), /is locked by another codeblock run/);
    assert.ok(line.includes(`host ${hostname()}, pid ${process.pid}, started 20`), line);
    assert.ok(line.includes('--wait-lock'), line);
    assert.ok(existsSync(join(out, stray)), "a refused run removed the holder's temporary file");
    assert.deepEqual(tree(out, [stray, LOCK_HOLDER]), clean.one);

    const child = spawn(process.execPath, [BIN, ...SEL2, '-o', out, '--wait-lock'], {
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    while (!/waiting for the lock/.test(stderr) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    assert.match(stderr, new RegExp(`waiting for the lock of .*pid ${process.pid}`));
    assert.deepEqual(tree(out, [stray, LOCK_HOLDER]), clean.one, 'the waiting run wrote before the lock was free');
    await lock.release();
    released = true;
    assert.equal(await exited, 0, stderr);
    assert.deepEqual(tree(out), clean.two, 'after waiting: the clean output, the stray temp file removed');
  } finally {
    if (!released) await lock.release();
  }
});

test('two selects into one -o at once: one refuses naming the other, or they run one after the other', async () => {
  const out = join(work, 'race');
  const runOne = () =>
    new Promise<{ code: number | null; stderr: string }>((res) => {
      const c = spawn(process.execPath, [BIN, ...SEL1, '-o', out], { env: { ...process.env, CI: 'true' } });
      let stderr = '';
      c.stderr.setEncoding('utf8');
      c.stderr.on('data', (d: string) => (stderr += d));
      c.on('exit', (code) => res({ code, stderr }));
    });
  mkdirSync(out);
  const results = await Promise.all([runOne(), runOne()]);
  assert.ok(
    results.some((r) => r.code === 0),
    JSON.stringify(results),
  );
  for (const r of results) if (r.code !== 0) assertOneLine({ status: r.code, stderr: r.stderr }, /locked by .*pid \d+/);
  assert.deepEqual(tree(out), clean.one);
});

test('stale locks: a dead holder on this host, or a lock not refreshed for the stale period, is taken over', () => {
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  const holder = (out: string, h: { host: string; pid: number }) => {
    mkdirSync(join(out, LOCK_DIR));
    const st = statSync(join(out, LOCK_DIR));
    const rec = { ...h, started: '2026-01-01T00:00:00.000Z', what: 'select', ino: st.ino, born: st.birthtimeMs };
    writeFileSync(join(out, LOCK_HOLDER), JSON.stringify(rec));
  };
  const a = copyOf('clean1', 'stale-dead');
  holder(a, { host: hostname(), pid: dead });
  const ra = cli([...SEL2, '-o', a]);
  assert.equal(ra.status, 0, ra.stderr);
  assert.match(ra.stderr, new RegExp(`left by a killed run \\(host ${hostname()}, pid ${dead}, .*process gone\\)`));
  assert.deepEqual(tree(a), clean.two);

  // another host's lock, fresh: refused, naming that host; the same lock 2 minutes old: taken over
  const b = copyOf('clean1', 'stale-remote');
  holder(b, { host: 'node-elsewhere', pid: 4242 });
  assertOneLine(cli([...SEL2, '-o', b]), /locked by another codeblock run \(host node-elsewhere, pid 4242, started /);
  const old = new Date(Date.now() - 120_000);
  utimesSync(join(b, LOCK_DIR), old, old);
  const rb = cli([...SEL2, '-o', b]);
  assert.equal(rb.status, 0, rb.stderr);
  assert.match(rb.stderr, /took over the stale lock of .*host node-elsewhere, pid 4242.*not refreshed for 1\d\d s/);
  assert.deepEqual(tree(b), clean.two);

  // a run killed between making the lock directory and recording itself: no holder record, 10 s old
  const c = copyOf('clean1', 'stale-unrecorded');
  mkdirSync(join(c, LOCK_DIR));
  const tenAgo = new Date(Date.now() - 10_000);
  utimesSync(join(c, LOCK_DIR), tenAgo, tenAgo);
  const rc = cli([...SEL2, '-o', c]);
  assert.equal(rc.status, 0, rc.stderr);
  assert.match(rc.stderr, /took over the lock of .* \(no holder recorded for \d+ s: a run killed while starting\)/);
  assert.deepEqual(tree(c), clean.two);
});

test('analyze: one writer per shard; other shards never wait; two shards equal one', async () => {
  const a = join(work, 'sharded');
  const shard0 = join(a, shardDirName(0, 2));
  mkdirSync(shard0, { recursive: true });
  const lock = await lockDir(shard0, { what: 'test holder' });
  try {
    const refused = cli(['analyze', pool, '-o', a, '--shard', '0/2', '--scorer', 'none', ...FAST]);
    assertOneLine(refused, new RegExp(`shard-00000-of-00002 is locked by .*pid ${process.pid}`));
    // shard 1 is not blocked by shard 0's holder
    cliOk(['analyze', pool, '-o', a, '--shard', '1/2', '--scorer', 'none', ...FAST]);
  } finally {
    await lock.release();
  }
  // both shards at once (as Slurm array tasks): neither waits on the other
  rmSync(a, { recursive: true, force: true });
  const both = await Promise.all(
    ['0/2', '1/2'].map(
      (s) =>
        new Promise<{ code: number | null; stderr: string }>((res) => {
          const c = spawn(
            process.execPath,
            [BIN, 'analyze', pool, '-o', a, '--shard', s, '--scorer', 'none', ...FAST],
            {
              env: { ...process.env, CI: 'true' },
            },
          );
          let stderr = '';
          c.stderr.setEncoding('utf8');
          c.stderr.on('data', (d: string) => (stderr += d));
          c.on('exit', (code) => res({ code, stderr }));
        }),
    ),
  );
  for (const r of both) assert.equal(r.code, 0, r.stderr);
  const out = join(work, 'sharded-out');
  cliOk(['select', a, '--format', 'parquet,bin', ...FAST, '-o', out]);
  assert.deepEqual(tree(out), clean.one, 'two shards select to the bytes of one');
  for (const d of readdirSync(a)) assert.ok(!existsSync(join(a, d, LOCK_DIR)), `${d}: lock left behind`);
});
