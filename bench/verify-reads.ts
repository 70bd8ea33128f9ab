/**
 * Preload for bench/verify.ts (`node --import`): counts how many times the process reads each analysis part file
 * (`readPartFile` reads each whole with fs/promises readFile, then checks its sha256) and writes the counts, as
 * JSON, to $CODEBLOCK_BENCH_READS when the process exits. Main thread only; the reads are not changed.
 */
import { writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const out = process.env.CODEBLOCK_BENCH_READS;
if (isMainThread && out) {
  const counts: Record<string, number> = {};
  const readFile = fsp.readFile;
  const counting = (path: unknown, ...rest: unknown[]): unknown => {
    const p = String(path);
    if (/part-\d+\.(records\.jsonl\.gz|outcomes\.jsonl)$/.test(p)) counts[p] = (counts[p] ?? 0) + 1;
    return (readFile as (...a: unknown[]) => unknown)(path, ...rest);
  };
  (fsp as unknown as { readFile: unknown }).readFile = counting;
  syncBuiltinESMExports();
  process.on('exit', () => writeFileSync(out, JSON.stringify(counts)));
}
