/**
 * One writer per directory: an output directory (`select`, `run`) or one analysis shard directory (`analyze`).
 *
 * The lock is `proper-lockfile`'s: a directory `<dir>/.codeblock.lock` made with mkdir (atomic on local disks and
 * on NFS / Lustre, which Slurm jobs share), its mtime refreshed every {@link LOCK_UPDATE_MS} while held. Beside it
 * `<dir>/.codeblock.lock.json` names the holder (host, pid, start time, and the lock directory's inode, so a
 * holder file left by an earlier lock is never taken for the current one's).
 *
 * A lock is stale, and taken over with a one-line notice, when its holder is on this host and its process is gone
 * (a SIGKILLed run), when it has no holder record 3 s after it was made (a run killed while taking it), or when
 * its mtime was not refreshed for {@link LOCK_STALE_MS} (a holder on another host that
 * died, or a host that lost its filesystem). Otherwise a second writer refuses in one line naming the holder
 * (E_LOCKED), or, with `--wait-lock`, waits until the lock is free.
 *
 * Re-entrant within a process: `run` holds its output directory while its `select` locks it again.
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import { CodeblockError } from '../errors.js';
import { onInterrupt } from './interrupt.js';

/** The lock directory's name inside the locked directory. */
export const LOCK_DIR = '.codeblock.lock';
/** The holder file's name inside the locked directory. */
export const LOCK_HOLDER = '.codeblock.lock.json';
/** A lock whose mtime is older than this is stale (the holder refreshes it every LOCK_UPDATE_MS). */
export const LOCK_STALE_MS = 60_000;
export const LOCK_UPDATE_MS = 10_000;
/** A lock directory with no holder record older than this was left by a run killed while taking it. */
const START_GRACE_MS = 3_000;
/** How often a waiting writer (--wait-lock) tries again. */
const POLL_MS = 500;

export interface LockHolder {
  host: string;
  pid: number;
  /** ISO time the holder took the lock. */
  started: string;
  /** What holds it (e.g. `select`, `analyze shard 0/2`). */
  what: string;
  /** Inode and birth time of the lock directory this holder made (0 where the filesystem has none). */
  ino: number;
  born: number;
}

export interface DirLockOptions {
  /** Wait for the holder to finish instead of refusing (--wait-lock). */
  wait?: boolean;
  /** Who takes it, recorded for the next writer's message (e.g. `select`). */
  what: string;
  /** Where one-line notices go (stale lock taken over, waiting); default stderr. */
  notice?: (line: string) => void;
}

export interface DirLock {
  readonly dir: string;
  /** Throws E_LOCKED when the lock was lost while held (not refreshed in time, or removed by someone else). */
  check(): void;
  release(): Promise<void>;
}

interface Held {
  count: number;
  release: () => Promise<void>;
  compromised?: Error;
}

const held = new Map<string, Held>();

export function describeHolder(h: LockHolder): string {
  return `host ${h.host}, pid ${h.pid}, started ${h.started}${h.what ? `, ${h.what}` : ''}`;
}

/** Whether holder file `h` was written for the lock directory `st` (not left by an earlier lock). */
function owns(h: LockHolder | undefined, st: { ino: number; birthtimeMs: number }): h is LockHolder {
  return h !== undefined && h.ino === st.ino && h.born === st.birthtimeMs;
}

function readHolder(dir: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(join(dir, LOCK_HOLDER), 'utf8')) as LockHolder;
    return typeof h.host === 'string' && Number.isInteger(h.pid) ? h : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Written while the lock is held: a holder record's temporary of a run killed while writing it is stale. */
