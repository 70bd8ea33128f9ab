/** Run the real `codeblock` bin in a child process (as a user would). */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/native.js';

export const BIN = join(PACKAGE_ROOT, 'bin', 'codeblock');
export const SHARED_DATA = join(PACKAGE_ROOT, '..', 'shared', 'data');
export const EXAMPLES = join(PACKAGE_ROOT, 'examples');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cli(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeout?: number } = {},
): CliResult {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? PACKAGE_ROOT,
    env: { ...process.env, CI: 'true', ...opts.env },
    input: opts.input,
    encoding: 'utf8',
    timeout: opts.timeout ?? 300_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `analyze` flags for tests that do not test the LM: no scorer, no progress bar, one worker. */
export const FAST_ANALYZE = ['--scorer', 'none', '--no-progress', '--workers', '1'];

/** Runs the bin and asserts exit 0 (the message names the command and holds its stderr); returns stderr. */
export function cliOk(args: string[], opts: Parameters<typeof cli>[1] = {}): string {
  const r = cli(args, opts);
  assert.equal(r.status, 0, `codeblock ${args.join(' ')}:\n${r.stderr}`);
  return r.stderr;
}
