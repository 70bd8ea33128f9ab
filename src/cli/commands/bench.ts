import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CodeblockError } from '../../errors.js';
import type { CodeblockConfig } from '../../config/index.js';
import { PACKAGE_ROOT } from '../../native.js';

interface BenchModule {
  runBench(o: {
    records?: number;
    workers?: number;
    resultsPath?: string;
    docsPath?: string | null;
  }): Promise<{ sections: Record<string, { status: string }> }>;
}

/** True when the flag was given on the command line (the option table's default is gen's pool size). */
function flagGiven(name: string): boolean {
  return process.argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
}

/**
 * `codeblock bench`: the benchmark harness of bench/run.ts (same as `npm run bench`).
 * `--records` sizes the generated pool, `--workers` the worker count; `-o` writes results.json
 * elsewhere (and then leaves docs/benchmarks.md alone). Exit 1 when a section failed.
 */
export async function benchCommand(_args: string[], cfg: CodeblockConfig): Promise<number> {
  // dist/src/cli/commands/bench.js → dist/bench/run.js
  const runJs = fileURLToPath(new URL('../../../bench/run.js', import.meta.url));
  if (!existsSync(runJs)) {
    throw new CodeblockError(
      `the benchmark harness is not built (${runJs} missing): run \`npm run build:ts\` in the codeblock package ` +
        `(${PACKAGE_ROOT})`,
      'E_UNAVAILABLE',
    );
  }
  const mod = (await import(pathToFileURL(runJs).href)) as BenchModule;
  const opts: Parameters<BenchModule['runBench']>[0] = {};
  if (flagGiven('records')) opts.records = cfg.records;
  if (flagGiven('workers')) opts.workers = cfg.workers;
  if (cfg.out) {
    const out = resolve(cfg.out);
    opts.resultsPath =
      out.endsWith('.json') && !(existsSync(out) && statSync(out).isDirectory()) ? out : join(out, 'results.json');
    if (process.env.CODEBLOCK_BENCH_DOCS === undefined) opts.docsPath = null;
  }
  const r = await mod.runBench(opts);
  return Object.values(r.sections).some((s) => s.status === 'error') ? 1 : 0;
}
