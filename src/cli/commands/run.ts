import type { CodeblockConfig } from '../../config/index.js';
import { run } from '../../pipeline/run.js';
import { Progress } from '../progress.js';
import { reportAnalyze } from './analyze.js';
import { reportSelect } from './select.js';

/** `run` = analyze into <out>/analysis, then select into <out> (src/pipeline/run.ts). */
export async function runCommand(inputs: string[], cfg: CodeblockConfig): Promise<number> {
  const r = await run(inputs, cfg, {
    analyze: { progress: new Progress('analyze', { enabled: cfg.progress }) },
    afterAnalyze: (a) => {
      reportAnalyze(a);
      return { progress: new Progress('select', { enabled: cfg.progress }) };
    },
  });
  reportSelect(r.select);
  return 0;
}
