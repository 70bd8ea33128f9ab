/** Run the real `codeblock` bin in a child process (as a user would). */
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
