/**
 * Write failures name the path (issue 26, case 8; docs/troubleshooting.md E_OUTPUT): ENOSPC on a small tmpfs,
 * a read-only tmpfs (EROFS), a directory the user may not write (EACCES: chmod 555; as root, which chmod does not
 * stop, the CLI runs as uid/gid 65534) and an output path under a file (ENOTDIR) each end in one line that names
 * the path, exit 1, no stack. The tmpfs cases need mount(8) (root); elsewhere they are skipped and counted as
 * skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cli, FAST_ANALYZE, SHARED_DATA } from '../helpers/cli.js';
import { PACKAGE_ROOT } from '../../src/native.js';

const INPUT = join(SHARED_DATA, 'humaneval-markdown.jsonl');

function mount(dir: string, opts: string): boolean {
  mkdirSync(dir, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { stdio: 'ignore' }).status === 0;
}
const umount = (dir: string): void => void spawnSync('umount', [dir], { stdio: 'ignore' });

function oneLine(r: { status: number | null; stderr: string }, what: string): string {
  assert.equal(r.status, 1, `${what}: exit ${r.status}\n${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${what}: one line expected:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, what);
  return lines[0]!;
}

test('ENOSPC, EACCES, a read-only file system, a path under a file: one line naming the path, exit 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-wfail-'));
  try {
    const an = join(dir, 'analysis');
    assert.equal(cli(['analyze', INPUT, '-o', an, ...FAST_ANALYZE]).status, 0);

    // an output path under a regular file
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const under = join(file, 'out');
    const l1 = oneLine(cli(['select', an, '-o', under, '--no-progress']), 'under a file');
    assert.ok(l1.includes(JSON.stringify(under)), l1);
    assert.match(l1, /ENOTDIR/);

    await t.test('EACCES: a directory the user may not write', () => {
      chmodSync(dir, 0o755); // mkdtemp's 0700 would hide the analysis from uid 65534
      const locked = join(dir, 'locked');
      mkdirSync(locked, { mode: 0o555 });
      chmodSync(locked, 0o555);
      const out = join(locked, 'out');
      const root = process.getuid?.() === 0;
      const r = spawnSync(process.execPath, [BIN, 'select', an, '-o', out, '--no-progress'], {
        cwd: PACKAGE_ROOT,
        env: { ...process.env, CI: 'true', HOME: dir },
        encoding: 'utf8',
        ...(root ? { uid: 65534, gid: 65534 } : {}),
      });
      const line = oneLine({ status: r.status, stderr: r.stderr }, 'EACCES');
      assert.ok(line.includes(JSON.stringify(out)), line);
      assert.match(line, /permission denied \(EACCES\)$/);
    });

    await t.test('ENOSPC on a 64 KiB tmpfs', (st) => {
      const small = join(dir, 'small');
      if (!mount(small, 'size=64k')) return st.skip('mount(8) of a tmpfs is not allowed here');
      try {
        const out = join(small, 'out');
        const line = oneLine(cli(['select', an, '-o', out, '--no-progress']), 'ENOSPC');
        assert.match(
          line,
          new RegExp(`^codeblock: cannot write "${out}/[^"]+": no space left on device \\(ENOSPC\\)$`),
        );
      } finally {
        umount(small);
      }
    });

    await t.test('a read-only tmpfs', (st) => {
      const ro = join(dir, 'ro');
      if (!mount(ro, 'ro,size=64k')) return st.skip('mount(8) of a tmpfs is not allowed here');
      try {
        const out = join(ro, 'out');
        const line = oneLine(cli(['select', an, '-o', out, '--no-progress']), 'EROFS');
        assert.ok(line.includes(JSON.stringify(out)), line);
        assert.match(line, /read-only file system \(EROFS\)$/);
      } finally {
        umount(ro);
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