function writeHolder(dir: string, h: LockHolder): void {
  const path = join(dir, LOCK_HOLDER);
  const tmp = `${path}.tmp-${process.pid}`;
  for (const name of readdirSync(dir))
    if (name.startsWith(`${LOCK_HOLDER}.tmp-`)) rmSync(join(dir, name), { force: true });
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, `${JSON.stringify(h)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function fsError(dir: string, err: unknown): CodeblockError {
  const e = err as NodeJS.ErrnoException;
  return new CodeblockError(`cannot lock ${dir}: ${e.code ?? ''} ${e.message}`.replace(/\s+/g, ' '), 'E_INPUT');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Take the lock of `dir` (which must exist). Refuses with E_LOCKED naming the holder, or waits with `wait`.
 * A stale lock (holder gone) is taken over with a notice.
 */
export async function lockDir(dirIn: string, o: DirLockOptions): Promise<DirLock> {
  const dir = resolve(dirIn);
  const notice = o.notice ?? ((line: string) => process.stderr.write(`${line}\n`));
  const again = held.get(dir);
  if (again) {
    again.count++;
    return handle(dir, again);
  }
  const lockPath = join(dir, LOCK_DIR);
  let waiting = false;
  let release: () => Promise<void>;
  let entry: Held | undefined;
  for (;;) {
    // a lock not refreshed for the stale period: proper-lockfile takes it over; say so
    let staleHolder: string | undefined;
    try {
      const st = statSync(lockPath);
      const age = Date.now() - st.mtimeMs;
      if (age > LOCK_STALE_MS) {
        const h = readHolder(dir);
        const who = owns(h, st) ? describeHolder(h) : 'holder unknown';
        staleHolder = `${who}, not refreshed for ${Math.round(age / 1000)} s`;
      }
    } catch {
      /* no lock */
    }
    try {
      const e: Held = { count: 1, release: async () => undefined };
      release = await lockfile.lock(dir, {
        lockfilePath: lockPath,
        realpath: false,
        stale: LOCK_STALE_MS,
        update: LOCK_UPDATE_MS,
        onCompromised: (err) => {
          e.compromised = err;
        },
      });
      entry = e;
      if (staleHolder) notice(`codeblock: took over the stale lock of ${dir} (${staleHolder})`);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw fsError(dir, err);
    }
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(lockPath);
    } catch {
      continue; // released meanwhile
    }
    const h = readHolder(dir);
    const current = owns(h, st);
    if (current && h.host === hostname() && h.pid !== process.pid && !alive(h.pid)) {
      notice(`codeblock: took over the lock of ${dir} left by a killed run (${describeHolder(h)}: process gone)`);
      try {
        rmdirSync(lockPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(dir, err);
      }
      continue;
    }
    if (!current) {
      // no holder record for this lock: its holder is starting (it writes the record right after mkdir), or it
      // was killed in between. Give it START_GRACE_MS, then take the lock over.
      const age = Date.now() - st.mtimeMs;
      if (age < START_GRACE_MS) {
        await sleep(100);
        continue;
      }
      const secs = Math.round(age / 1000);
      notice(`codeblock: took over the lock of ${dir} (no holder recorded for ${secs} s: a run killed while starting)`);
      try {
        rmdirSync(lockPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(dir, err);
      }
      continue;
    }
    const who = describeHolder(h);
    if (!o.wait) {
      throw new CodeblockError(
        `${dir} is locked by another codeblock run (${who}): wait for it to finish, or pass --wait-lock to wait`,
        'E_LOCKED',
      );
    }
    if (!waiting) {
      waiting = true;
      notice(`codeblock: waiting for the lock of ${dir} (${who})`);
    }
    await sleep(POLL_MS);
  }
  let ino = 0;
  try {
    const st = statSync(lockPath);
    ino = st.ino;
    const started = new Date().toISOString();
    writeHolder(dir, { host: hostname(), pid: process.pid, started, what: o.what, ino, born: st.birthtimeMs });
  } catch (err) {
    await release().catch(() => undefined);
    throw fsError(dir, err);
  }
  const forgetHolder = (): void => {
    try {
      const h = readHolder(dir);
      if (h && h.pid === process.pid && h.ino === ino) unlinkSync(join(dir, LOCK_HOLDER));
    } catch {
      /* gone */
    }
  };
  // SIGINT exits at once: the holder record goes with this process (proper-lockfile removes the lock directory
  // itself on exit), so an interrupted run leaves no lock file behind
  const unregister = onInterrupt(forgetHolder);
  entry.release = async () => {
    unregister();
    forgetHolder();
    await release().catch(() => undefined); // a compromised lock is released already
  };
  held.set(dir, entry);
  return handle(dir, entry);
}

function handle(dir: string, entry: Held): DirLock {
  let released = false;
  return {
    dir,
    check() {
      if (entry.compromised) {
        throw new CodeblockError(
          `lost the lock of ${dir} while writing (${entry.compromised.message}); another run may have taken it: ` +
            'run the same command again',
          'E_LOCKED',
        );
      }
    },
    async release() {
      if (released) return;
      released = true;
      if (--entry.count > 0) return;
      held.delete(dir);
      await entry.release();
    },
  };
}

/** Run `fn` holding the lock of `dir` (made if missing). */
export async function withDirLock<T>(dir: string, o: DirLockOptions, fn: (lock: DirLock) => Promise<T>): Promise<T> {
  const lock = await lockDir(dir, o);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}
