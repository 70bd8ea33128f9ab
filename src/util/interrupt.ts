/**
 * SIGINT for the commands that write (analyze, select, run; docs/reliability.md "Interrupted runs"): one line
 * ("interrupted; run the same command again to resume"), this process's temporary files removed, exit 130.
 * What is committed stays (analysis parts, a previous complete output): the same command resumes from it.
 *
 * Temporary files are found by name, so worker threads need no registration: every codeblock temporary
 * file carries `.tmp-<pid>` (output/atomic.ts, the analysis parts, the completion record), select stages its
 * new output (spills included) in `<out>/.codeblock-staging-<pid>-<n>/` (output/commit.ts STAGING_PREFIX), and
 * older spills live in `<out>/.codeblock-tmp`. Other temporaries register a cleanup with {@link onInterrupt}.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const cleanups = new Set<() => void>();

/** Runs `fn` (synchronously, errors ignored) if the process is interrupted; returns the unregister function. */
export function onInterrupt(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/**
 * Removes, under `dir` (a few levels deep), this process's `.tmp-<pid>` files, its select staging directories
 * (`.codeblock-staging-<pid>-<n>`) and select's `.codeblock-tmp`.
 */
export function removeOwnTemporaries(dir: string, pid = process.pid, depth = 4): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const mine = `.tmp-${pid}`;
  const staging = `.codeblock-staging-${pid}-`; // output/commit.ts STAGING_PREFIX (util does not import output)
  for (const name of names) {
    const path = join(dir, name);
    if (name === '.codeblock-tmp' || name.startsWith(staging) || name.includes(`${mine}-`) || name.endsWith(mine)) {
      rmSync(path, { recursive: true, force: true });
      continue;
    }
    if (depth > 0 && !name.startsWith('.')) {
      try {
        removeOwnTemporaries(path, pid, depth - 1);
      } catch {
        /* not a directory */
      }
    }
  }
}

let installed = false;

/** Installs the SIGINT handler for a command writing under `dirs` (once per process). */
export function installInterruptHandler(dirs: readonly string[]): void {
  if (installed) return;
  installed = true;
  process.once('SIGINT', () => {
    process.stderr.write('\ncodeblock: interrupted; run the same command again to resume\n');
    for (const fn of cleanups) {
      try {
        fn();
      } catch {
        /* best effort: the next run removes what is left (stale temporaries are never trusted) */
      }
    }
    for (const d of dirs) removeOwnTemporaries(d);
    process.exit(130);
  });
}

/**
 * Test hook (CODEBLOCK_TEST_PAUSE_AT=<point>): at that point the process says so on stderr
 * (`codeblock-test: paused at <point>`) and waits for ever, so a test can send SIGINT at a known place.
 */
export async function testPause(point: string): Promise<void> {
  if (process.env.CODEBLOCK_TEST_PAUSE_AT !== point) return;
  process.stderr.write(`codeblock-test: paused at ${point}\n`);
  await new Promise(() => setInterval(() => undefined, 1 << 30));
}
