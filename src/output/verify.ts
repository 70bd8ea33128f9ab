/**
 * The readers' side of the manifest contract (docs/formats.md, "The manifest contract"): an output directory is
 * read only when its manifest.json is there and the files read match it — present, of the listed size and (by
 * default) of the listed sha256. Otherwise the reader refuses in one line (E_FORMAT). `loadPacks` and `inspect`
 * check through here; the Python reader follows the same rules.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CodeblockError } from '../errors.js';
import { STAGING_PREFIX, OWNED_FILES } from './commit.js';
import { validateManifest, type Manifest } from './manifest.js';
import { FILE_NAMES } from './types.js';

/** How far a reader checks the files it reads: size only, or size and sha256 (default). */
export type VerifyLevel = 'size' | 'digest';
export const VERIFY_LEVELS: readonly VerifyLevel[] = ['size', 'digest'];

const AGAIN = 'run the same command again';

function refuse(msg: string): CodeblockError {
  return new CodeblockError(msg, 'E_FORMAT');
}

/** The manifest of output directory `dir`, validated; refuses a directory without one. */
export function readOutputManifest(dir: string): Manifest {
  const path = join(dir, FILE_NAMES.manifest);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw refuse(`cannot read ${path}: ${(err as Error).message}`);
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      throw refuse(`${dir} is not a directory`);
    }
    if (names.some((n) => n.startsWith(STAGING_PREFIX) || OWNED_FILES.includes(n)))
      throw refuse(`${dir}: incomplete output (no ${FILE_NAMES.manifest}: a run was interrupted or failed): ${AGAIN}`);
    throw refuse(`${dir} has no ${FILE_NAMES.manifest}: not a codeblock output directory (codeblock run / select)`);
  }
  try {
    return validateManifest(JSON.parse(text));
  } catch (err) {
    throw refuse(`${path} is not a valid codeblock manifest (${(err as Error).message}): ${AGAIN}`);
  }
}

/** sha256 of a file, read in 1 MiB chunks. */
export function fileSha256(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

export interface VerifyOptions {
  /** 'digest' (default): size and sha256 of the files read; 'size': sizes only. */
  verify?: VerifyLevel;
  /** The files the reader reads (paths relative to `dir`): each must be listed; default every listed file. */
  files?: readonly string[];
}

/**
 * Check output directory `dir` against its manifest: every listed file is present with its listed size; the files
 * the reader reads (`files`) must be listed, and at `verify: 'digest'` have their listed sha256. Returns the
 * manifest. Refuses (E_FORMAT, one line) at the first mismatch.
 */
export function verifyOutput(dir: string, o: VerifyOptions = {}): Manifest {
  const level = o.verify ?? 'digest';
  if (!VERIFY_LEVELS.includes(level))
    throw new RangeError(`verify must be ${VERIFY_LEVELS.map((v) => `'${v}'`).join(' or ')}, got ${String(level)}`);
  const manifest = readOutputManifest(dir);
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  for (const name of o.files ?? []) {
    if (!listed.has(name)) {
      const formats = manifest.files.map((f) => f.path).join(', ');
      throw refuse(`${dir}: ${name} is not listed in ${FILE_NAMES.manifest} (this output holds ${formats})`);
    }
  }
  for (const f of manifest.files) {
    const path = join(dir, f.path);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      throw refuse(`${dir}: incomplete output: ${f.path} is listed in ${FILE_NAMES.manifest} but missing: ${AGAIN}`);
    }
    if (f.bytes !== undefined && size !== f.bytes)
      throw refuse(
        `${dir}: ${f.path} has ${size} bytes, ${FILE_NAMES.manifest} says ${f.bytes} (damaged, or from another run): ` +
          AGAIN,
      );
  }
  if (level === 'digest') {
    for (const name of o.files ?? manifest.files.map((f) => f.path)) {
      const f = listed.get(name)!;
      if (fileSha256(join(dir, name)) !== f.sha256)
        throw refuse(
          `${dir}: ${name} does not match its sha256 in ${FILE_NAMES.manifest} (damaged, or from another run): ` +
            AGAIN,
        );
    }
  }
  return manifest;
}

/** Whether `dir` has a manifest.json (an output directory, complete or not). */
export function hasManifest(dir: string): boolean {
  return existsSync(join(dir, FILE_NAMES.manifest));
}
