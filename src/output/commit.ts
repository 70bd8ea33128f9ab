/**
 * An output directory replaced as a transaction (docs/reliability.md, "Output directories as transactions").
 *
 * `select` writes every file of the new output into a staging directory inside the output directory
 * (`<out>/.codeblock-staging-<pid>-<n>/`, same filesystem), then commits:
 *
 *   1. the old manifest.json is moved away (the output is now "incomplete": readers refuse it);
 *   2. the new files are renamed into place;
 *   3. codeblock-owned files the new manifest does not list are removed (e.g. packs.cbpk/.cbpk.idx of an
 *      earlier `--format bin` run), never any other file;
 *   4. manifest.json is written last (temporary name, fsync, rename, fsync of the directory).
 *
 * So a reader sees either a complete output whose manifest lists exactly its files, or no manifest. All of it
 * runs while the output directory's lock is held (src/util/dir-lock.ts), as does the removal of what a killed
 * run left (staging directories, temporary names).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { FORMAT_TABLE, isStaleTempFile } from './formats.js';
import { FILE_NAMES, type OutputFile } from './types.js';
import { LOCK_HOLDER } from '../util/dir-lock.js';

/** Prefix of select's staging directories inside an output directory. */
export const STAGING_PREFIX = '.codeblock-staging-';
/** select's spill directory of releases before staging (removed when found). */
const OLD_SPILL_DIR = '.codeblock-tmp';

/** Files select owns in an output directory besides the manifest: each format's files and the outcome files. */
export const OWNED_FILES: readonly string[] = [
  ...FORMAT_TABLE.flatMap((f) => f.files),
  FILE_NAMES.rejected,
  FILE_NAMES.quarantine,
];

let staged = 0;

/**
 * Test hook: `CODEBLOCK_TEST_KILL_AT=<point>` SIGKILLs this process at that point of the commit
 * (staged, invalidated, moving, moved, cleaned). Used by test/reliability/transaction.test.ts.
 */
export function killPoint(point: string): void {
  if (process.env.CODEBLOCK_TEST_KILL_AT === point) process.kill(process.pid, 'SIGKILL');
}

/** fsync a directory (its renames and unlinks reach the disk). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* a filesystem that cannot fsync a directory: the renames are still atomic */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether `name` in an output directory is something an interrupted select left (never a user's file). */
export function isLeftover(name: string): boolean {
  return (
    name.startsWith(STAGING_PREFIX) ||
    name === OLD_SPILL_DIR ||
    isStaleTempFile(name) ||
    name.startsWith(`${LOCK_HOLDER}.tmp-`)
  );
}

/**
 * Call while holding the output directory's lock: removes what interrupted runs left (staging directories,
 * temporary names) and makes a fresh staging directory, returned.
 */
export function prepareStaging(outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  for (const f of readdirSync(outDir)) if (isLeftover(f)) rmSync(join(outDir, f), { recursive: true, force: true });
  const staging = join(outDir, `${STAGING_PREFIX}${process.pid}-${staged++}`);
  mkdirSync(staging);
  return staging;
}

/**
 * Move the files staged in `staging` into `outDir` and write the manifest (`manifestJson`) last. `files` are the
 * staged files (paths relative to `staging`), all listed in the manifest.
 */
export function commitStaged(
  outDir: string,
  staging: string,
  files: readonly OutputFile[],
  manifestJson: string,
): void {
  killPoint('staged');
  // 1. invalidate: from here until step 4 the directory has no manifest
  const manifest = join(outDir, FILE_NAMES.manifest);
  if (existsSync(manifest)) {
    renameSync(manifest, join(staging, `replaced-${FILE_NAMES.manifest}`));
    fsyncDir(outDir);
  }
  killPoint('invalidated');
  // 2. move the new files in
  let moved = 0;
  for (const f of files) {
    renameSync(join(staging, f.path), join(outDir, f.path));
    if (++moved === 1) killPoint('moving');
  }
  killPoint('moved');
  // 3. codeblock's files of an earlier run that this one does not write
  const listed = new Set(files.map((f) => f.path));
  for (const name of OWNED_FILES) if (!listed.has(name)) rmSync(join(outDir, name), { force: true });
  fsyncDir(outDir);
  killPoint('cleaned');
  // 4. the manifest, last
  writeFileAtomic(manifest, manifestJson);
  fsyncDir(outDir);
  rmSync(staging, { recursive: true, force: true });
}
