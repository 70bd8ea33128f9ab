/**
 * File-system errors at the write sites, in one place (issue 26, case 8; docs/troubleshooting.md E_OUTPUT):
 * a failed open, write, fsync, rename or mkdir of an output becomes one line that names the path the
 * user knows (the final file, not its temporary name) and what went wrong, e.g.
 * `cannot write "out/packs.cbpk": no space left on device (ENOSPC)`.
 */
import { mkdirSync } from 'node:fs';
import { CodeblockError } from '../errors.js';

const WHY: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a path component is not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'a file of that name is in the way',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
  EFBIG: 'file too large',
  ENOENT: 'no such file or directory',
};

/** The one-line E_OUTPUT error for a failed write of `path`, or `err` itself when it is not a file-system error. */
export function writeError(err: unknown, path: string, verb = 'write'): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !(code in WHY)) return err;
  return new CodeblockError(`cannot ${verb} ${JSON.stringify(path)}: ${WHY[code]} (${code})`, 'E_OUTPUT');
}

/** Runs `fn`; a file-system error becomes {@link writeError} for `path`. */
export function writing<T>(path: string, fn: () => T, verb = 'write'): T {
  try {
    return fn();
  } catch (e) {
    throw writeError(e, path, verb);
  }
}

/** `mkdir -p path`; a failure names the path (a recursive mkdir reports ENOENT where the cause is, e.g., EROFS:
 *  the last step is retried alone to find the real one). */
export function makeDir(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    let err = e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      try {
        mkdirSync(path);
      } catch (e2) {
        err = e2;
      }
    throw writeError(err, path, 'create the directory');
  }
}
